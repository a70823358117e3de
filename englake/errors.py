"""Project exception types: one per failure a user can act on, each message naming the file, record or field.

The CLI prints any of them as one line and exits with the code ``EXIT_CODES`` gives its class (the nearest listed
ancestor for a subclass). ``as_project_error`` turns the foreign exceptions users meet at the boundary (botocore's
region and credential errors, a read-only path, a DuckDB file another process holds) into these types, so every
failure reads the same way. Nothing here imports botocore or duckdb up front: the CLI's ``--help`` stays fast.
"""

from __future__ import annotations

import errno
import os
import re


class EnglakeError(Exception):
    """Base class; the CLI prints these without a traceback and exits non-zero."""


class ConfigError(EnglakeError):
    """A setting is missing or invalid (names the setting and its environment variable)."""


class AwsRegionError(ConfigError):
    """No AWS Region is configured for a client that needs one."""


class AwsCredentialsError(EnglakeError):
    """AWS credentials are missing, incomplete, expired, invalid, or refused for the call (names the call)."""


class AwsServiceError(EnglakeError):
    """An AWS call failed for another reason (names the service, operation and AWS's error code)."""


class LakeError(EnglakeError):
    """The lake root cannot be read or written (names the root or object)."""


class ForeignLakeError(LakeError):
    """A command that empties a lake found one it did not create (names the lake and the override)."""


class UnwritablePathError(EnglakeError):
    """A file or folder cannot be written: read-only file system, no permission, or not a folder (names the path)."""


class DatabaseLockedError(EnglakeError):
    """Another process holds the DuckDB file (names the file, and the process when DuckDB says which)."""


class InputError(EnglakeError):
    """An input file or record is unusable (names the file, the record and the field)."""


class DbtError(EnglakeError):
    """A dbt command failed; the message names the command and the failing nodes."""


class StaleLakeError(EnglakeError):
    """The lake's newest data is older than the freshness bound allows (names the newest hour and the bound)."""


class AthenaError(EnglakeError):
    """An Athena query failed or its workgroup can't be reached (names the workgroup, the query and Athena's reason)."""


class MembershipError(EnglakeError):
    """The membership relation is missing or breaks its key (null or duplicate endpoint id / segment name)."""


class SegmentNameError(EnglakeError):
    """A segment name the destination can't store (too long, empty, control characters); raised before any write."""


class DestinationError(EnglakeError):
    """The destination can't be reached or set up (names the destination and what is missing)."""


class GuardTripped(EnglakeError):
    """The sync would remove too many members (or every member); rerun with force once the change is intended."""


class PartialFailureError(EnglakeError):
    """The run finished but some items were not done (names how many); rerunning does the rest."""


#: Exit code of each failure class (the CLI's contract, documented in the README). 2 is click/typer's usage error.
EXIT_CODES: dict[type[BaseException], int] = {
    EnglakeError: 1,
    ConfigError: 3,
    AwsRegionError: 4,
    AwsCredentialsError: 5,
    AwsServiceError: 6,
    LakeError: 7,
    UnwritablePathError: 8,
    DatabaseLockedError: 9,
    InputError: 10,
    DbtError: 11,
    StaleLakeError: 12,
    GuardTripped: 13,
    PartialFailureError: 14,
    MembershipError: 15,
    SegmentNameError: 16,
    DestinationError: 17,
    AthenaError: 18,
    ForeignLakeError: 19,
}
#: click's code for a bad option or argument (typer keeps it).
USAGE_EXIT_CODE = 2
#: An exception no project type describes: a bug (sysexits.h EX_SOFTWARE); ``--debug`` shows its traceback.
INTERNAL_EXIT_CODE = 70
#: Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED_EXIT_CODE = 130


