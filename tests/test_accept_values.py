"""`model.accept.value_accepter`: a bundle's row (JSON or YAML values, not CSV cells) accepted
without Pydantic must be one the model accepts, with equal values — as the record the rules are
fed (`accepter`'s light record) and as `model_dump()` (`dumped`, what `import` writes and returns).
A differential test on real rows in a bundle's form and their mutations (other types, missing and
unknown keys, empty text, integers given as text)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cbcf_data.io.readers import table_rows
from cbcf_data.model import accept
from cbcf_data.model.rowspec import ROWS as SPEC
from cbcf_data.model.tables import MODELS, TABLES

INTEGERS = {table: {name for name, _, kind, _ in fields if kind == "int"} for table, (fields, _) in SPEC.items()}


def _values(table: str, cells: dict[str, Any]) -> dict[str, Any]:
    """A row as a bundle holds it: empty fields left out, integers as JSON numbers."""
    return {name: int(value) if name in INTEGERS[table] else value for name, value in cells.items() if value is not None}


def _rows(model: Any) -> list[dict[str, Any]]:
    found = [{name: None if value is None else str(value) for name, value in dict(model.example).items()}]
    for folder in (ROOT, FIXTURES / "_base"):
        path = folder / "records" / f"{model.table}.csv"
        if path.exists():
            found += [cells for _, cells in table_rows(tuple(model.model_fields), path, folder)]
    return [_values(model.table, row) for row in found]


ROWS = {model.table: _rows(model) for model in MODELS}
ODD = [None, "", " ", "0", "01", "-1", "1.0", "9" * 19, 0, 1, -1, 99, 100, 10**19, True, False, 1.0, 2.5, [], ["a"],
       {}, {"a": 1}, "2024-02-29", "2023-02-29", "cbcf-2024", "a\ud800b", "a\u202eb", "x" * 4001, "US", "both", "stated"]


@st.composite
def mutated_rows(draw: Any) -> tuple[str, dict[str, Any]]:
    table = draw(st.sampled_from(sorted(ROWS)))
    row = dict(draw(st.sampled_from(ROWS[table])))
    names = list(TABLES[table].model_fields)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(names))
        how = draw(st.integers(0, 5))
        if how == 0:
            row.pop(name, None)
        elif how == 1:
            row[name] = draw(st.sampled_from(ODD))
        elif how == 2:
            row[name] = draw(st.one_of(st.text(max_size=8), st.integers(-5, 10**20), st.booleans(), st.floats()))
        elif how == 3 and name in row:  # an integer as its text, text as an integer
            value = row[name]
            row[name] = str(value) if type(value) is int else int(value) if str(value).isdecimal() else value
        elif how == 4:  # another row's value of this field, or another field's
            other = draw(st.sampled_from(ROWS[table]))
            row[name] = other.get(draw(st.sampled_from(names)))
        else:
            row[draw(st.sampled_from(["extra", "meeting", name.upper()]))] = "x"
    return table, row


def _same(table: str, record: Any, light: Any) -> None:
    model = TABLES[table]
    for name in model.model_fields:
        expected, got = getattr(record, name), getattr(light, name)
        assert got == expected and type(got) is type(expected), (name, got, expected)
    expected_dump, got_dump = record.model_dump(), accept.dumped(table, light)
    assert list(got_dump) == list(expected_dump)
    for name, value in expected_dump.items():
        assert got_dump[name] == value and type(got_dump[name]) is type(value), (name, got_dump[name], value)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_rows())
def test_a_bundle_row_accepted_without_pydantic_is_one_pydantic_accepts_with_equal_values(case):
    table, row = case
    light = accept.value_accepter(table)(dict(row))  # type: ignore[misc]
    if light is None:
        return
    try:
        record = TABLES[table].model_validate(row)
    except ValidationError as error:  # pragma: no cover - this is the failure the test is for
        raise AssertionError(f"accepted without Pydantic, refused by it: {table} {row!r}: {error}") from None
    _same(table, record, light)


@pytest.mark.parametrize("table", sorted(ROWS))
def test_valid_bundle_rows_are_accepted_with_the_records_values(table):
    """Not vacuous: real rows in a bundle's form take the accept path (integers as numbers or as
    text), with their records' values and dumps."""
    accepter = accept.value_accepter(table)
    assert accepter is not None
    for row in ROWS[table]:
        for form in (row, {name: str(value) for name, value in row.items()}):
            light = accepter(dict(form))
            assert light is not None, form
            _same(table, TABLES[table].model_validate(form), light)


@pytest.mark.parametrize("change", [
    {"sequence": True}, {"sequence": 1.0}, {"sequence": -1}, {"sequence": 100}, {"city": 1}, {"city": ["Ottawa"]},
    {"city": ""}, {"start_date": "2023-02-29"}, {"phase": None}, {"unknown": "x"}, {"summary": "a\ud800b"},
])
def test_other_values_are_left_to_pydantic(change):
    """Each of these is refused here (a type other than text or an integer field's integer, an
    unknown key, a value the model refuses): Pydantic judges the row."""
    row = {**next(row for row in ROWS["meetings"] if "sequence" in row), **change}
    assert accept.value_accepter("meetings")(row) is None  # type: ignore[misc]
