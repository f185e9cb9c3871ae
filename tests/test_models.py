"""The models: examples validate, unknown columns and broken row rules are errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbcf_data.model import codelists
from cbcf_data.model.tables import MODELS, Commitment, Meeting, Source


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table)
def test_example_validates(model):
    record = model.model_validate(model.example)
    assert record.model_dump(exclude_none=True) == model.example


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table)
def test_unknown_column_is_an_error(model):
    with pytest.raises(ValidationError) as error:
        model.model_validate({**model.example, "colour": "red"})
    assert error.value.errors()[0]["type"] == "extra_forbidden"


def _error_type(model, **changes):
    with pytest.raises(ValidationError) as error:
        model.model_validate({**model.example, **changes})
    return error.value.errors()[0]["type"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start_date": "2011-02-29", "id": "cbcf-2011"}, "invalid-date"),  # the pattern admits it, the calendar not
        ({"start_date": "2012-02-30"}, "string_pattern_mismatch"),
        ({"start_date": "2012-03"}, "date-precision-mismatch"),
        ({"end_date": "2012-03-01"}, "end-before-start"),
        ({"sequence": None}, "sequence-basis"),
        ({"id": "cbcf-2013"}, "id-year-mismatch"),
        ({"phase": "reestablished"}, "phase-year-mismatch"),
        ({"subdivision": "US-DC"}, "subdivision-country-mismatch"),
        ({"host_country": "MX"}, "literal_error"),
        ({"id": "CBCF-2012"}, "string_pattern_mismatch"),
    ],
)
def test_meeting_row_rules(changes, code):
    assert _error_type(Meeting, **changes) == code


def test_commitment_quote_fields_go_together():
    assert _error_type(Commitment, quote="Some words.") == "quote-incomplete"
    assert _error_type(Commitment, quote="abc", quote_start=3, quote_end=7) == "quote-length"
    assert _error_type(Commitment, id="cbcf-2023-c01") == "commitment-id-meeting"


def test_source_archive_fields_go_together():
    assert _error_type(Source, archive_path="sources/doj-2001-06-20-remarks.txt") == "archive-incomplete"
    assert _error_type(Source, archive_path="sources/other.txt", sha256="0" * 64) == "archive-path-name"


def test_every_codelist_value_has_label_and_definition():
    for name, codelist in codelists.CODELISTS.items():
        assert codelist, name
        for code, entry in codelist.items():
            assert entry.label and entry.definition.endswith("."), (name, code)


def test_codelist_fields_carry_exactly_their_codelist():
    from cbcf_data.model.table_schema import codelists_of, field_schema

    coded = 0
    for model in MODELS:
        schema = model.model_json_schema()
        for name, codelist in codelists_of(model).items():
            prop = field_schema(name, schema)[0]
            assert prop["enum"] == list(codelists.CODELISTS[codelist]), (model.table, name)
            assert codelist in prop["$comment"]
            coded += 1
    assert coded >= 20


def test_basis_and_absence_rules():
    from cbcf_data.model.tables import Assessment, Attendance, Instrument, InstrumentMention

    assert _error_type(Meeting, host_basis=None) == "host-basis"
    assert _error_type(Meeting, notes=None) == "basis-without-notes"  # the example's host is inferred
    assert _error_type(Attendance, capacity=None) == "capacity-missing"
    assert _error_type(Attendance, capacity=None, capacity_basis=None, notes=None) == "capacity-missing"
    assert _error_type(Attendance, capacity_basis=None) == "capacity-basis"
    absent = Attendance.model_validate({**Attendance.example, "status": "absent", "capacity": None, "capacity_basis": None})
    assert absent.capacity is None  # someone expected who did not come needs no capacity
    assert _error_type(Instrument, date_basis=None) == "date-basis"
    assert _error_type(Instrument, date_basis="inferred", notes=None) == "basis-without-notes"
    assert _error_type(Instrument, title_basis="descriptive", notes=None) == "basis-without-notes"
    assert _error_type(InstrumentMention, relation_basis="inferred") == "basis-without-notes"
    assert _error_type(Assessment, source_id=None) == "assessment-source-missing"
    assert _error_type(Assessment, status="no-evidence", source_id=None) == "no-evidence-note"
    searched = Assessment.model_validate({**Assessment.example, "status": "no-evidence", "source_id": None,
                                          "note": "Nothing found. Searched: DOJ and Public Safety releases."})
    assert searched.source_id is None


@pytest.mark.parametrize(("kind", "reliability", "ok"), [
    ("official", "high", True), ("official", "medium", False), ("repost", "high", False), ("repost", "medium", True),
    ("summary", "medium", False), ("summary", "low", True), ("wire", "low", True), ("press", "high", False),
])
def test_reliability_follows_from_kind(kind, reliability, ok):
    if ok:
        Source.model_validate({**Source.example, "kind": kind, "reliability": reliability})
    else:
        assert _error_type(Source, kind=kind, reliability=reliability) == "reliability-kind"
