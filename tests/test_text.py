"""Text that round-trips: the text rule (model/text.py), CSV written and read back byte for byte,
line endings, YAML 1.2 core schema, and terminal output that shows control characters as escapes."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from conftest import BIN, FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import cbcf_data
from cbcf_data.check.report import Issue, Report
from cbcf_data.check.validate import validate
from cbcf_data.dataset.loading import _from_release_json
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.formatting import fmt
from cbcf_data.edit.importing import import_bundle
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import csvfiles, package
from cbcf_data.io.documents import dump_yaml, parse_json, parse_yaml
from cbcf_data.io.readers import ReadError, csv_records
from cbcf_data.model import text, types
from cbcf_data.model.tables import Meeting, Person
from cbcf_data.publish import describe
from cbcf_data.publish.release import release_document
from cbcf_data.publish.sqlite import sqlite_bytes

BASE = FIXTURES / "_base"
LONG = TypeAdapter(types.Text)
LINE = TypeAdapter(types.ShortText)


def accepted(adapter: TypeAdapter, value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("char, code", [
    ("\0", "control-character"), ("\x1b", "control-character"), ("\r", "control-character"),
    ("\x7f", "control-character"), ("\x85", "control-character"), ("\x9b", "control-character"),
    ("\u2028", "control-character"), ("\u2029", "control-character"),
    ("\u202e", "bidi-control"), ("\u2066", "bidi-control"), ("\u200f", "bidi-control"), ("\u061c", "bidi-control"),
    ("\u200b", "invisible-character"), ("\u200d", "invisible-character"), ("\ufeff", "invisible-character"),
    ("\u2060", "invisible-character"), ("\xad", "invisible-character"),
    ("\ufffe", "invalid-character"), ("\ud800", "invalid-character"),
])
def test_every_character_outside_the_rule_is_refused_with_its_code(char, code):
    value = f"before{char}after"
    for adapter in (LONG, LINE):
        assert not accepted(adapter, value)
    assert text.problem(value, multiline=True)[:2] == (code, 6)
    report = Person.model_validate  # and as a row of a table, with the code in the report:
    with pytest.raises(ValidationError):
        report({"id": "a-person", "name": "A", "country": "US", "notes": value})


@pytest.mark.parametrize("value, long_ok, line_ok", [
    ("plain", True, True), ("Sécurité publique — « citée »", True, True), ("a\nb", True, False),
    ("a\tb", True, False), ("a\r\nb", False, False), ("emoji 👍🏽 and 中文", True, True), ("\u00a0nbsp", True, True),
])
def test_what_long_and_one_line_texts_may_hold(value, long_ok, line_ok):
    assert (accepted(LONG, value), accepted(LINE, value)) == (long_ok, line_ok)


def test_the_pattern_agrees_with_the_python_check_on_the_bmp():
    # The schema's pattern (Rust regex in Pydantic) and text.problem (Python) draw the same line.
    for point in range(0x10000):
        char = chr(point)
        if 0xD800 <= point <= 0xDFFF:
            continue
        value = f"x{char}y"
        assert accepted(LONG, value) == (text.problem(value, multiline=True) is None), hex(point)
        assert accepted(LINE, value) == (text.problem(value) is None), hex(point)


def test_a_refused_character_is_named_in_plain_words(tmp_path):
    shutil.copytree(BASE, tmp_path / "d")
    people = tmp_path / "d" / "records" / "people.csv"
    people.write_text(people.read_text().replace("Arif Virani", "Arif\u202eVirani"))
    issue = validate(tmp_path / "d").issues[0]
    assert (issue.code, issue.message) == ("bidi-control", "name holds U+202E RIGHT-TO-LEFT OVERRIDE at character 5")
    assert "order in which text is displayed" in issue.hint


# --- CSV: written and read back byte for byte --------------------------------------------------

TRICKY = st.sampled_from(list('\n\r\t",\' \x00\x1b\x85\u2028\u202e\u200b\ufeff\xa0é👍') + ["\r\n", '""', ",,"])
VALUES = st.lists(st.one_of(TRICKY, st.characters()), min_size=1, max_size=30).map("".join)


def read_back(text_: str) -> list[list[str]]:
    return [cells for _, cells in csv_records(io.StringIO(text_, newline=""), Path("t.csv"))]


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_any_accepted_text_is_written_and_read_back_identical(value):
    long_ok, line_ok = accepted(LONG, value), accepted(LINE, value)
    assert not ("\r" in value and long_ok)
    if not long_ok:
        return
    row = {"id": "a-person", "name": value if line_ok else "A", "country": "US", "notes": value}
    written = csvfiles.to_csv_text(Person, [row])
    assert read_back(written)[1] == ["a-person", row["name"], "US", "", value]
    assert written.count("\n") == 2 + value.count("\n")  # no line end but the rows' and the value's own


@settings(max_examples=150, deadline=None)
@given(st.lists(VALUES, min_size=5, max_size=5))
def test_any_cells_even_refused_ones_survive_the_writer(cells):
    # fmt rewrites invalid tables too: a lone CR must not split a row.
    row = dict(zip(["id", "name", "country", "wikidata_id", "notes"], cells))
    written = csvfiles.to_csv_text(Person, [row])
    assert read_back(written)[1] == cells


_count = iter(range(10**9))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(VALUES)
def test_any_accepted_text_round_trips_through_load_fmt_release_and_yaml(tmp_path, value):
    if not accepted(LONG, value):
        return
    folder = tmp_path / f"d{next(_count)}"
    shutil.copytree(BASE, folder)
    people = folder / "records" / "people.csv"
    header, *cells = read_back(people.read_text(encoding="utf-8"))
    rows = [dict(zip(header, row)) for row in cells]
    rows[0]["notes"] = value
    people.write_bytes(csvfiles.to_csv_text(Person, rows).encode("utf-8"))
    person = rows[0]["id"]
    ds = cbcf_data.load(folder)  # the validating loader
    assert ds.people[person].notes == value
    assert fmt(folder, check=True) == []  # written canonically: nothing for fmt to change
    assert read_back(ds.to_csv_texts()["people"])[1][4] == value  # the release's CSV
    facts = describe.about(package.read_descriptor(folder / package.DESCRIPTOR), folder)
    document = json.dumps(release_document(ds, facts), ensure_ascii=False)  # the release's JSON
    release = folder / "release.json"
    release.write_text(document, encoding="utf-8")
    assert _from_release_json(release).people[person].notes == value
    assert parse_json(document)["people"][0]["notes"] == value
    database = folder / "release.sqlite"  # the release's SQLite
    database.write_bytes(sqlite_bytes(ds, facts))
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT notes FROM people WHERE id = ?", (person,)).fetchone() == (value,)
    bundle = export_bundle("cbcf-2024", folder)  # YAML, as `export` writes it and `import` reads it
    assert parse_yaml(dump_yaml(bundle)) == bundle


@pytest.mark.parametrize("value", ["multi\nline notes", "010", "1:30", "yes", "null", "1e3", "tab\there",
                                   "quote \" and comma ,", "« guillemets » 👍"])
def test_import_then_fmt_then_load_keeps_a_value(tmp_path, value):
    shutil.copytree(ROOT / "records", tmp_path / "d" / "records")
    shutil.copy2(ROOT / "datapackage.json", tmp_path / "d" / "datapackage.json")
    dataset = tmp_path / "d"
    document = export_bundle("cbcf-2024", dataset)
    document["meeting"]["id"] = "cbcf-2024-b"
    document["meeting"]["notes"] = value
    for key in ("attendances", "topics", "commitments", "instrument_mentions"):
        document[key] = []
    for key in ("new_people", "new_organizations", "new_topics", "new_instruments", "new_sources"):
        document.pop(key, None)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(dump_yaml(document), encoding="utf-8")
    result = import_bundle(bundle, dataset)
    assert result.report.valid, result.report.to_text()
    assert fmt(dataset, check=True) == []
    assert cbcf_data.load(dataset).meetings["cbcf-2024-b"].notes == value


# --- Line endings -----------------------------------------------------------------------------


def test_crlf_inside_a_cell_is_refused_by_load_on_access_not_silently_changed(tmp_path):
    shutil.copytree(BASE, tmp_path / "d")
    people = tmp_path / "d" / "records" / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Arif Virani,CA,,", b'Arif Virani,CA,,"Minister\r\nof Justice"'))
    people_table = cbcf_data.load(tmp_path / "d").people  # typed on access: refused then, located
    with pytest.raises(InvalidDataError, match=r"people\.csv:\d+: notes: .*CR"):
        list(people_table.values())
    assert ("control-character", "people", "notes") in validate(tmp_path / "d").flatten(("code", "table", "field"))


def test_a_lone_cr_in_a_bundle_is_refused_by_import(tmp_path):
    document = export_bundle("cbcf-2024")
    document["meeting"]["notes"] = "first\rsecond"
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(document))
    report = validate(bundle, dataset=BASE)
    assert ("control-character", "meetings", "/meeting/notes") in report.flatten(("code", "table", "pointer"))


@pytest.mark.parametrize("change", [
    lambda data: data.replace(b"\n", b"\r\n"),                # CRLF throughout
    lambda data: data.replace(b"\n", b"\r\n", 2),              # mixed
    lambda data: data.replace(b"\n", b"\r", 1),                # a lone CR as a line end
], ids=["crlf", "mixed", "cr"])
def test_fmt_check_detects_line_endings_other_than_lf(tmp_path, change):
    shutil.copytree(BASE, tmp_path / "d")
    people = tmp_path / "d" / "records" / "people.csv"
    canonical = people.read_bytes()
    people.write_bytes(change(canonical))
    diffs = fmt(tmp_path / "d", check=True)
    assert len(diffs) == 1 and "people.csv" in diffs[0]
    result = subprocess.run([str(BIN / "cbcf-data"), "fmt", "--check", "--dataset", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "\\x0d" in result.stdout and "\r" not in result.stdout
    fmt(tmp_path / "d")
    assert people.read_bytes() == canonical


# --- YAML 1.2 core schema -----------------------------------------------------------------


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_reader(request, monkeypatch):
    """Each YAML test runs with libyaml's parser (when PyYAML has it) and with PyYAML's own."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    monkeypatch.setattr(yaml, "__with_libyaml__", request.param == "libyaml")


