"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "records"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BIN = Path(sys.executable).parent


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `cbcf-data` command and capture its output."""
    return subprocess.run(
        [str(BIN / "cbcf-data"), *args], capture_output=True, text=True, cwd=cwd or ROOT, input=input, timeout=300
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch copy of the repository's dataset and generated files (descriptor, records, schema, docs)."""
    target = tmp_path / "repo"
    target.mkdir()
    shutil.copy2(ROOT / "datapackage.json", target / "datapackage.json")
    shutil.copytree(RECORDS, target / "records")
    shutil.copytree(ROOT / "schema", target / "schema")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copy2(ROOT / "CONTRIBUTING.md", target / "CONTRIBUTING.md")
    return target
