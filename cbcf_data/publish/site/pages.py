"""What each page shows: the records around the one a page is about, in the order a reader wants
them. One function per kind of page returns the template's variables; the templates only lay
them out.
"""

from __future__ import annotations

from typing import Any

from cbcf_data.model.tables import MODELS
from cbcf_data.publish.site.views import (
    RECORD_TABLES,
    Page,
    latest_assessment,
    meeting_rank,
    meetings_by_date,
    record_inferred,
    topic_descendants,
    topic_trail,
)


def _by_name(page: Page, table: str, records: list[Any]) -> list[Any]:
    return sorted(records, key=lambda r: (page.name(table, r).lower(), r.key))


def meeting(page: Page, record: Any) -> dict[str, Any]:
    """A meeting with its attendees, themes, commitments, instruments, assessments and sources."""
    ds = page.ds
    ordered = meetings_by_date(ds)
    at = meeting_rank(ds, record.id)
    commitments = ds.related(record, "commitments")
    assessments = sorted((a for c in commitments for a in ds.related(c, "assessments")),
                         key=lambda a: (a.as_of, a.commitment_id, a.party))
    attendances = sorted(ds.related(record, "attendances"),
                         key=lambda a: (a.delegation, ds.people[a.person_id].name))
    return {
        "attendances": attendances,
        "topics": _by_name(page, "topics", ds.related(record, "topics")),
        "themes_by_source": _themes_by_source(page, record),
        "commitments": [(c, latest_assessment(ds, c.id)) for c in commitments],
        "mentions": ds.related(record, "instrument_mentions"),
        "assessments": assessments,
        "sources": sorted(ds.related(record, "sources"), key=lambda s: ("high", "medium", "low").index(s.reliability)),
        "previous": ordered[at - 1] if at > 0 else None,
        "next": ordered[at + 1] if at + 1 < len(ordered) else None,
    }


def _themes_by_source(page: Page, record: Any) -> list[tuple[str, list[Any]]]:
    """The meeting's themes grouped by the source that reports them (most reliable source first)."""
    ds = page.ds
    grouped: dict[str, list[Any]] = {}
    for row in ds.related(record, "meeting_topics"):
        grouped.setdefault(row.source_id, []).append(ds.topics[row.topic_id])
    order = sorted(grouped, key=lambda s: (("high", "medium", "low").index(ds.sources[s].reliability), s))
    return [(source_id, _by_name(page, "topics", grouped[source_id])) for source_id in order]


def commitment(page: Page, record: Any) -> dict[str, Any]:
    """A commitment with its meeting, topics, instruments and every assessment."""
    ds = page.ds
    return {
        "meeting": ds.meetings[record.meeting_id],
        "topics": _by_name(page, "topics", ds.related(record, "topics")),
        "assessments": sorted(ds.related(record, "assessments"), key=lambda a: (a.as_of, a.party)),
        "mentions": ds.instrument_mentions.where("commitment_id", record.id),
    }


def person(page: Page, record: Any) -> dict[str, Any]:
    """A person's part in each meeting."""
    ds = page.ds
    return {"attendances": sorted(ds.related(record, "attendances"),
                                  key=lambda a: ds.meetings[a.meeting_id].start_date)}


def topic(page: Page, record: Any) -> dict[str, Any]:
    """A topic with its broader and narrower topics, and the meetings and commitments under it."""
    ds = page.ds
    under = topic_descendants(ds, record.id)
    meeting_ids = {row.meeting_id for t in under for row in ds.meeting_topics.where("topic_id", t)}
    commitment_ids = {row.commitment_id for t in under for row in ds.commitment_topics.where("topic_id", t)}
    return {
        "trail": topic_trail(ds, record.id),
        "narrower": _by_name(page, "topics", ds.topics.where("parent_id", record.id)),
        "meetings": [m for m in meetings_by_date(ds) if m.id in meeting_ids],
        "direct_meetings": {row.meeting_id for row in ds.meeting_topics.where("topic_id", record.id)},
        "commitments": [ds.commitments[c] for c in sorted(commitment_ids)],
    }


def instrument(page: Page, record: Any) -> dict[str, Any]:
    """An instrument, the organizations party to it (by name), and what happened to it at each meeting."""
    ds = page.ds
    return {"mentions": sorted(ds.related(record, "instrument_mentions"),
                               key=lambda m: (ds.meetings[m.meeting_id].start_date, m.relation)),
            "parties": sorted(ds.instrument_parties.where("instrument_id", record.id),
                              key=lambda row: (page.name("organizations", ds.organizations[row.organization_id]).lower(),
                                               row.key))}