@pytest.mark.parametrize("source, value", [
    ("010", 10), ("0o10", 8), ("0x1F", 31), ("-007", -7), ("+3", 3), ("1:30", "1:30"), ("190:20:30", "190:20:30"),
    ("yes", "yes"), ("No", "No"), ("on", "on"), ("y", "y"), ("true", True), ("FALSE", False), ("~", None),
    ("null", None), ("", None), ("2024-07-11", "2024-07-11"), ("1e3", 1000.0), ("1_000", "1_000"),
    ("0b11", "0b11"), (".inf", float("inf")), ("=", "="), ("'010'", "010"),
])
def test_yaml_scalars_are_read_by_the_yaml_1_2_core_schema(yaml_reader, source, value):
    assert parse_yaml(f"v: {source}\n") == {"v": value}


def test_yaml_merge_keys_are_plain_keys(yaml_reader):
    assert parse_yaml("a: {x: 1}\nb:\n  <<: {y: 2}\n") == {"a": {"x": 1}, "b": {"<<": {"y": 2}}}


@pytest.mark.parametrize("value", ["010", "1e3", "1:30", "yes", "null", "~", ".inf", "0x1F", "0o7", "True", "-1",
                                   "+1", "", "2024-07-11", "=", "<<", "1_000", ".5", "multi\nline", " padded "])
