"""The dataset's side of a bundle's check when a verdict vouches for the dataset (`check.verdict`).

A bundle is checked together with the dataset it would join (`check.bundle`): every row of both
through every layer. When a kept verdict says that the dataset's files, exactly as they are,
gave no issue at all, its rows cannot give one either: what the bundle's check still needs from
them is what the bundle's rows are compared with. `known_table` reads a table's CSV as cells
(never typed, never checked again) and gives the run what feeding those rows would have left in
it, so that the bundle's rows meet exactly the state they meet after the full check. A table
with no quote, CR, NUL or blank line is read as lines split at commas (each line a record, its
cells those the csv module gives), any other by the csv module; the text of a table the bundle
adds to is kept (`Order.texts`) for the splice of `edit.importing`:

- layer 4: every key, with its origin (`Run.keys`, for collisions, foreign keys and the hints
  that search keys), and the cells of the rows the bundle also holds (`Run.existing`);
- layer 5: the IDs and lines of the valid records the rules look up (`Located`); the meetings'
  start dates, delegations present, sources listed, organizations' countries and commitments
  whose meeting is not the one their ID names (`Meetings`); topics' and organizations' parents
  (`Hierarchy`); the rows used (`Orphans`: in a dataset without an orphan, exactly its keys of
  the tables others use); the archived texts the bundle's quotes need and the bytes all texts
  take (`Archives`); the retired IDs (`Retired`).

What is left out could only give issues about the dataset's own rows, which the verdict rules
out: a dataset row's cited sources are all listed (so `Meetings.cited` need not say where), its
quotes match, its references exist. A bundle's new rows only add to what the dataset's rows are
judged by (keys, delegations, sources listed, rows used), which cannot make one of them fail; a
bundle's row with the key of a dataset row and other values could (it replaces that row's state),
so then `Untrusted` is raised and the import checked in full, as without a verdict. The issues, their order and the report's counts are those
of the full check (a test compares both on every bundle fixture).
"""

from __future__ import annotations

import csv
import itertools
import operator
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from cbcf_data.check.report import Where
from cbcf_data.check.rows import row_differences
from cbcf_data.check.rules.archives import Archives
from cbcf_data.check.rules.hierarchy import Hierarchy
from cbcf_data.check.rules.meetings import Meetings, meeting_of
from cbcf_data.check.rules.orphans import REFERENCED, Orphans
from cbcf_data.check.rules.retired import Retired
from cbcf_data.check.state import Run, record_id
from cbcf_data.io import csvfiles, limits
from cbcf_data.io.files import read_bytes, regular_size
from cbcf_data.io.readers import open_csv

if TYPE_CHECKING:  # the models (Pydantic) are not imported by a validate that does not need them
    from cbcf_data.model.tables import Record


class Untrusted(Exception):
    """A bundle's row has the key of a dataset row with other values: a row of the bundle that
    replaces one of the dataset's state in the rules can make the dataset's own rows fail (a later
    start date for an existing meeting), so the import is checked in full instead."""


def known_table(run: Run, model: type[Record], path: Path, wanted: dict[str, list[dict[str, Any]]],
                quoted: set[str], order: dict[str, list[Any]] | None = None) -> None:
    """Give the run what the dataset rows of `model`'s table leave in it once checked, from their
    cells: keys, the rows whose ID is in `wanted` (the bundle's rows by ID), and the rules' state.
    `quoted`: the sources the bundle's commitments quote (their archived texts are read). With
    `order`, a table the bundle adds to gets its keys there, in the file's order (for the splice
    of `edit.splicing`). Raises Untrusted when a bundle's row differs from the dataset's row with
    its key."""
    name, display = model.table, str(path)
    run.report.checks.add("csv-structure")
    fields = tuple(model.model_fields)
    key_of = operator.itemgetter(*[fields.index(f) for f in model.primary_key])
    keys: dict[Any, str] = run.keys[name]  # type: ignore[assignment]  # a dict: the bundle feeds it too
    rules = _Rules(run, name, display, fields)
    feed = rules.feed
    rows = _rows(run, name, path, order if wanted else None)
    if rows is None:  # quotes, a CR, a NUL or a blank line: the csv module reads the table
        _csv_table(run, model, path, keys, rules)
    elif feed is None:  # keys alone (the largest tables): no line numbers needed
        keys.update(dict.fromkeys(map(key_of, _split(rows, fields, model.primary_key)), "dataset"))
    elif name == "commitments":  # the largest table of all: its two columns taken in bulk
        columns = operator.itemgetter(0, fields.index("meeting_id"))
        rules.commitments(map(columns, _split(rows, fields, ("id", "meeting_id"))), keys)
    else:  # a row a line: its line number is its place
        for line, cells in enumerate(map(str.split, rows, itertools.repeat(",")), 2):
            keys[key_of(cells)] = "dataset"
            feed(line, cells)
    run.report.rows += len(keys)  # a clean dataset's keys are unique: one a row
    held = set() if not wanted else wanted.keys() & (keys.keys() if len(model.primary_key) == 1 else _ids(keys, wanted))
    if held:  # rows the bundle holds too (an import again, a collision): their cells, read again
        _compare(run, model, path, wanted, held)
    if order is not None and wanted:
        order[name] = list(keys)
    rules.finish(keys, quoted)


