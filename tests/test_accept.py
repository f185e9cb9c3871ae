"""`model.accept`: the accept path without Pydantic must accept only rows Pydantic accepts, with
equal values (a differential test on real rows and their mutations), and must read what the
models declare (`model.rowspec`, held equal to the models' core schemas)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cbcf_data.io.readers import table_rows
from cbcf_data.model import accept, rowrules
from cbcf_data.model.tables import MODELS, TABLES


def test_rowspec_is_what_the_models_declare():
    """model/rowspec.py is read from the models' core schemas; after a change to a model, write it
    again with `python -c "from cbcf_data.model import accept; accept.write_rowspec()"`."""
    text = (Path(accept.__file__).parent / "rowspec.py").read_text(encoding="utf-8")
    assert text == accept.rowspec_text(MODELS)


def test_every_table_has_an_accept_path():
    for model in MODELS:
        assert accept.spec_of(model) is not None, model.table
        assert accept.accepter(model.table) is not None, model.table


def test_row_rules_are_the_models_own():
    """A model's `_check_row` runs `rowrules.RULES[table]` and nothing else, so both paths run one rule."""
    ruled = {model.table for model in MODELS if accept.spec_of(model)[1]}  # type: ignore[index]
    assert ruled == set(rowrules.RULES)
    for model in MODELS:
        if model.table in ruled:
            source = inspect.getsource(model.__pydantic_decorators__.model_validators["_check_row"].func)
            assert source.strip().splitlines()[-1].strip() == "return _checked(self)  # type: ignore[no-any-return]"


@pytest.mark.parametrize("pattern", [r"a$", r"^a", r"^a$b$", r"^(?i)a$", r"^[a&&b]$", r"^[a--b]$", r"^[[:alpha:]]$",
                                     r"^(a)\1$", r"^a(?=b)b$", r"^a|^b$", r"^a\$"])
def test_patterns_the_engines_may_read_differently_are_refused(pattern):
    with pytest.raises(accept.Unsupported):
        accept.pattern_restricted(pattern)


def test_shorthand_classes_ask_for_printable_ascii():
    assert accept.pattern_restricted(r"^https?://[^\s]+$") is True
    assert accept.pattern_restricted(r"^[a-z0-9]+(?:-[a-z0-9]+)*$") is False


def test_a_model_with_settings_not_understood_has_no_accept_path():
    class Stripped(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        name: str

    class Floats(BaseModel):
        value: float

    class Unanchored(BaseModel):
        name: str = Field(pattern="[a-z]+")

    assert accept.spec_of(Stripped) is None and accept.spec_of(Floats) is None and accept.spec_of(Unanchored) is None


# -- differential: fast accept => Pydantic accepts, with equal values ----------------------

def _rows(model: Any) -> list[dict[str, Any]]:
    """Valid rows of `model`'s table: the real dataset's, the fixtures' base, and its example."""
    found = [dict(model.example)]
    for folder in (ROOT, FIXTURES / "_base"):
        path = folder / "records" / f"{model.table}.csv"
        if path.exists():
            found += [cells for _, cells in table_rows(tuple(model.model_fields), path, folder)]
    return [{name: None if row.get(name) is None else str(row[name]) for name in model.model_fields} for row in found]


ROWS = {model.table: _rows(model) for model in MODELS}
#: Values that are often nearly right: edges of lengths, dates, integers, codes and the text rule.
NEARLY = ["", " ", "0", "00", "01", "1", "-1", "+1", " 1", "1 ", "1_0", "1.0", "99", "100", "9" * 19, "9" * 40,
          "2024", "2024-02-29", "2023-02-29", "2023-02-30", "0000", "0000-01-01", "2024-1-1", "2024-13", "2024-04-31",
          "24-01-01", "2024-01-01 ", "２０２４", "cbcf-2024", "cbcf-2024-c01", "cbcf-2024-c1", "cbcf-20244", "a", "a-",
          "-a", "a--b", "A", "é", "US", "CA", "both", "us", "day", "month", "inferred", "stated", "x" * 81, "x" * 301,
          "x" * 4001, "a\nb", "a\tb", "a\rb", "a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\u202eb", "a\u200bb",
          "a\ufeffb", "a\ud800b", "a\U0001f600b", "https://example.org/a", "https://example.org/a b",
          "https://ex\u00e4mple.org/", "http://x\x1c", "Q1", "Q0", "Q01", "sources/a.txt", "sources/a.txt\n",
          "a" * 64, "0" * 64, "US-DC", "CA-ON", "US-", "searched", "Searched: the web", "1.0.0"]


def _mutated(draw: Any, table: str) -> dict[str, Any]:
    model = TABLES[table]
    row = dict(draw(st.sampled_from(ROWS[table])))
    names = list(model.model_fields)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(names))
        how = draw(st.integers(0, 5))
        value = row[name]
        if how == 0:
            row[name] = None
        elif how == 1:
            row[name] = draw(st.sampled_from(NEARLY)) or None
        elif how == 2:
            row[name] = draw(st.text(max_size=12)) or None
        elif how == 3 and value is not None:  # a character added inside, before or after
            at = draw(st.integers(0, len(value)))
            row[name] = value[:at] + draw(st.sampled_from([" ", "\n", "\t", "-", "0", "\u202e", "\ud800", "A", "é"])) + value[at:]
        elif how == 4:  # another row's value of this field, or another field's
            other = draw(st.sampled_from(ROWS[table]))
            row[name] = other[draw(st.sampled_from(names))]
        elif value is not None:
            row[name] = value * draw(st.integers(2, 60))
    return row


