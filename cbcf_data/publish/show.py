"""A one-screen, plain-text summary of a meeting, for `cbcf-data show`."""

from __future__ import annotations

import textwrap

from cbcf_data.dataset import Dataset
from cbcf_data.errors import UnusableInputError
from cbcf_data.model.text import escape

WIDTH = 100
ORDINAL = {1: "first", 2: "second", 3: "third"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False) or [indent]


def render_meeting(ds: Dataset, meeting_id: str) -> str:
    """The meeting's date (with its basis), place, attendees, themes, commitments, instruments and sources."""
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id[:100]!r}; meetings are: {', '.join(sorted(ds.meetings)[:50])}")
    meeting = ds.meetings[meeting_id]
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
    lines = [
        f"{meeting.id} — {order}, {meeting.phase} phase",
        f"  date:  {date} ({meeting.date_precision} precision, {meeting.date_basis})"
        + ("; existence inferred" if meeting.existence_basis == "inferred" else ""),
        f"  place: {place} ({host})",
    ]
    if meeting.summary:
        lines += _wrap(meeting.summary)
    if meeting.notes:
        lines += _wrap("note: " + meeting.notes)

    attendances = ds.related(meeting, "attendances")
    lines.append(f"\nAttendees ({len(attendances)})" if attendances else "\nAttendees: none named by the sources")
    for a in attendances:
        lines.append(f"  [{a.delegation}] {ds.people[a.person_id].name} — {a.role} ({a.capacity}"
                     + ("" if a.status == "attended" else f", {a.status}") + ")")

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
            lines += _wrap(f"{m.relation}: {ds.instruments[m.instrument_id].title}")

    sources = ds.related(meeting, "sources")
    lines.append(f"\nSources ({len(sources)})")
    for s in sources:
        lines += _wrap(f"{s.id} — {s.reliability} reliability, {s.kind}" + (f": {s.url}" if s.url else " (archived text)"
                                                                             if s.archive_path else ""))
    # Safe on a terminal whatever the data holds: ESC, CR, bidi controls… shown as escapes.
    return escape("\n".join(lines), lines=True) + "\n"
