"""A meeting bundle's rows, without Pydantic: a bundle read as table rows (`to_rows`), a meeting's
rows as its bundle (`from_rows`, `all_bundles`), and a dataset's rows split into those without a
meeting and the meeting's own (`split_meeting`). The bundle's models (its shape, as Pydantic
declares it, and the JSON release's) are `model.bundle`; `KEYS` holds its top-level keys (a test
holds them equal). Standard library only.
"""

from __future__ import annotations

from typing import Any

from cbcf_data.model.declared import TABLES

Rows = dict[str, list[dict[str, Any]]]

#: The keys a bundle's top level may hold besides `$schema`: `model.bundle.Bundle`'s fields.
KEYS = ("meeting", "attendances", "topics", "commitments", "instrument_mentions", "sources", "new_people",
        "new_organizations", "new_topics", "new_instruments", "new_instrument_parties", "new_sources")

#: Bundle key -> table, for the rows a bundle adds to shared tables.
NEW_TABLES = {
    "new_people": "people",
    "new_organizations": "organizations",
    "new_topics": "topics",
    "new_instruments": "instruments",
    "new_instrument_parties": "instrument_parties",
    "new_sources": "sources",
}
#: Reference tables whose rows hang on a row of another reference table and move with it:
#: table -> (its field naming the parent, the parent's table).
DEPENDENT = {"instrument_parties": ("instrument_id", "instruments")}



def to_rows(bundle: dict[str, Any]) -> tuple[Rows, dict[tuple[str, int], str]]:
    """Table rows of a bundle (as plain dicts), and the JSON pointer each row came from.

    Works on a plain JSON object so that a malformed bundle still yields rows to check; the
    pointer map is keyed by (table, index in that table's list).
    """
    rows: Rows = {}
    pointers: dict[tuple[str, int], str] = {}

    def add(table: str, row: dict[str, Any], pointer: str) -> None:
        pointers[(table, len(rows.setdefault(table, [])))] = pointer
        rows[table].append(row)

    meeting = bundle.get("meeting")
    meeting_id = meeting.get("id") if isinstance(meeting, dict) else None
    if isinstance(meeting, dict):
        add("meetings", dict(meeting), "/meeting")
    for key, table in (("attendances", "attendances"), ("topics", "meeting_topics"),
                       ("instrument_mentions", "instrument_mentions")):
        for index, item in _objects(bundle, key):
            add(table, {"meeting_id": meeting_id, **item}, f"/{key}/{index}")
    for index, item in _objects(bundle, "commitments"):
        pointer = f"/commitments/{index}"
        add("commitments", {"meeting_id": meeting_id, **{k: v for k, v in item.items()
                                                       if k not in ("topics", "assessments")}}, pointer)
        for position, topic in enumerate(_list(item, "topics")):
            add("commitment_topics", {"commitment_id": item.get("id"), "topic_id": topic},
                f"{pointer}/topics/{position}")
        for position, assessment in _objects(item, "assessments"):
            add("assessments", {"commitment_id": item.get("id"), **assessment},
                f"{pointer}/assessments/{position}")
    for index, source in enumerate(_list(bundle, "sources")):
        add("meeting_sources", {"meeting_id": meeting_id, "source_id": source}, f"/sources/{index}")
    for key, table in NEW_TABLES.items():
        for index, item in _objects(bundle, key):
            add(table, dict(item), f"/{key}/{index}")
    return rows, pointers


