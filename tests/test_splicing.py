"""`edit.splicing`: a change of a few rows puts them into the table's text, every other line copied."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from cbcf_data.edit.splicing import spliced
from cbcf_data.io import csvfiles
from cbcf_data.model.tables import TABLES

RECORDS = Path(__file__).resolve().parent.parent / "records"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def real_table(table: str) -> tuple[type[Any], str, list[dict[str, str]]]:
    """(model, text, rows) of one of the repository's tables; the test is skipped for an empty one."""
    text = (RECORDS / f"{table}.csv").read_text(encoding="utf-8")
    rows = rows_of(text)
    if not rows:
        pytest.skip("an empty table")
    return TABLES[table], text, rows

@pytest.mark.parametrize("table", list(TABLES))
def test_splicing_agrees_with_a_canonical_rewrite(table):
    # The real tables hold quoted cells, commas and line breaks inside cells: splicing rows out and
    # back in gives exactly what serialising every row again gives.
    model, text, rows = real_table(table)
    moved = rows[::3]
    without = csvfiles.to_csv_text(model, [row for row in rows if row not in moved])
    keys = [csvfiles.sort_key(model, row) for row in moved]
    assert spliced(model, text, keys, []) == without
    assert spliced(model, without, [], moved) == text
    changed = {**moved[0], model.primary_key[-1]: moved[0][model.primary_key[-1]]}
    changed.update({name: "x" for name in model.model_fields if name not in model.primary_key and
                    name in ("notes", "note", "summary", "reason", "title")})
    expected = csvfiles.to_csv_text(model, [changed if row is moved[0] else row for row in rows])
    assert spliced(model, text, keys[:1], [changed]) == expected


def test_untouched_lines_are_copied_as_they_are():
    model = TABLES["retired_ids"]
    head = "table_name,id,retired_in,reason,replaced_by\n"
    kept = 'meetings,m-1,0.1.0,"Gone",\n'  # quotes no canonical writer would add: the line is not rewritten
    text = head + kept + "meetings,m-3,0.1.0,Gone,\n"
    add = {"table_name": "meetings", "id": "m-2", "retired_in": "0.2.0", "reason": "Gone, too", "replaced_by": None}
    out = spliced(model, text, [("meetings", "m-3")], [add])
    assert out == head + kept + 'meetings,m-2,0.2.0,"Gone, too",\n'


def test_new_rows_go_where_their_keys_sort_even_when_lines_sort_otherwise():
    model = TABLES["meeting_sources"]
    text = "meeting_id,source_id\na,z\nb,z\n"
    add = [{"meeting_id": "a+", "source_id": "y"}, {"meeting_id": "a", "source_id": "zz"}]  # "a+,y" < "a,zz"
    out = spliced(model, text, [], add)
    assert out == csvfiles.to_csv_text(model, [*rows_of(text), *add]) == "meeting_id,source_id\na,z\na,zz\na+,y\nb,z\n"


@pytest.mark.parametrize("text", [
    "meeting_id,source_id\nb,z\na,z\n",  # out of key order
    "meeting_id,source_id\r\na,z\r\n",  # CRLF
    "meeting_id,source_id\na,z",  # no final LF
    "source_id,meeting_id\nz,a\n",  # not the schema's header
])
def test_a_table_not_in_canonical_form_is_rewritten_whole(text):
    model = TABLES["meeting_sources"]
    out = spliced(model, text, [], [{"meeting_id": "c", "source_id": "z"}])
    header = next(csv.reader(io.StringIO(text, newline="")))
    rows = [dict(zip(header, cells)) for cells in list(csv.reader(io.StringIO(text, newline="")))[1:]]
    assert out == csvfiles.to_csv_text(model, [*rows, {"meeting_id": "c", "source_id": "z"}])


def test_a_quote_inside_an_unquoted_cell_is_a_character():
    # The csv module reads `5 " tall` (a quote inside a cell that does not start with one) as text:
    # two such lines must not be taken for a quoted cell spanning the rows between them.
    model = TABLES["meetings"]
    lines = (RECORDS / "meetings.csv").read_text(encoding="utf-8").split("\n")
    ends_plain = [i for i in range(1, len(lines) - 1) if lines[i] and not lines[i].endswith('"')]
    first, last = next((a, b) for a, b in zip(ends_plain, ends_plain[1:]) if b - a >= 2)
    lines[first] += ' 5 " tall'
    lines[last] += ' 5 " tall'
    text = "\n".join(lines)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    between = next(i for i in range(first + 1, last))
    key = rows[between][0]
    out = spliced(model, text, [(key,)], [])
    assert list(csv.reader(io.StringIO(out, newline=""))) == rows[:between] + rows[between + 1:]


def _file_keys(model, text: str) -> list:
    """The table's keys in the file's order, as `check.known` reads them."""
    width = len(model.primary_key)
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    return [row[0] if width == 1 else tuple(row[:width]) for row in rows]


@pytest.mark.parametrize("table", list(TABLES))
def test_placing_by_known_keys_agrees_with_splicing(table):
    # `placed` finds a row's start from the keys read under a verdict, without reading the rows
    # again: where it answers, its text is the splice's.
    from cbcf_data.edit.splicing import placed

    model, text, rows = real_table(table)
    for step in (2, 3, 7):
        moved = rows[::step]
        without = csvfiles.to_csv_text(model, [row for row in rows if row not in moved])
        out = placed(model, without, _file_keys(model, without), moved)
        assert out is not None and out == spliced(model, without, [], moved) == text


def test_placing_gives_up_where_a_row_start_is_not_certain():
    from cbcf_data.edit.splicing import placed

    model = TABLES["retired_ids"]
    head = "table_name,id,retired_in,reason,replaced_by\n"
    add = [{"table_name": "meetings", "id": "m-2", "retired_in": "0.2.0", "reason": "Gone", "replaced_by": None}]
    # A quoted cell holding a line that starts as the next row does: two places match.
    ambiguous = head + 'meetings,m-1,0.1.0,"Gone\nmeetings,m-3,",\nmeetings,m-3,0.1.0,Gone,\n'
    assert placed(model, ambiguous, [("meetings", "m-1"), ("meetings", "m-3")], add) is None
    assert placed(model, head + "meetings,m-3,0.1.0,Gone,\r\n", [("meetings", "m-3")], add) is None  # not canonical
    assert placed(model, head + "meetings,m-3,0.1.0,Gone,\nmeetings,m-1,0.1.0,Gone,\n",
                  [("meetings", "m-3"), ("meetings", "m-1")], add) is None  # not sorted
    quoted = head + '"meetings","m-3",0.1.0,Gone,\n'  # a quoted key: its row does not start with its text
    assert placed(model, quoted, [("meetings", "m-3")], add) is None
    plain = head + "meetings,m-3,0.1.0,Gone,\n"
    assert placed(model, plain, [("meetings", "m-3")], add) == spliced(model, plain, [], add)
