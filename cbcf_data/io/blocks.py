"""A table's CSV records read a block of lines at a time: what `validate` streams (`check.structure`).

The records are those `readers.open_csv` gives, in the same order, with the same first lines and
the same errors, in lists (`csv_chunks`). Most of a table is lines that hold no quote: each such
line is a whole record whose cells are its comma-separated parts (as `readers.csv_records` reads
it). A block of them is decoded, split at line feeds and split at commas at once, without a Python
step per line. At the first block that holds anything else — a quote, a NUL, a carriage return,
an empty line, bytes that are not UTF-8, a line as long as the csv module's cell limit, or no line
feed at all — the rest of the file is read by `readers.csv_records`, from that block's first byte;
at a record it cannot read, the file is read again from its start by `readers.open_csv`, so that
the error is `open_csv`'s and no record it gives before the error is missing (`_records_from`).
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from cbcf_data.io import limits
from cbcf_data.io.readers import ReadError, csv_records, open_csv, open_table

Record = tuple[int, list[str]]
#: Records as two lists: their first lines, and their cells.
Chunk = tuple[Sequence[int], list[list[str]]]
_SPLIT = operator.methodcaller("split", ",")


def csv_chunks(path: Path, root: Path | None = None, rows: int = 1_000) -> tuple[Iterator[Chunk], IO[bytes]]:
    """(chunks, open file) for a table file, after `readers.open_table`'s checks: the records as
    (their first lines, their cells), the header alone in the first chunk, then chunks of at most
    `rows` records and about `limits.BATCH_BYTES` of the file. Iterate them inside `with file:`; a
    record that cannot be read raises its located ReadError once the records before it are given."""
    raw = open_table(path, root)
    return _chunks(raw, path, root, rows), raw


def _chunks(raw: IO[bytes], path: Path, root: Path | None, rows: int) -> Iterator[Chunk]:
    longest = min(csv.field_size_limit(), limits.RECORD_CHARS)
    offset = number = 0  # the bytes and the lines before `carry`
    carry, header = b"", True
    while True:
        data = raw.read(limits.CSV_BLOCK)
        block = carry + data
        cut = block.rfind(b"\n") + 1 if data else len(block)  # at the end, a last line without a line feed
        if not cut:
            if data:  # a line longer than a block
                yield from _line_by_line(raw, path, root, offset, number, header, rows)
            return
        lines = plain_lines(block[:cut], longest)
        if lines is None:
            yield from _line_by_line(raw, path, root, offset, number, header, rows)
            return
        carry, offset = block[cut:], offset + cut
        if header:
            yield [1], [lines[0].split(",")]
            del lines[0]
            number, header = 1, False
        cells = list(map(_SPLIT, lines))
        for start in range(0, len(cells), rows):
            part = cells[start:start + rows]
            yield range(number + start + 1, number + start + 1 + len(part)), part
        number += len(cells)
        if not data:
            return


def plain_lines(block: bytes, longest: int) -> list[str] | None:
    """The lines of `block` (whole lines, each ending in a line feed but perhaps the file's last)
    when each is a record of comma-separated cells shorter than `longest`; else None."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if '"' in text or "\0" in text or "\r" in text:
        return None
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    if "" in lines or max(map(len, lines)) >= longest:
        return None
    return lines


def _line_by_line(raw: IO[bytes], path: Path, root: Path | None, offset: int, number: int, header: bool,
                  rows: int) -> Iterator[Chunk]:
    """The records from byte `offset` (line `number` + 1) to the end, by `readers.csv_records`."""
    records = _records_from(raw, path, root, offset, number)
    if header:
        first = next(records, None)
        if first is None:
            return
        yield [first[0]], [first[1]]
    for chunk in grouped(records, rows, limits.BATCH_BYTES, raw.tell):
        yield list(map(operator.itemgetter(0), chunk)), list(map(operator.itemgetter(1), chunk))


def _records_from(raw: IO[bytes], path: Path, root: Path | None, offset: int, number: int) -> Iterator[Record]:
    """`readers.csv_records` from byte `offset` (line `number` + 1). At a record that cannot be read,
    the file is read again from its start by `readers.open_csv`, and its records after the last one
    given here follow, then its error. The text decoder stops at the start of the 8 KiB it decodes
    at a time, so which error comes first near a byte that is not UTF-8, and how many records
    before it, depend on where the reading began: this way the error is `open_csv`'s, and the
    records before it at least its own."""
    raw.seek(offset)
    file = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    last = number
    try:
        for record in csv_records(file, path, root, number):
            last = record[0]
            yield record
    except ReadError:
        file.detach()  # the file stays open: it is the caller's
        records, again = open_csv(path, root)
        with again:
            yield from itertools.dropwhile(lambda record: record[0] <= last, records)
        raise  # the file changed since it was read: the error this reading met


def grouped(records: Iterator[Record], rows: int, size: int, position: Callable[[], int]) -> Iterator[list[Record]]:
    """`records` in lists of at most `rows` records and about `size` bytes of the file (`position()`:
    the bytes read from it so far), taken `limits.BATCH_STEP` at a time; the records before one
    that cannot be read are given first, then its ReadError is raised."""
    ended = False
    while not ended:
        chunk: list[Record] = []
        failed, start = None, position()
        try:
            while len(chunk) < rows and position() - start < size:
                taken, step = len(chunk), min(limits.BATCH_STEP, rows - len(chunk))
                chunk.extend(itertools.islice(records, step))  # keeps the records read before an error
                if len(chunk) - taken < step:  # the end of the file
                    ended = True
                    break
        except ReadError as error:
            failed = error
        if chunk:
            yield chunk
        if failed is not None:
            raise failed
