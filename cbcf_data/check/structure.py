"""Layer 2: a table's CSV structure — readable UTF-8, a header exactly the model's fields, every
row as wide as the header, rows sorted by primary key — feeding the rows on to layer 3.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import operator
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbcf_data.check.explain import close_match
from cbcf_data.check.report import Where
from cbcf_data.check.state import Batch, Row, Run
from cbcf_data.io import csvfiles, limits
from cbcf_data.io.blocks import csv_chunks
from cbcf_data.io.readers import ReadError, open_csv

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


#: Rows read together into a `Batch` (0: every row on its own, as before batches; tests use it);
#: a batch holds no more of the file than `limits.CSV_BLOCK`, or about `limits.BATCH_BYTES` once the
#: file is read line by line (`io.blocks`).
BATCH = 1_000


def csv_feed(run: Run, model: type[Record], path: Path) -> Iterator[Row | Batch]:
    """Rows of a table's CSV after checking its structure: a run of rows that raised nothing here
    (each as wide as the header, sorted so far, no limit crossed) as one `Batch`, other rows on
    their own as (where, key, cells), in file order. A batch is never read past a row that this
    layer has something to say about, so issues come in the order of a row-by-row reading."""
    run.report.checks.add("csv-structure")
    name, display = model.table, str(path)
    expected = list(model.model_fields)
    try:
        chunks, file = csv_chunks(path, run.root, BATCH or 1)
        with file:
            spend_bytes(run, os.fstat(file.fileno()).st_size)
            header = next(chunks, ((1,), [None]))[1][0]
            if not _header_ok(run, header, expected, Where(display, name, 1)):
                return
            reading = _Reading(run, model, display, expected)
            if BATCH:
                for lines, rows in chunks:  # the records before one that cannot be read, first
                    yield from reading.chunk(lines, rows)
            else:
                yield from reading.rows(itertools.chain.from_iterable(itertools.starmap(zip, chunks)))
            run.rows_left -= reading.line - 1
    except ReadError as error:
        fail_table(run, name, display, error)


class _Reading:
    """The structure checks of one table's rows, row by row or a chunk at a time."""

    def __init__(self, run: Run, model: type[Record], display: str, expected: list[str]) -> None:
        self.run, self.name, self.display, self.path = run, model.table, display, Path(display)
        self.width = len(expected)
        self.cells_of = csvfiles.cells_of(tuple(expected))
        self.key_of = operator.itemgetter(*[expected.index(f) for f in model.primary_key])
        self.previous: Any = "" if len(model.primary_key) == 1 else ()
        self.unsorted = False
        self.checkpoint = self.line = 1  # rows and memory are checked every CHECK_EVERY lines (see `checked`)

    def chunk(self, lines: Sequence[int], records: list[list[str]]) -> Iterator[Row | Batch]:
        """The records (their first `lines`, their cells): runs of clean rows as batches, split
        where a limit is checked."""
        start = 0
        while start < len(records):
            if lines[start] > self.checkpoint:  # as `rows` does before the row that crosses it
                self.checkpoint = checked(self.run, lines[start])
            stop = bisect.bisect_right(lines, self.checkpoint, start + 1)
            rows = records[start:stop] if start or stop < len(records) else records
            keys = self._clean(rows)
            if keys is not None:
                self.line = lines[stop - 1]
                yield Batch(self.display, self.name, lines[start:stop], rows, keys)
            else:
                yield from self.rows(zip(lines[start:stop], rows))
            start = stop

    def _clean(self, rows: list[list[str]]) -> list[Any] | None:
        """The rows' keys when every row is as wide as the header and none is out of order; else None."""
        if not all(map(self.width.__eq__, map(len, rows))):
            return None
        keys = list(map(self.key_of, rows))
        if not self.unsorted and (keys[0] < self.previous or not all(map(operator.le, keys, keys[1:]))):
            return None
        self.previous = keys[-1]
        return keys

    def rows(self, records: Iterable[tuple[int, list[str]]]) -> Iterator[Row]:
        """Each row as (where, key, cells), checked on its own."""
        run, name, display, width, key_of = self.run, self.name, self.display, self.width, self.key_of
        cells_of, new_where = self.cells_of, tuple.__new__
        previous, checkpoint, line = self.previous, self.checkpoint, self.line
        for line, cells in records:
            if line > checkpoint:
                checkpoint = self.checkpoint = checked(run, line)
            if len(cells) != width:
                run.incomplete.add(name)
                run.emit("row-length", f"the row has {len(cells)} cells; the header has {width}",
                         Where(display, name, line), value=",".join(cells),
                         hint="check for a missing or extra comma, or an unquoted comma inside a cell")
                continue
            key = key_of(cells)
            if key < previous and not self.unsorted:
                self.unsorted = True
                run.emit("not-sorted", f"{self.path.name} is not sorted by its primary key from this line on",
                         Where(display, name, line), severity="warning", hint="run `cbcf-data fmt`")
            previous = self.previous = key
            # tuple.__new__ skips the NamedTuple's Python-level constructor: this runs once per row.
            yield new_where(Where, (display, name, line, None)), key, cells_of(cells)
        self.line = line


