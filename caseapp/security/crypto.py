"""Field encryption (AES-256-GCM, envelope keys) and the blind index; pure functions, no database.

Stored value format (bytes): version (1) | data key id (8, big-endian) | nonce (12) | ciphertext + tag.
Associated data binds each value to its place, `table|column|row uuid|key id`, so a value copied to another
row or column, or presented with another key id, fails to decrypt instead of yielding a wrong plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
NONCE_BYTES = 12
_HEADER = 1 + 8 + NONCE_BYTES
_TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value cannot be read (tampered, moved, wrong or missing key). Never carries the data."""


class KeyShredded(DecryptionError):
    """The record's data key was destroyed on purpose (retention): its sensitive fields are gone."""


def field_aad(table: str, column: str, row_uuid: str, key_id: int) -> bytes:
    """Return the associated data that binds a value to its table, column, row and key."""
    return f"{table}|{column}|{row_uuid}|{key_id}".encode()


def encrypt_field(dek: bytes, key_id: int, table: str, column: str, row_uuid: str, plaintext: str) -> bytes:
    """Encrypt one value under a data key, bound to its place."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(dek).encrypt(nonce, plaintext.encode("utf-8"), field_aad(table, column, row_uuid, key_id))
    return bytes([FORMAT_VERSION]) + key_id.to_bytes(8, "big") + nonce + sealed


def stored_key_id(blob: bytes) -> int:
    """Return the data key id a stored value names (raises DecryptionError on a malformed value)."""
    if len(blob) < _HEADER + _TAG_BYTES or blob[0] != FORMAT_VERSION:
        raise DecryptionError("malformed encrypted value (unknown version or truncated)")
    return int.from_bytes(blob[1:9], "big")


def decrypt_field(dek: bytes, key_id: int, table: str, column: str, row_uuid: str, blob: bytes) -> str:
    """Decrypt one value; raise DecryptionError unless it was sealed for exactly this place and key."""
    named = stored_key_id(blob)
    if named != key_id:
        raise DecryptionError(f"value names data key {named}, but the record's key is {key_id}")
    nonce, sealed = blob[9:_HEADER], blob[_HEADER:]
    try:
        plain = AESGCM(dek).decrypt(nonce, sealed, field_aad(table, column, row_uuid, key_id))
    except InvalidTag:
        raise DecryptionError(f"integrity check failed for {table}.{column} (tampered or moved)") from None
    return plain.decode("utf-8")


def _wrap_aad(data_key_uuid: str, kek_id: str) -> bytes:
    return f"data_key|{data_key_uuid}|{kek_id}".encode()


def wrap_key(kek: bytes, kek_id: str, data_key_uuid: str, dek: bytes) -> bytes:
    """Encrypt a data key under a key-encryption key (nonce | ciphertext + tag)."""
    return wrap_with(AESGCM(kek), kek_id, data_key_uuid, dek)


def unwrap_key(kek: bytes, kek_id: str, data_key_uuid: str, wrapped: bytes) -> bytes:
    """Decrypt a wrapped data key; raise DecryptionError when the KEK or the record does not match."""
    return unwrap_with(AESGCM(kek), kek_id, data_key_uuid, wrapped)


def wrap_with(kek: AESGCM, kek_id: str, data_key_uuid: str, dek: bytes) -> bytes:
    """`wrap_key` with the KEK's cipher already built (many keys in a row: rotation)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + kek.encrypt(nonce, dek, _wrap_aad(data_key_uuid, kek_id))


def unwrap_with(kek: AESGCM, kek_id: str, data_key_uuid: str, wrapped: bytes) -> bytes:
    """`unwrap_key` with the KEK's cipher already built."""
    try:
        return kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(data_key_uuid, kek_id))
    except (InvalidTag, ValueError):
        raise DecryptionError(f"data key {data_key_uuid} does not unwrap under KEK {kek_id}") from None


def _secret_aad(purpose: str, owner: str, kek_id: str) -> bytes:
    return f"secret|{purpose}|{owner}|{kek_id}".encode()


def seal_secret(kek: bytes, kek_id: str, purpose: str, owner: str, plaintext: str) -> bytes:
    """Encrypt a small secret (a TOTP seed) directly under a KEK, bound to its purpose and owner."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, plaintext.encode(), _secret_aad(purpose, owner, kek_id))


def open_secret(kek: bytes, kek_id: str, purpose: str, owner: str, sealed: bytes) -> str:
    """Decrypt what `seal_secret` sealed for this purpose and owner; raise DecryptionError otherwise."""
    try:
        plain = AESGCM(kek).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _secret_aad(purpose, owner, kek_id)
        )
    except (InvalidTag, ValueError):
        raise DecryptionError(f"{purpose} secret of {owner} does not open under KEK {kek_id}") from None
    return plain.decode()


def new_data_key() -> bytes:
    """Return 32 random bytes for a new data key."""
    return AESGCM.generate_key(bit_length=256)


# Blind index -------------------------------------------------------------------------------------------


def index_key(root: bytes, index_name: str) -> bytes:
    """Derive the key of one blind index from the root key (HKDF-SHA256), so indexes never share a key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"caseapp/blind-index/v1/" + index_name.encode()
    ).derive(root)


