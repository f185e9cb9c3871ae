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