def keys_before(run: Run, model: type[Record], where: Where) -> set[Any]:
    """The primary keys of the rows of `where`'s CSV before its line, as `csv_feed` gave them:
    read again when a table checked by adjacency turns out not to be sorted (`rows.check_table`).
    The lines were read once already, under the dataset's lock; they are not counted again."""
    expected = list(model.model_fields)
    key_of = operator.itemgetter(*[expected.index(f) for f in model.primary_key])
    width, stop, found = len(expected), where.line or 0, set()
    try:
        records, file = open_csv(Path(where.path or ""), run.root)
        with file:
            next(records, None)  # the header, checked by the first reading
            for line, cells in records:
                if line >= stop:
                    break
                if len(cells) == width:
                    found.add(key_of(cells))
    except ReadError:  # the file changed since it was read: the keys read so far are all there is
        pass
    return found


#: Lines between two checks of the rows read and the memory grown.
CHECK_EVERY = 10_000


def checked(run: Run, line: int) -> int:
    """The next line at which to check again; ReadError when the rows of all tables pass
    VALIDATE_ROWS, or the process has grown by more than VALIDATE_MEMORY since the run began.
    While the cyclic garbage collector is paused, its youngest generation is collected here."""
    if line > run.rows_left + 1:
        raise too_many_rows(line)
    if not gc.isenabled():  # paused while rows are read (`rows.check_table`): cycles the rows left are freed
        gc.collect(0)
    grown = run.memory_grown()
    if grown is not None and grown > limits.VALIDATE_MEMORY:
        raise ReadError("too-much-memory", f"validation has taken {grown // limits.MiB:,} MiB for the rows read so "
                        f"far; it stops at {limits.VALIDATE_MEMORY // limits.MiB:,} MiB (see README, Limits)", line)
    return min(line + CHECK_EVERY, run.rows_left + 1)


def spend_bytes(run: Run, size: int) -> None:
    """Count a table file's bytes against VALIDATE_BYTES for all tables; ReadError beyond."""
    run.bytes_left -= size
    if run.bytes_left < 0:
        raise ReadError("dataset-too-large", f"the tables are more than {limits.VALIDATE_BYTES:,} bytes together; "
                        "validation reads no more (see README, Limits)", 1)


def too_many_rows(line: int) -> ReadError:
    """The ReadError for the first line beyond VALIDATE_ROWS rows of all tables."""
    return ReadError("too-many-rows", f"the tables hold more than {limits.VALIDATE_ROWS:,} rows together; "
                     "validation reads no more (see README, Limits)", line)


def _header_ok(run: Run, header: list[str] | None, expected: list[str], where: Where) -> bool:
    """Whether the header is exactly the model's fields; an issue (and a broken table) if not."""
    if header is None:
        run.emit("empty-file", f"{Path(where.path or '').name} is empty: it needs at least the header row",
                 where, hint=f"the header is: {','.join(expected)}")
    elif header != expected:
        header_issue(run, header, expected, where)
    else:
        return True
    run.broken.add(where.table or "")
    return False


def fail_table(run: Run, name: str, display: str, error: ReadError) -> None:
    """Report a table that could not be read to the end: its references are not judged."""
    run.emit(error.code, error.message, Where(display, name, error.line), hint=error.hint)
    run.broken.add(name)
    run.incomplete.add(name)


def header_issue(run: Run, header: list[str], expected: list[str], where: Where) -> None:
    """Say how a header differs from the schema's: missing, unexpected or reordered columns."""
    missing = [f for f in expected if f not in header]
    extra = [f for f in header if f not in expected]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:  # a short, escaped excerpt of what the file holds, however long its first line
        shown = ", ".join(repr(f[:40] + "…" if len(f) > 40 else f) for f in extra[:5])
        parts.append("unexpected " + shown + (f" and {len(extra) - 5:,} more" if len(extra) > 5 else ""))
    if not parts:
        parts.append("the columns are out of order")
    hint = f"the header must be exactly: {','.join(expected)}"
    if extra and missing:
        near = close_match(extra[0], missing)
        if near:
            hint = f"did you mean `{near}` for {extra[0][:40]!r}? " + hint
    run.emit("header-mismatch", f"the header differs from the {where.table} schema: {'; '.join(parts)}", where,
             field=(missing or extra)[0] if missing or extra else None, value=",".join(header), hint=hint)
