"""The README's coverage section, generated from the records so that it cannot go stale:
counts, one line per meeting (what is known and what is inferred), and the known gaps.

`cbcf-data schema` writes it between the README's `generated:coverage` markers and
`cbcf-data schema --check` fails when it differs from the records.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cbcf_data.dataset import Dataset

START, END = "<!-- generated:coverage:start -->", "<!-- generated:coverage:end -->"
PHASE_WORDS = {"founding": "", "reestablished": " since reestablishment"}
#: The assessment status that records a search without public evidence (not a judgement of progress).
NO_EVIDENCE = "no-evidence"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st…"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _meeting_line(ds: Dataset, meeting: Any) -> str:
    order = "ordinal unknown"
    if meeting.sequence is not None:
        order = ordinal(meeting.sequence) + PHASE_WORDS.get(meeting.phase, "")
        if meeting.sequence_basis == "inferred":
            order += ", **inferred**"
    date = meeting.start_date + (f" – {meeting.end_date}" if meeting.end_date else "")
    if meeting.date_basis == "inferred":
        date += ", **inferred**"
    place = ", ".join(part for part in (meeting.city, meeting.subdivision) if part) or "unknown"
    attendances = ds.related(meeting, "attendances")
    statuses = Counter(a.status for a in attendances)
    people = f"{statuses['attended']}" + (f" (+{statuses['absent']} absent)" if statuses["absent"] else "")
    if not attendances:
        people = "none named"
    commitments = ds.related(meeting, "commitments")
    quoted = sum(1 for c in commitments if c.quote)
    assessed = [c for c in commitments if ds.related(c, "assessments")]
    evidence = sum(1 for c in assessed if any(a.status != NO_EVIDENCE for a in ds.related(c, "assessments")))
    made = f"{len(commitments)}" + (f" ({quoted} quoted)" if quoted else "") if commitments else "—"
    follow = "—"
    if commitments:
        follow = f"{evidence} of {len(commitments)}"
        if len(assessed) > evidence:
            follow += f" ({len(assessed) - evidence} no evidence found)"
    sources = ds.related(meeting, "sources")
    best = min((s.reliability for s in sources), key=("high", "medium", "low").index, default="none")
    return (f"| `{meeting.id}` ({order}) | {date} | {place} | {people} | "
            f"{len(ds.related(meeting, 'topics'))} | {made} | {follow} | {len(sources)} (best: {best}) |")


def coverage_block(ds: Dataset) -> str:
    """The generated coverage section, markers included."""
    meetings = sorted(ds.meetings.values(), key=lambda m: m.start_date)
    years = [int(m.start_date[:4]) for m in meetings]
    lines = [START, "", "Generated from the records by `cbcf-data schema`; do not edit by hand.", ""]
    if not meetings:
        return "\n".join([*lines, "No meeting is recorded yet.", "", END])
    archived = sum(1 for s in ds.sources.values() if s.archive_path)
    lines += [
        f"{len(meetings)} meetings ({years[0]}–{years[-1]}), {len(ds.people)} people, {len(ds.commitments)} "
        f"commitments, {len(ds.assessments)} assessments, {len(ds.instruments)} instruments, "
        f"{len(ds.sources)} sources ({archived} with an archived text).",
        "",
        "| meeting | date | place | attendees | themes | commitments | progress known | sources |",
        "|---|---|---|---|---|---|---|---|",
        *(_meeting_line(ds, meeting) for meeting in meetings),
        "",
        "Known gaps, as the records stand:",
        "",
        *_gaps(ds, meetings, years),
        "",
        END,
    ]
    return "\n".join(lines)


def _gaps(ds: Dataset, meetings: list[Any], years: list[int]) -> list[str]:
    gaps = []
    missing = _runs([y for y in range(years[0], years[-1] + 1) if y not in years])
    if missing:
        gaps.append(f"- No meeting is recorded for {_join(missing)}.")
    inferred = [m.id for m in meetings if "inferred" in (m.date_basis, m.sequence_basis, getattr(m, "existence_basis", None))]
    if inferred:
        gaps.append(f"- Date, ordinal or existence inferred rather than stated: {_join(inferred, '`')}.")
    unnamed = [m.id for m in meetings if not ds.related(m, "attendances")]
    if unnamed:
        gaps.append(f"- No attendee named by any source: {_join(unnamed, '`')}.")
    unassessed = [c.id for c in ds.commitments.values() if not ds.related(c, "assessments")]
    if unassessed:
        gaps.append(f"- {len(unassessed)} of {len(ds.commitments)} commitments have no assessment of what became "
                    "of them yet.")
    searched = [c.id for c in ds.commitments.values()
                if (found := ds.related(c, "assessments")) and all(a.status == NO_EVIDENCE for a in found)]
    if searched:
        gaps.append(f"- For {len(searched)} commitments no public evidence of progress was found (`no-evidence`).")
    unquoted = sum(1 for c in ds.commitments.values() if not c.quote)
    if unquoted:
        gaps.append(f"- {unquoted} of {len(ds.commitments)} commitments are summaries in the dataset's own words: "
                    "only texts archived under `records/sources/` can be quoted.")
    return gaps


def _runs(numbers: list[int]) -> list[str]:
    """Consecutive numbers as ranges: [2005, 2007, 2013, 2014, 2015] -> ["2005", "2007", "2013–2015"]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return [f"{run[0]}" if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]


def _join(items: list[str], mark: str = "") -> str:
    shown = [f"{mark}{item}{mark}" for item in items]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


def readme(current: str, ds: Dataset) -> str:
    """README.md with its generated coverage section brought up to date."""
    from cbcf_data.publish.docs import replace_block

    return replace_block(current, START, END, lambda: coverage_block(ds))
