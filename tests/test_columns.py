"""`model.columns`: a batch judged a column at a time must judge each row as `model.accept` does
(its Python checks), or as Pydantic does (its compiled checks), with equal values; a row it
says is at fault only for codes outside their codelists gets exactly Pydantic's errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_accept import ROWS, _mutated, _same

from cbcf_data.check.batches import CodeFaults
from cbcf_data.model import accept, columns
from cbcf_data.model.dates import DATE_PATTERN, FULL_DATE_PATTERN
from cbcf_data.model.tables import TABLES


@st.composite
def batches(draw: Any) -> tuple[str, list[dict[str, Any]]]:
    table = draw(st.sampled_from(sorted(ROWS)))
    return table, [_mutated(draw, table) for _ in range(draw(st.integers(1, 12)))]


def _texts(table: str, rows: list[dict[str, Any]]) -> list[list[str]]:
    """The rows as a CSV gives them: each cell's text, "" for an empty one."""
    return [["" if row[name] is None else row[name] for name in TABLES[table].model_fields] for row in rows]


def _pydantic(table: str, cells: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """(the record, or None; Pydantic's errors without their URLs)."""
    try:
        return TABLES[table].model_validate(cells), []
    except ValidationError as error:
        return None, [{key: problem[key] for key in ("type", "loc", "msg", "input", "ctx") if key in problem}
                      for problem in error.errors(include_url=False)]


def _codes_only(table: str, cells: dict[str, Any], fields: list[str]) -> None:
    """Pydantic's errors for the row are exactly `CodeFaults`' (with and without their context)."""
    record, errors = _pydantic(table, cells)
    faults = CodeFaults(TABLES[table], [(name, cells[name]) for name in fields])
    assert record is None and errors == faults.errors(include_url=False), (cells, errors)
    assert faults.error_count() == len(errors)
    assert faults.errors(include_url=False, include_context=False) == \
        [{key: value for key, value in error.items() if key != "ctx"} for error in errors]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_a_batch_is_judged_row_for_row_as_model_accept_judges_it(case):
    table, rows = case
    judged = columns.judge(table)(_texts(table, rows))  # type: ignore[misc]
    accepter = accept.accepter(table)
    assert len(judged.records) == len(rows)
    for index, cells in enumerate(rows):
        light = accepter(dict(cells))  # type: ignore[misc]
        assert (judged.records[index] is None) == (light is None), (cells, judged.refused)
        assert (index in judged.refused) == (light is None)
        if light is not None:
            _same(TABLES[table], light, judged.records[index])
        elif judged.refused[index]:
            _codes_only(table, cells, judged.refused[index])  # type: ignore[arg-type]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_a_batch_accepted_by_the_compiled_checks_is_one_pydantic_accepts_with_equal_values(case):
    table, rows = case
    judged = columns.judge(table, compiled=True)(_texts(table, rows))  # type: ignore[misc]
    accepter = accept.accepter(table)
    for index, cells in enumerate(rows):
        record, _ = _pydantic(table, cells)
        if judged.records[index] is not None:
            assert record is not None, cells
            _same(TABLES[table], record, judged.records[index])
        else:  # refused: never a row that model.accept takes
            assert accepter(dict(cells)) is None, cells  # type: ignore[misc]
            if judged.refused[index]:
                _codes_only(table, cells, judged.refused[index])  # type: ignore[arg-type]


def test_the_real_rows_are_accepted_in_one_batch_both_ways():
    """Not vacuous: the real dataset's rows pass as whole batches, with their records' values."""
    for table, rows in ROWS.items():
        for compiled in (False, True):
            judged = columns.judge(table, compiled)(_texts(table, rows))  # type: ignore[misc]
            assert not judged.refused, (table, compiled)
            for cells, light in zip(rows, judged.records):
                _same(TABLES[table], TABLES[table].model_validate(cells), light)


def test_a_code_outside_its_codelist_is_told_without_pydantic():
    """Two codes wrong in one row, every other cell valid: both told, in field order, as Pydantic would."""
    cells = dict(ROWS["sources"][0])
    cells["kind"], cells["language"] = "offical", "de"
    judged = columns.judge("sources", compiled=True)(_texts("sources", [cells]))  # type: ignore[misc]
    assert judged.records == [None] and judged.refused == {0: ["kind", "language"]}
    _codes_only("sources", cells, ["kind", "language"])


def test_a_code_fault_beside_another_fault_is_left_to_pydantic():
    cells = dict(ROWS["sources"][0])
    cells["kind"], cells["id"] = "offical", "Not An ID"
    judged = columns.judge("sources")(_texts("sources", [cells]))  # type: ignore[misc]
    assert judged.refused == {0: None}


def test_a_value_holding_a_line_feed_is_not_read_as_two():
    """The line-joined checks (integers, identifiers) see a line feed inside a value."""
    cells = dict(next(row for row in ROWS["commitments"] if row["quote_start"] is not None))
    for name, value in (("quote_start", "1\n2"), ("id", cells["id"] + "\n" + cells["id"])):
        changed = dict(cells, **{name: value})
        for compiled in (False, True):
            judged = columns.judge("commitments", compiled)(_texts("commitments", [cells, changed]))  # type: ignore[misc]
            assert judged.records[0] is not None and judged.refused == {1: None}, (name, compiled)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["cbcf-2024", "cbcf-2024-ottawa"]),
                          st.sampled_from(["cbcf-2024-c01", "cbcf-2024-ottawa-c02", "cbcf-2023-c01", "cbcf-2024c01"]),
                          st.none() | st.text(max_size=4), st.none() | st.integers(0, 5), st.none() | st.integers(0, 5)),
                min_size=1, max_size=8))
