"""The 2024 forum's records: counts and key facts pinned against the archived communiqué."""

from __future__ import annotations

import pytest
from conftest import dataset

MEETING = "cbcf-2024"

pytestmark = pytest.mark.records


def test_meeting_key_facts():
    meeting = dataset().meetings[MEETING]
    assert (meeting.city, meeting.subdivision, meeting.host_country) == ("Washington", "US-DC", "US")
    assert (meeting.phase, meeting.sequence, meeting.sequence_basis) == ("reestablished", 3, "stated")
    assert (meeting.start_date, meeting.date_precision, meeting.date_basis) == ("2024-07-11", "day", "inferred")
    assert "yesterday" in meeting.notes


def test_attendances_roles_and_capacities():
    ds = dataset()
    got = {
        a.person_id: (a.role, a.organization_id, a.delegation, a.capacity)
        for a in ds.related(ds.meetings[MEETING], "attendances")
    }
    assert got == {
        "merrick-garland": ("U.S. Attorney General", "us-doj", "US", "host"),
        "alejandro-mayorkas": ("U.S. Secretary of Homeland Security", "us-dhs", "US", "host"),
        "arif-virani": ("Minister of Justice and Attorney General", "ca-justice", "CA", "guest"),
        "dominic-leblanc": ("Minister of Public Safety", "ca-public-safety", "CA", "guest"),
    }
    assert "Democratic Institutions" in ds.attendances[(MEETING, "dominic-leblanc")].notes


def test_canadian_organizations_have_french_names():
    ds = dataset()
    assert ds.organizations["ca-public-safety"].name_fr == "Sécurité publique Canada"
    assert ds.organizations["ca-justice"].name_fr == "Ministère de la Justice Canada"


def test_commitments_pinned():
    ds = dataset()
    commitments = ds.related(ds.meetings[MEETING], "commitments")
    assert [(c.id, c.modality) for c in commitments] == [
        ("cbcf-2024-c01", "emphasize"),
        ("cbcf-2024-c02", "continue"),
        ("cbcf-2024-c03", "ongoing"),
        ("cbcf-2024-c04", "ongoing"),
        ("cbcf-2024-c05", "emphasize"),
        ("cbcf-2024-c06", "emphasize"),
        ("cbcf-2024-c07", "pledge"),
        ("cbcf-2024-c08", "commit"),
    ]
    assert all(c.parties == "both" and c.quote for c in commitments)
    assert [c.quote_start for c in commitments] == sorted(c.quote_start for c in commitments)
    # Summaries are our own words, never the quoted sentence.
    assert all(c.summary != c.quote for c in commitments)


def test_topics_instruments_and_sources():
    ds = dataset()
    meeting = ds.meetings[MEETING]
    topics = {t.id for t in ds.related(meeting, "topics")}
    assert {"foreign-interference", "fentanyl", "firearms-trafficking", "human-smuggling", "hate-crime"} <= topics
    assert len(topics) == 21
    assert ds.topics["fentanyl"].parent_id == "drug-trafficking"
    assert {i.id for i in ds.related(meeting, "instruments")} == {
        "roadmap-2021", "statement-of-partnership-2023", "us-fara", "ca-bill-c-70", "us-ca-law-enforcement-mous",
    }
    mous = ds.instrument_mentions[(MEETING, "us-ca-law-enforcement-mous", "referenced")]
    assert mous.commitment_id == "cbcf-2024-c05"
    assert {s.id for s in ds.related(meeting, "sources")} == {
        "cbcf-2024-communique-summary", "fifthestate-2024-07-13-communique-repost", "legalnewsline-2024-communique-repost",
        "gc-2024-07-12-communique-fr",
    }


def test_rows_of_the_meeting_counted():
    ds = dataset()
    meeting = ds.meetings[MEETING]
    counts = {table: len(ds.related(meeting, table)) for table in
              ("attendances", "meeting_topics", "commitments", "instrument_mentions", "meeting_sources")}
    assert counts == {"attendances": 4, "meeting_topics": 21, "commitments": 8, "instrument_mentions": 5,
                      "meeting_sources": 4}
    commitment_ids = {c.id for c in ds.related(meeting, "commitments")}
    assert sum(ct.commitment_id in commitment_ids for ct in ds.commitment_topics.values()) == 10
