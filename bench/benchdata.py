"""The datasets the benchmark measures: synthetic ones (bench/synth.py), and copies made from them
once (all-invalid, 1% changed, one meeting taken out), and fresh copies for commands that write.

Synthetic datasets are taken from `--data DIR` (DIR/<n>, never written to) when there, else
written once under the work folder (bench/results/data/, ignored by git). Every derived dataset
is written under the work folder, with a stamp of what it was made from: it is made again when
its source changes.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from floors import tables

HERE = Path(__file__).resolve().parent
IGNORED = shutil.ignore_patterns(".cbcf-lock")  # the lock a reading command leaves in a dataset
STAMP = ".bench-made-from"


class Data:
    """Where synthetic datasets come from (`source`, read-only) and where copies go (`work`)."""

    def __init__(self, work: Path, source: Path | None = None) -> None:
        self.work, self.source = work, source
        work.mkdir(parents=True, exist_ok=True)

    def synth(self, n: int) -> Path:
        """The valid synthetic dataset of n commitments."""
        if self.source is not None and (self.source / str(n) / "datapackage.json").is_file():
            return self.source / str(n)
        folder = self.work / str(n)
        if not (folder / "datapackage.json").exists():
            if folder.exists():
                shutil.rmtree(folder)
            print(f"writing the synthetic dataset of {n:,} commitments in {folder}", flush=True)
            subprocess.run([sys.executable, str(HERE / "synth.py"), str(n), str(folder)], check=True,
                           stdout=subprocess.DEVNULL)
        return folder

    def derived(self, name: str, source: Path, change: Callable[[Path], None]) -> Path:
        """A copy of `source` changed by `change`, made once (again when `source` changed)."""
        folder = self.work / name
        stamp = signature(source)
        if (folder / STAMP).is_file() and (folder / STAMP).read_text(encoding="utf-8") == stamp:
            return folder
        if folder.exists():
            shutil.rmtree(folder)
        print(f"making {folder} from {source}", flush=True)
        shutil.copytree(source, folder, ignore=IGNORED)
        change(folder)
        (folder / STAMP).write_text(stamp, encoding="utf-8")
        return folder

    def fresh(self, source: Path) -> Path:
        """A new copy of `source` for one run of a command that writes (removed by the caller)."""
        temp = Path(tempfile.mkdtemp(prefix="run-", dir=self.work))
        shutil.copytree(source, temp / "dataset", ignore=IGNORED)
        return temp / "dataset"

    def scratch(self) -> Path:
        """A new empty folder under the work folder (removed by the caller)."""
        return Path(tempfile.mkdtemp(prefix="out-", dir=self.work))


def signature(folder: Path) -> str:
    """What identifies a dataset's content well enough to know a copy is stale: its path and the
    size and modification time of its descriptor and tables."""
    files = [folder / "datapackage.json", *sorted((folder / "records").glob("*.csv"))]
    return "\n".join([str(folder.resolve()), *(f"{p.name} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in files)])


def remove_tree(path: Path) -> Callable[[], None]:
    """What removes `path` (a run's copy or output) after the run."""
    return lambda: shutil.rmtree(path, ignore_errors=True)


def rewrite(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    """Rewrite one CSV table, its rows changed in place by `change`, in the synthetic (canonical) dialect."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


def all_invalid(folder: Path) -> None:
    """Every commitment's modality a near miss (`comit`): one not-in-codelist issue per
    commitment, the rest of the dataset valid."""
    def change(rows: list[list[str]]) -> None:
        column = rows[0].index("modality")
        for line in rows[1:]:
            line[column] = "comit"

    rewrite(folder / "records" / "commitments.csv", change)


def one_percent_changed(folder: Path) -> None:
    """Every 100th row of each table with a column outside its primary key gets its last such cell
    changed: keys and order stay, 1% of those rows differ. (`diff` reads cells; it does not validate.)"""
    for _, path, key in tables(folder):
        def change(rows: list[list[str]], key: list[str] = key) -> None:
            free = [i for i, name in enumerate(rows[0]) if name not in key]
            for line in rows[1::100] if free else ():
                line[free[-1]] += " (changed)"

        rewrite(path, change)


def middle_meeting(folder: Path) -> str:
    """The ID of the meeting in the middle of meetings.csv: its rows go back into the middle of
    sorted tables, not at an end."""
    with (folder / "records" / "meetings.csv").open(encoding="utf-8", newline="") as file:
        ids = [row[0] for row in csv.reader(file)][1:]
    return ids[len(ids) // 2]


def without_meeting(cli: str, meeting: str) -> Callable[[Path], None]:
    """The change that takes a meeting out by `cbcf-data remove`, then puts back retired_ids.csv
    as it was: the meeting's IDs are then free to import again, as if it had never been there."""
    def change(folder: Path) -> None:
        retired = folder / "records" / "retired_ids.csv"
        kept = retired.read_bytes()
        subprocess.run([cli, "remove", meeting, "--dataset", str(folder)], check=True, stdout=subprocess.DEVNULL)
        retired.write_bytes(kept)

    return change


def without_manifest(folder: Path) -> None:
    """The dataset without records/releases.json: `release` refuses a version whose content
    differs from what the manifest recorded under it, as a synthetic dataset's would."""
    (folder / "records" / "releases.json").unlink(missing_ok=True)


def headers_only(source: Path, folder: Path) -> None:
    """`folder` made a dataset with `source`'s descriptor and every table cut to its header line:
    it validates in no time and fills frictionless's verdict cache (kept by the descriptor's
    hash) before the timed runs, as a first run on the user's machine would."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(source / "datapackage.json", folder / "datapackage.json")
    for _, path, _ in tables(source):
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        with path.open(encoding="utf-8", newline="") as file:
            target.write_text(file.readline(), encoding="utf-8")
