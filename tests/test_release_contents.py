"""A release explains itself: README, licence, citation, data dictionary, codelists in every form,
its facts and provenance in the JSON and SQLite, the topic closure everywhere, Datasette metadata
and a SQLite file whose Datasette links resolve."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT

import cbcf_data
from cbcf_data._version import RELEASED, __version__
from cbcf_data.model import codelists
from cbcf_data.publish import release
from cbcf_data.publish.citation import citation_cff, cite

NAME = f"cbcf-data-{__version__}"
SQLITE = "cbcf-data.sqlite"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("repo")
    shutil.copy2(ROOT / "datapackage.json", source / "datapackage.json")
    shutil.copy2(ROOT / "LICENSE-DATA", source / "LICENSE-DATA")
    shutil.copytree(ROOT / "records", source / "records", ignore=shutil.ignore_patterns("releases.json"))
    return release.build_release(tmp_path_factory.mktemp("dist"), source)


def test_readme_names_version_counts_citation_licence_and_every_file(built):
    readme = (built / "README.md").read_text()
    ds = cbcf_data.load()
    assert f"version {__version__}" in readme and f"Released {RELEASED}" in readme
    assert f"{len(ds.meetings)} meetings" in readme and f"{len(ds.commitments)} commitments" in readme
    assert cite("text") in readme and "CC-BY-4.0" in readme
    top = {p.name + ("/" if p.is_dir() else "") for p in built.iterdir()}
    listed = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert listed == top


def test_licence_citation_and_dictionary_ship(built):
    assert (built / "LICENSE-DATA").read_bytes() == (ROOT / "LICENSE-DATA").read_bytes()
    assert (built / "CITATION.cff").read_text() == citation_cff() == (ROOT / "CITATION.cff").read_text()
    assert (built / "data-dictionary.md").read_text() == (ROOT / "docs" / "data-dictionary.md").read_text()
    for path in (ROOT / "schema").iterdir():
        assert (built / "schema" / path.name).read_bytes() == path.read_bytes()


def expected_codelist_rows() -> list[tuple[str, str, str, str, str]]:
    return sorted((name, code, entry.label, entry.label_fr, entry.definition)
                  for name, codelist in codelists.CODELISTS.items() for code, entry in codelist.items())


def test_codelists_in_csv_json_and_sqlite(built):
    rows = list(csv.DictReader(io.StringIO((built / "csv" / "codelists.csv").read_text())))
    assert sorted(tuple(r.values()) for r in rows) == expected_codelist_rows()
    descriptor = json.loads((built / "csv" / "datapackage.json").read_text())
    assert "codelists" in {r["name"] for r in descriptor["resources"]}
    document = json.loads((built / f"{NAME}.json").read_text())
    assert document["codelists"]["capacity"]["host"] == {"label": "Host", "label_fr": "Hôte",
                                                         "definition": codelists.CAPACITY["host"].definition}
    connection = sqlite3.connect(built / SQLITE)
    stored = connection.execute("SELECT codelist, code, label, coalesce(label_fr, ''), definition FROM codelists")
    assert sorted(stored.fetchall()) == expected_codelist_rows()


def test_the_csv_package_with_codelists_validates_with_frictionless(built):
    from frictionless import Package

    report = Package(str(built / "csv" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_json_and_sqlite_carry_the_release_facts(built):
    document = json.loads((built / f"{NAME}.json").read_text())
    assert document["version"] == __version__ and document["released"] == RELEASED
    assert document["license"]["name"] == "CC-BY-4.0" and document["citation"] == cite("text")
    assert document["build"] == {"commit": None, "modified": None}  # built from a folder outside git
    metadata = dict(sqlite3.connect(built / SQLITE).execute("SELECT key, value FROM metadata").fetchall())
    assert metadata["version"] == __version__ and metadata["license"] == "CC-BY-4.0"
    assert metadata["citation"] == cite("text") and metadata["released"] == RELEASED


def test_a_release_of_a_git_checkout_names_its_commit(tmp_path):
    import subprocess

    source = tmp_path / "repo"
    source.mkdir()
    shutil.copy2(ROOT / "datapackage.json", source / "datapackage.json")
    shutil.copytree(ROOT / "records", source / "records", ignore=shutil.ignore_patterns("releases.json"))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "records"]):
        subprocess.run(["git", "-C", str(source), *command], check=True, env=env, capture_output=True)
    head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    built = release.build_release(tmp_path / "dist", source)
    assert json.loads((built / f"{NAME}.json").read_text())["build"] == {"commit": head, "modified": False}


def test_topic_closure_is_the_same_in_the_library_json_and_sqlite(built):
    ds = cbcf_data.load()
    document = json.loads((built / f"{NAME}.json").read_text())
    connection = sqlite3.connect(built / SQLITE)
    for topic in document["topics"]:
        record = ds.topics[topic["id"]]
        assert topic["ancestors"] == [t.id for t in ds.ancestors(record)]
        assert topic["descendants"] == [t.id for t in ds.descendants(record)]
        stored = connection.execute("SELECT descendant_id FROM topics_closure WHERE ancestor_id = ? AND depth > 0 "
                                    "ORDER BY descendant_id", (topic["id"],)).fetchall()
        assert [row[0] for row in stored] == topic["descendants"]
    smuggling = connection.execute(
        "SELECT DISTINCT ct.commitment_id FROM commitment_topics ct JOIN topics_closure tc ON tc.descendant_id = "
        "ct.topic_id WHERE tc.ancestor_id = 'cross-border-smuggling' ORDER BY 1").fetchall()
    assert [r[0] for r in smuggling] == [c.id for c in ds.related(ds.topics["cross-border-smuggling"], "commitments")]
    assert cbcf_data.load(built / f"{NAME}.json").to_csv_texts() == ds.to_csv_texts()  # derived lists dropped


def test_sqlite_views_give_years_and_date_bounds(built):
    connection = sqlite3.connect(built / SQLITE)
    rows = dict((r[0], r[1:]) for r in connection.execute(
        "SELECT id, year, earliest_date, latest_date FROM meetings_detail").fetchall())
    assert rows["cbcf-1998"] == (1998, "1998-01-01", "1998-12-31")
    assert rows["cbcf-1997"] == (1997, "1997-09-01", "1997-09-30")
    assert rows["cbcf-2006"] == (2006, "2006-11-15", "2006-11-16")
    year = connection.execute("SELECT meeting_year FROM commitments_detail WHERE id = 'cbcf-2024-c01'").fetchone()
    assert year == (2024,)


def test_datasette_metadata_describes_every_table_and_column(built):
    metadata = json.loads((built / "metadata.json").read_text())
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/" and metadata["source_url"]
    tables = metadata["databases"]["cbcf-data"]["tables"]
    connection = sqlite3.connect(built / SQLITE)
    names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
    assert set(names) == set(tables)
    for model in cbcf_data.load().tables().values():
        assert set(tables[model.name]["columns"]) == set(model.model.model_fields)
    assert "commit = Commit" in tables["commitments"]["columns"]["modality"]


def test_datasette_opens_the_file_and_every_foreign_key_link_resolves(built):
    pytest.importorskip("datasette", reason="datasette is not installed (pip install datasette) — link check skipped")
    import asyncio
    import re

    from datasette.app import Datasette

    async def check() -> list[tuple[int, str]]:
        app = Datasette([str(built / SQLITE)], metadata=json.loads((built / "metadata.json").read_text()))
        await app.invoke_startup()
        seen = []
        for table in ("attendances", "commitments", "topics_closure", "instrument_mentions"):
            page = await app.client.get(f"/cbcf-data/{table}?_size=20")
            seen.append((page.status_code, table))
            for link in sorted(set(re.findall(r'href="(/cbcf-data/[a-z_]+/[^"?#]+)"', page.text))):
                seen.append(((await app.client.get(link)).status_code, link))
        return seen

    results = asyncio.run(check())
    assert len(results) > 20 and all(status == 200 for status, _ in results), [r for r in results if r[0] != 200]


def test_the_release_descriptor_is_a_v2_data_package_by_the_v2_profile(built):
    import jsonschema
    from external_tools import data_package_v2_profile

    descriptor = json.loads((built / "csv" / "datapackage.json").read_text())
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}"
              for e in jsonschema.Draft7Validator(data_package_v2_profile()).iter_errors(descriptor)]
    assert errors == []
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in descriptor["resources"])
