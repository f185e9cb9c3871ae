"""The limits on what load() and diff hold in memory (io/limits.py, README "Limits"): a dataset
folder loads within validate's bytes and rows and a memory bound; a zip, a JSON document and
diff's in-memory comparison keep the tighter load limits; diff of sorted tables counts only the
rows that differ."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

import cbcf_data
from cbcf_data.dataset import loading
from cbcf_data.errors import UnusableInputError
from cbcf_data.io import limits, readers
from cbcf_data.publish import diff as diff_module
from cbcf_data.publish import diffstream
from cbcf_data.publish.diff import diff

BASE = FIXTURES / "_base"


def rows_of(folder: Path) -> int:
    return sum(len(path.read_text(encoding="utf-8").splitlines()) - 1 for path in (folder / "records").glob("*.csv"))


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    target = tmp_path / "dataset"
    shutil.copytree(BASE, target)
    loading._cache.clear()
    return target


@pytest.fixture
def changed(tmp_path: Path, dataset: Path) -> Path:
    """A copy of the dataset with one row changed."""
    target = tmp_path / "changed"
    shutil.copytree(dataset, target)
    path = target / "records" / "meetings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Washington,", ",Washington DC,", 1), encoding="utf-8")
    return target


def zipped(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                out.write(file, f"release/csv/{file.relative_to(folder).as_posix()}")
    return archive


def test_a_folder_loads_beyond_the_typed_limits_within_its_own(dataset, monkeypatch):
    rows = rows_of(dataset)
    monkeypatch.setattr(limits, "LOAD_ROWS", 10)
    monkeypatch.setattr(limits, "LOAD_BYTES", 100)
    assert len(cbcf_data.load(dataset).people) == 4  # a folder is held as cells, within LOAD_FOLDER_*
    loading._cache.clear()
    monkeypatch.setattr(limits, "LOAD_FOLDER_ROWS", rows - 1)
    with pytest.raises(UnusableInputError, match=f"more than {rows - 1:,} rows together, more than load"):
        cbcf_data.load(dataset)


def test_a_zip_keeps_the_typed_load_limits(dataset, tmp_path, monkeypatch):
    archive = zipped(dataset, tmp_path / "r.zip")
    monkeypatch.setattr(limits, "LOAD_ROWS", 10)
    with pytest.raises(UnusableInputError, match="more than 10 rows"):
        cbcf_data.load(archive)


def run_with_limit(assignment: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """`cbcf-data ARGS` in a child process with one limit of io/limits.py set (`NAME = value`)."""
    program = (f"import sys; from cbcf_data.io import limits; limits.{assignment}; "
               f"from cbcf_data.cli import main; sys.argv = ['cbcf-data', *{args!r}]; main()")
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=120)

def test_the_command_line_refuses_a_folder_over_the_limit_with_exit_2(dataset):
    # The limit patched in a child process: the command exits 2 with the same message, no traceback.
    result = run_with_limit("LOAD_FOLDER_BYTES = 4000", ["show", "cbcf-2024", "--dataset", str(dataset)])
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "more than load() holds in memory" in result.stderr


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="memory is measured on Linux only")
def test_a_folder_load_stops_when_its_memory_grows_past_the_limit(dataset, monkeypatch):
    monkeypatch.setattr(limits, "LOAD_MEMORY", 4 * limits.MiB)
    topics = dataset / "records" / "topics.csv"
    topics.write_text(topics.read_text(encoding="utf-8").splitlines()[0] + "\n" + "".join(
        f"t{i:06d},Label {i},Étiquette {i},,A description {i}.\n" for i in range(200_000)), encoding="utf-8")
    with pytest.raises(UnusableInputError, match="MiB for the rows read so far; it stops at 4 MiB"):
        cbcf_data.load(dataset)
    monkeypatch.setattr(limits, "LOAD_MEMORY", 4 * 1024 * limits.MiB)
    loading._cache.clear()
    assert len(cbcf_data.load(dataset).topics) == 200_000


def test_the_memory_check_runs_every_so_many_rows_and_bytes(monkeypatch, tmp_path):
    checks: list[int | None] = []
    monkeypatch.setattr(readers.Budget, "check_memory", lambda self, line=None: checks.append(line))
    path = tmp_path / "t.csv"
    path.write_text("k\n" + "".join(f"{i}\n" for i in range(25_000)), encoding="utf-8")
    readers.read_table(path, None, readers.Budget("x", 10**9, 10**9, 10**9))
    assert checks == [10_001, 20_001]  # at rows 10,000 and 20,000 (lines after the header)
    checks.clear()
    wide = "x" * 100_000
    path.write_text("k,x\n" + "".join(f"{i},{wide}\n" for i in range(100)), encoding="utf-8")
    readers.read_table(path, None, readers.Budget("x", 10**9, 10**9, 10**9))
    assert len(checks) >= 2 and checks[0] <= 1 + 48  # 4 MiB is 42 rows: checked at row 48, not at 10,000


def test_diff_of_sorted_folders_counts_only_the_rows_that_differ(dataset, changed, monkeypatch):
    expected = diff_module.diff_in_memory(dataset, changed)
    monkeypatch.setattr(limits, "LOAD_ROWS", 10)  # each side has more rows, but streams past them
    monkeypatch.setattr(limits, "LOAD_BYTES", 100)
    monkeypatch.setattr(limits, "DIFF_ROWS", 1)
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: pytest.fail("compared in memory"))
    result = diff(dataset, changed)
    assert result == expected and len(result["tables"]["meetings"]["changed"]) == 1


@pytest.mark.parametrize("limit", ["DIFF_ROWS", "DIFF_CHARS"])
def test_diff_refuses_more_differing_rows_than_it_holds(dataset, changed, monkeypatch, limit):
    monkeypatch.setattr(limits, limit, 0)
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: pytest.fail("compared in memory"))
    with pytest.raises(diffstream.TooManyChanges, match="differ between the two datasets, more than diff holds"):
        diff(dataset, changed)
    assert diff(dataset, dataset)["bump"] == "none"  # nothing held


def test_diff_of_everything_added_counts_every_row(dataset, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    shutil.copytree(dataset, empty)
    for path in (empty / "records").glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: pytest.fail("compared in memory"))
    monkeypatch.setattr(limits, "DIFF_ROWS", rows_of(dataset) - 1)
    with pytest.raises(UnusableInputError, match="more than diff holds"):
        diff(empty, dataset)
    monkeypatch.setattr(limits, "DIFF_ROWS", rows_of(dataset))
    result = diff(empty, dataset)
    assert sum(len(entry["added"]) for entry in result["tables"].values()) == rows_of(dataset)


def test_the_command_line_refuses_too_many_differing_rows_with_exit_2(dataset, changed):
    result = run_with_limit("DIFF_ROWS = 0", ["diff", str(dataset), str(changed), "--format", "json"])
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "more than diff holds" in result.stderr


def test_the_markdown_summary_holds_a_few_rows_and_so_has_no_such_limit(dataset, changed):
    """`cbcf-data diff` in markdown holds SHOWN rows of each kind: past DIFF_ROWS, it prints what
    the whole diff would."""
    result = run_with_limit("DIFF_ROWS = 0", ["diff", str(dataset), str(changed)])
    assert result.returncode == 0, result.stderr
    assert result.stdout == diff_module.to_markdown(diff(dataset, changed))
    assert "| meetings | 0 | 0 | 1 | 0 |" in result.stdout


def test_diff_in_memory_keeps_the_load_limits(dataset, changed, monkeypatch):
    # topics out of order on the new side: compared in memory, each side within LOAD_ROWS.
    path = changed / "records" / "topics.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    assert diff(dataset, changed)["tables"]["meetings"]["changed"]
    monkeypatch.setattr(limits, "LOAD_ROWS", 30)
    with pytest.raises(UnusableInputError, match="more than 30 rows together, more than each side of diff"):
        diff(dataset, changed)


def test_a_zip_side_of_diff_keeps_the_load_bytes(dataset, changed, tmp_path, monkeypatch):
    archive = zipped(changed, tmp_path / "new.zip")
    monkeypatch.setattr(limits, "LOAD_BYTES", 4000)  # its members are held decompressed
    with pytest.raises(UnusableInputError, match="each side of diff|decompresses to more than"):
        diff(dataset, archive)
    monkeypatch.setattr(limits, "LOAD_BYTES", 64 * limits.MiB)
    monkeypatch.setattr(limits, "LOAD_ROWS", 10)  # its rows stream past
    assert diff(dataset, archive)["tables"]["meetings"]["changed"]


def test_the_merge_holds_each_differing_row_before_keeping_it():
    held: list[tuple[list[str], ...]] = []
    old = iter([(1, ["1", "a"]), (2, ["2", "b"]), (4, ["4", "d"])])
    new = iter([(2, ["2", "B"]), (3, ["3", "c"]), (4, ["4", "d"]), (5, ["5", "e"])])
    added, removed, changed = diffstream.merge(old, new, lambda *cells: held.append(cells))
    assert held == [(["1", "a"],), (["2", "b"], ["2", "B"]), (["3", "c"],), (["5", "e"],)]
    assert [k for k, _ in added] == [3, 5] and [k for k, _ in removed] == [1] and [k for k, *_ in changed] == [2]
