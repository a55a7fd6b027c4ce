"""A sealed file opens with its key only, and only whole: a chunk altered, dropped, moved
or added, or the file cut at any point, is refused."""

import io
import os

import pytest

from common.sealed import (
    AES_256_GCM,
    CHUNK_BYTES,
    FRAME,
    HEADER_BYTES,
    SM4_GCM,
    Damaged,
    SealedReader,
    SealedWriter,
    WrongKey,
    open_chunks,
    parse_key,
    sm4_available,
)

KEY = os.urandom(32)
DATA = os.urandom(CHUNK_BYTES * 2 + 12345)  # three chunks


def seal(data: bytes = DATA, key: bytes = KEY, suite=None) -> bytes:
    out = io.BytesIO()
    with SealedWriter(out, key, suite=suite) as writer:
        writer.write(data[:1000])
        writer.write(data[1000:])
    return out.getvalue()


def unseal(sealed: bytes, key: bytes = KEY) -> bytes:
    return b"".join(open_chunks(io.BytesIO(sealed), key))


def frames(sealed: bytes) -> tuple[bytes, list[bytes]]:
    """The header and each whole frame, as the format lays them out."""
    header, rest, found = sealed[:HEADER_BYTES], sealed[HEADER_BYTES:], []
    while rest:
        length = FRAME.unpack(rest[: FRAME.size])[1]
        found.append(rest[: FRAME.size + length])
        rest = rest[FRAME.size + length :]
    return header, found


@pytest.mark.parametrize("suite", [SM4_GCM, AES_256_GCM])
def test_what_is_sealed_opens_with_the_same_key(suite):
    if suite == SM4_GCM and not sm4_available():
        pytest.skip("this OpenSSL build has no SM4")
    sealed = seal(suite=suite)

    assert unseal(sealed) == DATA
    assert SealedReader(io.BytesIO(sealed), KEY).read() == DATA
    assert DATA[:4096] not in sealed


def test_the_preferred_cipher_is_sm4_where_openssl_offers_it():
    header, _ = frames(seal(b"x"))

    assert header[8] == (SM4_GCM if sm4_available() else AES_256_GCM)


def test_another_key_is_named_as_such_before_anything_is_opened():
    with pytest.raises(WrongKey, match="another key"):
        unseal(seal(), os.urandom(32))


def test_an_altered_byte_is_refused():
    sealed = bytearray(seal())
    sealed[-100] ^= 0x40

    with pytest.raises(Damaged, match="Chunk 2 fails its authentication"):
        unseal(bytes(sealed))


def test_chunks_in_another_order_are_refused():
    header, (first, second, third) = frames(seal())

    with pytest.raises(Damaged, match="Chunk 0 fails"):
        unseal(header + second + first + third)


def test_a_file_without_its_last_chunk_is_refused():
    header, (first, second, _) = frames(seal())

    with pytest.raises(Damaged, match="cut short"):
        unseal(header + first + second)


def test_a_file_cut_anywhere_is_refused():
    sealed = seal()

    for cut in [0, 5, HEADER_BYTES, HEADER_BYTES + 3, HEADER_BYTES + 100, len(sealed) // 2, len(sealed) - 1]:
        with pytest.raises(Damaged):
            unseal(sealed[:cut])


def test_data_after_the_last_chunk_is_refused():
    header, chunks = frames(seal())

    with pytest.raises(Damaged, match="after the last chunk"):
        unseal(header + b"".join(chunks) + chunks[-1])


def test_a_chunk_from_another_file_with_the_same_key_is_refused():
    header, (first, second, third) = frames(seal())
    _, (other_first, _, _) = frames(seal())

    with pytest.raises(Damaged, match="Chunk 0 fails"):
        unseal(header + other_first + second + third)


def test_the_last_flag_cannot_be_set_on_an_earlier_chunk():
    header, (first, _, _) = frames(seal())

    with pytest.raises(Damaged, match="Chunk 0 fails"):
        unseal(header + b"\x01" + first[1:])


@pytest.mark.parametrize("value", ["not base64!", "c2hvcnQ=", ""])
def test_a_key_that_is_not_32_bytes_of_base64_is_refused_naming_the_setting(value):
    with pytest.raises(ValueError, match="BACKUP_KEY must be base64 text of 32 random bytes"):
        parse_key(value)
