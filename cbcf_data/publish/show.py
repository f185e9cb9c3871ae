"""One-screen, plain-text summaries for `cbcf-data show`: a meeting, a person, a topic, an
instrument — or any other row by its ID.

`render` prints from the dataset's cells (`publish.cells`): no record is typed, so Pydantic is not
imported for it. Each summary reads a dataset through what `Dataset` and `Cells` both offer, so it
prints the same from typed records (`typed=True`, the reference a test holds the cells to).
"""

from __future__ import annotations

import textwrap
from typing import Any

from cbcf_data.dataset import Dataset
from cbcf_data.errors import UnusableInputError, nearest
from cbcf_data.model.text import escape
from cbcf_data.publish.cells import Cells

#: A dataset as the summaries read it: a `Dataset`, or `Cells` over one.
View = Any

WIDTH = 100
ORDINAL = {1: "first", 2: "second", 3: "third"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _heading(meeting: Any) -> list[str]:
    """The meeting's ordinal, phase, date (with its basis) and place."""
    if meeting.sequence is None:
        order = "ordinal unknown"
    elif meeting.phase == "reestablished":
        order = f"{ORDINAL.get(meeting.sequence, _ordinal(meeting.sequence))} since reestablishment"
    else:
        order = f"{_ordinal(meeting.sequence)} forum"
    if meeting.sequence_basis == "inferred":
        order += " (inferred)"
    date = meeting.start_date + (f" to {meeting.end_date}" if meeting.end_date else "")
    place = ", ".join(p for p in (meeting.city, meeting.subdivision) if p) or "place unknown"
    host = {"US": "U.S. hosts", "CA": "Canada hosts"}.get(meeting.host_country or "", "host unknown")
    if meeting.host_basis == "inferred":
        host += ", inferred"
    return [
        f"{meeting.id} — {order}, {meeting.phase} phase",
        f"  date:  {date} ({meeting.date_precision} precision, {meeting.date_basis})"
        + ("; existence inferred" if meeting.existence_basis == "inferred" else ""),
        f"  place: {place} ({host})",
    ]


def render_meeting(ds: View, meeting_id: str) -> str:
    """The meeting's date (with its basis), place, attendees, themes, commitments, instruments and sources."""
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}; meetings are: {', '.join(sorted(ds.meetings))}")
    meeting = ds.meetings[meeting_id]
    lines = _heading(meeting)
    if meeting.summary:
        lines += _wrap(meeting.summary)
    if meeting.notes:
        lines += _wrap("note: " + meeting.notes)

    attendances = ds.related(meeting, "attendances")
    lines.append(f"\nAttendees ({len(attendances)})" if attendances else "\nAttendees: none named by the sources")
    for a in attendances:
        part = ", ".join(p for p in (a.capacity, None if a.status == "attended" else a.status) if p)
        lines.append(f"  [{a.delegation}] {ds.people[a.person_id].name} — {a.role} ({part})")

    topics = ds.related(meeting, "topics")
    if topics:
        lines.append(f"\nThemes ({len(topics)})")
        lines += _wrap(", ".join(t.label for t in topics))

    commitments = ds.related(meeting, "commitments")
    if commitments:
        lines.append(f"\nCommitments ({len(commitments)})")
        for c in commitments:
            assessed = ds.assessments.where("commitment_id", c.id)
            status = f" → {assessed[-1].status} as of {assessed[-1].as_of}" if assessed else ""
            lines += _wrap(f"{c.id[len(meeting.id) + 1:]} [{c.modality}, {c.parties}] {c.summary}{status}")

    mentions = ds.related(meeting, "instrument_mentions")
    if mentions:
        lines.append(f"\nInstruments ({len(mentions)})")
        for m in mentions:
            inferred = " (inferred)" if m.relation_basis == "inferred" else ""
            lines += _wrap(f"{m.relation}{inferred}: {ds.instruments[m.instrument_id].title}")

    sources = ds.related(meeting, "sources")
    lines.append(f"\nSources ({len(sources)})")
    for s in sources:
        lines += _wrap(f"{s.id} — {s.reliability} reliability, {s.kind}" + (f": {s.url}" if s.url else " (archived text)"
                                                                             if s.archive_path else ""))
    # Safe on a terminal whatever the data holds: ESC, CR, bidi controls… shown as escapes.
    return escape("\n".join(lines), lines=True) + "\n"


#: Tables whose rows `show` finds by ID, in the order they are searched.
SHOWN = ("meetings", "people", "topics", "instruments", "organizations", "sources", "commitments")


def render(ds: Dataset, record_id: str, typed: bool = False, checked: bool = False) -> str:
    """The summary of the meeting, person, topic, instrument, organization, source or commitment
    `record_id`, printed from the dataset's cells (from its typed records when `typed`). `checked`:
    each row printed is judged first, a bad one raising the error typing it raises (`Cells`)."""
    return _render(ds if typed else Cells(ds, checked), record_id)


