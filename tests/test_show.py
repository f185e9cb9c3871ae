"""`cbcf-data show`: a meeting, a person, a topic, an instrument — or any row — on one screen."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, run_cli


def show(record_id: str) -> str:
    result = run_cli("show", record_id)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) < 60
    return result.stdout


def test_a_person():
    out = show("merrick-garland")
    assert out.startswith("Merrick B. Garland (merrick-garland) — US")
    assert "Meetings (3)" in out and "cbcf-2023  2023-04-28  Ottawa — Attorney General of the United States (guest)" in out


def test_a_topic_with_its_place_and_narrower_topics():
    out = show("drug-trafficking")
    assert "under: Cross-border smuggling" in out and "narrower: Fentanyl and synthetic opioids" in out
    assert "Commitments (4, with narrower topics)" in out and "cbcf-2024-c03" in out


def test_an_instrument():
    out = show("us-fara")
    assert out.startswith("Foreign Agents Registration Act (us-fara)") and "cbcf-2024  2024-07-11  Washington — referenced" in out


def test_any_other_row():
    assert "related: attendances" in show("us-doj") and "quote_start: 998" in show("cbcf-2024-c01")


def test_an_unknown_id_names_the_nearest():
    result = run_cli("show", "merrick-garlnd")
    assert result.returncode == 2 and "did you mean 'merrick-garland'?" in result.stderr


# -- printed from cells (publish/cells.py) ------------------------------------------------

def summaries(ds, typed: bool, checked: bool = False) -> dict[str, str]:
    from cbcf_data.errors import CbcfDataError
    from cbcf_data.publish.show import SHOWN, render

    ids = [key for table in SHOWN for key in ds.table(table)]
    ids += [row["id"] for row in ds.retired_ids._rows.values()] + ["cbcf-2024-c99", "merrick-garlnd"]
    shown = {}
    for record_id in ids:
        try:
            shown[record_id] = render(ds, record_id, typed=typed, checked=checked)
        except CbcfDataError as error:
            shown[record_id] = f"{type(error).__name__}: {error}"
    return shown


@pytest.mark.parametrize("how", ["load()", "load(DIR)", "as_of"])
def test_every_summary_from_cells_is_the_typed_one(how):
    import cbcf_data

    ds = {"load()": cbcf_data.load, "load(DIR)": lambda: cbcf_data.load(ROOT),
          "as_of": lambda: cbcf_data.load().as_of("2023-06-30")}[how]()
    cells, typed = summaries(ds, typed=False), summaries(ds, typed=True)
    assert len(cells) > 200 or how == "as_of"
    assert cells == typed
    assert summaries(ds, typed=False, checked=True) == typed


def test_cells_know_what_the_models_declare():
    import json

    from cbcf_data.model.tables import MODELS
    from cbcf_data.publish.cells import TABLES

    assert list(TABLES) == [model.table for model in MODELS]
    resources = {r["name"]: r for r in json.loads((ROOT / "datapackage.json").read_text())["resources"]}
    for model in MODELS:
        name, integers, foreign_keys = TABLES[model.table]
        assert name == model.__name__
        assert list(foreign_keys.items()) == list(model.foreign_keys.items())
        fields = resources[model.table]["schema"]["fields"]
        assert integers == tuple(f["name"] for f in fields if f["type"] == "integer")
        assert [f["name"] for f in fields] == list(model.model_fields)


def test_a_summary_from_cells_imports_no_pydantic():
    code = ("import sys, cbcf_data; from cbcf_data.publish.show import render\n"
            "ds = cbcf_data.load()\n"
            "out = ''.join(render(ds, i) for i in ('cbcf-2024', 'merrick-garland', 'fentanyl', 'us-fara', 'us-doj'))\n"
            "print(len(out), sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[1].strip() == "[]"


def test_a_checked_summary_of_a_checkout_imports_no_pydantic():
    """In a checkout, each row printed is judged by `model.accept`: valid rows need no Pydantic."""
    code = ("import sys, cbcf_data; from cbcf_data.publish.show import render\n"
            f"ds = cbcf_data.load({str(ROOT)!r})\n"
            "out = ''.join(render(ds, i, checked=True) for i in ('cbcf-2024', 'merrick-garland', 'fentanyl', 'us-fara'))\n"
            "print(len(out), sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split(" ", 1)[0]) > 1000 and result.stdout.split(" ", 1)[1].strip() == "[]"


@pytest.mark.parametrize(("old", "new", "field"), [
    ("2024-07-11", "2024-13-45", "start_date"), (",3,stated,", ",abc,stated,", "sequence"),
    ("2024-07-11", "2024-02-30", "start_date"), (",Washington,", ",Wash\x1bington,", "city"),
    (",3,stated,", ",3,,", "sequence_basis"), (",day,", ",month,", "start_date")])
def test_show_of_a_bad_row_is_a_located_error(tmp_path, old, new, field):
    """A dataset other than the installed copy may hold a bad row: show judges what it prints (the
    models' rules: types, the text rule, row rules), so the row is an error naming its file, line
    and field, never printed as if it were data."""
    import shutil

    from conftest import FIXTURES

    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    path = tmp_path / "d" / "records" / "meetings.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("cbcf-2024,"))
    assert old in lines[row]
    lines[row] = lines[row].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("show", "cbcf-2024", "--dataset", str(tmp_path / "d"))
    assert result.returncode == 1 and result.stdout == ""
    assert f"meetings.csv:{row + 1}: {field}:" in result.stderr and "cbcf-data validate" in result.stderr