def exit_code(error: BaseException) -> int:
    """The exit code for ``error``: its class's, else its nearest listed ancestor's, else the internal-error code."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return INTERNAL_EXIT_CODE


#: AWS error codes meaning the caller's credentials are expired, invalid or not allowed this call.
AWS_CREDENTIAL_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "AuthFailure",
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "NotAuthorized",
        "ForbiddenException",
    }
)

_REGION_HINT = "set AWS_REGION (or AWS_DEFAULT_REGION, or region in ~/.aws/config)"
_CREDENTIALS_HINT = (
    "configure credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or `aws sso login`) and retry"
)
_LOCK = re.compile(r'Could not set lock on file "(?P<path>[^"]+)"(?::\s*(?P<detail>.*?))?(?:\.\s+See also|\.?$)')
_CANNOT_OPEN = re.compile(r'Cannot open file "(?P<path>[^"]+)": (?P<reason>[^\n]+)')
#: The strerror texts DuckDB passes on when a file cannot be opened for writing.
_UNWRITABLE_REASONS = ("Read-only file system", "Permission denied", "Operation not permitted", "Not a directory")
#: errno values meaning "this path cannot be written here" (EEXIST/ENOTDIR: a file stands where a folder must be).
_UNWRITABLE_ERRNOS = frozenset(
    {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST, errno.ENOSPC, errno.EDQUOT}
)


def as_project_error(error: BaseException) -> EnglakeError | None:
    """``error`` as a project error with a one-line message, or None when nothing here describes it (a bug)."""
    if isinstance(error, EnglakeError):
        cause = _from_botocore(error.__cause__) if error.__cause__ is not None else None
        if isinstance(cause, (AwsCredentialsError, AwsRegionError)) and not isinstance(error, type(cause)):
            # e.g. "cannot list lake root s3://…: ExpiredToken": the message stays, the code says "credentials".
            return type(cause)(f"{error} ({_REGION_HINT if isinstance(cause, AwsRegionError) else _CREDENTIALS_HINT})")
        return error
    botocore_error = _from_botocore(error)
    if botocore_error is not None:
        return botocore_error
    duckdb_error = _from_duckdb(error)
    if duckdb_error is not None:
        return duckdb_error
    if isinstance(error, OSError) and error.errno in _UNWRITABLE_ERRNOS and error.filename is not None:
        return unwritable(error)
    if isinstance(error, FileNotFoundError) and error.filename is not None:
        return InputError(f"{error.filename}: no such file or folder")
    return None


def unwritable(error: OSError) -> UnwritablePathError:
    """A write that the file system refused, as one line naming the path and why."""
    path = error.filename
    if os.path.basename(str(path)).startswith(".tmp"):  # an atomic write's temporary file: name its folder
        path = os.path.dirname(str(path))
    reason = error.strerror or str(error)
    hint = {
        errno.EROFS: "the file system is mounted read-only; point englake at a writable folder",
        errno.EACCES: "no permission; point englake at a folder you can write, or fix its permissions",
        errno.EPERM: "not permitted (immutable or not yours); point englake at a writable folder",
        errno.ENOTDIR: "a file stands where a folder is needed",
        errno.EEXIST: "a file stands where a folder is needed",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
    }.get(error.errno or 0, "")
    return UnwritablePathError(f"cannot write {path}: {reason}" + (f" ({hint})" if hint else ""))


def _from_botocore(error: BaseException) -> EnglakeError | None:
    module = type(error).__module__
    if not module.startswith(("botocore", "boto3")):
        return None
    from botocore import exceptions as bce

    if isinstance(error, bce.NoRegionError):
        return AwsRegionError(f"no AWS Region configured: {_REGION_HINT}")
    if isinstance(error, bce.PartialCredentialsError):
        return AwsCredentialsError(f"incomplete AWS credentials ({error}): {_CREDENTIALS_HINT}")
    if isinstance(error, (bce.NoCredentialsError, bce.CredentialRetrievalError, bce.TokenRetrievalError)):
        return AwsCredentialsError(f"no usable AWS credentials ({error}): {_CREDENTIALS_HINT}")
    if isinstance(error, bce.ClientError):
        return from_client_error(error)
    if isinstance(error, bce.BotoCoreError):
        return AwsServiceError(f"AWS call failed: {error}")
    return None


def from_setup_error(error: BaseException) -> EnglakeError:
    """botocore's missing-setup errors (no or partial credentials, no Region) as the project's credentials or Region
    error; a batch writer re-raises them, since every later call would fail alike."""
    translated = _from_botocore(error)
    if translated is None:
        raise TypeError(f"not a botocore error: {error!r}") from error
    return translated


def client_error_code(error: BaseException, default: str = "") -> str:
    """The ``Error.Code`` of a botocore ``ClientError`` (``default`` when the response names none)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) or default


def from_client_error(error: BaseException) -> EnglakeError:
    """A botocore ``ClientError`` as a credentials error (expired, invalid, access denied) or a service error."""
    response = getattr(error, "response", {}) or {}
    code = client_error_code(error, "Unknown")
    message = str(response.get("Error", {}).get("Message", "")) or str(error)
    operation = getattr(error, "operation_name", "") or "an AWS call"
    line = f"{operation}: {code}: {message}".replace("\n", " ")
    if code in AWS_CREDENTIAL_ERROR_CODES:
        if code.startswith(("Access", "Unauthorized", "NotAuthorized", "Forbidden")):
            return AwsCredentialsError(f"{line} (the credentials lack this permission)")
        return AwsCredentialsError(f"{line} ({_CREDENTIALS_HINT})")
    return AwsServiceError(line)


def _from_duckdb(error: BaseException) -> EnglakeError | None:
    if not type(error).__module__.startswith(("duckdb", "_duckdb")):
        return None
    text = str(error)
    match = _LOCK.search(text)
    if match:
        return locked(match.group("path"), match.group("detail"))
    match = _CANNOT_OPEN.search(text)
    if match and any(reason in match.group("reason") for reason in _UNWRITABLE_REASONS):
        return UnwritablePathError(f"cannot write {match.group('path')}: {match.group('reason').rstrip('.')}")
    return None


def locked(path: str, detail: str | None = None) -> DatabaseLockedError:
    """The one line for a DuckDB file another process holds."""
    holder = f" ({detail.strip()})" if detail and detail.strip() else ""
    return DatabaseLockedError(
        f"the DuckDB file {path} is in use by another process{holder}: close that connection "
        "(an open DuckDB shell, notebook or BI tool) and retry"
    )