def organization(page: Page, record: Any) -> dict[str, Any]:
    """A body, the bodies under it, who represented it at which meeting, and the instruments it is
    party to (by title)."""
    ds = page.ds
    return {
        "children": _by_name(page, "organizations", ds.organizations.where("parent_id", record.id)),
        "attendances": sorted(ds.attendances.where("organization_id", record.id),
                              key=lambda a: (ds.meetings[a.meeting_id].start_date, a.person_id)),
        "instruments": _parties_by_instrument(page, ds.instrument_parties.where("organization_id", record.id)),
    }


def _parties_by_instrument(page: Page, rows: list[Any]) -> list[tuple[Any, list[Any]]]:
    """An organization's instrument_parties rows, by instrument (by title), each with its rows (its parts)."""
    ds = page.ds
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.instrument_id, []).append(row)
    return [(ds.instruments[key], grouped[key])
            for key in sorted(grouped, key=lambda key: (page.name("instruments", ds.instruments[key]).lower(), key))]


def progress(page: Page) -> dict[str, Any]:
    """What had become of each assessed commitment (in ID order) at the end of each year an
    assessment is dated in: `cells[(commitment ID, year)]`, the latest assessment of each party
    known by then (`Dataset.as_of`, whose rule it is), empty when none was yet; no cell before
    the commitment was made. A year from the version's release on is shown as "to date"."""
    from cbcf_data._version import RELEASED
    from cbcf_data.model.dates import PartialDate

    ds = page.ds
    years = sorted({PartialDate(str(row.as_of)).latest.year for row in ds.assessments.values()})
    assessed = sorted({row.commitment_id for row in ds.assessments.values()})
    cells: dict[tuple[str, int], list[Any]] = {}
    for year in years:
        known = ds.as_of(str(year))
        for commitment_id in assessed:
            if commitment_id in known.commitments:
                cells[commitment_id, year] = []
        for row in known.assessments.values():
            cells[row.commitment_id, year].append(row)
    return {"years": years, "commitments": [ds.commitments[key] for key in assessed], "cells": cells,
            "unassessed": len(ds.commitments) - len(assessed), "current": int(RELEASED[:4])}


def owner(page: Page, table: str, row: Any) -> tuple[str, Any]:
    """The record whose page shows `row`: itself for a table with pages, else the commitment or
    meeting it belongs to (found from the row's foreign keys)."""
    if table in RECORD_TABLES:
        return table, row
    model = type(row)
    for wanted in ("commitments", "meetings", "instruments", "topics"):
        for field, target in model.foreign_keys.items():
            value = getattr(row, field)
            if target == wanted and value is not None and value in page.ds.table(wanted):
                return wanted, page.ds.table(wanted)[value]
    return table, row


def source(page: Page, record: Any) -> dict[str, Any]:
    """A source and every row that cites it, by table (found from the models' `source_id`)."""
    ds = page.ds
    uses: list[tuple[str, list[tuple[str, Any]]]] = []
    for model in MODELS:
        if model.foreign_keys.get("source_id") != "sources" or model.table == "meeting_sources":
            continue  # meeting_sources is shown as the list of meetings
        rows = ds.table(model.table).where("source_id", record.id)
        owners = {}
        for row in rows:
            target, shown = owner(page, model.table, row)
            if target in RECORD_TABLES:
                owners[(target, shown.key)] = (target, shown)
        if owners:
            uses.append((model.table, sorted(owners.values(), key=lambda item: (item[0], str(item[1].key)))))
    return {"uses": uses, "meetings": meetings_by_date_of(ds.related(record, "meetings"))}


def meetings_by_date_of(meetings: list[Any]) -> list[Any]:
    """`meetings`, oldest first."""
    return sorted(meetings, key=lambda m: (m.start_date, m.id))


#: How a source page names the rows that cite it, by table (message keys; others show the table's name).
USE_LABELS = {"attendances": "attendees", "meeting_topics": "themes", "commitments": "commitments",
              "instrument_mentions": "instruments", "instruments": "instruments", "assessments": "assessments"}

CONTEXTS = {"meetings": meeting, "commitments": commitment, "people": person, "topics": topic,
            "instruments": instrument, "organizations": organization, "sources": source}


def listing(page: Page, table: str) -> list[Any]:
    """A table's records in the order its list page shows them."""
    ds = page.ds
    if table == "meetings":
        return meetings_by_date(ds)
    if table in ("commitments", "sources"):
        return list(ds.table(table).values())
    return _by_name(page, table, list(ds.table(table).values()))


def inferred(record: Any) -> bool:
    """Whether a record, or its date or ordinal, is inferred (for marks in lists)."""
    return record_inferred(record) or any(
        getattr(record, name, None) == "inferred" for name in type(record).model_fields if name.endswith("basis"))
