"""The report of many issues: hints that need a search only where they are shown, and a JSON form
byte for byte the standard library's indented dump (written faster; the speed is in bench/)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import FrozenInstanceError, asdict, astuple, replace
from unittest import mock

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from cbcf_data.check import explain as explain_module
from cbcf_data.check import report as report_module
from cbcf_data.check.report import Issue, Report
from cbcf_data.check.state import HINTED
from cbcf_data.check.validate import validate
from cbcf_data.model.tables import MODELS
from cbcf_data.model.text import escape_json

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

N = 2 * HINTED + 7


def all_invalid(tmp_path, value: str = "comit"):
    """A synthetic dataset whose every commitment has `value` as its modality."""
    synth.write(N, tmp_path)
    path = tmp_path / "records" / "commitments.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    column = rows[0].index("modality")
    for row in rows[1:]:
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)
    return tmp_path


def test_codelist_hints_on_the_first_issues_only_and_searched_only_there(tmp_path, monkeypatch):
    searches = []
    real = explain_module.nearest
    monkeypatch.setattr(explain_module, "nearest", lambda value, allowed: searches.append(value) or real(value, allowed))
    report = validate(all_invalid(tmp_path))
    issues = [issue for issue in report.issues if issue.code == "not-in-codelist"]
    assert len(issues) == len(report.issues) == N
    assert [issue.line for issue in issues] == list(range(2, N + 2))  # file order
    assert all(issue.hint.startswith("did you mean `commit`? allowed: ") for issue in issues[:HINTED])
    assert all(issue.hint is None for issue in issues[HINTED:])
    assert len(searches) == HINTED  # not one search for an issue whose hint is not shown
    assert {issue.message for issue in issues} == {"'comit' is not a modality code"}


def test_unknown_field_hint_searched_for_the_first_issues_only(tmp_path):
    from cbcf_data.check.explain import explain
    from cbcf_data.model.tables import TABLES

    model = TABLES["commitments"]
    asked = []
    full = explain(model, "extra_forbidden", "modalty", "x", "")
    assert full == ("unknown-field", "'modalty' is not a field of commitments", "did you mean `modality`?")
    assert explain(model, "extra_forbidden", "modalty", "x", "", lambda code: asked.append(code) or False) \
        == (*full[:2], None)
    assert explain(model, "extra_forbidden", "modalty", "x", "", lambda code: True) == full
    assert asked == ["unknown-field"]


def test_json_of_an_all_invalid_dataset_is_the_standard_indented_dump(tmp_path):
    report = validate(all_invalid(tmp_path))
    assert report.to_json() == escape_json(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"
    assert report.to_dict()["issues"] == [asdict(issue) for issue in report.issues]


text = st.text(st.characters(codec="utf-8"), max_size=12)
issues = st.builds(Issue, code=text, message=text, severity=st.sampled_from(["error", "warning"]),
                   path=st.none() | text, table=st.none() | text, line=st.none() | st.integers(0, 10**9),
                   pointer=st.none() | text, field=st.none() | text, record_id=st.none() | text,
                   value=st.none() | text, hint=st.none() | text, column=st.none() | st.integers(0, 99),
                   excerpt=st.none() | text)


@settings(max_examples=60, deadline=None)
@given(found=st.lists(issues, max_size=5), usable=st.booleans(), tables=st.integers(0, 14),
       present=st.dictionaries(text, st.lists(text, max_size=3), max_size=2))
def test_json_is_the_standard_indented_dump(found, usable, tables, present):
    report = Report(issues=found, tables=tables, rows=3, checks={"row-types"}, usable=usable, present=present)
    assert report.to_json() == escape_json(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"
    assert report.to_dict()["issues"] == [asdict(issue) for issue in found]


def test_del_is_the_only_ascii_character_escape_json_changes_in_json_text():
    """What `to_json` relies on to skip escape_json for chunks of ASCII text without DEL."""
    changed = [chr(c) for c in range(128)
               if escape_json(json.dumps(chr(c), ensure_ascii=False)) != json.dumps(chr(c), ensure_ascii=False)]
    assert changed == ["\x7f"]


@settings(max_examples=40, deadline=None)
@given(found=st.lists(issues, min_size=1, max_size=9), ascii_only=st.lists(st.booleans(), min_size=9, max_size=9))
def test_json_in_many_chunks_is_the_standard_indented_dump(found, ascii_only):
    """Chunks of ASCII text and chunks of any text, side by side: each escaped as the whole would be."""
    found = [ascii_issue(issue) if plain else issue for issue, plain in zip(found, ascii_only)]
    found.append(Issue("x", "DEL \x7f in ASCII text", value="\x7f"))
    report = Report(issues=found, tables=1, rows=3)
    with mock.patch.object(report_module, "CHUNK", 2):
        assert report.to_json() == escape_json(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"


def ascii_issue(issue: Issue) -> Issue:
    """The issue with its text fields made ASCII (DEL kept)."""
    return replace(issue, **{f: v.encode("ascii", "replace").decode() for f, v in asdict(issue).items() if isinstance(v, str)})


@pytest.mark.parametrize("found", [
    [Issue("c", "100% %s %%d", hint="%(x)s")] * 3,  # every field alike: the template alone, its % kept
    [Issue("c", "m", line=1), Issue("c", "m", line=True), Issue("c", "m", line=1.0)],  # equal, encoded apart
    [Issue("c", "m", value="a"), Issue("c", "m", value=None)],
], ids=["all alike", "equal values of other types", "some alike"])
def test_json_of_alike_issues_is_the_standard_indented_dump(found):
    report = Report(issues=found, tables=1, rows=3)
    assert report.to_json() == escape_json(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"


@settings(max_examples=60, deadline=None)
@given(issue=issues)
def test_new_issue_is_the_issue_the_dataclass_builds(issue):
    """`new_issue` skips the frozen dataclass's `__init__`: the same issue, fields in the same order."""
    issue = replace(issue, column=None, excerpt=None)  # what `Run.emit` builds: no column, no excerpt
    built = report_module.new_issue(*astuple(issue)[:11])
    assert built == issue and hash(built) == hash(issue) and repr(built) == repr(issue)
    assert list(vars(built)) == list(vars(issue)) == list(report_module.ISSUE_FIELDS)
    with pytest.raises(FrozenInstanceError):
        built.code = "x"  # type: ignore[misc]