@st.composite
def mutated_rows(draw: Any) -> tuple[str, dict[str, Any]]:
    table = draw(st.sampled_from(sorted(ROWS)))
    return table, _mutated(draw, table)


def _same(model: Any, record: Any, light: Any) -> None:
    for name in model.model_fields:
        expected, got = getattr(record, name), getattr(light, name)
        assert got == expected and type(got) is type(expected), (name, got, expected)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_rows())
def test_a_row_accepted_without_pydantic_is_one_pydantic_accepts_with_equal_values(case):
    table, cells = case
    model = TABLES[table]
    light = accept.accepter(table)(dict(cells))  # type: ignore[misc]
    if light is None:
        return
    try:
        record = model.model_validate(cells)
    except ValidationError as error:  # pragma: no cover - this is the failure the test is for
        raise AssertionError(f"accepted without Pydantic, refused by it: {table} {cells!r}: {error}") from None
    _same(model, record, light)


@pytest.mark.parametrize("table", sorted(ROWS))
def test_the_valid_rows_are_accepted_with_the_records_values(table):
    """Not vacuous: the real dataset's rows take the accept path, with their records' values."""
    model, accepter = TABLES[table], accept.accepter(table)
    assert accepter is not None
    for cells in ROWS[table]:
        light = accepter(dict(cells))
        assert light is not None, cells
        _same(model, model.model_validate(cells), light)


@pytest.mark.parametrize(("table", "field", "value"), [
    ("meetings", "start_date", "2023-02-29"), ("meetings", "start_date", "0000"), ("meetings", "sequence", "01"),
    ("meetings", "sequence", "100"), ("meetings", "city", "Ottawa\n"), ("meetings", "city", "Ott\u202eawa"),
    ("meetings", "city", "Ott\ud800awa"), ("meetings", "end_date", "2000-01-01"), ("commitments", "quote_start", "9" * 30),
    ("sources", "url", "https://ex\u00e4mple.org/"), ("sources", "kind", "offical"), ("people", "id", "a" * 81),
])
def test_nearly_right_values_are_left_to_pydantic(table, field, value):
    """Each of these is refused by the accept path (most are bad; a few, such as `01`, Pydantic
    takes): the row then goes to Pydantic, which judges it."""
    cells = dict(next(row for row in ROWS[table] if row[field] is not None or field == "end_date"))
    cells[field] = value
    assert accept.accepter(table)(cells) is None  # type: ignore[misc]


# -- validate: the same report whichever path judged the rows -------------------------------

FIXTURE_CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())


#: Each way rows are judged: (rows per batch, 0 for row by row; CSV rows judged without Pydantic
#: first): row by row by Pydantic, row by row by `model.accept`, batches by `model.columns` (its
#: Python checks while the run's ACCEPTED rows last), batches by its compiled checks.
WAYS = {"pydantic": (0, 0), "accept": (0, 10**9), "columns": (7, 10**9), "compiled": (7, 0)}


def _every_way(monkeypatch: Any, source: Path, dataset: Path | None = None) -> dict[str, str]:
    """The JSON report of `source` judged each way of WAYS."""
    from cbcf_data.check import rows, structure
    from cbcf_data.check.validate import validate

    reports = {}
    for way, (batch, accepted) in WAYS.items():
        monkeypatch.setattr(structure, "BATCH", batch)
        monkeypatch.setattr(rows, "ACCEPTED", accepted)
        reports[way] = validate(source, dataset=dataset).to_json()
    return reports


def _same_every_way(reports: dict[str, str]) -> None:
    for way, report in reports.items():
        assert report == reports["pydantic"], way


@pytest.mark.parametrize("name", FIXTURE_CASES)
def test_every_fixture_reports_the_same_whichever_path_judged_its_rows(name, tmp_path, monkeypatch):
    from test_fixtures import materialize

    _, source, dataset = materialize(name, tmp_path)
    _same_every_way(_every_way(monkeypatch, source, dataset))


def test_the_real_dataset_and_a_synthetic_one_report_the_same_whichever_path(tmp_path, monkeypatch):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "2000", str(tmp_path / "s")], check=True,
                   capture_output=True)
    for source in (ROOT, tmp_path / "s"):
        _same_every_way(_every_way(monkeypatch, source))


