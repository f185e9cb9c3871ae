"""Reading a table a block of lines at a time (`io.blocks.csv_chunks`) gives exactly what
`readers.open_csv` gives: the same records, in the same order, with the same first lines, the same
error at the same record, and the header alone first — on any bytes, wherever the blocks end."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbcf_data.io import blocks, limits
from cbcf_data.io.readers import ReadError, open_csv


def by_open_csv(path: Path) -> tuple[list[tuple[int, list[str]]], tuple[str, int | None] | None]:
    """The records `open_csv` gives, and the error it stops at (code, line)."""
    records: list[tuple[int, list[str]]] = []
    try:
        found, file = open_csv(path)
        with file:
            records.extend(found)
    except ReadError as error:
        return records, (error.code, error.line)
    return records, None


def by_chunks(path: Path, rows: int) -> tuple[list[tuple[int, list[str]]], tuple[str, int | None] | None]:
    """The records `csv_chunks` gives, flattened, and the error it stops at; each chunk checked."""
    records: list[tuple[int, list[str]]] = []
    try:
        chunks, file = blocks.csv_chunks(path, None, rows)
        with file:
            for number, (lines, cells) in enumerate(chunks):
                assert len(lines) == len(cells) and 0 < len(cells) <= (1 if number == 0 else rows)
                records.extend(zip(lines, cells))
    except ReadError as error:
        return records, (error.code, error.line)
    return records, None


def same(path: Path, rows: int = 3) -> None:
    """The same records and error. Bytes that are not UTF-8: the same error, at the same line; the
    line reader stops at the start of the 8 KiB it decodes at a time, so it may give fewer of the
    records before it than the blocks do (all of them, but for a block read line by line)."""
    expected = by_open_csv(path)
    found = by_chunks(path, rows)
    if expected[1] is not None and expected[1][0] == "encoding":
        assert found[1] == expected[1]
        assert found[0][:len(expected[0])] == expected[0]
        assert all(line < (expected[1][1] or 0) for line, _ in found[0])
    else:
        assert found == expected
    if expected[0]:
        assert found[0][0][0] == 1  # the header is the first record


# What matters to a CSV reader, as bytes: separators, quotes, line ends, NUL, plain cells,
# UTF-8 of two bytes, and a byte that is no UTF-8 at all.
PIECES = [b",", b'"', b"\n", b"\r", b"\r\n", b"\0", b" ", b"a", b"bc", "é".encode(), b'""', b',"x"', b"\xff",
          b"id,name\n", b"x,y\n", b"x,y\n", b"x,y\n", b"long" * 5]
CSV_BYTES = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 16 bytes, so that a few lines span many blocks and a block ends anywhere."""
    monkeypatch.setattr(limits, "CSV_BLOCK", 16)


@settings(max_examples=2000, deadline=None)
@given(CSV_BYTES, st.integers(1, 4))
def test_chunks_equal_open_csv_on_any_bytes(tmp_path_factory, data, rows):
    path = tmp_path_factory.mktemp("t") / "t.csv"
    path.write_bytes(data)
    same(path, rows)


@pytest.mark.parametrize("data", [
    b"",                                        # an empty file: no header
    b"id,name",                                 # a header alone, without a line feed
    b"id,name\na,b\nc,d\n",
    b"id,name\na,b\nc,d",                        # no final line feed
    b"id,name\na,b\n\nc,d\n",                    # an empty line is an empty record
    b"id,name\r\na,b\r\n",                       # CRLF: read line by line from the start
    b"id,name\na,b\nc,d\ne,f\ng,\"h\ni\"\nj,k\n",  # a quoted line end after plain blocks
    b"id,name\na,b\nc,d\ne,f\ng,h\xff\nj,k\n",     # a byte that is not UTF-8 after plain blocks
    b"id,name\na,b\nc,d\ne,f\ng,\0\nj,k\n",        # NUL
    b"id,name\n" + b"x" * 40 + b",y\nz,w\n",      # a line longer than a block
    "id,name\nà,b\nçé,d\nef,ïj\n".encode(),       # characters of two bytes, anywhere at a block's end
])
def test_chunks_equal_open_csv_on_edge_cases(tmp_path, data):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    same(path)


def test_a_line_past_the_cell_limit_is_read_by_the_csv_module(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CSV_BLOCK", 1 << 16)
    old = csv.field_size_limit()
    monkeypatch.setattr(limits, "CELL_CHARS", 10)  # `open_table` sets the csv module's limit from it
    try:
        path = tmp_path / "t.csv"
        path.write_bytes(b"a,b\n" + b"x" * 11 + b",c\nd,e\n")
        records, error = by_chunks(path, 1000)
        assert records == [(1, ["a", "b"])] and error == ("cell-too-large", 2)
        assert by_open_csv(path) == (records, error)
    finally:
        csv.field_size_limit(old)


def test_plain_blocks_are_split_at_once(tmp_path, monkeypatch):
    """Structural: a table of plain lines never goes to the line-by-line reader."""
    monkeypatch.setattr(limits, "CSV_BLOCK", 64)

    def refuse(*args, **kwargs):
        raise AssertionError("read line by line")

    monkeypatch.setattr(blocks, "_line_by_line", refuse)
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name\n" + b"".join(b"k%04d,v%d\n" % (n, n) for n in range(500)))
    records, error = by_chunks(path, 100)
    assert error is None and len(records) == 501 and records[-1] == (501, ["k0499", "v499"])


@pytest.mark.parametrize("bad_at", [8_200, 170_669, 300_000])
def test_before_a_byte_not_utf8_no_record_open_csv_gives_is_lost(tmp_path, monkeypatch, bad_at):
    """With the real block size, where the text decoder's 8 KiB steps fall differently from
    `open_csv`'s: every record it gives before the error is given, and the same error (a review
    found 15,266 records against 14,894 before this was mended)."""
    monkeypatch.setattr(limits, "CSV_BLOCK", 256 * 1024)
    data = bytearray(b"".join(b"r%07d,x\n" % n for n in range(40_000)))
    data[bad_at if data[bad_at] != 10 else bad_at + 1] = 0xFF
    path = tmp_path / "t.csv"
    path.write_bytes(bytes(data))
    expected = by_open_csv(path)
    assert expected[1] is not None and expected[1][0] == "encoding" and len(expected[0]) > 300
    same(path, 1000)


@pytest.mark.parametrize("gap", [500, 3_500, 9_000])
def test_a_long_cell_before_a_byte_not_utf8_is_the_error_open_csv_gives(tmp_path, monkeypatch, gap):
    monkeypatch.setattr(limits, "CSV_BLOCK", 256 * 1024)
    rows = b"".join(b"a%04d,b\n" % n for n in range(gap // 8))
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name\n" + b"x" * 100_003 + b",y\n" + rows + b"bad\xff,z\n")
    same(path, 1000)
