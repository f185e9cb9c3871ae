"""A valid contribution keeps the suite green: a generated meeting is imported into a copy of the
dataset, and the data tests (marked `records`) run again on that copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from conftest import ROOT, run_cli

import cbcf_data
from cbcf_data.edit.exporting import export_bundle


def generated_meeting(dataset: Path) -> dict[str, Any]:
    """A new, valid meeting bundle: the latest meeting's bundle moved to the next free year, with
    its own IDs. Shared rows it repeats (people, sources…) are already present, so they are no-ops."""
    ds = cbcf_data.load(dataset)
    latest = max(ds.meetings.values(), key=lambda m: m.start_date)
    year = int(latest.start_date[:4]) + 1
    while f"cbcf-{year}" in ds.meetings:
        year += 1
    document = export_bundle(latest.id, dataset)
    meeting = document["meeting"]
    meeting.update(id=f"cbcf-{year}", start_date=f"{year}{meeting['start_date'][4:]}")
    if meeting.get("end_date"):
        meeting["end_date"] = f"{year}{meeting['end_date'][4:]}"
    if meeting.get("sequence") is not None:
        meeting["sequence"] = max(m.sequence or 0 for m in ds.meetings.values() if m.phase == latest.phase) + 1
    for commitment in document.get("commitments", []):
        commitment["id"] = f"cbcf-{year}" + commitment["id"][len(latest.id):]
        commitment["assessments"] = []  # quotes stay: they are checked against the source's text
    for mention in document.get("instrument_mentions", []):
        mention.pop("commitment_id", None)
    return document


def test_the_generated_meeting_imports_and_the_data_tests_still_pass(tmp_path):
    copy = tmp_path / "dataset"
    copy.mkdir()
    shutil.copy2(ROOT / "datapackage.json", copy / "datapackage.json")
    shutil.copytree(ROOT / "records", copy / "records")
    bundle = tmp_path / "meeting.yaml"
    bundle.write_text(yaml.safe_dump(generated_meeting(copy), allow_unicode=True, sort_keys=False))
    imported = run_cli("import", str(bundle), "--dataset", str(copy))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "meetings: 1 row(s) added" in imported.stdout
    assert run_cli("validate", str(copy)).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "records", str(ROOT / "tests")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CBCF_TEST_DATASET": str(copy)}, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " deselected" in result.stdout
