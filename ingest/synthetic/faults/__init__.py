"""The messy parts of real streams, each in its own module: late and duplicate delivery and new fields
(``delivery``), unknown event types (``unknown_types``), malformed and unclassifiable lines (``malformed``)."""
