"""Project exception types: one per failure a user can act on, each message naming the file, record or field."""


class EnglakeError(Exception):
    """Base class; the CLI prints these without a traceback and exits non-zero."""


class ConfigError(EnglakeError):
    """A setting is missing or invalid (names the setting and its environment variable)."""


class LakeError(EnglakeError):
    """The lake root cannot be read or written (names the root or object)."""


class InputError(EnglakeError):
    """An input file or record is unusable (names the file, the record and the field)."""


class DbtError(EnglakeError):
    """A dbt command failed; the message names the command and the failing nodes."""


class StaleLakeError(EnglakeError):
    """The lake's newest data is older than the freshness bound allows (names the newest hour and the bound)."""


class AthenaError(EnglakeError):
    """An Athena query failed or its workgroup can't be reached (names the workgroup, the query and Athena's reason)."""


#: Exit code of each failure class (the nearest listed ancestor's for a subclass); 2 is click's usage error. The
#: daily pipeline (deploy/pipeline.yaml) tells a stale lake from a failed build by these codes.
EXIT_CODES: dict[type[BaseException], int] = {
    EnglakeError: 1,
    ConfigError: 3,
    DbtError: 11,
    StaleLakeError: 12,
    AthenaError: 18,
}


def exit_code(error: BaseException) -> int:
    """The exit code for ``error``: its class's, else its nearest listed ancestor's."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1