def blind_index(key: bytes, normalised: str, bits: int) -> int:
    """Return the keyed, truncated index of a normalised value (many values share each index on purpose)."""
    if not 1 <= bits <= 31:
        raise ValueError("blind index width must be 1 to 31 bits")
    digest = hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - bits)


_NON_DIGITS = re.compile(r"[\s.\-]")


def normalise_nik(value: str) -> str:
    """Return the 16 digits of a NIK (spaces, dots and dashes removed) or raise ValueError."""
    digits = _NON_DIGITS.sub("", value or "")
    if len(digits) != 16 or not digits.isdigit():
        raise ValueError("a NIK has exactly 16 digits")
    return digits


# Files: chunked AES-256-GCM ------------------------------------------------------------------------------
#
# A stored file is FILE_MAGIC followed by records `length (4, big-endian) | nonce (12) | ciphertext + tag`,
# one per chunk. Each chunk's associated data names the file, the chunk's index and whether it is the last
# one, so chunks cannot be reordered, swapped between files, dropped from the end or appended.

FILE_MAGIC = b"CAF1"
_LEN_BYTES = 4


def _chunk_aad(file_id: str, index: int, last: bool) -> bytes:
    return f"file|{file_id}|{index}|{'last' if last else 'more'}".encode()


def encrypt_chunks(dek: bytes, file_id: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield the stored form of a file, chunk by chunk (the first piece is the header)."""
    cipher = AESGCM(dek)
    yield FILE_MAGIC
    index = 0
    pending: bytes | None = None
    for chunk in chunks:
        if pending is not None:
            yield _seal_chunk(cipher, file_id, index, pending, last=False)
            index += 1
        pending = bytes(chunk)
    yield _seal_chunk(cipher, file_id, index, pending or b"", last=True)


def _seal_chunk(cipher: AESGCM, file_id: str, index: int, plain: bytes, *, last: bool) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plain, _chunk_aad(file_id, index, last))
    return (NONCE_BYTES + len(sealed)).to_bytes(_LEN_BYTES, "big") + nonce + sealed


def decrypt_chunks(dek: bytes, file_id: str, stored: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunks of a stored file; raise DecryptionError saying which chunk failed and why
    (tampered, swapped, reordered, truncated) before yielding anything past it."""
    if not stored.startswith(FILE_MAGIC):
        raise DecryptionError(f"file {file_id}: not an encrypted file of ours (unknown header)")
    cipher = AESGCM(dek)
    pos, index, view = len(FILE_MAGIC), 0, memoryview(stored)
    while True:
        if pos + _LEN_BYTES > len(stored):
            raise DecryptionError(f"file {file_id} is truncated: chunk {index} is missing")
        size = int.from_bytes(view[pos : pos + _LEN_BYTES], "big")
        start, end = pos + _LEN_BYTES, pos + _LEN_BYTES + size
        if size < NONCE_BYTES + _TAG_BYTES or end > len(stored):
            raise DecryptionError(f"file {file_id} is truncated inside chunk {index}")
        nonce, sealed = bytes(view[start : start + NONCE_BYTES]), bytes(view[start + NONCE_BYTES : end])
        last = end == len(stored)
        try:
            plain = cipher.decrypt(nonce, sealed, _chunk_aad(file_id, index, last))
        except InvalidTag:
            if not last:
                try:
                    cipher.decrypt(nonce, sealed, _chunk_aad(file_id, index, True))
                except InvalidTag:
                    pass
                else:
                    raise DecryptionError(f"file {file_id}: data follows its last chunk ({index})") from None
            else:
                try:
                    cipher.decrypt(nonce, sealed, _chunk_aad(file_id, index, False))
                except InvalidTag:
                    pass
                else:
                    raise DecryptionError(
                        f"file {file_id} is truncated: it ends after chunk {index}, which is not its last"
                    ) from None
            raise DecryptionError(
                f"file {file_id}: chunk {index} failed its integrity check (tampered, swapped or reordered)"
            ) from None
        yield plain
        if last:
            return
        pos, index = end, index + 1
