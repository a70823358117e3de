"""Project exception types: one per failure a user can act on, each message naming the file, record or field."""


class EnglakeError(Exception):
    """Base class; the CLI prints these without a traceback and exits non-zero."""


class ConfigError(EnglakeError):
    """A setting is missing or invalid (names the setting and its environment variable)."""


class LakeError(EnglakeError):
    """The lake root cannot be read or written (names the root or object)."""


class InputError(EnglakeError):
    """An input file or record is unusable (names the file, the record and the field)."""
