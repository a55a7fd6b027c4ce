"""The primitives under encrypted fields: SM4-GCM or AES-256-GCM, keys by id, blind indexes."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from common import crypto

KEY_A = "a1:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b2:" + base64.b64encode(b"B" * 32).decode()
NUMBER = "53062119750615015X"


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_a_value_encrypts_to_self_describing_text_and_back(settings, cipher):
    if cipher == crypto.SM4_GCM and not crypto.sm4_gcm_available():
        pytest.skip("this OpenSSL build has no SM4-GCM")
    settings.FIELD_ENCRYPTION_CIPHER = cipher
    settings.FIELD_ENCRYPTION_KEYS = KEY_A

    stored = crypto.encrypt(NUMBER, purpose="resident_id")

    assert stored.startswith(f"v1$a1${cipher}$") and NUMBER not in stored
    assert crypto.decrypt(stored, purpose="resident_id") == NUMBER


def test_the_same_number_encrypts_differently_each_time(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A

    assert crypto.encrypt(NUMBER, purpose="resident_id") != crypto.encrypt(NUMBER, purpose="resident_id")


def test_a_changed_byte_or_another_purpose_fails_to_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    stored = crypto.encrypt(NUMBER, purpose="resident_id")
    raw = bytearray(base64.b64decode(stored.rsplit("$", 1)[1]))
    raw[-1] ^= 1
    changed = stored.rsplit("$", 1)[0] + "$" + base64.b64encode(bytes(raw)).decode()

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(changed, purpose="resident_id")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, purpose="mobile")


def test_every_listed_key_decrypts_and_the_first_encrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    under_a = crypto.encrypt(NUMBER, purpose="resident_id")
    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"

    assert crypto.decrypt(under_a, purpose="resident_id") == NUMBER
    assert crypto.needs_rewrite(under_a)
    assert crypto.encrypt(NUMBER, purpose="resident_id").startswith("v1$b2$")


def test_a_value_under_a_removed_key_names_the_key_not_the_number(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    under_a = crypto.encrypt(NUMBER, purpose="resident_id")
    settings.FIELD_ENCRYPTION_KEYS = KEY_B

    with pytest.raises(crypto.DecryptionError, match="'a1'") as error:
        crypto.decrypt(under_a, purpose="resident_id")
    assert NUMBER not in str(error.value)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "at least one key"),
        ("nokeyid", "<id>:<base64>"),
        ("a1:not base64!", "not valid base64"),
        ("a1:" + base64.b64encode(b"short").decode(), "must be 32 bytes"),
        (f"{KEY_A},{KEY_A}", "listed twice"),
    ],
)
def test_badly_written_keys_are_refused_naming_the_setting(raw, reason):
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS") as error:
        crypto.parse_keys("FIELD_ENCRYPTION_KEYS", raw)
    assert reason in str(error.value)


@pytest.mark.parametrize("hash_name", crypto.HASHES)
def test_the_blind_index_is_keyed_and_the_same_for_the_same_number(settings, hash_name):
    if hash_name == crypto.SM3 and not crypto.sm3_available():
        pytest.skip("this OpenSSL build has no SM3")
    settings.FIELD_BLIND_INDEX_HASH = hash_name
    settings.FIELD_BLIND_INDEX_KEYS = KEY_A
    first = crypto.blind_index(NUMBER, purpose="resident_id")

    assert first == crypto.blind_index(NUMBER, purpose="resident_id") and len(first) == 64
    assert first != crypto.blind_index("530621197506150154", purpose="resident_id")
    settings.FIELD_BLIND_INDEX_KEYS = f"{KEY_B},{KEY_A}"
    assert crypto.blind_index(NUMBER, purpose="resident_id") != first
    assert first in crypto.blind_indexes(NUMBER, purpose="resident_id")


def test_the_fresh_key_helper_writes_a_key_the_settings_accept():
    assert len(crypto.parse_keys("K", crypto.new_key_text("k9"))["k9"]) == 32
