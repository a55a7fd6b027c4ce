"""Files sealed with the deployment's key: encrypted and authenticated in chunks, written
and read as streams, so that a county's database dump passes through without ever being
held in memory or written to disk in the clear.

A sealed file is a header and a run of frames:

    header   b"HHLSEAL" 0x01, suite (1 byte), key fingerprint (8), salt (16)
    frame    last flag (1), length of what follows the nonce (4, big-endian), nonce (12),
             ciphertext with its 16-byte GCM tag

Each file gets its own key, derived from the deployment's key and the file's random salt
(HKDF), and each chunk its own random nonce. A chunk's associated data is the header, its
index and its last-chunk flag: a chunk moved, dropped, repeated or taken from another file
fails its tag; a file cut after any chunk but the last ends without a chunk flagged last;
anything after the last chunk is refused. The fingerprint (a hash of the key, which says
nothing of it) lets a wrong key be named as such rather than as damage.

国密 first: SM4-GCM with HKDF over SM3 where the OpenSSL build offers them (a 密评 prefers
them, GB/T 39786-2021), else AES-256-GCM with HKDF over SHA-256. The suite is in the
header, so a file opens wherever its suite is available.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.backends.openssl.backend import backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"HHLSEAL\x01"
SM4_GCM, AES_256_GCM = 1, 2
SUITE_NAMES = {SM4_GCM: "SM4-GCM", AES_256_GCM: "AES-256-GCM"}
KEY_BYTES = 32
CHUNK_BYTES = 1024 * 1024
NONCE_BYTES, TAG_BYTES, SALT_BYTES, FINGERPRINT_BYTES = 12, 16, 16, 8
HEADER_BYTES = len(MAGIC) + 1 + FINGERPRINT_BYTES + SALT_BYTES
FRAME = struct.Struct(">BI")


class SealError(Exception):
    """A sealed file that cannot be opened: the message says why, and never what is in it."""


class WrongKey(SealError):
    pass


class Damaged(SealError):
    pass


def parse_key(value: str, *, name: str = "BACKUP_KEY") -> bytes:
    """The key from its base64 text; a clear error naming the setting otherwise."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} must be base64 text of {KEY_BYTES} random bytes.") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"{name} must be base64 text of {KEY_BYTES} random bytes, not {len(key)}.")
    return key


def new_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"hhl-seal-fingerprint\x00" + key).digest()[:FINGERPRINT_BYTES]


def sm4_available() -> bool:
    return backend.cipher_supported(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))) and (
        backend.hmac_supported(hashes.SM3())
    )


def preferred_suite() -> int:
    return SM4_GCM if sm4_available() else AES_256_GCM


@dataclass(frozen=True)
class _Suite:
    code: int
    file_key: bytes

    @classmethod
    def derive(cls, code: int, key: bytes, salt: bytes) -> _Suite:
        if code == SM4_GCM:
            if not sm4_available():
                raise SealError("This file is sealed with SM4-GCM, which this OpenSSL build does not offer.")
            digest, length = hashes.SM3(), 16
        elif code == AES_256_GCM:
            digest, length = hashes.SHA256(), 32
        else:
            raise Damaged("This is not a file this version can open (unknown cipher suite).")
        file_key = HKDF(digest, length, salt, b"hhl-seal-file-key").derive(key)
        return cls(code, file_key)

    def algorithm(self):
        return algorithms.SM4(self.file_key) if self.code == SM4_GCM else algorithms.AES(self.file_key)

    def seal(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        encryptor = Cipher(self.algorithm(), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def open(self, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
        body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(self.algorithm(), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(body) + decryptor.finalize()


def _associated(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, last)


class SealedWriter:
    """A file-like object: what is written to it goes out sealed to ``out``; ``close()``
    writes the last chunk (a file is never complete without it)."""

    def __init__(self, out: BinaryIO, key: bytes, *, suite: int | None = None):
        self._out = out
        code = preferred_suite() if suite is None else suite
        salt = os.urandom(SALT_BYTES)
        self._header = MAGIC + bytes([code]) + fingerprint(key) + salt
        self._suite = _Suite.derive(code, key, salt)
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        out.write(self._header)

    @property
    def suite_name(self) -> str:
        return SUITE_NAMES[self._suite.code]

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk is only known at close().
        while len(self._buffer) > CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._suite.seal(nonce, chunk, _associated(self._header, self._index, last))
        self._out.write(FRAME.pack(last, NONCE_BYTES + len(sealed)) + nonce + sealed)
        self._index += 1

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def flush(self) -> None:
        pass

    def __enter__(self) -> SealedWriter:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    return data if data is not None else b""


def open_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk, each checked before it is given.

    Raises WrongKey before anything is given if the file was sealed with another key, and
    Damaged at the first chunk that is altered, missing, out of place or extra.
    """
    header = _read_exactly(source, HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise Damaged("This is not a sealed backup file (no header), or it was cut short.")
    code = header[len(MAGIC)]
    stored_fingerprint = header[len(MAGIC) + 1 : len(MAGIC) + 1 + FINGERPRINT_BYTES]
    if stored_fingerprint != fingerprint(key):
        raise WrongKey("This file was sealed with another key: check BACKUP_KEY. Nothing was restored.")
    salt = header[-SALT_BYTES:]
    suite = _Suite.derive(code, key, salt)
    index = 0
    while True:
        frame = _read_exactly(source, FRAME.size)
        if not frame:
            raise Damaged("The file is cut short: it ends before its last chunk.")
        if len(frame) < FRAME.size:
            raise Damaged(f"The file is cut short in chunk {index}.")
        last, length = FRAME.unpack(frame)
        if (
            last not in (0, 1)
            or not NONCE_BYTES + TAG_BYTES <= length <= NONCE_BYTES + CHUNK_BYTES + TAG_BYTES
        ):
            raise Damaged(f"Chunk {index} is damaged (its frame is not one this file format writes).")
        body = _read_exactly(source, length)
        if len(body) < length:
            raise Damaged(f"The file is cut short in chunk {index}.")
        try:
            chunk = suite.open(body[:NONCE_BYTES], body[NONCE_BYTES:], _associated(header, index, bool(last)))
        except InvalidTag:
            raise Damaged(
                f"Chunk {index} fails its authentication: the file was altered, reordered or damaged."
            ) from None
        yield chunk
        index += 1
        if last:
            if source.read(1):
                raise Damaged("There is data after the last chunk: the file was altered.")
            return


class SealedReader:
    """A file-like reader over open_chunks, for tarfile and shutil.copyfileobj."""

    def __init__(self, source: BinaryIO, key: bytes):
        self._chunks = open_chunks(source, key)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data
