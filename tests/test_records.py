"""Changes to records/: export → remove → import is byte-identical; failed imports change nothing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cbcf_data
from cbcf_data.check.validate import validate
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.formatting import fmt
from cbcf_data.edit.importing import import_bundle
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import csvfiles, writes
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def remove_meeting(dataset: Path, meeting_id: str) -> None:
    kept, _ = bundles.split_meeting(cbcf_data.load(dataset).to_rows(), meeting_id)
    writes.replace_files(dataset, {dataset / "records" / f"{t}.csv": csvfiles.to_csv_text(TABLES[t], rows)
                                   for t, rows in kept.items()})


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_export_remove_import_is_byte_identical(repo_copy, tmp_path, suffix):
    before = snapshot(repo_copy / "records")
    document = export_bundle("cbcf-2024", repo_copy)
    path = tmp_path / f"bundle{suffix}"
    path.write_text(yaml.safe_dump(document, allow_unicode=True) if suffix == ".yaml" else json.dumps(document))
    remove_meeting(repo_copy, "cbcf-2024")
    after_removal = cbcf_data.load(repo_copy)
    assert "cbcf-2024" not in after_removal.meetings
    assert len(after_removal.meetings) == len(cbcf_data.load().meetings) - 1  # repo_copy is a copy of it
    # Rows only 2024 used went with it; rows other meetings use stayed.
    assert "arif-virani" not in after_removal.people and "merrick-garland" in after_removal.people
    assert "us-fara" not in after_removal.instruments and "hate-crime" not in after_removal.topics
    # roadmap-2021, also used by 2022 and 2023, stays; the archived summary, cited only by 2024's rows, goes with it.
    assert "roadmap-2021" in after_removal.instruments and "cbcf-2024-communique-summary" not in after_removal.sources
    assert [b["id"] for b in document["new_people"]] == ["arif-virani", "dominic-leblanc"]
    result = import_bundle(path, repo_copy)
    assert result.report.valid
    assert snapshot(repo_copy / "records") == before


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), seed=st.integers(0, 1000), pick=st.integers(0, 100))
def test_tables_bundles_tables_is_lossless(tmp_path_factory, n, seed, pick):
    out = tmp_path_factory.mktemp("synth")
    synth.write(n, out, seed)
    before = snapshot(out / "records")
    ds = cbcf_data.load(out)
    meeting_id = sorted(ds.meetings)[pick % len(ds.meetings)]
    path = out.parent / f"{out.name}-bundle.json"
    path.write_text(json.dumps(export_bundle(meeting_id, out)))
    remove_meeting(out, meeting_id)
    assert meeting_id not in cbcf_data.load(out).meetings
    import_bundle(path, out)
    assert snapshot(out / "records") == before


@pytest.fixture
def without_2023(repo_copy, tmp_path) -> tuple[Path, Path]:
    """A copy of the repository's dataset without cbcf-2023, and that meeting's bundle."""
    path = tmp_path / "cbcf-2023.yaml"
    path.write_text(yaml.safe_dump(export_bundle("cbcf-2023", repo_copy), allow_unicode=True))
    remove_meeting(repo_copy, "cbcf-2023")
    return repo_copy, path


def test_bundle_validates_against_its_schema(tmp_path):
    import jsonschema

    document = export_bundle("cbcf-2024")
    schema = json.loads((ROOT / "schema" / "bundle.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def test_injected_failure_mid_import_leaves_records_untouched(without_2023, monkeypatch):
    repo_copy, path = without_2023
    before = snapshot(repo_copy / "records")
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        real_replace(source, target)

    monkeypatch.setattr(writes.os, "replace", failing_replace)
    with pytest.raises(OSError, match="injected"):
        import_bundle(path, repo_copy)
    # The journal was renamed in, then the first table; the second failed and the first was put back.
    assert calls[0].name == ".cbcf-journal.json" and len(calls) >= 4 and calls[3] == calls[1]
    assert snapshot(repo_copy / "records") == before and not (repo_copy / ".cbcf-journal.json").exists()


def test_import_adds_rows_and_the_dataset_stays_valid(without_2023):
    repo_copy, path = without_2023
    result = run_cli("import", str(path), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    commitments = len(yaml.safe_load(path.read_text())["commitments"])
    assert "meetings: 1 row(s) added" in result.stdout and f"commitments: {commitments} row(s) added" in result.stdout
    ds = cbcf_data.load(repo_copy)
    assert ds.meetings["cbcf-2023"].city == "Ottawa" and "us-ca-opioids-action-plan" in ds.instruments
    assert run_cli("validate", str(repo_copy)).returncode == 0
    assert run_cli("fmt", "--check", "--dataset", str(repo_copy)).returncode == 0
    assert run_cli("schema", "--check", "--root", str(repo_copy)).returncode == 0


def test_import_dry_run_writes_nothing(without_2023):
    repo_copy, path = without_2023
    before = snapshot(repo_copy)
    result = run_cli("import", str(path), "--dry-run", "--dataset", str(repo_copy))
    assert result.returncode == 0
    instruments = yaml.safe_load(path.read_text())["new_instruments"]
    assert f"instruments: {len(instruments)} row(s) would be added" in result.stdout
    assert "trilateral-fentanyl-commission," in result.stdout
    assert snapshot(repo_copy) == before


def test_reimporting_an_exported_meeting_is_a_no_op(repo_copy, tmp_path):
    path = tmp_path / "bundle.yaml"
    path.write_text(yaml.safe_dump(export_bundle("cbcf-2024", repo_copy), allow_unicode=True))
    before = snapshot(repo_copy)
    result = run_cli("import", str(path), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "commitments: 8 row(s) already present, identical" in result.stdout
    assert "nothing to do" in result.stdout and "added" not in result.stdout
    assert snapshot(repo_copy) == before
    report = validate(path, dataset=repo_copy)
    assert report.valid and report.present["meetings"] == ["cbcf-2024"]
    assert "already in the dataset, identical" in report.to_text()
    assert report.to_dict()["already_present"]["people"]


def test_import_refuses_a_differing_row_with_an_existing_id_and_shows_the_difference(repo_copy, tmp_path):
    document = export_bundle("cbcf-2024", repo_copy)
    document["meeting"]["city"] = "Boston"
    document["new_people"][0]["name"] = document["new_people"][0]["name"] + " Jr"
    path = tmp_path / "bundle.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    before = snapshot(repo_copy)
    result = run_cli("import", str(path), "--dataset", str(repo_copy))
    assert result.returncode == 1 and "error id-collision (2)" in result.stdout
    assert "meetings already has cbcf-2024 in the dataset, with other values: city: 'Washington' → 'Boston'" in result.stdout
    assert "--replace" in result.stdout and "-2`" not in result.stdout
    assert snapshot(repo_copy) == before
    with pytest.raises(InvalidDataError) as error:
        import_bundle(path, repo_copy)
    assert any("meetings already has cbcf-2024" in issue.message for issue in error.value.report.issues)


def test_fmt_check_reports_and_fmt_fixes(repo_copy):
    path = repo_copy / "records" / "people.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([lines[0], lines[2], lines[1], *lines[3:]]).replace("\n", "\r\n"))
    check = run_cli("fmt", "--check", "--dataset", str(repo_copy))
    assert check.returncode == 1 and "records/people.csv (canonical)" in check.stdout
    assert run_cli("fmt", "--dataset", str(repo_copy)).returncode == 0
    assert path.read_text() == (ROOT / "records" / "people.csv").read_text()
    assert run_cli("fmt", "--check", "--dataset", str(repo_copy)).returncode == 0


def test_fmt_check_is_clean_on_the_repository():
    assert fmt(ROOT, check=True) == []


def test_export_cli_round_trips_through_yaml(tmp_path):
    result = run_cli("export", "cbcf-2024")
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout) == export_bundle("cbcf-2024")
    assert run_cli("export", "cbcf-1900").returncode == 2
