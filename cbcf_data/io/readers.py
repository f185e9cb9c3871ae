"""Reading untrusted CSV tables without crashing, hanging or running out of memory.

Every reader returns data or raises `ReadError` with a located, plain-language message. A table
must be a regular file (`cbcf_data.io.files`), within its size limit; its records and cells are
held to `RECORD_CHARS` and `CELL_CHARS` as its lines arrive (`cbcf_data.io.limits`). The JSON and
YAML readers live in `cbcf_data.io.documents` and are re-exported here.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from cbcf_data.io import limits
from cbcf_data.io.csvfiles import cells_of
from cbcf_data.io.files import ReadError, encoding_error, open_file, read_text, too_large

if TYPE_CHECKING:
    from cbcf_data.io.documents import parse_json, parse_yaml, read_document

__all__ = ["Budget", "ReadError", "csv_records", "csv_rows", "open_csv", "open_table", "parse_json", "parse_yaml",
           "read_document", "read_failure", "read_table", "read_text"]

BOM = b"\xef\xbb\xbf"


def __getattr__(name: str) -> Any:
    """The JSON and YAML readers, from `cbcf_data.io.documents` when first asked for (so that
    `import cbcf_data`, whose loader reads CSV, does not import them)."""
    if name in ("parse_json", "parse_yaml", "read_document"):
        from cbcf_data.io import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_csv(path: Path, root: Path | None = None,
             limit: int | None = None) -> tuple[Iterator[tuple[int, list[str]]], IO[str]]:
    """(records, open file) for a table file, after the file, size and byte-order-mark checks.

    Iterate the records inside `with file:`; they are (first line, cells), the header first, and
    reading them raises located ReadErrors. `root`: the dataset's folder, which path must be inside
    (see `cbcf_data.io.files`). `csv_rows` does both for callers that need no speed.
    """
    file = io.TextIOWrapper(open_table(path, root, limit), encoding="utf-8", newline="")  # type: ignore[arg-type]
    return csv_records(file, path, root), file


def open_table(path: Path, root: Path | None = None, limit: int | None = None) -> IO[bytes]:
    """A table file opened for reading its bytes, after the file, size and byte-order-mark checks
    (see `open_csv`), with the csv module's cell limit set."""
    limit = limits.VALIDATE_BYTES if limit is None else limit
    raw = open_file(path, root)
    try:
        size = os.fstat(raw.fileno()).st_size
        if size > limit:
            raise too_large(size, limit)
        if raw.read(3) == BOM:
            raise ReadError("bom", "the file starts with a byte-order mark (BOM)", 1,
                            "save as UTF-8 without BOM, or run `cbcf-data fmt`")
        raw.seek(0)
    except OSError as error:
        raw.close()
        raise ReadError("file-unreadable", f"cannot read the file: {error.strerror or error}") from None
    except BaseException:
        raw.close()
        raise
    csv.field_size_limit(limits.CELL_CHARS)  # process-wide, and other libraries raise it: set it here
    return raw


