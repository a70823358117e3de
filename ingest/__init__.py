"""The event lake: Firehose-faithful landing, a tolerant reader with quarantine, synthetic events, Glue registration."""
