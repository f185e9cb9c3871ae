"""A change to a table written as a splice of its text: the rows taken out are dropped, the new
ones put where their keys sort, and every other line copied as it is, never typed into a record
nor serialised again. A table in canonical form (`fmt`: sorted by primary key, LF line ends)
costs one pass over its lines to read each row's key, not a typing of its records.

A table that is not in that form (rows out of key order, a CR anywhere, no final LF, a header
that is not the schema's) is rewritten whole in canonical form instead, as `fmt` would write it.
"""

from __future__ import annotations

import bisect
import io
import itertools
import operator
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbcf_data.dataset.loading import gc_paused
from cbcf_data.dataset.tables import Dataset
from cbcf_data.errors import UnusableInputError
from cbcf_data.io import csvfiles, limits
from cbcf_data.io.readers import ReadError, csv_records, read_text

if TYPE_CHECKING:  # a table's model is read for its fields and keys: `model.declared` serves (no Pydantic)
    from cbcf_data.model.tables import Record

Key = tuple[str, ...]
Rows = dict[str, list[dict[str, Any]]]


def table_rows(ds: Dataset) -> Rows:
    """Every table's rows as field -> cell text (None for an empty cell), none typed (`Table.rows`)."""
    return {name: [row if type(row) is dict else dict(row) for row in table.rows()] for name, table in ds.tables().items()}


def split_rows(ds: Dataset, meeting_id: str) -> tuple[Rows, Rows, Rows]:
    """(every table's rows, those without the meeting, the meeting's own: `model.bundle.split_meeting`),
    as cells; the garbage collector paused meanwhile (these rows make no cycles)."""
    from cbcf_data.model.bundling import split_meeting

    with gc_paused():
        rows = table_rows(ds)
        return (rows, *split_meeting(rows, meeting_id))


def splice_file(model: type[Record], path: Path, root: Path, remove: Collection[Key],
                add: Iterable[Mapping[str, Any]], keys: list[Any] | None = None, text: str | None = None) -> str:
    """The new text of a table file (read below `root`, within the load limit): without the rows
    whose key (the primary key's cells, a tuple) is in `remove`, with the rows of `add` (field ->
    value) where their keys sort, every other line as it is. `keys`: the table's keys in the
    file's order, when the caller read them already (`check.known`): see `placed`; `text`: the
    file's text when the caller read it already, under the same lock and within the same bound."""
    if text is None:
        try:
            text = read_text(path, limits.LOAD_BYTES, root)
        except ReadError as error:
            raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None
    if keys is not None and not remove:
        add = list(add)
        done = placed(model, text, keys, add)
        if done is not None:
            return done
    return spliced(model, text, remove, add, str(path))


def placed(model: type[Record], text: str, keys: list[Any], add: list[Mapping[str, Any]]) -> str | None:
    """The text with the rows of `add` put where their keys sort, found from the table's keys in
    the file's order without reading its rows again: a row starts at the only place in the text
    where a line begins with its key's cells and the comma after them (or its end, for a table
    of key columns alone): a key with no comma, quote or line break is written as it is. None when the text is not in canonical form, its keys are not
    strictly sorted, or a row's start cannot be told for sure: then `spliced` reads every row."""
    header, width = csvfiles.header(model), len(model.primary_key)
    if not text.endswith("\n") or "\r" in text or not text.startswith(",".join(header) + "\n") \
            or header[:width] != list(model.primary_key):
        return None
    after = "," if len(header) > width else "\n"  # what follows the key's cells on its row's line
    single = width == 1
    new = sorted((_key(csvfiles.sort_key(model, row), single), _line(model, row)) for row in add)
    if len({key for key, _ in new}) != len(new) or not all(map(operator.lt, keys, itertools.islice(keys, 1, None))):
        return None
    out, done, starts = [], 0, {len(keys): len(text)}
    for key, line in new:
        index = bisect.bisect_left(keys, key)
        if index not in starts:
            parts = (keys[index],) if single else keys[index]
            start = "\n" + ",".join(parts) + after
            if any(c in part for part in parts for c in ',"\n\r') or text.count(start) != 1:
                return None
            starts[index] = text.index(start) + 1
        out += [text[done:starts[index]], line]
        done = starts[index]
    out.append(text[done:])
    return "".join(out)


