"""Encryption at rest for the few values that identify a person (resident ID numbers).

A value is stored as self-describing text::

    v1$<key id>$<cipher>$<base64 of nonce + ciphertext + tag>

so that a row written under an older key, or with another cipher, still reads after the
settings move on: the first key of ``FIELD_ENCRYPTION_KEYS`` encrypts, every key listed
decrypts, and ``manage.py rotate_keys`` rewrites old rows under the first one.

The cipher is SM4-GCM (国密, what a 密评 prefers) where the OpenSSL build under
``cryptography`` offers it, AES-256-GCM otherwise (``FIELD_ENCRYPTION_CIPHER``). Both are
authenticated: a changed byte, or a ciphertext moved to another column (the purpose is
the associated data), fails to decrypt instead of reading as another number.

Equality search goes through a blind index: a keyed hash (HMAC-SM3 or HMAC-SHA-256,
``FIELD_BLIND_INDEX_HASH``) of the normalised value under ``FIELD_BLIND_INDEX_KEYS``
(the first computes, all are searched, so that a search still finds a row between an
index-key change and the ``rotate_keys`` run that recomputes the digests).

Keys come from the environment (settings), never from the database: a stolen dump holds
no key. Each key is 32 random bytes, written ``<id>:<base64>``, several separated by
commas.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
SEPARATOR = "$"
SM4_GCM = "sm4-gcm"
AES_256_GCM = "aes-256-gcm"
CIPHERS = (SM4_GCM, AES_256_GCM)
SM3 = "sm3"
SHA256 = "sha256"
HASHES = (SM3, SHA256)
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored value that no configured key opens (or that was changed)."""


def sm4_gcm_available() -> bool:
    try:
        return default_backend().cipher_supported(algorithms.SM4(b"\0" * 16), modes.GCM(b"\0" * NONCE_BYTES))
    except Exception:  # an OpenSSL without SM4 may raise rather than answer no
        return False


def sm3_available() -> bool:
    try:
        return default_backend().hmac_supported(hashes.SM3())
    except Exception:
        return False


def default_cipher() -> str:
    return SM4_GCM if sm4_gcm_available() else AES_256_GCM


def default_hash() -> str:
    return SM3 if sm3_available() else SHA256


def parse_keys(name: str, raw) -> dict[str, bytes]:
    """``"k2:<base64>,k1:<base64>"`` (or a list of such items) as {id: key}, in order.

    Raises ImproperlyConfigured naming the setting, never showing a key."""
    items = raw.split(",") if isinstance(raw, str) else list(raw or ())
    keys: dict[str, bytes] = {}
    for item in (i.strip() for i in items):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.isalnum():
            raise ImproperlyConfigured(
                f"{name}: each key must be written <id>:<base64>, the id letters and digits."
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{name}: the key {key_id!r} is not valid base64.") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{name}: the key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{name}: the key id {key_id!r} is listed twice.")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured(f"{name} must list at least one key.")
    return keys


