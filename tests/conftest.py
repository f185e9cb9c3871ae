"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import cbcf_data

# A shell without job control starts a background command (`bash .ci/run &`) with Ctrl-C ignored,
# and every process it starts inherits that: the tests that stop a command with a real SIGINT would
# then see it ignored. Heard again here, so that the processes the tests start hear it too.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Frictionless verdicts are kept in a cache of the test run, never in the user's.
os.environ.setdefault("CBCF_DATA_CACHE_DIR", str(Path(__import__("tempfile").mkdtemp(prefix="cbcf-data-cache-"))))

ROOT = Path(__file__).resolve().parent.parent
#: The dataset the data tests (marked `records`) check: the repository's, or the one named by
#: CBCF_TEST_DATASET (test_contribution.py runs them on a copy with a contributed meeting added).
DATASET = Path(os.environ["CBCF_TEST_DATASET"]) if os.environ.get("CBCF_TEST_DATASET") else ROOT
RECORDS = DATASET / "records"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BIN = Path(sys.executable).parent


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `cbcf-data` command and capture its output."""
    return subprocess.run(
        [str(BIN / "cbcf-data"), *args], capture_output=True, text=True, cwd=cwd or ROOT, input=input, timeout=300
    )


def dataset() -> cbcf_data.Dataset:
    """The dataset under test (see DATASET), loaded once per process."""
    return cbcf_data.load(None if DATASET == ROOT else DATASET)


def dataset_args() -> list[str]:
    """`--dataset DIR` for commands run on the dataset under test, when it is not the repository's."""
    return [] if DATASET == ROOT else ["--dataset", str(DATASET)]


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


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The website of the repository's dataset, built once for the site and browser tests."""
    from cbcf_data.publish.site.build import site_files, write_files

    folder = tmp_path_factory.mktemp("site")
    write_files(site_files(cbcf_data.load()), folder)
    return folder


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables an import's check reads as cells under a verdict (`check.known.known_table`), in order."""
    from cbcf_data.check import bundle as bundle_check
    from cbcf_data.check import known

    calls: list[str] = []
    original = known.known_table

    def counted(run, model, *args):  # type: ignore[no-untyped-def]
        calls.append(model.table)
        return original(run, model, *args)

    monkeypatch.setattr(bundle_check, "known_table", counted)
    return calls
