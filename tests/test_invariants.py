"""Invariants of the records that any valid contribution keeps: derived from the data, never pinned counts.

Each test reads the packaged dataset and states a rule of the coding manual (CONTRIBUTING.md):
inferred values are flagged and explained, every source a meeting's rows cite is listed for the
meeting, the commitments of 2022-2024 are followed up, and one reliability rule holds for every
source.
"""

from __future__ import annotations

import pytest
from conftest import dataset

from cbcf_data.model import codelists
from cbcf_data.model.table_schema import codelists_of
from cbcf_data.model.tables import MODELS

#: Commitments of these meetings must each have at least one assessment.
FOLLOWED_UP = ("cbcf-2022", "cbcf-2023", "cbcf-2024")
#: Tables whose rows belong to one meeting (they carry meeting_id) and cite a source.
MEETING_ROWS = ("attendances", "meeting_topics", "commitments", "instrument_mentions")
#: Each table's fields drawn from the basis codelist (stated/inferred), read from its Table Schema.
BASIS_FIELDS = {model.table: [name for name, codelist in codelists_of(model).items() if codelist == "basis"]
                for model in MODELS}

pytestmark = pytest.mark.records


@pytest.fixture(scope="module")
def ds():
    return dataset()


def test_basis_fields_are_found():
    # The inventory below must see the model's basis fields, or the next test would check nothing.
    assert {"date_basis", "sequence_basis", "existence_basis", "host_basis"} <= set(BASIS_FIELDS["meetings"])
    assert BASIS_FIELDS["instrument_mentions"] == ["relation_basis"]
    assert "date_basis" in BASIS_FIELDS["instruments"] and "capacity_basis" in BASIS_FIELDS["attendances"]


@pytest.mark.parametrize("table", [t for t, fields in BASIS_FIELDS.items() if fields])
def test_every_inferred_value_is_flagged_and_explained(ds, table):
    for row in ds.table(table).values():
        for field in BASIS_FIELDS[table]:
            if getattr(row, field) == "inferred":
                assert row.notes, (table, row.key, field)


def test_every_descriptive_title_is_explained(ds):
    for table in ("sources", "instruments"):
        for row in ds.table(table).values():
            if row.title_basis == "descriptive":
                assert row.notes, (table, row.key)


def test_a_value_and_its_basis_go_together(ds):
    for m in ds.meetings.values():
        assert (m.host_country is None) == (m.host_basis is None), m.id
    for a in ds.attendances.values():
        assert (a.capacity is None) == (a.capacity_basis is None), a.key
        assert a.capacity is not None or a.status != "attended", a.key
    for i in ds.instruments.values():
        assert (i.date is None) == (i.date_basis is None), i.id


@pytest.mark.parametrize("table", MEETING_ROWS)
def test_every_source_a_meetings_rows_cite_is_listed_for_that_meeting(ds, table):
    listed = {(ms.meeting_id, ms.source_id) for ms in ds.meeting_sources.values()}
    for row in ds.table(table).values():
        assert (row.meeting_id, row.source_id) in listed, (table, row.key, row.source_id)


def test_every_commitment_of_2022_to_2024_is_followed_up(ds):
    for meeting_id in FOLLOWED_UP:
        for commitment in ds.related(ds.meetings[meeting_id], "commitments"):
            assert ds.assessments.where("commitment_id", commitment.id), commitment.id


def test_assessments_judge_a_party_of_the_commitment_and_show_their_evidence(ds):
    for a in ds.assessments.values():
        parties = ds.commitments[a.commitment_id].parties
        assert a.party == parties or parties == "both", a.key
        if a.status == "no-evidence":
            assert "Searched" in a.note, a.key  # the searches made, not silence
        else:
            assert a.source_id in ds.sources, a.key
            # The evidence is later than the commitment: never the meeting's own sources alone,
            # except for an outcome reported as done on the day (modality announce).
            meeting = ds.commitments[a.commitment_id].meeting_id
            own = {ms.source_id for ms in ds.meeting_sources.where("meeting_id", meeting)}
            commitment = ds.commitments[a.commitment_id]
            if a.source_id in own and commitment.modality != "announce":
                assert a.as_of > ds.meetings[meeting].start_date, a.key


def test_one_reliability_rule_for_every_source(ds):
    for s in ds.sources.values():
        assert s.reliability in codelists.RELIABILITY_BY_KIND[s.kind], s.id
        assert (s.kind == "official") == (s.reliability == "high"), s.id
        if s.reliability == "low":
            note = (s.notes or "").lower()
            assert "corroboration" in note, s.id  # low sources say they only corroborate, or why they are used


def test_copies_are_reposts_and_rewrites_are_summaries(ds):
    # A third party's text is never rated above medium, whatever it copies.
    for s in ds.sources.values():
        if s.kind in ("repost", "summary"):
            assert s.reliability != "high", s.id


def test_quotes_only_from_archived_texts(ds):
    for c in ds.commitments.values():
        if c.quote is not None:
            assert ds.sources[c.source_id].archive_path is not None, c.id


def test_someone_absent_never_makes_a_party(ds):
    # A commitment's parties are backed by someone who attended, not by an absentee.
    for c in ds.commitments.values():
        present = {a.delegation for a in ds.related(ds.meetings[c.meeting_id], "attendances") if a.status == "attended"}
        needed = {"US", "CA"} if c.parties == "both" else {c.parties}
        assert needed <= present, c.id


def test_instrument_parties_are_sourced_and_agree_with_jurisdiction(ds):
    for p in ds.instrument_parties.values():
        assert p.source_id in ds.sources and p.organization_id in ds.organizations, p.key
        instrument = ds.instruments[p.instrument_id]
        country = ds.organizations[p.organization_id].country
        if instrument.jurisdiction in ("US", "CA"):
            assert country == instrument.jurisdiction, p.key