def new_key_text(key_id: str) -> str:
    """A fresh key as a setting expects it (``manage.py rotate_keys --new-key k2``)."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


@dataclass(frozen=True)
class Keyring:
    cipher: str
    keys: dict[str, bytes]
    index_hash: str
    index_keys: dict[str, bytes]

    @property
    def current_key_id(self) -> str:
        return next(iter(self.keys))

    @property
    def current_index_key(self) -> bytes:
        return next(iter(self.index_keys.values()))


@functools.cache
def _keyring(cipher, keys, index_hash, index_keys) -> Keyring:
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_CIPHER must be one of {CIPHERS}, not {cipher!r}.")
    if cipher == SM4_GCM and not sm4_gcm_available():
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_CIPHER is sm4-gcm, but this OpenSSL build has no SM4-GCM."
        )
    if index_hash not in HASHES:
        raise ImproperlyConfigured(f"FIELD_BLIND_INDEX_HASH must be one of {HASHES}, not {index_hash!r}.")
    if index_hash == SM3 and not sm3_available():
        raise ImproperlyConfigured("FIELD_BLIND_INDEX_HASH is sm3, but this OpenSSL build has no SM3.")
    return Keyring(
        cipher=cipher,
        keys=parse_keys("FIELD_ENCRYPTION_KEYS", keys),
        index_hash=index_hash,
        index_keys=parse_keys("FIELD_BLIND_INDEX_KEYS", index_keys),
    )


def keyring() -> Keyring:
    """The keys as the settings stand now (read each time, cached by value, so that a
    test's override_settings takes effect)."""

    def frozen(value):
        return value if isinstance(value, str) else tuple(value)

    return _keyring(
        settings.FIELD_ENCRYPTION_CIPHER,
        frozen(settings.FIELD_ENCRYPTION_KEYS),
        settings.FIELD_BLIND_INDEX_HASH,
        frozen(settings.FIELD_BLIND_INDEX_KEYS),
    )


@functools.cache
def _cipher_key(key: bytes, cipher: str) -> bytes:
    # SM4 takes 128-bit keys: derive one per cipher rather than cut the 256-bit key, so
    # that the same setting never feeds two ciphers the same key material.
    derived = hmac.new(key, f"hhl field key {cipher}".encode(), hashlib.sha256).digest()
    return derived[:16] if cipher == SM4_GCM else derived


def _seal(cipher: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    key = _cipher_key(key, cipher)
    if cipher == AES_256_GCM:
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    key = _cipher_key(key, cipher)
    if cipher == AES_256_GCM:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith(VERSION + SEPARATOR)


def encrypt(plaintext: str, *, purpose: str) -> str:
    """The stored form of ``plaintext`` under the current key and cipher."""
    ring = keyring()
    key_id = ring.current_key_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(ring.cipher, ring.keys[key_id], nonce, plaintext.encode(), purpose.encode())
    body = base64.b64encode(nonce + sealed).decode()
    return SEPARATOR.join((VERSION, key_id, ring.cipher, body))


def describe(stored: str) -> tuple[str, str]:
    """(key id, cipher) of a stored value."""
    _version, key_id, cipher, _body = stored.split(SEPARATOR, 3)
    return key_id, cipher


def decrypt(stored: str, *, purpose: str) -> str:
    try:
        version, key_id, cipher, body = stored.split(SEPARATOR, 3)
    except ValueError:
        raise DecryptionError("The stored value is not in the v1 format.") from None
    if version != VERSION or cipher not in CIPHERS:
        raise DecryptionError(f"Unknown format {version!r} or cipher {cipher!r}.")
    key = keyring().keys.get(key_id)
    if key is None:
        # The id is no secret; naming it tells the operator which key was removed too early.
        raise DecryptionError(
            f"No key {key_id!r} in FIELD_ENCRYPTION_KEYS: run rotate_keys before removing a key."
        )
    try:
        raw = base64.b64decode(body, validate=True)
        return _open(cipher, key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError(
            f"A value under key {key_id!r} failed to decrypt (changed or misplaced)."
        ) from None


def needs_rewrite(stored: str) -> bool:
    """Whether a stored value is plaintext, or under another key or cipher than the current."""
    if not stored:
        return False
    if not is_ciphertext(stored):
        return True
    ring = keyring()
    return describe(stored) != (ring.current_key_id, ring.cipher)


def _digest(key: bytes, hash_name: str, value: str, purpose: str) -> str:
    message = f"{purpose}\0{value}".encode()
    if hash_name == SHA256:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(message)
    return h.finalize().hex()


def blind_index(value: str, *, purpose: str) -> str:
    """The keyed hash a search compares, under the current index key ("" for no value)."""
    if not value:
        return ""
    ring = keyring()
    return _digest(ring.current_index_key, ring.index_hash, value, purpose)


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The keyed hashes of ``value`` under every index key (what a search looks for)."""
    if not value:
        return []
    ring = keyring()
    return [_digest(key, ring.index_hash, value, purpose) for key in ring.index_keys.values()]