def _list(container: dict[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    return value if isinstance(value, list) else []


def _objects(container: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) of the objects in a list; other entries are the validator's to report."""
    return [(index, item) for index, item in enumerate(_list(container, key)) if isinstance(item, dict)]


def from_rows(meeting_id: str, rows: Rows) -> dict[str, Any]:
    """The bundle of one meeting from table rows that hold that meeting's rows and its new rows.

    Null fields are left out, so the bundle reads as a contributor would write it. Reference
    tables present in `rows` become the bundle's `new_*` lists.
    """
    return all_bundles(rows, only=meeting_id)[0]


def all_bundles(rows: Rows, only: str | None = None) -> list[dict[str, Any]]:
    """The bundle of every meeting in `rows` (or of `only`), in one pass over each table."""

    def clean(row: dict[str, Any], *drop: str) -> dict[str, Any]:
        return {k: v for k, v in row.items() if v is not None and k not in drop}

    def grouped(table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows.get(table, []):
            if only is None or table not in ("attendances", "meeting_topics", "commitments", "instrument_mentions",
                                             "meeting_sources") or row[key] == only:
                groups.setdefault(row[key], []).append(row)
        return groups

    attendances = grouped("attendances", "meeting_id")
    topics = grouped("meeting_topics", "meeting_id")
    commitments = grouped("commitments", "meeting_id")
    mentions = grouped("instrument_mentions", "meeting_id")
    sources = grouped("meeting_sources", "meeting_id")
    commitment_topics = grouped("commitment_topics", "commitment_id")
    assessments = grouped("assessments", "commitment_id")
    bundles = []
    for meeting in rows["meetings"]:
        meeting_id = meeting["id"]
        if only is not None and meeting_id != only:
            continue
        items = []
        for row in commitments.get(meeting_id, []):
            item = clean(row, "meeting_id")
            item["topics"] = [t["topic_id"] for t in commitment_topics.get(row["id"], [])]
            item["assessments"] = [clean(a, "commitment_id") for a in assessments.get(row["id"], [])]
            items.append(item)
        bundle: dict[str, Any] = {
            "meeting": clean(meeting),
            "attendances": [clean(r, "meeting_id") for r in attendances.get(meeting_id, [])],
            "topics": [clean(r, "meeting_id") for r in topics.get(meeting_id, [])],
            "commitments": items,
            "instrument_mentions": [clean(r, "meeting_id") for r in mentions.get(meeting_id, [])],
            "sources": [r["source_id"] for r in sources.get(meeting_id, [])],
        }
        if only is not None:
            for key, table in NEW_TABLES.items():
                if table in rows:
                    bundle[key] = [clean(row) for row in rows[table]]
        bundles.append(bundle)
    return bundles


References = set[tuple[str, str]]


def _references(source: Rows) -> References:
    """(table, id) of every shared reference row that rows of `source` point at."""
    shared = set(NEW_TABLES.values()) - set(DEPENDENT)
    found: References = set()
    for table, table_rows in source.items():
        for field, target in TABLES[table].foreign_keys.items():
            if target in shared:
                found.update((target, r[field]) for r in table_rows if r.get(field) is not None)
    return found


def _picked(kept: Rows, refs: References, inside: bool) -> Rows:
    """The shared reference rows of `kept` that are (inside=True) or are not in `refs`, with the
    rows hanging on them (an instrument's parties go where the instrument goes)."""
    picked = {t: [r for r in kept[t] if ((t, r["id"]) in refs) == inside]
              for t in NEW_TABLES.values() if t not in DEPENDENT}
    picked.update({t: [r for r in kept[t] if ((parent, r[field]) in refs) == inside]
                   for t, (field, parent) in DEPENDENT.items()})
    return picked


def split_meeting(rows: Rows, meeting_id: str) -> tuple[Rows, Rows]:
    """(rows without the meeting, the meeting's own rows) from every table's rows.

    The meeting's own rows are its meeting, attendances, topics, commitments (with their topics
    and assessments), mentions and sources, plus every person, organization, topic, instrument and
    source that they use and nothing else in the dataset uses; an instrument's parties move with it.
    """
    commitments = {r["id"] for r in rows.get("commitments", []) if r["meeting_id"] == meeting_id}

    def own(table: str, row: dict[str, Any]) -> bool:
        if table == "meetings":
            return row["id"] == meeting_id
        if "meeting_id" in row:
            return row["meeting_id"] == meeting_id
        if "commitment_id" in row and table in ("commitment_topics", "assessments"):
            return row["commitment_id"] in commitments
        return False

    taken: Rows = {t: [r for r in rows.get(t, []) if own(t, r)] for t in TABLES}
    kept: Rows = {t: [r for r in rows.get(t, []) if not own(t, r)] for t in TABLES}
    meeting_tables = {t: r for t, r in kept.items() if t not in NEW_TABLES.values()}
    # Reference rows used by the meeting's rows, transitively (parents, an instrument's source).
    wanted = _references(taken)
    while (closure := wanted | _references(_picked(kept, wanted, True))) != wanted:
        wanted = closure
    # Of those, the ones nothing else uses, until no kept row uses a moved one.
    moving = set(wanted)
    while still_used := moving & _references({**meeting_tables, **_picked(kept, moving, False)}):
        moving -= still_used
    taken.update(_picked(kept, moving, True))
    staying = {**meeting_tables, **_picked(kept, moving, False)}
    return {t: staying[t] for t in TABLES}, taken
