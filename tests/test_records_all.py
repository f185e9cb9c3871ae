"""Every known meeting, 1997-2024: counts, key facts, sourcing and honesty about inference."""

from __future__ import annotations

import pytest
from conftest import dataset, dataset_args, run_cli

pytestmark = pytest.mark.records
LINKED = ("attendances", "meeting_topics", "commitments", "instrument_mentions", "meeting_sources")


def test_navigation_agrees_with_the_rows_of_each_table():
    # Derived from the records, so a contribution cannot break it; the counts of what was released
    # are held by records/releases.json (`cbcf-data release` refuses changed content under an old version).
    ds = dataset()
    for meeting in ds.meetings.values():
        for table in LINKED:
            rows = [r for r in ds.table(table).values() if r.meeting_id == meeting.id]
            assert len(ds.related(meeting, table)) == len(rows), (meeting.id, table)
    assert all(ds.related(m, "meeting_sources") for m in ds.meetings.values())


@pytest.mark.parametrize(
    ("meeting_id", "start", "end", "city", "host", "phase", "sequence"),
    [
        ("cbcf-1997", "1997-09", None, None, None, "founding", 1),
        ("cbcf-2000", "2000-06-09", None, None, None, "founding", 4),
        ("cbcf-2001", "2001-06-20", None, "Ottawa", "CA", "founding", 5),
        ("cbcf-2002", "2002-07-22", None, "Banff", "CA", "founding", 6),
        ("cbcf-2003", "2003-05-21", None, "White Sulphur Springs", "US", "founding", 7),
        ("cbcf-2004", "2004-10-21", "2004-10-22", "Ottawa", "CA", "founding", 8),
        ("cbcf-2006", "2006-11-15", "2006-11-16", "Asheville", "US", "founding", 9),
        ("cbcf-2012", "2012-03-02", None, "Ottawa", "CA", "founding", 12),
        ("cbcf-2022", "2022-03-22", None, "Washington", "US", "reestablished", 1),
        ("cbcf-2023", "2023-04-28", None, "Ottawa", "CA", "reestablished", 2),
        ("cbcf-2024", "2024-07-11", None, "Washington", "US", "reestablished", 3),
    ],
)
def test_key_facts(meeting_id, start, end, city, host, phase, sequence):
    m = dataset().meetings[meeting_id]
    assert (m.start_date, m.end_date, m.city, m.host_country, m.phase, m.sequence) == (
        start, end, city, host, phase, sequence)


@pytest.mark.parametrize(
    ("meeting_id", "people"),
    [
        ("cbcf-2000", {"janet-reno", "lawrence-macaulay"}),
        ("cbcf-2003", {"john-ashcroft", "wayne-easter"}),
        ("cbcf-2004", {"john-ashcroft", "anne-mclellan", "irwin-cotler"}),
        ("cbcf-2006", {"alberto-gonzales", "michael-chertoff", "michael-sullivan", "stockwell-day"}),
        ("cbcf-2012", {"rob-nicholson", "vic-toews", "eric-holder", "janet-napolitano"}),
        ("cbcf-2022", {"merrick-garland", "alejandro-mayorkas", "david-lametti", "marco-mendicino"}),
    ],
)
def test_attendees(meeting_id, people):
    ds = dataset()
    assert {a.person_id for a in ds.related(ds.meetings[meeting_id], "attendances")} == people


def test_the_new_phase_is_numbered_from_one_never_as_13th():
    ds = dataset()
    founding = [m for m in ds.meetings.values() if m.phase == "founding"]
    again = sorted((m for m in ds.meetings.values() if m.phase == "reestablished"), key=lambda m: m.start_date)
    assert all(m.sequence <= 12 for m in founding if m.sequence is not None)
    assert [m.sequence for m in again if m.sequence is not None] == list(range(1, len(again) + 1))[: len(again)]
    assert max(m.start_date for m in founding) < min(m.start_date for m in again)


def test_every_attendance_commitment_and_theme_is_sourced_by_a_source_of_its_meeting():
    ds = dataset()
    for table in ("attendances", "commitments", "meeting_topics", "instrument_mentions"):
        for row in ds.table(table).values():
            assert row.source_id in ds.sources, (table, row.key)
            meeting_sources = {ms.source_id for ms in ds.meeting_sources.where("meeting_id", row.meeting_id)}
            assert row.source_id in meeting_sources, (table, row.key)
    for assessment in ds.assessments.values():
        assert assessment.source_id in ds.sources or assessment.status == "no-evidence"


