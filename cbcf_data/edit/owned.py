"""A meeting's rows found by streaming the tables, for `remove`: memory that follows the meeting's
rows, not the dataset's.

`model.bundle.split_meeting` takes every table's rows as dicts. A meeting's own rows (its row,
attendances, topics, commitments and their topics and assessments, mentions, sources) are found
by one column of each table, and the shared reference rows that go with it (people,
organizations, topics, instruments and their parties, sources that nothing else uses) by the
references the other rows make: so the tables of meetings' rows are read as cells, a row at a
time, keeping only the meeting's own rows and the set of references the others make. The
reference tables and `retired_ids` (a few rows for each meeting) are kept whole. The split is
`split_meeting`'s, step for step, with its `_references` and `_picked` (a test compares both on
every meeting of the repository's dataset).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cbcf_data.errors import UnusableInputError
from cbcf_data.io import csvfiles, limits, package
from cbcf_data.io.readers import ReadError, open_csv
from cbcf_data.model.bundle import DEPENDENT, NEW_TABLES, _picked, _references
from cbcf_data.model.tables import MODELS, TABLES

Rows = dict[str, list[dict[str, Any]]]
#: The tables kept whole: the shared reference tables and the registry of retired IDs.
WHOLE = frozenset({*NEW_TABLES.values(), "retired_ids"})
#: The shared reference tables a row's references are counted in (`model.bundle._references`).
SHARED = frozenset(NEW_TABLES.values()) - frozenset(DEPENDENT)


def meeting_rows(descriptor_file: Path, meeting_id: str, missing: str = " in {root}") -> tuple[Rows, Rows]:
    """(before, after) of taking the meeting out: for the tables of meetings' rows, the meeting's
    own rows before and none after; for the tables kept whole, every row before and those that
    stay after (the same objects). Rows not held are untouched by the change. UnusableInputError
    when there is no such meeting (`missing`: what its message says after the ID)."""
    root = descriptor_file.parent
    paths = package.resource_paths(package.read_descriptor(descriptor_file), root)
    before: Rows = {}
    elsewhere: set[tuple[str, str]] = set()  # the shared rows that rows of other meetings use
    commitments: set[str] = set()
    meetings: list[str] = []
    for model in MODELS:
        table = model.table
        own = before.setdefault(table, [])
        for cells in _rows(model, paths[table], root):
            if table == "meetings":
                meetings.append(cells["id"])
            if _own(table, cells, meeting_id, commitments) or table in WHOLE:
                own.append(cells)
                if table == "commitments":
                    commitments.add(cells["id"])
            else:
                elsewhere.update((target, value) for field, target in model.foreign_keys.items()
                                 if target in SHARED and (value := cells.get(field)) is not None)
    if meeting_id not in meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}{missing.format(root=root)}; meetings are: {', '.join(meetings)}")
    return before, _after(before, meeting_id, commitments, elsewhere)


def _after(before: Rows, meeting_id: str, commitments: set[str], elsewhere: set[tuple[str, str]]) -> Rows:
    """The rows that stay, as `split_meeting` splits them (its steps, with the references of the
    other meetings' rows counted already in `elsewhere`)."""
    whole = {t: rows for t, rows in before.items() if t in WHOLE}
    taken: Rows = {t: ([r for r in rows if _own(t, r, meeting_id, commitments)] if t in WHOLE else rows)
                   for t, rows in before.items()}
    kept: Rows = {t: [r for r in rows if not _own(t, r, meeting_id, commitments)] for t, rows in whole.items()}
    wanted = _references(taken)
    while (closure := wanted | _references(_picked(kept, wanted, True))) != wanted:
        wanted = closure
    moving = set(wanted)
    used = elsewhere | _references({t: rows for t, rows in kept.items() if t not in NEW_TABLES.values()})
    while still_used := moving & (used | _references(_picked(kept, moving, False))):
        moving -= still_used
    staying = {**{t: rows for t, rows in kept.items() if t not in NEW_TABLES.values()}, **_picked(kept, moving, False)}
    return {t: staying.get(t, []) for t in TABLES}


def stays(descriptor_file: Path, before: Rows, after: Rows) -> Callable[[str, str], bool]:
    """Whether a row of a table keyed by `id` is there once `meeting_rows`' change is made: among
    the rows that stay of a table held whole, else in the table's file and not taken out (read
    again, a row at a time, only when asked)."""
    root = descriptor_file.parent

    def there(table: str, key: str) -> bool:
        if table in WHOLE:
            return any(row["id"] == key for row in after.get(table, []))
        if any(row["id"] == key for row in before.get(table, [])):
            return any(row["id"] == key for row in after.get(table, []))
        path = package.resource_paths(package.read_descriptor(descriptor_file), root)[table]
        return any(cells["id"] == key for cells in _rows(TABLES[table], path, root))

    return there


def _own(table: str, row: dict[str, Any], meeting_id: str, commitments: set[str]) -> bool:
    """`split_meeting`'s test of a meeting's own row (its commitments' IDs found already)."""
    if table == "meetings":
        return bool(row["id"] == meeting_id)
    if "meeting_id" in row:
        return bool(row["meeting_id"] == meeting_id)
    if "commitment_id" in row and table in ("commitment_topics", "assessments"):
        return row["commitment_id"] in commitments
    return False


def _rows(model: Any, path: Path, root: Path) -> Any:
    """A table's rows as cells (field -> text, None for empty), one at a time, read as `load` reads
    them (within LOAD_BYTES, below root). UnusableInputError for a file that cannot be read so."""
    fields = list(model.model_fields)
    cells_of = csvfiles.cells_of(tuple(fields))
    try:
        records, file = open_csv(path, root, limits.LOAD_BYTES)
        with file:
            header = next(records, (1, None))[1]
            if header != fields:
                raise UnusableInputError(f"{path}: the header is not the {model.table} table's; run `cbcf-data fmt`")
            for line, cells in records:
                if len(cells) != len(fields):
                    raise UnusableInputError(f"{path}:{line}: the row has {len(cells)} cells; the header has {len(fields)}")
                yield cells_of(cells)
    except ReadError as error:
        raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None


def taken(before: Rows, after: Rows) -> Rows:
    """The rows the meeting takes with it (`split_meeting`'s second part): those of `before` not in `after`."""
    out = {}
    for table, rows in before.items():
        staying = set(map(id, after.get(table, [])))
        out[table] = [row for row in rows if id(row) not in staying]
    return out