def test_emit_cuts_what_is_too_long_or_not_text():
    """Values short enough are kept as they are, without a call; any other is cut or written as text."""
    from cbcf_data.check.state import Run
    from cbcf_data.io import limits

    run = Run()
    where = report_module.Where("records/x.csv", "x", 2)
    long_id, long_value, long_text = "i" * (limits.MESSAGE_CHARS + 5), "v" * 200, "m" * (limits.MESSAGE_CHARS + 5)
    run.emit("c", long_text, where, field="f", record_id=long_id, value=long_value, hint=long_text)
    run.emit("c", "short", where, field="f", record_id="r", value=["a", 1], hint="")
    run.emit("c", "short", where, record_id=None, value=12)
    cut, kept, number = run.report.issues
    assert cut.record_id == report_module.truncate(long_id, limits.MESSAGE_CHARS) and len(cut.record_id) == limits.MESSAGE_CHARS
    assert cut.value == report_module.truncate(long_value) and len(cut.value) == limits.VALUE_CHARS
    assert cut.message == cut.hint == "m" * (limits.MESSAGE_CHARS - 1) + "…"
    assert (kept.message, kept.record_id, kept.value, kept.hint) == ("short", "r", '["a", 1]', "")
    assert (number.record_id, number.value, number.hint) == (None, "12", None)


@settings(max_examples=40, deadline=None)
@given(found=st.lists(issues, max_size=9), present=st.dictionaries(text, st.lists(text, max_size=3), max_size=2))
def test_json_parts_encode_one_by_one_to_the_whole(found, present):
    """What `cli.base.echo_parts` relies on to write the parts as they come: no ESC to strip
    across two parts, no surrogate UTF-8 cannot encode."""
    report = Report(issues=found, tables=1, rows=3, present=present)
    with mock.patch.object(report_module, "CHUNK", 2):
        parts = list(report.json_parts())
        assert "".join(parts) == report.to_json()
    assert all("\x1b" not in part for part in parts)
    assert b"".join(part.encode("utf-8") for part in parts) == report.to_json().encode("utf-8")


def test_a_codelist_issue_without_a_hint_searches_nothing(monkeypatch):
    from cbcf_data.model.tables import TABLES

    monkeypatch.setattr(explain_module, "nearest", mock.Mock(side_effect=AssertionError("searched")))
    said = explain_module.explain(TABLES["commitments"], "literal_error", "modality", "comit", "", lambda code: False)
    assert said == ("not-in-codelist", "'comit' is not a modality code", None)