class Order(dict[str, list[Any]]):
    """What `known_table` gives `edit.importing` of each table the bundle adds to: its keys in
    the file's order, and (`texts`) its text as read then, so that the splice reads it only once."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}

    def clear(self) -> None:
        super().clear()
        self.texts.clear()


def _rows(run: Run, name: str, path: Path, order: dict[str, list[Any]] | None) -> list[str] | None:
    """The table's rows as lines when none can hold more than its comma-separated cells (no quote,
    CR, NUL or blank line: each line is a whole record, whose cells the csv module would read as
    `line.split(",")`, as `io.readers.csv_records` also reads them); else None. Only a table within
    the splice's bound (`limits.LOAD_BYTES`) is read whole, and its text kept in `order.texts` for
    the splice; a larger one is left to the csv module, which streams it (None)."""
    _, file = open_csv(path, run.root)  # the file's size, kind and place checked
    with file:
        if os.fstat(file.fileno()).st_size > limits.LOAD_BYTES:
            return None
        text = file.read()
    if isinstance(order, Order):
        order.texts[name] = text
    if '"' in text or "\r" in text or "\0" in text:
        return None
    rows = text.split("\n")[1:]  # the header: the verdict vouches for it
    if rows and not rows[-1]:
        rows.pop()  # the text's final LF
    return None if "" in rows else rows


def _split(rows: list[str], fields: tuple[str, ...], names: Iterable[str]) -> Iterator[list[str]]:
    """Each row's cells up to the last of the fields `names` (the rest of the line after it in one)."""
    most = max(fields.index(name) for name in names) + 1
    return map(str.split, rows, itertools.repeat(","), itertools.repeat(most))


def _ids(keys: dict[Any, str], wanted: dict[str, Any]) -> set[str]:
    """The IDs of the composite keys that could be one of `wanted`'s: those whose first part starts
    a wanted ID (or holds a `/` itself), as `check.bundle._capture` picks them."""
    firsts = {name.split("/", 1)[0] for name in wanted}
    heads = list(map(operator.itemgetter(0), keys))
    if "/" in "".join(heads):  # a first part holding a `/` (never in a valid ID)
        return {record_id(key) for key in keys if key[0] in firsts or "/" in key[0]}
    return set(map(record_id, itertools.compress(keys, map(firsts.__contains__, heads))))


def _csv_table(run: Run, model: type[Record], path: Path, keys: dict[Any, str], rules: _Rules) -> None:
    """`known_table`'s reading of a table by the csv module itself, as `csv_records` reads it."""
    fields = tuple(model.model_fields)
    key_of = operator.itemgetter(*[fields.index(f) for f in model.primary_key])
    feed = rules.feed
    _, file = open_csv(path, run.root)
    with file:
        reader = csv.reader(file)
        next(reader, None)  # the header: the verdict vouches for it
        if feed is None:
            keys.update(dict.fromkeys(map(key_of, reader), "dataset"))
        elif model.table == "commitments":
            rules.commitments(map(operator.itemgetter(0, fields.index("meeting_id")), reader), keys)
        else:
            line = 1
            for cells in reader:
                start, line = line + 1, reader.line_num
                keys[key_of(cells)] = "dataset"
                feed(start, cells)


def _compare(run: Run, model: type[Record], path: Path, wanted: dict[str, list[dict[str, Any]]], held: set[str]) -> None:
    """Keep the cells of the dataset rows the bundle also holds (`Run.existing`, to compare them
    as the full check does); Untrusted when a bundle's row with such a key has other values."""
    fields = tuple(model.model_fields)
    key_of = operator.itemgetter(*[fields.index(f) for f in model.primary_key])
    cells_of = csvfiles.cells_of(fields)
    store = run.existing.setdefault(model.table, {})
    _, file = open_csv(path, run.root)
    with file:
        reader = csv.reader(file)
        next(reader, None)
        for cells in reader:
            if (name := record_id(key_of(cells))) in held:
                store[name] = existing = cells_of(cells)
                if any(row_differences(model, existing, row) for row in wanted[name]):
                    raise Untrusted(f"{model.table} {name}")


