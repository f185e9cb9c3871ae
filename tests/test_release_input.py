"""`validate` takes every form `load()` takes — a release folder, its zip, its JSON document — and
both check what a release carries (SHA256SUMS, the descriptor's bytes and hashes): a changed
release is reported by `validate` and refused by `load()`."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

import cbcf_data
from cbcf_data._version import __version__
from cbcf_data.errors import InvalidDataError
from cbcf_data.publish import release

NAME = f"cbcf-data-{__version__}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("repo")
    shutil.copy2(ROOT / "datapackage.json", source / "datapackage.json")
    shutil.copytree(ROOT / "records", source / "records", ignore=shutil.ignore_patterns("releases.json"))
    return release.build_release(tmp_path_factory.mktemp("dist"), source)


@pytest.fixture
def copy(built, tmp_path) -> Path:
    target = tmp_path / NAME
    shutil.copytree(built, target)
    return target


FORMS = {"folder": "", "zip": f"{NAME}.zip", "json": f"{NAME}.json", "csv": "csv", "descriptor": "csv/datapackage.json"}


@pytest.mark.parametrize("form", FORMS)
def test_every_release_form_validates_and_loads_as_the_records(built, form):
    path = built / FORMS[form]
    report = cbcf_data.validate(path)
    assert report.valid and not report.issues, report.to_text()
    assert report.rows == sum(len(t) for t in cbcf_data.load().tables().values())
    assert cbcf_data.load(path).to_csv_texts() == cbcf_data.load().to_csv_texts()


def codes(report) -> set[str]:
    return {issue.code for issue in report.issues}


def test_a_changed_table_in_a_release_folder_is_reported_and_refused(copy):
    path = copy / "csv" / "people.csv"
    path.write_text(path.read_text().replace("Arif Virani", "Arif Viranj"))  # same size, other hash
    report = cbcf_data.validate(copy)
    assert not report.valid and codes(report) == {"checksum-mismatch", "hash-mismatch"}
    assert any(i.value == "csv/people.csv" for i in report.issues if i.code == "checksum-mismatch")
    assert codes(cbcf_data.validate(copy / "csv")) == {"hash-mismatch"}
    for form in (copy, copy / "csv"):
        with pytest.raises(InvalidDataError, match="changed or damaged"):
            cbcf_data.load(form)


def test_a_shortened_table_is_a_size_mismatch(copy):
    path = copy / "csv" / "assessments.csv"
    path.write_text(path.read_text().rstrip("\n"))
    assert "size-mismatch" in codes(cbcf_data.validate(copy / "csv"))


def test_a_changed_zip_is_reported_in_the_zip_and_refused(copy, tmp_path):
    original, changed = copy / f"{NAME}.zip", tmp_path / "changed.zip"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("csv/people.csv"):
                data = data.replace(b"Arif Virani", b"Arif Viranj")
            target.writestr(info, data)
    report = cbcf_data.validate(changed)
    assert codes(report) == {"hash-mismatch"}
    assert report.issues[0].path == f"{changed}!{NAME}/csv/datapackage.json"
    with pytest.raises(InvalidDataError, match="changed or damaged"):
        cbcf_data.load(changed)


def test_a_changed_json_document_is_reported_and_refused(copy):
    path = copy / f"{NAME}.json"
    path.write_text(path.read_text().replace("Arif Virani", "Arif Viranj"))
    assert codes(cbcf_data.validate(path)) == {"checksum-mismatch"}
    with pytest.raises(InvalidDataError, match="changed or damaged"):
        cbcf_data.load(path)


def test_a_json_document_on_its_own_is_checked_row_by_row(copy, tmp_path):
    document = json.loads((copy / f"{NAME}.json").read_text())
    document["meetings"][3]["commitments"][0]["modality"] = "comit"
    document["people"][0]["country"] = "XX"
    path = tmp_path / "release.json"  # no SHA256SUMS beside it, no archived texts: rows and rules only
    path.write_text(json.dumps(document))
    report = cbcf_data.validate(path)
    assert {(i.code, i.pointer) for i in report.issues} == {
        ("not-in-codelist", "/meetings/3/commitments/0/modality"), ("not-in-codelist", "/people/0/country")}
    result = run_cli("validate", str(path), "--format", "json")
    assert result.returncode == 1 and json.loads(result.stdout) == json.loads(report.to_json())


def test_a_foreign_key_in_a_json_document_points_into_its_meeting(copy, tmp_path):
    document = json.loads((copy / f"{NAME}.json").read_text())
    index = next(i for i, m in enumerate(document["meetings"]) if m["attendances"])
    document["meetings"][index]["attendances"][0]["person_id"] = "nobody-at-all"
    path = tmp_path / "release.json"
    path.write_text(json.dumps(document))
    issue = next(i for i in cbcf_data.validate(path).issues if i.code == "foreign-key")
    assert issue.pointer == f"/meetings/{index}/attendances/0/person_id"


def test_cli_validates_a_release_folder(built):
    result = run_cli("validate", str(built))
    assert result.returncode == 0 and result.stdout.startswith("valid:")
