"""The repository is itself a valid data package, by frictionless's own judgement."""

from __future__ import annotations

import json
import subprocess

from conftest import BIN, ROOT

from cbcf_data._version import __version__
from cbcf_data.model.tables import TABLES


def test_frictionless_python_api_validates_the_package():
    from frictionless import Package

    report = Package(str(ROOT / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == len(TABLES)


def test_frictionless_cli_validates_the_package():
    result = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_frictionless_cli_catches_a_broken_foreign_key(repo_copy):
    path = repo_copy / "records" / "attendances.csv"
    path.write_text(path.read_text().replace("cbcf-2024,merrick-garland", "cbcf-2025,merrick-garland"))
    result = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=repo_copy, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "foreign-key" in result.stdout


def test_descriptor_metadata():
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["name"] == "cbcf-data"
    assert descriptor["version"] == __version__
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    for key in ("title", "description", "sources", "contributors", "keywords"):
        assert descriptor[key], key