@pytest.mark.parametrize("batch", [0, 7], ids=["row by row", "in batches"])
def test_issues_beyond_those_kept_are_counted_and_not_explained(tmp_path, monkeypatch, batch):
    from cbcf_data.check import structure
    from cbcf_data.io import limits

    monkeypatch.setattr(structure, "BATCH", batch)
    explained = []
    real = explain_module._not_in_codelist  # what words a code fault, told row by row or by a batch
    monkeypatch.setattr(explain_module, "_not_in_codelist", lambda *args: explained.append(args) or real(*args))
    monkeypatch.setattr(limits, "ISSUES", 10)
    report = validate(all_invalid(tmp_path))
    assert len(report.issues) == len(explained) == 10
    assert report.omitted == report.omitted_errors == N - 10 and not report.valid
    assert f"{N - 10:,} more issue(s) not kept" in report.to_text()


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.table)
def test_explain_reads_from_plain_data_what_the_models_json_schema_says(model):
    """`explain` words a problem from `model.rowspec` (no Pydantic): each field's codes, pattern and
    longest length as its JSON Schema gives them, and its codelist's name as the model annotates it."""
    from cbcf_data.model.declared import TABLES as DECLARED
    from cbcf_data.model.rowspec import ROWS
    from cbcf_data.model.table_schema import codelist_of

    schema = explain_module.schema_said(model)
    read = {"enum", "pattern", "maxLength"}
    assert explain_module.said(ROWS[model.table][0]) == {
        name: {key: value for key, value in prop.items() if key in read} for name, prop in schema.items()}
    for name in model.model_fields:
        assert explain_module._codelist_name(DECLARED[model.table], name) == (codelist_of(model, name) or name)


@pytest.mark.parametrize("accepted", ["1000", "0"], ids=["accept path", "compiled columns"])
def test_a_dataset_whose_faults_are_codes_is_reported_without_pydantic(tmp_path, accepted):
    """Codes outside their codelists are told, text or JSON, without importing Pydantic or the models
    (only `pydantic_core`'s compiled validators, past the run's first ACCEPTED rows)."""
    import subprocess

    folder = all_invalid(tmp_path)
    code = ("import sys\nfrom cbcf_data.check import rows\nfrom cbcf_data.cli import main\n"
            "MODELS = {'cbcf_data.model.tables', 'cbcf_data.model.types', 'cbcf_data.model.table_schema'}\n"
            f"rows.ACCEPTED = {accepted}\n"
            "try:\n    main()\nfinally:\n"
            "    print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic' or m in MODELS), file=sys.stderr)\n")
    for format_ in ("text", "json"):
        result = subprocess.run([sys.executable, "-c", code, "validate", "--format", format_, str(folder)],
                                capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert result.returncode == 1 and "is not a modality code" in result.stdout, result.stderr
        assert result.stderr.splitlines()[-1] == "[]", result.stderr


def test_a_table_plain_data_lacks_is_explained_from_its_model(monkeypatch):
    """A table `model.rowspec` does not hold (a model `accept.spec_of` cannot read) is worded from the
    model's JSON Schema and annotations: the same words."""
    from cbcf_data.model import rowspec
    from cbcf_data.model.declared import TABLES as DECLARED

    model = DECLARED["commitments"]
    cases = [("literal_error", "modality", "comit"), ("string_too_long", "summary", "x"), ("extra_forbidden", "modalty", "x"),
             ("string_pattern_mismatch", "source_id", "A B"), ("string_pattern_mismatch", "id", "x")]
    plain = [explain_module.explain(model, *case, "") for case in cases]
    monkeypatch.setattr(explain_module, "_property_cache", {})
    monkeypatch.setattr(rowspec, "ROWS", {k: v for k, v in rowspec.ROWS.items() if k != "commitments"})
    monkeypatch.setattr(rowspec, "CODELISTS_OF", {k: v for k, v in rowspec.CODELISTS_OF.items() if k != "commitments"})
    explain_module._codelist_name.cache_clear()
    try:
        assert [explain_module.explain(model, *case, "") for case in cases] == plain
    finally:
        explain_module._codelist_name.cache_clear()
    assert "allowed: commit, pledge" in plain[0][2] and "4000" in plain[1][1] and plain[3][2].startswith("IDs are")
