import asyncio

import pytest

from server.placements.csv_stream import (
    BadRecord,
    FileRejected,
    StreamLimits,
    aiter_records,
    iter_records,
)


def read(data: bytes, chunk: int = 7, **limits: int) -> list:
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    return list(iter_records(chunks, StreamLimits(**limits)))


CHUNK_SIZES = [1, 2, 5, 64, 1 << 20]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_quoted_newline_keeps_later_line_numbers(chunk):
    data = b'a,b,c\r\n1,"two\r\nlines",3\r\n4,"x,""y""",6\r\n\r\n,,\r\n7,8,9'
    assert read(data, chunk) == [
        (1, ["a", "b", "c"]),
        (2, ["1", "two\r\nlines", "3"]),
        (4, ["4", 'x,"y"', "6"]),
        (7, ["7", "8", "9"]),
    ]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_lf_and_lone_cr_line_ends(chunk):
    assert read(b"a,b\n1,2\n", chunk) == [(1, ["a", "b"]), (2, ["1", "2"])]
    assert read(b"a,b\r1,2\r3,4", chunk) == [(1, ["a", "b"]), (2, ["1", "2"]), (3, ["3", "4"])]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_bom_utf8_and_cp1252(chunk):
    data = "\ufeffname,n\nJosé,1\n".encode() + "Zoë,2\n".encode("cp1252") + b"\x93q\x94,3\n"
    assert read(data, chunk) == [
        (1, ["name", "n"]),
        (2, ["José", "1"]),
        (3, ["Zoë", "2"]),
        (4, ["\u201cq\u201d", "3"]),
    ]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_nul_byte_rejects_the_row_only(chunk):
    data = b"a,b\n" + b"x,y\n" * 200 + b"1,2\x00\n3,4\n"
    records = read(data, chunk)
    assert records[201] == (202, BadRecord("nul_byte", "record contains a NUL byte"))
    assert records[202] == (203, ["3", "4"])


@pytest.mark.parametrize("chunk", [1, 3, 16, 64, 1 << 20])
def test_overlong_records_are_refused_and_reading_recovers(chunk):
    long_line = b"1," + b"x" * 100 + b"\n"
    long_quoted = b'2,"' + b"y\n" * 60 + b'"\n'
    data = b"a,b\n" + long_line + b"3,4\n" + long_quoted + b"5,6\n"
    too_long = BadRecord("record_too_long", "record longer than 50 bytes")
    assert read(data, chunk, max_record_bytes=50) == [
        (1, ["a", "b"]),
        (2, too_long),
        (3, ["3", "4"]),
        (4, too_long),
        (65, ["5", "6"]),
    ]


def test_overlong_record_with_quotes_inside_a_long_line():
    data = b'a,b\n1,"' + b"z" * 80 + b'\nstill quoted",2\n3,4\n'
    assert read(data, 8, max_record_bytes=50)[1:] == [
        (2, BadRecord("record_too_long", "record longer than 50 bytes")),
        (4, ["3", "4"]),
    ]


def test_too_many_columns():
    assert read(b"a,b,c\n1,2,3,4\n5,6,7\n", max_columns=3) == [
        (1, ["a", "b", "c"]),
        (2, BadRecord("too_many_columns", "record has more than 3 fields")),
        (3, ["5", "6", "7"]),
    ]
    with pytest.raises(FileRejected) as caught:
        read(b"a,b,c,d\n1,2,3,4\n", max_columns=3)
    assert (caught.value.code, caught.value.line) == ("too_many_columns", 1)


@pytest.mark.parametrize("data", [b"", b"\r\n\n", b",,,\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    with pytest.raises(FileRejected) as caught:
        read(data)
    assert caught.value.code == "empty_file"


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04" + b"a" * 100, b"%PDF-1.7\n", bytes(range(256)) * 40, b"\x00\x01" * 5000],
)
def test_binary_file(data):
    with pytest.raises(FileRejected) as caught:
        read(data, 4096)
    assert caught.value.code == "binary_file"


def test_utf16_is_refused():
    with pytest.raises(FileRejected) as caught:
        read("a,b\n1,2\n".encode("utf-16"))
    assert caught.value.code == "unsupported_encoding"


def test_async_source_gives_the_same_records():
    data = b'a,b\n1,"x\ny"\n3,4\n'

    async def chunks():
        for i in range(0, len(data), 3):
            yield data[i : i + 3]

    async def collect():
        return [record async for record in aiter_records(chunks())]

    assert asyncio.run(collect()) == read(data, 3)