class _Rules:
    """The rules' state a table's dataset rows leave: `feed(line, cells)` per row, then `finish`."""

    def __init__(self, run: Run, table: str, display: str, fields: tuple[str, ...]) -> None:
        assert run.rules is not None
        self.run, self.table, self.display, self.fields = run, table, display, fields
        self.groups = {type(group): group for group in run.rules.groups}
        self.located = run.rules.located
        self.ids = self.located.ids.get(table)
        self.column = {field: index for index, field in enumerate(fields)}
        self.feed = getattr(self, "_" + table, None) if self.ids is None or table in _OWN else self._located
        #: Source ID -> its archive_path, for the archived texts of `finish`.
        self.archives: dict[str, str | None] = {}

    def _cell(self, cells: list[str], field: str) -> str | None:
        return cells[self.column[field]] or None

    def _located(self, line: int, cells: list[str]) -> None:
        ids = self.ids
        if type(ids) is dict:
            ids[cells[0]] = line  # the located tables' key, `id`, is their first column
        else:
            ids.add(cells[0])  # type: ignore[union-attr]

    def _meetings(self, line: int, cells: list[str]) -> None:
        self._located(line, cells)
        meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
        meetings.meeting_start[cells[0]] = cells[self.column["start_date"]]
        meetings.meeting_ids[cells[0]] = cells[0]

    def _organizations(self, line: int, cells: list[str]) -> None:
        self._located(line, cells)
        meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
        meetings.org_country[cells[0]] = cells[self.column["country"]]
        self._parent(line, cells)

    def _topics(self, line: int, cells: list[str]) -> None:
        self._located(line, cells)
        self._parent(line, cells)

    def _parent(self, line: int, cells: list[str]) -> None:
        parent = self._cell(cells, "parent_id")
        if parent is not None:
            hierarchy: Hierarchy = self.groups[Hierarchy]  # type: ignore[assignment]
            hierarchy.parents[self.table][cells[0]] = (parent, Where(self.display, self.table, line))

    def _sources(self, line: int, cells: list[str]) -> None:
        self._located(line, cells)
        meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
        meetings.source_ids[cells[0]] = cells[0]
        archives: Archives = self.groups[Archives]  # type: ignore[assignment]
        archives.source_ids.add(cells[0])
        self.archives[cells[0]] = self._cell(cells, "archive_path")

    def _attendances(self, line: int, cells: list[str]) -> None:
        if cells[self.column["status"]] != "absent":
            meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
            meeting, delegation = cells[self.column["meeting_id"]], cells[self.column["delegation"]]
            present = meetings.delegations.get(meeting, frozenset())
            if delegation not in present:
                meetings.delegations[meetings.meeting_ids.get(meeting, meeting)] = meetings._with(present, delegation)

    def commitments(self, pairs: Iterable[tuple[str, str]], keys: dict[Any, str]) -> None:
        """Every commitment's (ID, meeting ID): its key, its ID among the located (the table is
        unplaced: no line kept), and its meeting where the ID names another."""
        pairs = list(pairs)
        ids = list(map(operator.itemgetter(0), pairs))
        keys.update(dict.fromkeys(ids, "dataset"))
        self.ids.update(keys)  # type: ignore[union-attr]
        meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
        other = map(operator.ne, map(meeting_of, ids), map(operator.itemgetter(1), pairs))  # looped in C
        meetings.commitment_meeting.update(itertools.compress(pairs, other))

    def _meeting_sources(self, line: int, cells: list[str]) -> None:
        meetings: Meetings = self.groups[Meetings]  # type: ignore[assignment]
        meeting = cells[self.column["meeting_id"]]
        meetings.with_source.add(meeting)
        meetings.cited[meeting, cells[self.column["source_id"]]] = None  # listed

    def _retired_ids(self, line: int, cells: list[str]) -> None:
        retired: Retired = self.groups[Retired]  # type: ignore[assignment]
        record = SimpleNamespace(**{field: cells[index] or None for field, index in self.column.items()})
        retired.retired.append((record, Where(self.display, self.table, line)))

    def finish(self, keys: dict[Any, str], quoted: set[str]) -> None:
        """What needs the whole table: the rows used (an orphan-free dataset uses every key of a
        table others use) and the archived texts."""
        if self.ids is not None and keys:  # as `Located` notes the file of a table's first row
            self.located.paths.setdefault(self.table, self.display)
        if self.table in REFERENCED:
            orphans: Orphans = self.groups[Orphans]  # type: ignore[assignment]
            orphans.used[self.table].update(keys)
        if self.table == "sources":
            self._texts(quoted)

    def _texts(self, quoted: set[str]) -> None:
        """The bytes every archived text takes (as if all were read), and the texts the bundle quotes."""
        archives: Archives = self.groups[Archives]  # type: ignore[assignment]
        root = archives.tables_root
        if root is None:
            return
        for source_id, archive_path in self.archives.items():
            if archive_path is None:
                if source_id in quoted:
                    archives.texts[source_id] = None
                continue
            path = root / archive_path
            archives.bytes_left -= regular_size(path) or 0
            if source_id in quoted:
                data = read_bytes(path, limits.ARCHIVE_BYTES, archives.root)
                archives.texts[source_id] = data.decode("utf-8", errors="replace")


#: Located tables whose rows also feed other rules (their handler calls `_located` itself).
_OWN = frozenset({"meetings", "organizations", "topics", "sources"})
