"""`diff`'s rows compared as they stream: each table of the two sides merged in primary-key order.

Tables on disk are canonical, sorted by primary key (`validate` warns `not-sorted` otherwise and
`fmt` sorts them), so one pass over both files finds every added, removed and changed row while
holding one row of each side: memory grows with the changes, not with the rows. Only the rows
held (added, removed, changed) count against a limit, DIFF_ROWS and DIFF_CHARS (`TooManyChanges`
beyond); the rows streamed past do not, and a folder's files count against the bytes `validate`
streams. A table that is not strictly increasing by its key (unsorted, or a key twice) raises
`Unsorted`, and `diff` compares in memory instead, within the load limits. So does any row or file
that cannot be read: `diff` then reports the error exactly as its in-memory reading always has.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from cbcf_data.errors import UnusableInputError
from cbcf_data.io import limits, package
from cbcf_data.io.readers import Budget, csv_records, open_csv

Records = Iterator[tuple[int, list[str]]]
#: One table as read: its header and its records, (first line, cells) each.
Opener = Callable[[str], Any]  # a context manager yielding (header, records)


class Unsorted(Exception):
    """A table cannot be merged: its rows are not strictly increasing by key, a row is not as wide
    as the header, the key names a column the header lacks, or the side names a table twice."""


class TooManyChanges(UnusableInputError):
    """More rows differ between the two sides than `diff` holds (DIFF_ROWS, DIFF_CHARS)."""


class Held:
    """What the rows a diff holds (added, removed, changed; all tables together) may still spend."""

    def __init__(self) -> None:
        self.rows_left, self.chars_left = limits.DIFF_ROWS, limits.DIFF_CHARS

    def hold(self, *rows: list[str]) -> None:
        """Count one row that differs (for a changed row, its cells on both sides); TooManyChanges beyond the limits."""
        self.rows_left -= 1
        self.chars_left -= sum(len(cell) for cells in rows for cell in cells)
        if self.rows_left < 0 or self.chars_left < 0:
            raise TooManyChanges(f"more than {limits.DIFF_ROWS:,} rows or {limits.DIFF_CHARS // limits.MiB} MiB of "
                                 "cells differ between the two datasets, more than diff holds (see README, Limits)")


class Kept(list):  # type: ignore[type-arg]
    """A list of the first `keep` items appended to it (every item when keep is None), and
    `total`, how many were appended: `diff`'s summary holds a few rows of each kind, counts all."""

    def __init__(self, keep: int | None = None, items: Any = (), total: int | None = None) -> None:
        super().__init__(items)
        self.keep, self.total = keep, len(self) if total is None else total

    def append(self, item: Any) -> None:
        self.total += 1
        if self.keep is None or len(self) < self.keep:
            super().append(item)


@dataclass
class Tables:
    """One side of a diff as streamed: each table's schema, and `open(name)` for its rows."""

    label: str
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    open: Opener | None = None
    budget: Budget = field(default_factory=lambda: Budget("each side of diff", limits.VALIDATE_BYTES))


def open_sides(old_path: str | Path, new_path: str | Path) -> tuple[Tables, Tables] | None:
    """Both sides ready to stream; None when either is a release's JSON (compared in memory)."""
    old = _open_side(old_path)
    new = _open_side(new_path) if old is not None else None
    return (old, new) if old is not None and new is not None else None


def _open_side(path: str | Path) -> Tables | None:
    if str(path) == "none":
        from cbcf_data.model.table_schema import table_schema
        from cbcf_data.model.tables import MODELS

        return Tables("none", {m.table: table_schema(m) for m in MODELS})
    kind, file = package.classify(path)
    if kind == "json":
        return None
    side = Tables(str(file) if kind == "zip" else str(path))
    if kind == "zip":  # its members are held decompressed: within the load limits
        side.budget = Budget("each side of diff")
        descriptor, texts = package.read_release_zip(file, side.budget)
        side.open = lambda name: _text_table(texts[name], f"{file}!{name}")
    else:
        descriptor_file = package.descriptor_path(file)
        descriptor = package.read_descriptor(descriptor_file)
        root = descriptor_file.parent
        side.open = lambda name: _file_table(root / side.paths[name], root, side.budget)
    for resource in descriptor.get("resources", []):
        if isinstance(resource, dict) and resource.get("name") in package.RELEASE_EXTRAS:
            continue  # a release's codelists and crosswalk: generated from the code, not tables
        name, resource_path, schema = resource_parts(side.label, resource)
        if name in side.schemas:
            raise Unsorted(f"{side.label} names the table {name!r} twice")
        side.schemas[name], side.paths[name] = schema, resource_path
    return side


def resource_parts(label: str, resource: Any) -> tuple[str, str, dict[str, Any]]:
    """(name, path, schema) of a resource; UnusableInputError unless it is a table diff can read."""
    name = resource.get("name") if isinstance(resource, dict) else None
    path = resource.get("path") if isinstance(resource, dict) else None
    schema = resource.get("schema") if isinstance(resource, dict) else None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    key = schema.get("primaryKey", []) if isinstance(schema, dict) else None
    if (not isinstance(name, str) or not isinstance(path, str) or package.unsafe_reason(path)
            or not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
            or not isinstance(key, list) or not all(isinstance(k, str) for k in key)):
        raise UnusableInputError(f"{label}: resource {str(name)[:60]!r} needs a local path and an inline schema "
                                 "with named fields")
    return name, path, schema  # type: ignore[return-value]


