"""The broken-fixture corpus: each fixture holds one problem; the report names it exactly.

A fixture folder holds the files that differ from `fixtures/_base` (a small valid dataset) and
`expected.json`: the input to validate, the expected issues as [code, table, line or JSON
pointer, field], files to delete, and whether frictionless also detects the problem.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from cbcf_data.check.rules.orphans import Orphans
from cbcf_data.check.validate import validate

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())


def materialize(name: str, target: Path) -> tuple[dict, Path, Path]:
    """Copy the base dataset with the fixture's files over it; return (expected, input, dataset)."""
    fixture = FIXTURES / name
    expected = json.loads((fixture / "expected.json").read_text())
    dataset = target / "dataset"
    shutil.copytree(FIXTURES / "_base", dataset)
    inputs = target / "inputs"
    inputs.mkdir()
    for path in fixture.rglob("*"):
        if path.is_file() and path.name != "expected.json":
            relative = path.relative_to(fixture)
            destination = (dataset if relative.parts[0] in ("records", "datapackage.json") else inputs) / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    for relative in expected.get("delete", []):
        (dataset / relative).unlink()
    source = dataset if expected["input"] == "dataset" else inputs / expected["input"]
    return expected, source, dataset


def flat(report) -> list[list]:
    return [[i.code, i.table, i.pointer if i.pointer is not None else i.line, i.field] for i in report.issues]


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_base_is_valid():
    report = validate(FIXTURES / "_base")
    assert report.valid and not report.issues, report.to_text()


@pytest.mark.parametrize("name", CASES)
def test_fixture_reports_exactly_its_problem(name, tmp_path):
    expected, source, dataset = materialize(name, tmp_path)
    report = validate(source, dataset=dataset)
    assert flat(report) == expected["issues"], report.to_text()
    assert all(issue.message for issue in report.issues)
    assert "internal-error" not in {issue.code for issue in report.issues}
    if any(issue[0] not in WARNINGS for issue in expected["issues"]):
        assert not report.valid
    else:
        assert report.valid


WARNINGS = {*Orphans.CHECKS, "archive-unlisted", "not-sorted"}


def frictionless_verdict(descriptor: Path) -> tuple[bool, set[int]]:
    """(valid, row numbers of row errors) as frictionless judges a package; refusing it is invalid."""
    from frictionless import FrictionlessException, Package, system

    try:
        with system.use_context(trusted=False):
            report = Package(str(descriptor)).validate()
    except FrictionlessException:
        return False, set()
    rows = {row for row, _ in report.flatten(["rowNumber", "type"]) if row is not None}
    return report.valid, rows


JUDGED = [n for n in CASES if json.loads((FIXTURES / n / "expected.json").read_text()).get("frictionless_detects") is not None]


def test_frictionless_judges_enough_fixtures():
    assert len(JUDGED) >= 30


@pytest.mark.parametrize("name", JUDGED)
def test_frictionless_agrees(name, tmp_path):
    expected, _, dataset = materialize(name, tmp_path)
    valid, rows = frictionless_verdict(dataset / "datapackage.json")
    assert valid is not expected["frictionless_detects"]
    # Where both name a data row, they name the same one (frictionless counts the header as row 1 too).
    lines = {issue[2] for issue in expected["issues"] if isinstance(issue[2], int) and issue[2] > 1}
    if expected["frictionless_detects"] and lines and rows:
        assert lines & rows, (lines, rows)


def test_frictionless_judges_the_base_valid():
    assert frictionless_verdict(FIXTURES / "_base" / "datapackage.json") == (True, set())