def test_a_column_rule_passes_a_batch_exactly_when_each_row_follows_the_row_rule(rows):
    """`rowrules.COLUMN_RULES` says of a batch's typed columns what `RULES` says of each row."""
    from types import SimpleNamespace

    from cbcf_data.model.rowrules import COLUMN_RULES, RULES

    names = ("meeting_id", "id", "quote", "quote_start", "quote_end")
    records = [SimpleNamespace(**dict(zip(names, row))) for row in rows]
    each = []
    for record in records:
        try:
            RULES["commitments"](record)
            each.append(True)
        except ValueError:
            each.append(False)
    assert COLUMN_RULES["commitments"]({name: [getattr(r, name) for r in records] for name in names}) == all(each)


def _meeting(draw: Any) -> dict[str, Any]:
    """A meetings row that follows its rules (the fields they read)."""
    year, precision = draw(st.sampled_from([2010, 2012, 2013, 2024])), draw(st.sampled_from(["year", "month", "day"]))
    start = {"year": f"{year}", "month": f"{year}-05", "day": f"{year}-05-01"}[precision]
    later = {"year": f"{year + 1}", "month": f"{year}-06", "day": f"{year}-05-02"}[precision]
    host, sequence = draw(st.sampled_from([None, "CA", "US"])), draw(st.sampled_from([None, 1]))
    return {"id": f"cbcf-{year}" + draw(st.sampled_from(["", "-ottawa"])), "phase": "founding" if year <= 2012 else "reestablished",
            "sequence": sequence, "sequence_basis": None if sequence is None else "stated", "existence_basis": "stated",
            "start_date": start, "end_date": draw(st.sampled_from([None, later])), "date_precision": precision,
            "date_basis": "stated", "subdivision": None if host is None else draw(st.sampled_from([None, f"{host}-ON"])),
            "host_country": host, "host_basis": None if host is None else "stated", "notes": draw(st.sampled_from([None, "How."]))}


def _same_start(row: dict[str, Any]) -> str:
    return str(row["start_date"])


def _before_start(row: dict[str, Any]) -> str:
    """A date of the start date's precision, a year before it."""
    start = str(row["start_date"])
    return f"{int(start[:4]) - 1}{start[4:]}"