def spliced(model: type[Record], text: str, remove: Collection[Key], add: Iterable[Mapping[str, Any]],
            label: str = "table") -> str:
    """`splice_file` on a table's text."""
    single = len(model.primary_key) == 1
    new = sorted((_key(csvfiles.sort_key(model, row), single), _line(model, row)) for row in add)
    lines = text.split("\n")
    found = _keyed(model, text, lines) if text.endswith("\n") and "\r" not in text else None
    if found is None or len({key for key, _ in new}) != len(new):
        return _rewritten(model, text, remove, [row for row in add], label)
    starts, keys = found
    offsets = [0, *itertools.accumulate(map(len, lines))]  # line i starts at offsets[i] + i (each LF)
    at = [offsets[start] + start for start in starts] + [len(text)]  # where each row starts, and the end
    taken = sorted({index for key in remove if (index := _index(keys, _key(key, single))) is not None})
    cuts = sorted([(index, 1, 0, "") for index in taken]  # at one place: the new rows first, in key order
                  + [(bisect.bisect_left(keys, key), 0, order, line) for order, (key, line) in enumerate(new)])
    out, done = [text[:at[0]]], 0  # the header, then rows copied (or dropped) up to row `done`
    for index, drop, _, line in cuts:
        out.append(text[at[done]:at[index]] if index > done else "")
        done = max(done, index)
        if drop:
            done = index + 1
        else:
            out.append(line)
    out.append(text[at[done]:])
    return "".join(out)


def _key(key: Key, single: bool) -> Any:
    return key[0] if single else key


def _index(keys: list[Any], key: Any) -> int | None:
    index = bisect.bisect_left(keys, key)
    return index if index < len(keys) and keys[index] == key else None


def _keyed(model: type[Record], text: str, lines: list[str]) -> tuple[list[int], list[Any]] | None:
    """(the first line index of each row, each row's key: its text, or a tuple of texts for a
    composite key) of a table's lines, or None when its header is not the schema's, its rows are
    not in strict key order or a quoted cell is left open."""
    header = csvfiles.header(model)
    width = len(model.primary_key)
    if lines[0] != ",".join(header) or header[:width] != list(model.primary_key):
        return None
    if '"' not in text:  # one row a line, its key its leading cells
        starts = list(range(1, len(lines) - 1))
        keys: list[Any] = [line.split(",", 1)[0] for line in lines[1:-1]] if width == 1 else \
            [tuple(line.split(",", width)[:width]) for line in lines[1:-1]]
        if width > 1 and any(len(key) != width for key in keys):
            return None
    else:  # rows as the csv module reads them: a quote inside an unquoted cell is a character
        starts, keys = [], []
        try:  # one record at a time: only each row's start and key are kept
            for line, cells in itertools.islice(csv_records(_Lines(lines), Path("table")), 1, None):  # type: ignore[arg-type]
                raw = lines[line - 1].split(",", width)[:width]
                if len(cells) < width or raw != cells[:width]:
                    return None  # a quoted key (IDs hold no quote: a key that needs one is not written here)
                starts.append(line - 1)
                keys.append(cells[0] if width == 1 else tuple(cells[:width]))
        except ReadError:
            return None
    if (width == 1 and "" in keys) or keys != sorted(keys) or len(set(keys)) != len(keys):
        return None
    return starts, keys


def _rewritten(model: type[Record], text: str, remove: Collection[Key], add: list[Mapping[str, Any]],
               label: str) -> str:
    """The table in canonical form, without the rows of `remove`, with those of `add`."""
    try:
        records = list(csv_records(io.StringIO(text, newline=""), Path(label)))
    except ReadError as error:
        raise UnusableInputError(f"{label}:{error.line or 1}: {error.message}") from None
    header = records[0][1] if records else csvfiles.header(model)
    rows = [dict(zip(header, cells)) for _, cells in records[1:] if cells]
    kept = [row for row in rows if csvfiles.sort_key(model, row) not in remove]
    return csvfiles.to_csv_text(model, [*kept, *add])


def _line(model: type[Record], row: Mapping[str, Any]) -> str:
    """One row as its canonical CSV line, with its LF."""
    return csvfiles.to_csv_text(model, [row]).split("\n", 1)[1]


class _Lines:
    """The lines of a text split at LF, read back as a text file opened with newline="" reads
    them (`readline`, at most `size` characters at a time): `io.StringIO` would hold a copy of
    the whole text, at four bytes a character."""

    def __init__(self, lines: list[str]) -> None:
        self.lines, self.index, self.rest = lines, 0, ""

    def readline(self, size: int = -1) -> str:
        if not self.rest:
            if self.index >= len(self.lines):
                return ""
            self.index += 1
            self.rest = self.lines[self.index - 1] + ("\n" if self.index < len(self.lines) else "")
        line = self.rest if size < 0 else self.rest[:size]
        self.rest = self.rest[len(line):]
        return line