def _render(ds: View, record_id: str) -> str:
    for table in SHOWN:
        if record_id in ds.table(table):
            renderer = {"meetings": render_meeting, "people": render_person, "topics": render_topic,
                        "instruments": render_instrument}.get(table, render_row)
            return escape(renderer(ds, record_id).rstrip("\n"), lines=True) + "\n"
    for table in SHOWN:
        entry = ds.table(table).retired.get(record_id)
        if entry is not None:
            why = f"{record_id} was retired from {table} in version {entry['retired_in']}: {entry['reason']}"
            if entry.get("replaced_by") and entry["replaced_by"] in ds.table(table):
                return f"{why}\nShowing its successor, {entry['replaced_by']}.\n\n" + _render(ds, entry["replaced_by"])
            raise UnusableInputError(why)
    every = [key for table in SHOWN for key in ds.table(table)]
    near = nearest(record_id, every)
    raise UnusableInputError(f"no meeting, person, topic, instrument, organization, source or commitment "
                             f"{record_id!r}" + (f"; did you mean {near!r}?" if near else ""))


def _meeting_line(ds: View, meeting_id: str, detail: str = "") -> str:
    meeting = ds.meetings[meeting_id]
    place = meeting.city or "place unknown"
    return f"  {meeting.id}  {meeting.start_date}  {place}" + (f" — {detail}" if detail else "")


def render_person(ds: View, person_id: str) -> str:
    """A person: country and Wikidata item, then each meeting attended with role and capacity."""
    person = ds.people[person_id]
    lines = [f"{person.name} ({person.id}) — {person.country}"
             + (f", Wikidata {person.wikidata_id}" if person.wikidata_id else "")]
    if person.notes:
        lines += _wrap("note: " + person.notes)
    attendances = ds.related(person, "attendances")
    lines.append(f"\nMeetings ({len(attendances)})")
    for a in attendances:
        organization = ds.organizations[a.organization_id].name if a.organization_id else ""
        lines.append(_meeting_line(ds, a.meeting_id, f"{a.role} ({a.capacity}"
                                   + ("" if a.status == "attended" else f", {a.status}") + ")"
                                   + (f", {organization}" if organization else "")))
    return "\n".join(lines) + "\n"


def render_topic(ds: View, topic_id: str) -> str:
    """A topic: its place in the vocabulary, then the meetings and commitments on it or narrower topics."""
    topic = ds.topics[topic_id]
    broader = " > ".join(t.label for t in reversed(ds.ancestors(topic)))
    lines = [f"{topic.label} ({topic.id}) — {topic.label_fr}"]
    if broader:
        lines.append(f"  under: {broader}")
    narrower = ds.descendants(topic)
    if narrower:
        lines += _wrap("narrower: " + ", ".join(t.label for t in narrower))
    lines += _wrap(topic.description)
    meetings = ds.related(topic, "meetings")
    lines.append(f"\nMeetings ({len(meetings)}, with narrower topics)")
    lines += [_meeting_line(ds, m.id) for m in meetings]
    commitments = ds.related(topic, "commitments")
    lines.append(f"\nCommitments ({len(commitments)}, with narrower topics)")
    for c in commitments:
        lines += _wrap(f"{c.id} [{c.modality}, {c.parties}] {c.summary}")
    return "\n".join(lines) + "\n"


def render_instrument(ds: View, instrument_id: str) -> str:
    """An instrument: kind, jurisdiction and date, then what happened to it at each meeting."""
    instrument = ds.instruments[instrument_id]
    date = f"{instrument.date} ({instrument.date_precision})" if instrument.date else "date unknown"
    lines = [f"{instrument.title} ({instrument.id})", f"  {instrument.kind}, {instrument.jurisdiction}, {date}"]
    if instrument.notes:
        lines += _wrap("note: " + instrument.notes)
    mentions = ds.related(instrument, "instrument_mentions")
    lines.append(f"\nAt meetings ({len(mentions)})")
    for m in mentions:
        lines.append(_meeting_line(ds, m.meeting_id, m.relation + (f", commitment {m.commitment_id}"
                                                                    if m.commitment_id else "")))
    return "\n".join(lines) + "\n"


def render_row(ds: View, record_id: str) -> str:
    """Any other row: its filled fields, then how many rows of each related table name it."""
    table = next(t for t in SHOWN if record_id in ds.table(t))
    record: Any = ds.table(table)[record_id]
    lines = [repr(record)]
    for field, value in record.model_dump().items():
        if value is not None:
            lines += _wrap(f"{field}: {value}")
    if isinstance(ds, Cells):
        tables = ds.relations(record)
    else:
        from cbcf_data.dataset.navigation import relations

        tables = relations(type(record))
    counts = [f"{other} {len(ds.related(record, other))}" for other in tables]
    if counts:
        lines += ["", *_wrap("related: " + ", ".join(counts))]
    return "\n".join(lines) + "\n"
