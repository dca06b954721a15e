"""Where the encrypted attachment files are kept: one small interface, two backends.

Only ciphertext ever reaches a backend (`caseapp.security.crypto.encrypt_chunks`); object names are the
attachment's random uuid, never its file name. The filesystem backend (default) writes under the instance
folder with owner-only permissions; the S3 backend talks to any S3-compatible service through boto3.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

_EXTENSION = "caseapp.attachment_store"


class StorageError(RuntimeError):
    """The store cannot be reached or refused an operation (the message names no file content)."""


class AttachmentStore(Protocol):
    """What the attachments service needs from a store."""

    def put(self, key: str, pieces: Iterable[bytes]) -> int:
        """Write an object from its pieces (replacing one of the same name); return its stored size."""
        ...

    def get(self, key: str) -> bytes:
        """Return an object's bytes (StorageError when it is missing)."""
        ...

    def delete(self, key: str) -> None:
        """Remove an object (nothing happens when it is already gone)."""
        ...

    def exists(self, key: str) -> bool:
        """Say whether an object exists."""
        ...


class FilesystemStore:
    """Objects as files in one folder (mode 0700, files 0600), written to a temporary name then renamed."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise StorageError("invalid object name")
        return self.root / key

    def _ensure_root(self) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def put(self, key: str, pieces: Iterable[bytes]) -> int:
        self._ensure_root()
        target = self._path(key)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in pieces:
                    out.write(piece)
                    size += len(piece)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return size

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"object {key} is missing from the attachment store") from None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


class S3Store:
    """Objects in a bucket of an S3-compatible service (boto3; credentials from the usual AWS_* variables)."""

    def __init__(
        self, bucket: str, endpoint_url: str | None = None, region: str | None = None, **client: Any
    ):
        import boto3  # imported here: the filesystem backend needs no boto3 at run time

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, **client)

    def put(self, key: str, pieces: Iterable[bytes]) -> int:
        body = io.BytesIO()
        for piece in pieces:
            body.write(piece)
        size = body.tell()
        body.seek(0)
        try:
            self.client.upload_fileobj(body, self.bucket, key)
        except Exception as exc:  # noqa: BLE001 - botocore's errors are many; the caller needs one
            raise StorageError(f"S3 store refused object {key}: {type(exc).__name__}") from None
        return size

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            return bytes(answer["Body"].read())
        except Exception as exc:  # noqa: BLE001
            raise StorageError(
                f"object {key} cannot be read from the S3 store: {type(exc).__name__}"
            ) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:  # noqa: BLE001
            raise StorageError(
                f"object {key} cannot be deleted from the S3 store: {type(exc).__name__}"
            ) from None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception:  # noqa: BLE001 - a 404 or any failure: not there for us
            return False
        return True


def store_from_config(config: Any) -> AttachmentStore:
    """Build the configured store (ATTACHMENT_STORAGE: filesystem or s3)."""
    kind = str(config.get("ATTACHMENT_STORAGE") or "filesystem").lower()
    if kind == "filesystem":
        return FilesystemStore(config["ATTACHMENT_DIR"])
    if kind == "s3":
        bucket = config.get("ATTACHMENT_S3_BUCKET")
        if not bucket:
            raise StorageError("ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET")
        return S3Store(bucket, config.get("ATTACHMENT_S3_ENDPOINT"), config.get("ATTACHMENT_S3_REGION"))
    raise StorageError(f"unknown ATTACHMENT_STORAGE {kind!r}: use filesystem or s3")


def current_store() -> AttachmentStore:
    """Return the running application's store (built once, on first use)."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = store_from_config(current_app.config)
        current_app.extensions[_EXTENSION] = store
    return store
