"""The lake root as an object store: a local folder (the embedded default) or ``s3://bucket/prefix``.

Keys are always ``/``-separated and relative to the root, so the same code lands, reads and quarantines on both.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from englake.errors import LakeError, client_error_code

#: What ``tempfile.mkstemp`` opens a temporary file with: created here or failing, never through a link, not
#: inherited, and binary where the OS knows text mode (the flags a platform lacks are 0, as in ``tempfile``).
_TEMPORARY_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOINHERIT", 0)
    | getattr(os, "O_BINARY", 0)
)


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    #: changes whenever the content may have: the S3 ETag, or a local file's modification time in nanoseconds
    version: str = ""


class LakeStore(Protocol):
    root: str

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def list(self, prefix: str = "") -> Iterator[StoredObject]: ...

    def delete(self, key: str) -> None: ...

    def uri(self, key: str) -> str: ...


class LocalStore:
    """A folder; writes are atomic (temporary file + rename), so a crash never leaves half an object."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root).expanduser().resolve()
        self.root = str(self.path)
        # A key's normalised path starts with this (or is the root itself).
        self._inside = os.path.join(self.root, "")
        # Folders this store made or found: landing puts thousands of objects into a few hundred hour folders, and a
        # mkdir per object cost a tenth of the generator's landing time.
        self._folders: set[str] = set()
        self._token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._serial = itertools.count()

    def _path(self, key: str) -> str:
        # Lexical normalisation (no filesystem calls: this runs for every object) is enough to refuse "..". Strings,
        # not pathlib: pathlib's parsing and `parents` were a fifth of landing's CPU for small objects.
        path = os.path.normpath(os.path.join(self.root, key))
        if not path.startswith(self._inside) and path != self.root:
            raise LakeError(f"key {key!r} escapes the lake root {self.root}")
        return path

    def _file(self, key: str) -> Path:
        return Path(self._path(key))

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            fd, tmp = self._temporary(folder)
        except FileNotFoundError:  # the folder was removed since (another process emptied the lake): make it again
            os.makedirs(folder, exist_ok=True)
            fd, tmp = self._temporary(folder)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _temporary(self, folder: str) -> tuple[int, str]:
        """A new file of this process's own in ``folder``, as ``tempfile.mkstemp`` makes one (exclusive, private)
        with plain ``os`` calls: mkstemp's random names and Python file objects cost landing half its time per
        object, on a local lake of many small objects."""
        while True:
            tmp = f"{folder}/.tmp-{self._token}-{next(self._serial)}"
            try:
                return os.open(tmp, _TEMPORARY_FLAGS, 0o600), tmp
            except FileExistsError:  # a process forked from this one shares the token: take the next number
                continue

    def get(self, key: str) -> bytes:
        try:
            return self._file(key).read_bytes()
        except FileNotFoundError as error:
            raise LakeError(f"no object {key!r} in lake {self.root}") from error

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        base = self._file(prefix) if prefix else self.path
        # A prefix may name a folder or the start of file names inside one.
        folder = base if base.is_dir() else base.parent
        if not folder.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(".tmp-"):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(self.path).as_posix()
                if key.startswith(prefix):
                    stat = full.stat()
                    yield StoredObject(key, stat.st_size, str(stat.st_mtime_ns))

    def delete(self, key: str) -> None:
        self._file(key).unlink(missing_ok=True)

    def uri(self, key: str) -> str:
        return str(self._file(key))


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` as (bucket, key); either may be empty."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


class S3Store:
    """``s3://bucket/prefix`` through a boto3 S3 client."""

    def __init__(self, root: str, s3_client: Any) -> None:
        bucket, prefix = split_s3_uri(root)
        if not bucket:
            raise LakeError(f"lake root {root!r} names no bucket (expected s3://bucket/prefix)")
        self.root = root.rstrip("/")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.s3 = s3_client

    def put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key: str) -> bytes:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except self.s3.exceptions.NoSuchKey as error:
            raise LakeError(f"no object {key!r} in lake {self.root}") from error
        except ClientError as error:  # access denied, missing bucket, KMS: the object cannot be read
            code = client_error_code(error, "error")
            raise LakeError(f"cannot read {self.uri(key)}: {code}") from error

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", []):
                    yield StoredObject(item["Key"][len(self.prefix) :], item["Size"], item.get("ETag", "").strip('"'))
        except self.s3.exceptions.NoSuchBucket as error:
            raise LakeError(f"lake bucket {self.bucket!r} does not exist (lake root {self.root})") from error
        except ClientError as error:
            code = client_error_code(error, "error")
            raise LakeError(f"cannot list lake root {self.root}: {code}") from error

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"


def open_lake(root: str, s3_client: Any | None = None) -> LakeStore:
    """The store for a lake root: ``s3://…`` needs (or builds) an S3 client; anything else is a local folder."""
    if root.startswith("s3://"):
        if s3_client is None:
            from englake.aws import client

            s3_client = client("s3")
        return S3Store(root, s3_client)
    if "://" in root:
        raise LakeError(f"unknown lake root {root!r}: use a local folder or s3://bucket/prefix")
    return LocalStore(root)
