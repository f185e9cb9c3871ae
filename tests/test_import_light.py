"""`import` under a kept verdict judges and types a bundle's rows with `model.accept` (no Pydantic)
when it takes them all: the same files written, the same rows returned and the same report as
when Pydantic judges them; and a valid bundle then imports without Pydantic, Typer or Click."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_fixtures import materialize

from cbcf_data.check import bundle as bundle_check
from cbcf_data.check.validate import validate
from cbcf_data.edit import importing
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.replacing import remove_meeting
from cbcf_data.errors import InvalidDataError

MEETING = "cbcf-2023"


def _files(dataset: Path) -> dict[str, bytes]:
    return {str(path.relative_to(dataset)): path.read_bytes() for path in sorted(dataset.rglob("*"))
            if path.is_file() and path.name != ".cbcf-lock"}


def _import(bundle: Path, dataset: Path, spy: list[str]) -> tuple[Any, dict[str, bytes]]:
    """(what the import gave: its rows with their types and its report, or the report it was refused
    with; the dataset's files after it), the dataset's verdict kept beforehand."""
    assert not validate(dataset).issues
    spy.clear()
    try:
        result = importing.import_bundle(bundle, dataset)
    except InvalidDataError as error:
        outcome: Any = ("refused", [dataclasses.asdict(issue) for issue in error.report.issues])  # type: ignore[attr-defined]
    else:
        outcome = ({table: [[(name, value, type(value)) for name, value in row.items()] for row in rows]
                    for table, rows in result.added.items()}, result.report.to_json())
    assert spy, "the verdict was not used"
    return outcome, _files(dataset)


def _both_ways(bundle: Path, dataset: Path, tmp_path: Path, monkeypatch: Any, spy: list[str]) -> list[Any]:
    """The import of `bundle` into two copies of `dataset`: its rows judged and typed by Pydantic,
    then by `model.accept` where it takes them."""
    found = []
    for light in (False, True):
        copy = tmp_path / f"copy-{light}"
        shutil.copytree(dataset, copy)
        with monkeypatch.context() as patched:
            if not light:
                patched.setattr(bundle_check, "value_accepter", lambda table: None)
                patched.setattr(importing, "value_accepter", lambda table: None)
            found.append(_import(bundle, copy, spy))
    return found


def test_the_fixtures_valid_bundle_imports_the_same_whichever_path(tmp_path, monkeypatch, spy):
    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    pydantic, light = _both_ways(bundle, dataset, tmp_path, monkeypatch, spy)
    assert light == pydantic
    assert pydantic[0][0]["meetings"]  # rows were added


def _changed(document: dict[str, Any], change: str) -> None:
    if change == "sequence as text":
        document["meeting"]["sequence"] = str(document["meeting"]["sequence"])
    elif change == "bad code":
        document["commitments"][0]["modality"] = "comit"
    elif change == "unknown field":
        document["attendances"][0]["remark"] = "x"
    elif change == "a number for text":
        document["meeting"]["city"] = 7


@pytest.mark.records
@pytest.mark.parametrize("change", ["as_is", "sequence as text", "bad code", "unknown field", "a number for text"])
def test_a_meeting_of_the_repository_imports_the_same_whichever_path(change, tmp_path, monkeypatch, spy):
    """The repository's meeting, exported then imported into the dataset without it, as it is and
    with rows `model.accept` takes (an integer as text) or leaves to Pydantic (which refuses them)."""
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    shutil.copy2(ROOT / "datapackage.json", dataset / "datapackage.json")
    shutil.copytree(ROOT / "records", dataset / "records")
    document = export_bundle(MEETING, dataset)
    kept = (dataset / "records" / "retired_ids.csv").read_bytes()
    remove_meeting(MEETING, dataset)
    (dataset / "records" / "retired_ids.csv").write_bytes(kept)
    _changed(document, change)
    bundle = tmp_path / "meeting.json"
    bundle.write_text(json.dumps(document), encoding="utf-8")
    pydantic, light = _both_ways(bundle, dataset, tmp_path, monkeypatch, spy)
    assert light == pydantic
    assert (pydantic[0][0] == "refused") == (change not in ("as_is", "sequence as text"))


def test_a_valid_bundle_imports_without_pydantic(tmp_path):
    """Structural: under a verdict, a bundle whose rows `model.accept` takes imports no Pydantic."""
    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    code = ("import sys\nfrom cbcf_data.check.validate import validate\nfrom cbcf_data.edit.importing import import_bundle\n"
            f"assert not validate({str(dataset)!r}).issues\n"
            f"result = import_bundle({str(bundle)!r}, {str(dataset)!r})\n"
            "print(bool(result.written), sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core'}))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True []"


def test_the_bundle_keys_are_the_models_fields():
    from cbcf_data.model.bundle import Bundle
    from cbcf_data.model.bundling import KEYS

    assert tuple(Bundle.model_fields) == KEYS


# -- the command: `import` with plain arguments runs without Typer, with Typer's output ------------

def _main(monkeypatch: Any, capsys: Any, args: list[str], plain: bool) -> tuple[str, str, object]:
    """`cbcf-data ARGS` in this process, with or without its Typer-free path (`test_cli_plain`'s)."""
    from test_cli_plain import run_main

    return run_main(monkeypatch, capsys, args, plain)


CASES = [
    ["import", "{bundle}", "--dataset", "{dataset}"], ["import", "--dry-run", "{bundle}", "-d", "{dataset}"],
    ["import", "{bundle}", "--dataset={dataset}", "--dry-run"], ["import", "{again}", "--dataset", "{dataset}"],
    ["import", "{invalid}", "--dataset", "{dataset}"], ["import", "{bundle}", "--replace", "--dataset", "{dataset}"],
    ["import", "{again}", "--replace", "--reason", "a correction", "--dataset", "{dataset}"],
    ["import", "{again}", "--replace", "--dry-run", "-d", "{dataset}"], ["import", "{missing}", "-d", "{dataset}"],
    ["import", "{dataset}", "-d", "{dataset}"], ["import", "{bundle}", "-d", "{missing}"], ["import", "{bundle}"],
    ["import"], ["import", "--help"], ["import", "{bundle}", "--dry-run=1", "-d", "{dataset}"],
    ["import", "{bundle}", "--dry-run", "--dry-run", "-d", "{dataset}"], ["import", "{bundle}", "{bundle}"],
    ["import", "{bundle}", "--reason", "", "-d", "{dataset}"], ["import", "{bundle}", "--nope", "-d", "{dataset}"],
]


@pytest.mark.parametrize("case", CASES, ids=[" ".join(case) for case in CASES])
def test_plain_and_typer_imports_are_identical(case, tmp_path, monkeypatch, capsys):
    """The same output, exit status and files written, each run on its own copy of the dataset."""
    _, bundle, base = materialize("bundle-valid", tmp_path)
    _, invalid, _ = materialize("bundle-not-in-codelist", tmp_path / "invalid")
    runs = []
    for plain in (False, True):
        dataset = tmp_path / f"dataset-{plain}"
        shutil.copytree(base, dataset)
        again = tmp_path / f"again-{plain}.yaml"  # a bundle the dataset already holds (imported before)
        shutil.copyfile(bundle, again)
        importing.import_bundle(again, dataset)
        names = {"bundle": str(bundle), "dataset": str(dataset), "again": str(again), "invalid": str(invalid),
                 "missing": str(tmp_path / "nope.json")}
        if "{again}" not in case:
            shutil.rmtree(dataset)
            shutil.copytree(base, dataset)
        args = [arg.format(**names) for arg in case]
        monkeypatch.chdir(tmp_path)  # no checkout around
        out, err, status = _main(monkeypatch, capsys, args, plain)
        runs.append(([text.replace(str(dataset), "DATASET").replace(str(again), "AGAIN") for text in (out, err)],
                     status, _files(dataset)))
    assert runs[1] == runs[0]
    assert runs[0][0][0] or runs[0][0][1]


def test_a_plain_import_loads_no_typer_click_rich_or_pydantic(tmp_path):
    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr))\n"
            "from cbcf_data.cli import main\nsys.argv = ['cbcf-data', *sys.argv[1:]]\nmain()\n")
    loaded = []
    for args in (["validate", str(dataset)], ["import", str(bundle), "--dataset", str(dataset)]):
        run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path,
                             timeout=300)
        assert run.returncode == 0, run.stderr
        loaded.append(set(run.stderr.split("\n")[-2].split()))
    assert "wrote" in run.stdout
    assert not loaded[1] & {"typer", "click", "rich", "pydantic", "pydantic_core", "frictionless"}, loaded[1]


def test_the_collector_is_paused_while_an_import_reads_and_restored_after(tmp_path, monkeypatch):
    """Structural: the tables are read under a verdict with the cyclic garbage collector paused
    (their keys make no cycles), and it runs again once the import is done, or refused."""
    import gc

    from cbcf_data.check import known

    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    assert not validate(dataset).issues
    seen: list[bool] = []
    original = known.known_table

    def noting(*args: Any) -> None:
        seen.append(gc.isenabled())
        original(*args)

    monkeypatch.setattr(bundle_check, "known_table", noting)
    assert gc.isenabled()
    importing.import_bundle(bundle, dataset)
    assert seen and not any(seen) and gc.isenabled()
    _, invalid, _ = materialize("bundle-not-in-codelist", tmp_path / "invalid")
    with pytest.raises(InvalidDataError):
        importing.import_bundle(invalid, dataset)
    assert len(seen) > 15 and gc.isenabled()