def csv_records(file: IO[str], path: Path, root: Path | None = None, before: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record in file (opened with newline=""), exactly as
    `csv.reader` parses them; a record that cannot be read raises a ReadError located in path.
    `before`: the lines of the file before the one `file` is at (so that lines are numbered in the file).

    A line with no quote character and no NUL, shorter than the csv module's cell limit, is a
    whole record whose cells are its comma-separated parts: `str.split` gives the same cells
    as the csv module, several times faster. Every other line goes to the csv module itself,
    with the lines after it when a quoted cell spans them. (A test compares both on any text.)
    Lines are read at most RECORD_CHARS at a time, so no line is ever held whole beyond that.
    """
    limit = csv.field_size_limit()
    lines: Iterator[str] = iter(functools.partial(file.readline, limits.RECORD_CHARS + 1), "")
    handback = _Handback(lines)
    reader = csv.reader(handback)
    number = before  # lines read so far
    try:
        for line in lines:
            number += 1
            if '"' in line or "\0" in line or len(line) > limit:
                handback.hand(line)
                before = reader.line_num
                cells = next(reader)
                if handback.taken > limits.RECORD_CHARS:  # a line cut at the limit is not a whole record
                    raise record_too_large()
                yield number, cells
                number += reader.line_num - before - 1
            else:
                text = line.rstrip("\r\n")
                yield number, text.split(",") if text else []
    except csv.Error as error:  # raised for the record that began at line `number`
        raise read_failure(path, error, number, root) from None
    except UnicodeDecodeError as error:
        raise read_failure(path, error, number + 1, root) from None
    except ReadError as error:
        error.line = error.line or number
        raise


class _Handback:
    """The lines the csv module reads: the one handed back to it, then the file's next ones,
    no more than RECORD_CHARS in all for one record."""

    __slots__ = ("line", "lines", "taken")

    def __init__(self, lines: Iterator[str]) -> None:
        self.line: str | None = None
        self.lines = lines
        self.taken = 0

    def hand(self, line: str) -> None:
        """Begin a record with `line`."""
        self.line, self.taken = line, 0

    def __iter__(self) -> _Handback:
        return self

    def __next__(self) -> str:
        if self.taken > limits.RECORD_CHARS:  # the csv module asks for more of a record already too long
            raise record_too_large()
        line = self.line
        if line is None:
            line = next(self.lines)
        else:
            self.line = None
        self.taken += len(line)
        return line


def record_too_large() -> ReadError:
    """The ReadError for a CSV record over RECORD_CHARS."""
    return ReadError("record-too-large", f"a record is longer than {limits.RECORD_CHARS:,} characters",
                     hint="check for an unclosed quote (\") that swallows the rest of the file")


def read_failure(path: Path, error: Exception, line: int, root: Path | None = None) -> ReadError:
    """The located ReadError for an exception raised while reading CSV record `line` of path."""
    if isinstance(error, UnicodeDecodeError):
        return _locate_bad_byte(path, root) or ReadError("encoding", "the file is not UTF-8", line)
    message = str(error)
    if "field larger" in message:
        return ReadError("cell-too-large", f"a cell is longer than {limits.CELL_CHARS:,} characters", line,
                         "check for an unclosed quote (\") that swallows the rest of the file")
    return ReadError("csv-syntax", f"the CSV cannot be parsed: {message[:200]}", line)


def _locate_bad_byte(path: Path, root: Path | None) -> ReadError | None:
    """The ReadError naming the line of a file's first byte that is not UTF-8, read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, offset = 0, 0
    try:
        with open_file(path, root) as file:
            for chunk in iter(functools.partial(file.read, 1 << 20), b""):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    start = max(error.start - len(decoder.getstate()[0]), 0)  # bytes held back from the last chunk
                    located = encoding_error(chunk, UnicodeDecodeError("utf-8", chunk, start, start + 1, "invalid"))
                    located.line = (located.line or 1) + lines
                    located.message = located.message.replace(f"position {start}", f"position {offset + start}")
                    return located
                lines += chunk.count(b"\n")
                offset += len(chunk)
    except (OSError, ReadError):
        return None
    return None


def csv_rows(path: Path, root: Path | None = None, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Stream (first line, cells) of each CSV record of a file; the header is line 1.

    Raises ReadError where the file cannot be read: not a regular file, not UTF-8 (with the line
    of the first bad byte), an over-long cell or record, a CSV syntax error, a file over `limit`.
    """
    records, file = open_csv(path, root, limit)
    with file:
        yield from records


class Budget:
    """What one reading of a whole dataset into memory may still spend: bytes of table files, rows,
    and (where `memory` is given and the system tells it: Linux) resident memory gained since the
    reading began, checked every CHECK_EVERY rows and CHECK_BYTES of file (`read_table`)."""

    def __init__(self, what: str = "load()", size: int | None = None, rows: int | None = None,
                 memory: int | None = None) -> None:
        size = limits.LOAD_BYTES if size is None else size
        rows = limits.LOAD_ROWS if rows is None else rows
        self.what, self.size, self.rows, self.memory = what, size, rows, memory
        self.bytes_left, self.rows_left = size, rows
        self.memory_at_start = resident_memory() if memory is not None else None

    def spend_bytes(self, amount: int) -> None:
        """Spend `amount` bytes; ReadError once more than the budget's are spent."""
        self.bytes_left -= amount
        if self.bytes_left < 0:
            streams = (f"; `cbcf-data validate` streams up to {limits.VALIDATE_BYTES // limits.MiB} MiB"
                       if self.size < limits.VALIDATE_BYTES else "")
            raise ReadError("too-large-to-load", f"the tables are more than {self.size // limits.MiB} MiB together, "
                            f"more than {self.what} holds in memory (see README, Limits){streams}")

    def spend_rows(self, amount: int, line: int | None = None) -> None:
        """Spend `amount` rows; ReadError once more than the budget's are spent."""
        self.rows_left -= amount
        if self.rows_left < 0:
            raise ReadError("too-many-rows", f"the tables hold more than {self.rows:,} rows together, more than "
                            f"{self.what} holds in memory (see README, Limits)", line)

    def check_memory(self, line: int | None = None) -> None:
        """ReadError once the process has gained more resident memory than the budget's since it began."""
        if self.memory is None or self.memory_at_start is None:
            return
        now = resident_memory()
        if now is not None and now - self.memory_at_start > self.memory:
            raise ReadError("too-much-memory", f"{self.what} has taken {(now - self.memory_at_start) // limits.MiB:,} "
                            f"MiB for the rows read so far; it stops at {self.memory // limits.MiB:,} MiB "
                            "(see README, Limits)", line)


#: Rows, and bytes of file, read between two checks of a budget's memory (its file position is
#: looked at every 16 rows: a row may be as long as RECORD_CHARS).
CHECK_EVERY = 10_000
CHECK_BYTES = 4 * limits.MiB


def resident_memory() -> int | None:
    """The process's resident memory in bytes, from /proc (Linux); None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def read_table(path: Path, root: Path | None, budget: Budget) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(first line, cells)…]) of a whole table file, for readers that keep it in memory,
    within budget: its bytes and rows are spent, and its memory checked every CHECK_EVERY rows
    and every CHECK_BYTES of the file (give or take 16 rows)."""
    records, file = open_csv(path, root)
    with file:
        budget.spend_bytes(os.fstat(file.fileno()).st_size)
        header = next(records, (1, []))[1]
        rows: list[tuple[int, list[str]]] = []
        left = budget.rows_left
        watch = budget.memory is not None and budget.memory_at_start is not None
        position = cast(io.BufferedReader, cast(io.TextIOWrapper, file).buffer).tell
        next_rows, next_bytes = CHECK_EVERY, CHECK_BYTES
        for record in records:
            if len(rows) >= left:
                budget.spend_rows(len(rows) + 1, record[0])
            rows.append(record)
            if watch and not len(rows) & 15 and (len(rows) >= next_rows or position() >= next_bytes):
                budget.check_memory(record[0])
                next_rows, next_bytes = len(rows) + CHECK_EVERY, position() + CHECK_BYTES
    budget.spend_rows(len(rows))
    return header, rows


def table_rows(fields: tuple[str, ...], path: Path, root: Path | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, cells) of each row as wide as the header of a table's CSV whose header was checked
    when it was read first (for a location asked for later, `check.rules.located`); no more rows
    if it cannot be read now."""
    to_cells = cells_of(fields)
    try:
        records, file = open_csv(path, root)
        with file:
            next(records, None)  # the header
            for line, cells in records:
                if len(cells) == len(fields):
                    yield line, to_cells(cells)
    except ReadError:  # the file changed since it was read
        return
