"""Releases: reproducible bytes, verifiable checksums, every form reads back as the same data."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

import cbcf_data
from cbcf_data._version import __version__
from cbcf_data.dataset.frames import pandas_dtypes
from cbcf_data.errors import CbcfDataError, InvalidDataError
from cbcf_data.model.tables import MODELS, TABLES
from cbcf_data.publish import release

NAME = f"cbcf-data-{__version__}"
SQLITE = "cbcf-data.sqlite"


def unreleased_copy(folder: Path) -> Path:
    """The repository's dataset without records/releases.json: buildable while the schemas await
    their `cbcf-data bump` (a release of the repository itself refuses changed content)."""
    import shutil

    shutil.copy2(ROOT / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(ROOT / "records", folder / "records", ignore=shutil.ignore_patterns("releases.json"))
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return release.build_release(tmp_path_factory.mktemp("dist"), unreleased_copy(tmp_path_factory.mktemp("repo")))


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_layout(built):
    assert built.name == NAME
    for path in ("csv/datapackage.json", "csv/meetings.csv", "csv/sources/cbcf-2024-communique-summary.txt",
                 f"{NAME}.json", SQLITE, f"{NAME}.zip", "SHA256SUMS", "excel/README.txt", "excel/meetings.csv",
                 "README.md", "LICENSE-DATA", "CITATION.cff", "data-dictionary.md", "metadata.json",
                 "csv/codelists.csv", "schema/release.schema.json", "schema/meetings.schema.json",
                 "site/index.html", "site/en/meetings/cbcf-2024.html", "site/fr/data.html"):
        assert (built / path).is_file(), path


def test_two_builds_are_byte_identical(built, tmp_path):
    again = release.build_release(tmp_path / "dist", unreleased_copy(tmp_path))
    assert files_of(again) == files_of(built)


def test_checksums_verify_and_catch_tampering(built, tmp_path):
    assert release.verify_checksums(built) == []
    listed = [line.split("  ", 1)[1] for line in (built / "SHA256SUMS").read_text().splitlines()]
    assert sorted(listed) == sorted(p for p in files_of(built) if p != "SHA256SUMS")
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "csv" / "people.csv").write_text("tampered\n")
    assert release.verify_checksums(copy) == ["csv/people.csv"]


def test_zip_is_sorted_with_fixed_dates(built):
    with zipfile.ZipFile(built / f"{NAME}.zip") as archive:
        names = archive.namelist()
        assert f"{NAME}/site/index.html" in names and f"{NAME}/site/en/meetings/cbcf-2024.html" in names
        assert names == sorted(names) and all(n.startswith(f"{NAME}/") for n in names)
        assert {info.date_time for info in archive.infolist()} == {release.ZIP_DATE}


def test_canonical_csv_equals_records(built):
    for model in MODELS:
        assert (built / "csv" / f"{model.table}.csv").read_bytes() == (ROOT / "records" / f"{model.table}.csv").read_bytes()


def test_release_package_validates_with_frictionless_including_hashes(built, tmp_path):
    from frictionless import Package

    descriptor = json.loads((built / "csv" / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        data = (built / "csv" / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and resource["bytes"] == len(data)
    assert Package(str(built / "csv" / "datapackage.json")).validate().valid
    import shutil

    copy = tmp_path / "csv"
    shutil.copytree(built / "csv", copy)
    path = copy / "people.csv"
    path.write_text(path.read_text().replace("Arif Virani", "Arif Viranj"))  # same size, other hash
    report = Package(str(copy / "datapackage.json")).validate()
    assert not report.valid and "hash-count" in {t for _, t in report.flatten(["rowNumber", "type"])}


def test_json_validates_against_its_schema_with_two_implementations(built):
    import jsonschema
    import jsonschema_rs

    document = json.loads((built / f"{NAME}.json").read_text())
    schema = json.loads((ROOT / "schema" / "release.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    jsonschema_rs.Draft202012Validator(schema).validate(document)
    assert document["version"] == __version__ and len(document["meetings"]) == len(cbcf_data.load().meetings)


def test_every_schema_is_accepted_by_a_second_implementation():
    import jsonschema_rs

    ds = cbcf_data.load()
    for path in sorted((ROOT / "schema").glob("*.schema.json")):
        schema = json.loads(path.read_text())
        validator = jsonschema_rs.Draft202012Validator(schema)
        table = path.name.removesuffix(".schema.json")
        if table in TABLES:
            for record in ds.table(table).values():
                validator.validate(record.model_dump(mode="json"))
            example = TABLES[table].model_validate(TABLES[table].example)  # a table may be empty (retired_ids)
            assert validator.is_valid(example.model_dump(mode="json"))
            assert not validator.is_valid({**example.model_dump(mode="json"), "x": 1})
    bundle = jsonschema_rs.Draft202012Validator(json.loads((ROOT / "schema" / "bundle.schema.json").read_text()))
    bundle.validate(__import__("cbcf_data.edit.exporting", fromlist=["export_bundle"]).export_bundle("cbcf-2024"))


def test_sqlite_counts_keys_indexes_and_views(built):
    connection = sqlite3.connect(built / SQLITE)
    ds = cbcf_data.load()
    for name, table in ds.tables().items():
        assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(table)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    for model in MODELS:
        indexed = {row[2] for index in connection.execute(f'PRAGMA index_list("{model.table}")').fetchall()
                   for row in connection.execute(f'PRAGMA index_info("{index[1]}")').fetchall()}
        assert set(model.foreign_keys) <= indexed, model.table
        fks = {row[3] for row in connection.execute(f'PRAGMA foreign_key_list("{model.table}")').fetchall()}
        assert fks == set(model.foreign_keys)
    row = connection.execute(
        "SELECT meeting_date, topic_labels FROM commitments_detail WHERE id = 'cbcf-2024-c06'").fetchone()
    assert row == ("2024-07-11", "Human smuggling; Law-enforcement information sharing; Organized crime")
    row = connection.execute("SELECT name, role, organization_name FROM attendance_detail "
                             "WHERE meeting_id = 'cbcf-2012' AND person_id = 'vic-toews'").fetchone()
    assert row == ("Vic Toews", "Minister of Public Safety", "Public Safety Canada")


def test_pandas_reads_csv_and_sqlite_as_the_same_typed_rows(built):
    import pandas as pd

    connection = sqlite3.connect(built / SQLITE)
    frames = cbcf_data.load().to_pandas(index=False)
    for model in MODELS:
        dtypes = pandas_dtypes(model)
        from_csv = pd.read_csv(built / "csv" / f"{model.table}.csv", dtype=dtypes, keep_default_na=False,
                               na_values=[""])
        from_sql = pd.read_sql(f'SELECT * FROM "{model.table}"', connection).astype(dtypes)
        pd.testing.assert_frame_equal(from_csv, from_sql)
        pd.testing.assert_frame_equal(from_csv, frames[model.table])
    assert str(frames["commitments"]["quote_start"].dtype) == "Int64"
    assert str(frames["meetings"]["city"].dtype) == "string"
    assert list(frames["commitments"]["modality"].cat.categories)[:2] == ["commit", "pledge"]


def test_to_pandas_without_pandas_says_how_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(CbcfDataError, match=r"pip install 'cbcf-data\[pandas\]'"):
        cbcf_data.load().to_pandas()


@pytest.mark.parametrize("form", ["folder", "zip", "json", "csv"])
def test_load_of_every_form_equals_records(built, form):
    path = {"folder": built, "zip": built / f"{NAME}.zip", "json": built / f"{NAME}.json", "csv": built / "csv"}[form]
    assert cbcf_data.load(path).to_csv_texts() == cbcf_data.load().to_csv_texts()


def test_excel_flavour(repo_copy, tmp_path):
    (repo_copy / "records" / "releases.json").unlink()  # an unreleased copy: no version discipline
    path = repo_copy / "records" / "people.csv"
    path.write_text(path.read_text().replace("arif-virani,Arif Virani,CA,,", "arif-virani,Arif Virani,CA,,\"=HYPERLINK(\"\"x\"\")\""))
    folder = release.build_release(tmp_path, repo_copy)
    excel = (folder / "excel" / "people.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf") and b"\r\n" in excel and b"\n" not in excel.replace(b"\r\n", b"")
    assert "'=HYPERLINK" in excel.decode("utf-8-sig")
    assert '=HYPERLINK(""x"")' in (folder / "csv" / "people.csv").read_text()  # canonical CSV untouched
    assert (folder / "csv" / "people.csv").read_bytes() == path.read_bytes()


def test_invalid_dataset_builds_nothing(repo_copy, tmp_path):
    path = repo_copy / "records" / "people.csv"
    path.write_text(path.read_text().replace(",CA,,", ",XX,,", 1))
    with pytest.raises(InvalidDataError):
        release.build_release(tmp_path / "dist", repo_copy)
    assert not (tmp_path / "dist").exists()
    result = run_cli("release", "--out", str(tmp_path / "dist"), "--dataset", str(repo_copy))
    assert result.returncode == 1 and "not-in-codelist" in result.stdout


def test_release_cli(tmp_path):
    result = run_cli("release", "--out", str(tmp_path), "--dataset", str(unreleased_copy(tmp_path)))
    assert result.returncode == 0 and f"built {tmp_path / NAME}" in result.stdout


# -- one version -------------------------------------------------------------------------

def test_one_version_everywhere(built):
    from packaging.version import Version

    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    citation = (ROOT / "CITATION.cff").read_text()
    assert descriptor["version"] == __version__ == cbcf_data.__version__
    assert f"\nversion: {__version__}\n" in citation
    assert Version(installed_version("cbcf-data")) == Version(__version__)
    assert built.name == release.release_name() == f"cbcf-data-{__version__}"
    assert json.loads((built / "csv" / "datapackage.json").read_text())["version"] == __version__
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text()
    assert f"(Version {__version__})" in cbcf_data.cite()
    assert f"version = {{{__version__}}}" in cbcf_data.cite("bibtex") and f"ET  - {__version__}" in cbcf_data.cite("ris")
    assert run_cli("--version").stdout.strip() == __version__