#: For each table with a column rule but commitments: a row that follows its rules (the fields they
#: read), and values that may replace a field's, so that a row breaks one part of the rule or two.
_RULE_ROWS: dict[str, tuple[Any, dict[str, list[Any]]]] = {
    "meetings": (st.composite(_meeting)(), {
        "id": ["cbcf-2010", "cbcf-2024"], "phase": ["founding", "reestablished"], "sequence": [None, 2],
        "sequence_basis": [None, "inferred", "inferred"], "existence_basis": ["inferred"], "date_precision": ["day", "year"],
        "start_date": ["2012", "2013-01", "2024-05-01", "2024-05-02"], "date_basis": ["descriptive"],
        "end_date": [None, "2024-05", "2013", _same_start, _same_start, _before_start, _before_start],
        "subdivision": [None, "CA-ON", "US-DC"], "host_country": [None, "CA", "US"],
        "host_basis": [None, "inferred", "inferred"], "notes": [None, "How."]}),
    "attendances": (st.fixed_dictionaries({"capacity": st.sampled_from(["host", "guest"]), "capacity_basis": st.just("stated"),
                                           "status": st.just("attended"), "notes": st.sampled_from([None, "Why."])}), {
        "capacity": [None, "guest"], "capacity_basis": [None, "inferred"], "status": ["absent", "unknown", "attended"],
        "notes": [None, "From the photo."]}),
    "assessments": (st.fixed_dictionaries({"source_id": st.just("a-source"), "status": st.just("complete"),
                                           "note": st.just("Done.")}), {
        "source_id": [None], "status": ["no-evidence", "in-progress"],
        "note": ["Searched: the ministry's site.", "SEARCHED it", "Research done.", "Nothing found."]}),
    "instrument_mentions": (st.fixed_dictionaries({"relation_basis": st.just("stated"), "notes": st.just(None)}), {
        "relation_basis": ["inferred", "descriptive", "stated"], "notes": [None, "Why."]}),
}


@st.composite
def _rule_rows(draw: Any, table: str) -> dict[str, Any]:
    valid, pools = _RULE_ROWS[table]
    row = draw(valid)
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
        name = draw(st.sampled_from(sorted(pools)))
        value = draw(st.sampled_from(pools[name]))
        row[name] = value(row) if callable(value) else value  # a value made from the row's others
    return row


@settings(max_examples=800, deadline=None)
@given(st.data())
def test_each_column_rule_passes_a_batch_exactly_when_each_row_follows_its_row_rule(data):
    """`rowrules.COLUMN_RULES` of meetings, attendances, assessments and instrument mentions, as
    for commitments above: True exactly when `RULES` passes every row of the batch."""
    from types import SimpleNamespace

    from cbcf_data.model.dates import PartialDate
    from cbcf_data.model.rowrules import COLUMN_RULES, RULES

    table = data.draw(st.sampled_from(["meetings", "meetings", *sorted(_RULE_ROWS)]))  # the most rules
    rows = data.draw(st.lists(_rule_rows(table), min_size=1, max_size=5))
    if table == "meetings":  # typed as a column of dates is (`dates_of`)
        rows = [dict(row, **{name: PartialDate(row[name]) for name in ("start_date", "end_date") if row[name]})
                for row in rows]
    each = []
    for row in rows:
        try:
            RULES[table](SimpleNamespace(**row))
            each.append(True)
        except Exception:  # noqa: BLE001 - as `columns._judge` takes any error of a rule for a refusal
            each.append(False)
    assert COLUMN_RULES[table]({name: [row[name] for row in rows] for name in rows[0]}) == all(each), rows


