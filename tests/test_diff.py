"""diff: hand-made pairs of datasets give the expected changes and the smallest version bump."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli

from cbcf_data.publish.diff import diff, to_markdown

BASE = FIXTURES / "_base"


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(BASE, old)
    shutil.copytree(BASE, new)
    return old, new


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def edit_descriptor(folder: Path, change) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text())
    change({r["name"]: r for r in descriptor["resources"]})
    path.write_text(json.dumps(descriptor, indent=2))


def test_identical_datasets_need_no_bump(pair):
    result = diff(*pair)
    assert result["bump"] == "none" and result["tables"] == {}


def test_row_added_is_minor(pair):
    old, new = pair
    edit(new / "records" / "people.csv", "merrick-garland,", "john-doe,John Doe,US,,\nmerrick-garland,")
    result = diff(old, new)
    assert result["bump"] == "minor" and result["breaking"] == []
    assert result["tables"]["people"]["added"] == [
        {"id": "john-doe", "name": "John Doe", "country": "US", "wikidata_id": "", "notes": ""}]


def test_row_removed_is_major_and_flags_the_id(pair):
    old, new = pair
    edit(new / "records" / "meeting_sources.csv", "cbcf-2024,legalnewsline-2024-communique-repost\n", "")
    result = diff(old, new)
    assert result["bump"] == "major"
    assert result["breaking"] == ["meeting_sources: cbcf-2024/legalnewsline-2024-communique-repost disappeared"]


def test_field_changed_is_patch_with_before_and_after(pair):
    old, new = pair
    edit(new / "records" / "meetings.csv", ",Washington,", ",Washington DC,")
    result = diff(old, new)
    assert result["bump"] == "patch"
    assert result["tables"]["meetings"]["changed"] == [
        {"key": ["cbcf-2024"], "fields": {"city": {"old": "Washington", "new": "Washington DC"}}}]
    assert "changed cbcf-2024 `city`: 'Washington' → 'Washington DC'" in to_markdown(result)


def test_optional_column_added_is_minor(pair):
    old, new = pair
    path = new / "records" / "people.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",twitter"] + [line + "," for line in lines[1:]]) + "\n")
    edit_descriptor(new, lambda r: r["people"]["schema"]["fields"].append({"name": "twitter", "type": "string"}))
    result = diff(old, new)
    assert result["bump"] == "minor"
    assert [(c["change"], c["field"], c["level"]) for c in result["tables"]["people"]["schema"]] == [
        ("field-added", "twitter", "minor")]


def test_required_column_added_is_major(pair):
    old, new = pair
    path = new / "records" / "people.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",born"] + [line + ",1950" for line in lines[1:]]) + "\n")
    edit_descriptor(new, lambda r: r["people"]["schema"]["fields"].append(
        {"name": "born", "type": "string", "constraints": {"required": True}}))
    assert diff(old, new)["bump"] == "major"


def test_type_tightened_is_major(pair):
    old, new = pair

    def tighten(resources):
        field = next(f for f in resources["meetings"]["schema"]["fields"] if f["name"] == "summary")
        field["constraints"]["maxLength"] = 2000

    edit_descriptor(new, tighten)
    result = diff(old, new)
    assert result["bump"] == "major"
    assert result["breaking"] == ["meetings: constraint-tightened summary maxLength: 4000 → 2000"]


def test_codelist_narrowed_is_major_and_widened_is_minor(pair):
    old, new = pair

    def narrow(resources):
        field = next(f for f in resources["commitments"]["schema"]["fields"] if f["name"] == "modality")
        field["constraints"]["enum"].remove("welcome")

    edit_descriptor(new, narrow)
    assert diff(old, new)["bump"] == "major"
    assert diff(new, old)["bump"] == "minor"


def test_field_retyped_is_major(pair):
    old, new = pair

    def retype(resources):
        next(f for f in resources["meetings"]["schema"]["fields"] if f["name"] == "sequence")["type"] = "string"

    edit_descriptor(new, retype)
    result = diff(old, new)
    assert result["bump"] == "major" and "type-changed" in result["breaking"][0]


def test_diff_cli_json_and_md(pair):
    old, new = pair
    edit(new / "records" / "meetings.csv", ",Washington,", ",Washington DC,")
    as_json = run_cli("diff", str(old), str(new), "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == diff(old, new)
    as_md = run_cli("diff", str(old), str(new))
    assert "**patch** version bump" in as_md.stdout and "| meetings | 0 | 0 | 1 | 0 |" in as_md.stdout


def test_diff_from_none_counts_every_row():
    import cbcf_data

    result = diff("none", ROOT)
    assert result["bump"] == "minor" and result["breaking"] == []
    assert len(result["tables"]["commitments"]["added"]) == len(cbcf_data.load().commitments)