def test_yaml_written_by_export_reads_back_as_written_in_1_1_and_1_2(yaml_reader, value):
    written = dump_yaml({"v": value})
    assert parse_yaml(written) == {"v": value}
    assert yaml.safe_load(written) == {"v": value}


@pytest.mark.parametrize("document, code", [
    ("a: &x [1]\nb: *x\n", "yaml-alias"), ("a: 1\na: 2\n", "duplicate-json-key"),
    ("a: " + "[" * 40 + "]" * 40, "too-deep"), ("a: [1, 2", "yaml-syntax"),
])
def test_yaml_refusals_are_the_same_with_either_reader(yaml_reader, document, code):
    with pytest.raises(ReadError) as refused:
        parse_yaml(document)
    assert refused.value.code == code


def test_a_sequence_written_010_is_ten_in_a_bundle(tmp_path):
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text((FIXTURES / "bundle-valid" / "bundle.yaml").read_text().replace("sequence: 2", "sequence: 010"))
    issues = validate(bundle, dataset=BASE).issues
    assert not any(issue.field == "sequence" for issue in issues)  # 10 is a valid ordinal, and it is 10 not 8


# --- Terminal output ----------------------------------------------------------------------


@given(st.text())
def test_escape_shows_every_unsafe_character_and_escape_json_keeps_the_value(value):
    shown = text.escape(value)
    assert not any(text.problem(char) for char in shown)
    assert not any(0xE0000 <= ord(char) <= 0xE007F for char in shown)
    encoded = json.dumps({"v": value}, ensure_ascii=False)
    if not any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        assert json.loads(text.escape_json(encoded)) == {"v": value}


def test_the_text_report_escapes_what_a_terminal_would_act_on():
    report = Report([Issue("x", "name holds \x1b]0;pwned\x07 and \u202edcba", path="records/\x1b[2Jp.csv",
                           hint="\x9b31m red")])
    shown = report.to_text()
    for char in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert char not in shown
    assert "\\x1b]0;pwned\\x07" in shown and "\\u202e" in shown


def test_show_escapes_control_characters_in_records():
    from cbcf_data.publish.show import render_meeting

    ds = cbcf_data.load()
    meeting = ds.meetings["cbcf-2024"]
    forged = Meeting.model_construct(**{**meeting.model_dump(), "summary": "ok \x1b[2J\x1b]52;c;ZXZpbA==\x07",
                                        "city": "Washington\u202e"})
    ds.meetings._records["cbcf-2024"] = forged
    try:
        shown = render_meeting(ds, "cbcf-2024")
    finally:
        del ds.meetings._records["cbcf-2024"]
    assert "\x1b" not in shown and "\u202e" not in shown and "\\x1b[2J" in shown


def test_validate_prints_no_escape_sequence_from_a_file_name(tmp_path):
    shutil.copytree(BASE, tmp_path / "d")
    (tmp_path / "d" / "records" / "sources" / "\x1b]0;owned\x07.txt").write_text("x")
    result = subprocess.run([str(BIN / "cbcf-data"), "validate", str(tmp_path / "d")], capture_output=True,
                            text=True, timeout=120)
    assert "archive-unlisted" in result.stdout and "\x1b" not in result.stdout and "\\x1b]0;owned" in result.stdout
    result = subprocess.run([str(BIN / "cbcf-data"), "validate", str(tmp_path / "d"), "--format", "json"],
                            capture_output=True, text=True, timeout=120)
    assert "\x1b" not in result.stdout and json.loads(result.stdout)["issues"][0]["value"].startswith("\x1b")