@pytest.mark.parametrize("table", ["meetings", "attendances", "commitments", "instrument_mentions", "assessments"])
def test_the_real_rows_pass_their_column_rule_and_need_no_record_for_it(table):
    """Not vacuous: each table's real rows (commitments with and without quotes) pass as one batch
    by its column rule, so that no light record is made for its row rules (`Judged.records` is lazy)."""
    from cbcf_data.model.rowrules import COLUMN_RULES, RULES

    rows = ROWS[table]
    assert table in COLUMN_RULES and rows
    if table == "commitments":
        assert any(row["quote"] is None for row in rows) and any(row["quote"] is not None for row in rows)
    called = []
    rule = RULES[table]
    RULES[table] = lambda light: called.append(light) or rule(light)
    try:
        columns.judge.cache_clear()
        judged = columns.judge(table, True)(_texts(table, rows))  # type: ignore[misc]
    finally:
        RULES[table] = rule
        columns.judge.cache_clear()
    assert not judged.refused and called == [] and "records" not in vars(judged)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.from_regex(DATE_PATTERN, fullmatch=True) | st.from_regex(FULL_DATE_PATTERN, fullmatch=True)
                | st.sampled_from(["0000", "0000-02", "2023-02-29", "2024-02-29", "1900-02-29"]), min_size=1, max_size=6))
def test_a_column_of_dates_is_typed_as_partial_date_types_each(values):
    """`dates.dates_of` of texts matching the date patterns: each value's `PartialDate`, or None only
    when a value may not be a calendar date (then each is judged on its own)."""
    from cbcf_data.model.dates import PartialDate, dates_of

    each: list[Any] = []
    for value in values:
        try:
            each.append(PartialDate(value))
        except ValueError:
            each.append(None)
    typed = dates_of(values)
    if typed is None:
        assert any(value.startswith("0000") or "-02-29" in value for value in values), values
    else:
        assert typed == each and all(type(date) is PartialDate for date in typed), values


def test_every_date_field_is_typed_a_column_at_a_time():
    """Not vacuous: each date field's pattern is one `dates_of` is exact for."""
    from cbcf_data.model.rowspec import ROWS as SPECS

    dated = [(table, name, parameters) for table, (fields, _) in SPECS.items()
             for name, _, kind, parameters in fields if kind == "after"]
    assert len(dated) >= 5
    for table, name, parameters in dated:
        after, patterns = columns._AFTER_COLUMNS[parameters[0]]
        assert parameters[1] in patterns, (table, name)


def test_a_date_column_keeps_one_object_per_date_and_starts_again_past_dates_kept(monkeypatch):
    """The records keep their dates: a date seen again is the same object, while the dates kept
    stay within DATES_KEPT (then they are forgotten, and each batch's values are still right)."""
    from cbcf_data.model.dates import PartialDate
    from cbcf_data.model.rowspec import ROWS as SPECS

    monkeypatch.setattr(columns, "DATES_KEPT", 3)
    spec = next(field for field in SPECS["assessments"][0] if field[0] == "as_of")
    for compiled in (False, True):
        check = columns._column(*spec, compiled)
        first = check(["2024-01-02", "2024-01-02", "2023"], {})
        again = check(["2023", "2024-01-02"], {})
        assert first[0] is first[1] is again[1] and first[2] is again[0]
        for values in (["2022-05", "2021", "2020-12-31", "2024-01-02"], ["2019", "2018"], ["2024-02-29", "2023"]):
            typed = check(values, {})
            assert typed == values and all(type(date) is PartialDate for date in typed), (values, typed)


def test_a_date_column_judged_in_two_threads_at_once_types_every_date(monkeypatch):
    """The cached judge's dates kept are shared by every run of the process: two threads typing
    dates at once (the kept dates starting again all the time) each get every value right."""
    import sys
    import threading

    from cbcf_data.model.rowspec import ROWS as SPECS

    monkeypatch.setattr(columns, "DATES_KEPT", 2)
    spec = next(field for field in SPECS["assessments"][0] if field[0] == "as_of")
    check = columns._column(*spec, False)
    failed: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(2000):
                values = [f"{1990 + (round_ * 3 + offset + shift) % 30}" for shift in range(3)]
                assert check(values, {}) == values
        except BaseException as error:  # noqa: BLE001 - reported below, from the main thread
            failed.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(offset,)) for offset in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failed, failed