def test_only_archived_sources_are_quoted():
    ds = dataset()
    for c in ds.commitments.values():
        assert (c.quote is not None) == (ds.sources[c.source_id].archive_path is not None), c.id


# Facts FACTS.md marks as inferred: each must be recorded as inferred, never as stated.
INFERRED = [
    ("cbcf-1998", "existence_basis"), ("cbcf-1998", "sequence_basis"),
    ("cbcf-1998", "date_basis"), ("cbcf-1999", "existence_basis"), ("cbcf-1999", "sequence_basis"),
    ("cbcf-2002", "sequence_basis"), ("cbcf-2024", "date_basis"),
]


@pytest.mark.parametrize(("meeting_id", "field"), INFERRED)
def test_inferred_facts_are_marked_inferred(meeting_id, field):
    assert getattr(dataset().meetings[meeting_id], field) == "inferred"


def test_inferred_titles_and_attendees_are_not_stated():
    ds = dataset()
    mclellan = ds.attendances[("cbcf-2004", "anne-mclellan")]
    assert mclellan.role == "Deputy Prime Minister" and mclellan.organization_id is None
    assert "inferred" in mclellan.notes
    assert ds.instruments["us-ca-police-technology-agreement-2000"].title_basis == "descriptive"
    assert not ds.related(ds.meetings["cbcf-1997"], "attendances")  # the co-chairs are only inferred
    canadians_2006 = [a for a in ds.related(ds.meetings["cbcf-2006"], "attendances") if a.delegation == "CA"]
    assert [a.person_id for a in canadians_2006] == ["stockwell-day"]  # no Justice Minister is named for 2006
    assert ds.instruments["us-ca-mou-forensic-firearms-data-2006"].date == "2006-11-16"


def test_canadian_bodies_have_french_names_and_low_reliability_sources_say_so():
    ds = dataset()
    assert all(o.name_fr for o in ds.organizations.values() if o.country == "CA")
    for source in ds.sources.values():
        if source.reliability == "low":
            assert "repost" in source.notes.lower() or "corroboration" in source.notes.lower(), source.id


def test_assessments_follow_later_sources():
    ds = dataset()
    hosted = ds.assessments[("cbcf-2022-c06", "CA", "2023-04-28")]
    assert hosted.status == "fulfilled" and hosted.source_id == "doj-2023-04-28-remarks"
    partnership = ds.assessments[("cbcf-2023-c10", "both", "2024-07-13")]
    assert partnership.source_id == "fifthestate-2024-07-13-communique-repost"
    assert ds.instrument_mentions[("cbcf-2023", "statement-of-partnership-2023", "signed")].commitment_id == "cbcf-2023-c10"


def test_topic_vocabulary_is_tidy():
    ds = dataset()
    assert all(t.label_fr for t in ds.topics.values())
    assert ds.topics["fentanyl"].parent_id == "drug-trafficking"
    assert ds.topics["drug-trafficking"].parent_id == "cross-border-smuggling"
    assert ds.topics["ransomware"].parent_id == "cybercrime"


def test_show_prints_a_meeting(tmp_path):
    result = run_cli("show", "cbcf-2006", *dataset_args())
    assert result.returncode == 0
    out = result.stdout
    assert "cbcf-2006 — 9th forum, founding phase" in out
    assert "2006-11-15 to 2006-11-16 (day precision, stated)" in out
    assert "[CA] Stockwell Day — Canadian Minister of Public Safety (guest)" in out
    assert "signed: Memorandum of Understanding Regarding Accessing Forensic Firearms Data" in out
    assert "Sources (5)" in out
    assert len(out.splitlines()) < 50
    inferred = run_cli("show", "cbcf-1998", *dataset_args()).stdout
    assert "2nd forum (inferred)" in inferred and "existence inferred" in inferred
    assert "Attendees: none named by the sources" in inferred
    assert run_cli("show", "cbcf-1900", *dataset_args()).returncode == 2
