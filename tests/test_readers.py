"""Reading CSV: the fast record reader gives exactly what the csv module gives, on any text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbcf_data.io.readers import ReadError, csv_records


def by_csv_module(text: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    """(first line, cells) of each record as csv.reader reads them, and the error it stops at."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        return records, f"{start}: {error}"
    return records, None


def by_csv_records(text: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    records = []
    try:
        for record in csv_records(io.StringIO(text, newline=""), Path("t.csv")):
            records.append(record)
    except ReadError as error:
        return records, f"{error.line}: {error.message.removeprefix('the CSV cannot be parsed: ')}"
    return records, None


# Text made of what matters to a CSV parser: separators, quotes, line ends, NUL, and plain cells.
CSV_TEXT = st.lists(st.sampled_from([",", '"', "\n", "\r", "\r\n", "\0", " ", "a", "bc", "é", '""', ',"x"']),
                    max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(CSV_TEXT)
def test_records_equal_the_csv_modules_on_any_text(text):
    assert by_csv_records(text) == by_csv_module(text)


@pytest.mark.parametrize("text", [
    "id,name\na,b\n",
    "id,name\r\na,b\r\n",               # CRLF
    "id,name\ra,b\r",                   # CR alone
    "id,name\n\na,b",                   # a blank line is an empty record; no final line end
    'id,name\n"a,1","b\nc"\nd,e\n',     # a quoted comma and a quoted line end: lines 2-3 are one record
    'id,name\n"a""b",c\n',              # a doubled quote
    "a,\0b\n",                          # NUL: the csv module's error
    'a,"b\n',                           # an unclosed quote at the end of the file
])
def test_records_equal_the_csv_modules_on_edge_cases(text):
    assert by_csv_records(text) == by_csv_module(text)


def test_a_line_past_the_cell_limit_stops_where_the_csv_module_stops():
    old = csv.field_size_limit(10)
    try:
        text = "a,b\n" + "x" * 11 + ",c\nd,e\n"
        expected_records, expected_error = by_csv_module(text)
        records = []
        with pytest.raises(ReadError) as stop:
            records.extend(csv_records(io.StringIO(text, newline=""), Path("t.csv")))
        assert records == expected_records == [(1, ["a", "b"])]
        assert (stop.value.code, stop.value.line) == ("cell-too-large", 2) and expected_error.startswith("2: field larger")
    finally:
        csv.field_size_limit(old)


def test_a_record_after_a_multiline_one_keeps_its_line_number():
    text = 'h\n"1\n2\n3"\nnext\n'
    assert list(csv_records(io.StringIO(text, newline=""), Path("t.csv"))) == [
        (1, ["h"]), (2, ["1\n2\n3"]), (5, ["next"])]


# -- YAML and JSON syntax errors a person can act on ---------------------------------------

def yaml_problem(text: str):
    from cbcf_data.io.readers import parse_yaml

    with pytest.raises(ReadError) as caught:
        parse_yaml(text)
    return caught.value


def test_an_unclosed_quote_is_reported_where_it_opens():
    lines = ["meeting:", "  id: cbcf-2030", *[f"  field{n}: value" for n in range(5)],
             '  summary: "The ministers agreed', *[f"  more{n}: x" for n in range(10)]]
    error = yaml_problem("\n".join(lines) + "\n")
    assert (error.line, error.column) == (8, 12)
    assert "never closed" in error.hint
    assert error.excerpt == '  summary: "The ministers agreed\n           ^'


def test_tabs_and_unquoted_colons_get_plain_hints():
    tab = yaml_problem("meeting:\n\tid: cbcf-2030\n")
    assert tab.line == 2 and "tabs" in tab.hint and "spaces" in tab.hint
    colon = yaml_problem("meeting:\n  summary: Note: the ministers met\n")
    assert colon.line == 2 and "quoted" in colon.hint and colon.column is not None


def test_json_syntax_errors_carry_line_column_and_excerpt():
    from cbcf_data.io.readers import parse_json

    with pytest.raises(ReadError) as caught:
        parse_json('{\n  "meeting": {"id": "cbcf-2030",}\n}\n')
    error = caught.value
    assert error.line == 2 and error.column is not None and "^" in (error.excerpt or "")


def test_excerpts_escape_control_characters_and_stay_short():
    from cbcf_data.io.positions import excerpt

    assert excerpt("a\x1b[31mred\n", 1, 4) == "a\\x1b[31mred\n      ^"  # under the 3, after the escaped ESC
    long = excerpt("x" * 5000, 1, 4000)
    assert len(long.splitlines()[0]) <= 100 and long.endswith("^")