@contextmanager
def _file_table(path: Path, root: Path, budget: Budget) -> Iterator[tuple[list[str], Records]]:
    records, file = open_csv(path, root)
    with file:
        budget.spend_bytes(os.fstat(file.fileno()).st_size)
        yield next(records, (1, []))[1], records


@contextmanager
def _text_table(text: str, label: str) -> Iterator[tuple[list[str], Records]]:
    records = csv_records(io.StringIO(text, newline=""), Path(label))
    yield next(records, (1, []))[1], records


@contextmanager
def _no_table() -> Iterator[tuple[list[str], Records]]:
    yield [], iter(())


def rows(old: Tables, new: Tables, table: str, held: Held | None,
         keep: int | None = None) -> tuple[Kept, Kept, Kept]:
    """(added, removed, changed) rows of one table, as `diff` reports them, in one merge of both
    sides; the rows that differ are counted against `held` as they are found. With `keep`, only
    the first `keep` rows of each kind are kept (their `total` counts all), and nothing needs `held`."""
    key_fields = _key_fields(new.schemas.get(table) or old.schemas[table], old.schemas.get(table))
    with _opened(old, table) as (old_header, old_records), _opened(new, table) as (new_header, new_records):
        old_at, new_at = _positions(old_header), _positions(new_header)
        common = [(f, old_at[f], new_at[f]) for f in sorted(old_at.keys() & new_at.keys())]
        single = len(key_fields) == 1

        def change(key: Any, old_cells: list[str], new_cells: list[str]) -> dict[str, Any] | None:
            """A changed row as reported, made as it is found: only the cells that differ are kept."""
            fields = {f: {"old": old_cells[i], "new": new_cells[j]} for f, i, j in common if old_cells[i] != new_cells[j]}
            return {"key": [key] if single else list(key), "fields": fields} if fields else None

        added, removed, changed = merge(_keyed(old_records, old_header, old.schemas.get(table)),
                                        _keyed(new_records, new_header, new.schemas.get(table)),
                                        held.hold if held is not None else None, change, keep)
        return (Kept(keep, (dict(zip(new_header, cells)) for _, cells in added), added.total),
                Kept(keep, (dict(zip(old_header, cells)) for _, cells in removed), removed.total), changed)


def _key_fields(schema: dict[str, Any], other: dict[str, Any] | None) -> list[str]:
    """The key both sides are merged by: each side's own (as its rows are keyed in memory); they
    must agree, else the merge orders cannot match."""
    own = schema.get("primaryKey") or [f["name"] for f in schema["fields"]]
    if other is not None and (other.get("primaryKey") or [f["name"] for f in other["fields"]]) != own:
        raise Unsorted("the two sides key the table differently")
    return own


def _positions(header: list[str]) -> dict[str, int]:
    """Each column's position; for a name given twice, the last (as `dict(zip(header, cells))` keeps)."""
    return {name: i for i, name in enumerate(header)}


@contextmanager
def _opened(side: Tables, table: str) -> Iterator[tuple[list[str], Records]]:
    if table not in side.schemas or side.open is None:
        with _no_table() as opened:
            yield opened
    else:
        with side.open(table) as opened:
            yield opened


def _keyed(records: Records, header: list[str], schema: dict[str, Any] | None) -> Iterator[tuple[Any, list[str]]]:
    """(key, cells) of each record, checked strictly increasing by key (streamed: not counted)."""
    if schema is None:
        return
    key_fields = schema.get("primaryKey") or [f["name"] for f in schema["fields"]]
    at = _positions(header)
    if not key_fields or any(f not in at for f in key_fields):
        raise Unsorted("the key names a column the header lacks")
    key_of = itemgetter(*[at[f] for f in key_fields])
    width = len(header)
    previous: Any = "" if len(key_fields) == 1 else ()
    for _line, cells in records:
        if len(cells) != width:
            raise Unsorted("a row is not as wide as the header")
        key = key_of(cells)
        if key <= previous:
            raise Unsorted("the rows are not strictly increasing by key")
        previous = key
        yield key, cells


Keyed = Iterator[tuple[Any, list[str]]]


def merge(old: Keyed, new: Keyed, hold: Callable[..., None] | None = None,
          change: Callable[[Any, list[str], list[str]], Any] | None = None,
          keep: int | None = None) -> tuple[Kept, Kept, Kept]:
    """(added, removed, changed) of two streams of (key, cells) increasing by key: the new side's
    rows whose key the old lacks, the old side's the new lacks, and for each key whose cells
    differ `change(key, old cells, new cells)` (by default that tuple; nothing is kept where it
    returns None). Reads one row ahead of each side, no more; `hold(cells…)` is called with each
    such row's cells (both sides' for a changed row) before it is kept, and may raise. With
    `keep`, each list keeps its first `keep` rows (see `Kept`)."""
    hold = hold or (lambda *cells: None)
    change = change or (lambda key, before, after: (key, before, after))
    added, removed, changed = Kept(keep), Kept(keep), Kept(keep)
    a, b = next(old, None), next(new, None)
    while a is not None and b is not None:
        if a[0] == b[0]:
            if a[1] != b[1]:
                hold(a[1], b[1])
                found = change(a[0], a[1], b[1])
                if found is not None:
                    changed.append(found)
            a, b = next(old, None), next(new, None)
        elif a[0] < b[0]:
            hold(a[1])
            removed.append(a)
            a = next(old, None)
        else:
            hold(b[1])
            added.append(b)
            b = next(new, None)
    for rest, kept in ((a, removed), (b, added)):
        stream = old if kept is removed else new
        while rest is not None:
            hold(rest[1])
            kept.append(rest)
            rest = next(stream, None)
    return added, removed, changed
