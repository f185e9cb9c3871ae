"""The README's coverage section is generated from the records and fails `schema --check` when stale."""

from __future__ import annotations

import shutil

from conftest import ROOT, run_cli

import cbcf_data
from cbcf_data.publish import coverage


def test_coverage_lists_every_meeting_and_counts_from_the_records():
    ds = cbcf_data.load()
    block = coverage.coverage_block(ds)
    for meeting_id in ds.meetings:
        assert f"| `{meeting_id}` (" in block
    assert f"{len(ds.meetings)} meetings" in block and f"{len(ds.commitments)} commitments" in block
    unassessed = sum(1 for c in ds.commitments.values() if not ds.related(c, "assessments"))
    if unassessed:
        assert f"{unassessed} of {len(ds.commitments)} commitments have no assessment" in block
    searched = sum(1 for c in ds.commitments.values()
                   if (found := ds.related(c, "assessments")) and all(a.status == "no-evidence" for a in found))
    if searched:
        assert f"For {searched} commitments no public evidence" in block
    assert block in (ROOT / "README.md").read_text()


def test_runs_and_ordinals():
    assert coverage._runs([2005, 2007, 2008, 2009, 2013]) == ["2005", "2007–2009", "2013"]
    assert [coverage.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]


def test_schema_check_fails_when_the_records_change_and_schema_fixes_it(repo_copy):
    shutil.copy2(ROOT / "README.md", repo_copy / "README.md")
    assert run_cli("schema", "--check", "--root", str(repo_copy)).returncode == 0
    path = repo_copy / "records" / "meetings.csv"
    path.write_text(path.read_text().replace(",Ottawa,CA-ON,", ",Gatineau,CA-QC,", 1))
    result = run_cli("schema", "--check", "--root", str(repo_copy))
    assert result.returncode == 1 and "README.md (committed)" in result.stdout and "Gatineau, CA-QC" in result.stdout
    assert run_cli("schema", "--root", str(repo_copy)).returncode == 0
    assert "Gatineau, CA-QC" in (repo_copy / "README.md").read_text()
