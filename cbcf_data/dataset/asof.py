"""`Dataset.as_of(date)`: the dataset restricted to what was known on a day.

The rule, for dates known only to the month or the year (`PartialDate`), is conservative: a
row counts as known by the cut-off only when the LATEST day its date may mean is on or before
it. A meeting counts once it has ended (its `end_date`, else its `start_date`), so a meeting
known only as `2023` is held by 2023-12-31 and not by 2023-06-30. Kept: the meetings held by
then and every row hanging on them (attendances, topics, sources, mentions, commitments and
their topics), each commitment's latest assessment on or before the cut-off per party (the
latest by its latest possible day, then by its earliest), and the people, organizations, topics,
instruments (with their parties) and sources those rows use, with their broader rows. The
retired-ID registry is kept whole. A cut-off given as a month or a year means its last day.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from cbcf_data.model.dates import PartialDate

if TYPE_CHECKING:
    from collections.abc import Iterable

# `Dataset` (dataset/tables.py) calls this module: it is passed in, never imported, so the two
# modules make no cycle.
Dataset = Any

Rows = dict[str, list[dict[str, Any]]]
#: Tables whose rows the kept rows use, and the one hanging on an instrument.
REFERENCE = ("people", "organizations", "topics", "instruments", "sources")
DEPENDENT = {"instrument_parties": ("instrument_id", "instruments")}


def cutoff_day(date: str | dt.date) -> dt.date:
    """The last day a cut-off means: a `datetime.date` as it is, a text date's latest day."""
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    return PartialDate(str(date)).latest


def known_by(value: str | None, day: dt.date) -> bool:
    """Whether a (partial) date is surely on or before `day`: its latest possible day is."""
    return value is not None and PartialDate(str(value)).latest <= day


def as_of(ds: Dataset, date: str | dt.date) -> Dataset:
    """The dataset as it stood on `date` (see the module's rule)."""
    day = cutoff_day(date)
    rows = ds.to_rows()
    meetings = {r["id"] for r in rows["meetings"] if known_by(r["end_date"] or r["start_date"], day)}
    commitments = {r["id"] for r in rows["commitments"] if r["meeting_id"] in meetings}
    kept: Rows = {}
    for table, table_rows in rows.items():
        if table == "meetings":
            kept[table] = [r for r in table_rows if r["id"] in meetings]
        elif table == "assessments":
            kept[table] = latest_assessments(r for r in table_rows
                                             if r["commitment_id"] in commitments and known_by(r["as_of"], day))
        elif "meeting_id" in ds.table(table).model.model_fields:
            kept[table] = [r for r in table_rows if r["meeting_id"] in meetings]
        elif table == "commitment_topics":
            kept[table] = [r for r in table_rows if r["commitment_id"] in commitments]
        elif table == "retired_ids":
            kept[table] = list(table_rows)
    kept.update(_used_references(ds, rows, kept))
    tables = {name: type(table)(name, table.primary_key, kept.get(name, [])) for name, table in ds.tables().items()}
    return type(ds)(tables, root=ds.root)


def latest_assessments(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of assessment rows, the latest for each commitment and party (by latest, then earliest day)."""
    best: dict[tuple[str, str], tuple[tuple[dt.date, dt.date], dict[str, Any]]] = {}
    for row in rows:
        date = PartialDate(str(row["as_of"]))
        key, rank = (row["commitment_id"], row["party"]), (date.latest, date.earliest)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, row)
    return [row for _, row in sorted(best.values(), key=lambda item: (item[1]["commitment_id"], item[1]["party"]))]


def _used_references(ds: Dataset, rows: Rows, kept: Rows) -> Rows:
    """The reference rows the kept rows use, transitively (broader rows, an instrument's parties)."""
    picked: Rows = {table: [] for table in (*REFERENCE, *DEPENDENT)}
    wanted: set[tuple[str, Any]] = set()
    while True:
        current = {**kept, **picked}
        found = {(target, row[field]) for table, table_rows in current.items() if table in rows
                 for field, target in ds.table(table).model.foreign_keys.items() for row in table_rows
                 if target in REFERENCE and row.get(field) is not None}
        if found <= wanted:
            return picked
        wanted |= found
        picked = {table: [r for r in rows[table] if (table, r["id"]) in wanted] for table in REFERENCE}
        picked.update({table: [r for r in rows[table] if (parent, r[field]) in wanted]
                       for table, (field, parent) in DEPENDENT.items()})