def test_a_synthetic_dataset_with_bad_rows_reports_the_same_whichever_path(tmp_path, monkeypatch):
    """Bad rows of every table (each a row with one cell changed), among valid ones."""
    import random
    import shutil

    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    chance = random.Random(16)
    for model in MODELS:
        path = tmp_path / "d" / "records" / f"{model.table}.csv"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for number in range(1, len(lines)):
            if lines[number] and '"' not in lines[number] and chance.random() < 0.5:
                cells = lines[number].split(",")
                cells[chance.randrange(len(cells))] = chance.choice(["", "x", "01", "2023-02-29", "a\u202eb", "-1", "both",
                                                                     "CA", "stated", "Q1"])
                lines[number] = ",".join(cells)
        rows = [number for number in range(1, len(lines)) if lines[number]]
        if len(rows) > 3:  # a row out of order, a row twice, a row with a cell too many
            first, second, third = chance.sample(rows, 3)
            lines[first], lines[second] = lines[second], lines[first]
            lines.insert(third, lines[third])
            lines[rows[-1]] += ","
        path.write_text("\n".join(lines), encoding="utf-8")
    reports = _every_way(monkeypatch, tmp_path / "d")
    assert '"error"' in reports["pydantic"] and '"not-in-codelist"' in reports["pydantic"]
    _same_every_way(reports)


def test_validating_a_valid_dataset_imports_no_pydantic():
    import subprocess
    import sys

    code = ("import sys; from cbcf_data.check.validate import validate\n"
            f"report = validate({str(ROOT)!r})\n"
            "print(report.valid, sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True []"


def test_a_batch_holds_about_batch_bytes_of_rows_whatever_their_size(tmp_path, monkeypatch):
    """Long rows end a batch by the bytes read for it (`limits.BATCH_BYTES`, plus the text
    reader's read-ahead of 8 KiB, a step of BATCH_STEP records at a time), long before BATCH
    rows; the report is the same as row by row."""
    import shutil

    from cbcf_data.check import rows, structure
    from cbcf_data.check.validate import validate
    from cbcf_data.io import limits

    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    path = tmp_path / "d" / "records" / "topics.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    for number in range(1, len(lines)):
        if lines[number] and '"' not in lines[number]:
            cells = lines[number].split(",")
            cells[header.index("description")] = "a long description " * 200  # 3,800 bytes
            lines[number] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    sizes: list[int] = []
    original = rows.check_batch

    def spy(run, model, table, batch, *args):
        if model.table == "topics":
            sizes.append(len(batch.rows))
        return original(run, model, table, batch, *args)

    monkeypatch.setattr(rows, "check_batch", spy)
    monkeypatch.setattr(structure, "BATCH", 0)
    by_row = validate(tmp_path / "d").to_json()
    monkeypatch.setattr(structure, "BATCH", 50)
    monkeypatch.setattr(limits, "BATCH_BYTES", 4_000)
    monkeypatch.setattr(limits, "BATCH_STEP", 2)
    assert validate(tmp_path / "d").to_json() == by_row
    assert len(sizes) > 3 and max(sizes) <= (4_000 + 8_192) // 3_800 + 1 + 2, sizes


def test_a_foreign_key_naming_an_invalid_row_is_checked_as_any_value(tmp_path, monkeypatch):
    """A batch's foreign-key column is taken unchecked only when its values are IDs of valid rows
    (`batches._valid_ids`): a commitment whose ID is invalid, named by its topics, still has each
    of those values reported, as row by row; and in a valid dataset the columns are taken so."""
    import shutil

    from cbcf_data.check import batches

    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    records = tmp_path / "d" / "records"
    commitments = (records / "commitments.csv").read_text(encoding="utf-8")
    named = commitments.split("\n")[1].split(",")[0]
    for table in ("commitments", "commitment_topics"):
        path = records / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(named, named.upper()), encoding="utf-8")
    taken: list[tuple[str, frozenset[str]]] = []
    original = batches._valid_ids

    def spy(model, table, batch):
        found = original(model, table, batch)
        taken.append((model.table, found))
        return found

    monkeypatch.setattr(batches, "_valid_ids", spy)
    reports = _every_way(monkeypatch, tmp_path / "d")
    _same_every_way(reports)
    issues = json.loads(reports["pydantic"])["issues"]
    assert {(issue["table"], issue["field"], issue["value"]) for issue in issues} >= \
        {("commitments", "id", named.upper()), ("commitment_topics", "commitment_id", named.upper())}, issues
    assert ("commitment_topics", frozenset({"topic_id"})) in taken  # the commitment's column is checked
    taken.clear()
    _every_way(monkeypatch, FIXTURES / "_base")
    assert ("commitment_topics", frozenset({"commitment_id", "topic_id"})) in taken
