"""Canonical CSV: every table reads into models and writes back byte for byte."""

from __future__ import annotations

import pytest
from conftest import RECORDS
from hypothesis import given
from hypothesis import strategies as st

from cbcf_data.dataset.loading import parse_table
from cbcf_data.io import csvfiles
from cbcf_data.model.tables import MODELS, Person


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table)
def test_csv_models_csv_is_byte_identical(model):
    path = RECORDS / f"{model.table}.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert csvfiles.records_to_csv_text(model, parse_table(model, path)).encode("utf-8") == raw


def test_rows_are_sorted_and_quoted_only_where_needed():
    people = [Person(id="b-person", name="B, Person", country="US"), Person(id="a-person", name="A", country="CA")]
    assert csvfiles.records_to_csv_text(Person, people) == (
        "id,name,country,wikidata_id,notes\na-person,A,CA,,\nb-person,\"B, Person\",US,,\n"
    )


@given(st.lists(st.text(min_size=1), min_size=1, max_size=6, unique=True).flatmap(
    lambda fields: st.tuples(st.just(fields), st.lists(st.sampled_from(["", "x", " ", "0", "a,b", "'\"\\"]),
                                                       min_size=len(fields), max_size=len(fields)))))
def test_cells_of_matches_the_plain_reading_for_any_header(case):
    # The compiled row reader must equal the obvious comprehension, whatever the header's text.
    fields, row = case
    assert csvfiles.cells_of(tuple(fields))(row) == {f: (c if c != "" else None) for f, c in zip(fields, row)}
