"""The sections of the benchmark that read a dataset: start-up, validation, the error path,
release and load — each command run beside its floor (issue 16, items 1, 2, 5, 6 and 7).

Targets are attached at the sizes the issue names them for (100k and 1M); at other sizes a row
has figures and no target.
"""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchdata import Data, all_invalid, headers_only, remove_tree, without_manifest
from measure import Job, Prepared, Runs, Target, env, interleaved, row

HERE = Path(__file__).resolve().parent
FLOORS = str(HERE / "floors.py")
#: `cbcf_data.load(DIR)` through the public API, every table's length asked (a lazy load may
#: read a table only when it is first used).
LOAD = """
import json, pathlib, sys
import cbcf_data
ds = cbcf_data.load(sys.argv[1])
names = [r["name"] for r in json.loads(pathlib.Path(sys.argv[1], "datapackage.json").read_text())["resources"]]
print(sum(len(getattr(ds, name)) for name in names))
"""
#: The packaged dataset's load, in-process: import, load(), first record, load() again (seconds).
PACKAGED = """
import time
t0 = time.perf_counter()
import cbcf_data
t1 = time.perf_counter()
ds = cbcf_data.load()
t2 = time.perf_counter()
ds.meetings["cbcf-2024"]
t3 = time.perf_counter()
cbcf_data.load()
t4 = time.perf_counter()
print(t2 - t1, t3 - t2, t4 - t3)
"""
SCALE = 100_000  # the targets are stated at 100k and 1M


@dataclass
class Bench:
    """What every section needs: the commands of the venv measured, the runs, the data, the output."""

    python: str
    cli: str
    repeat: int
    data: Data
    root: Path  # the working folder of every command: a checkout, for the real dataset
    emit: Callable[[dict[str, Any]], None]
    pin: list[str] = field(default_factory=list)  # `taskset -c 0` when there is one
    frictionless: str | None = None  # its command, when it is to be run beside validation
    timeout: float | None = None  # of every run that sets none

    def runs(self, jobs: dict[str, Job], repeat: int | None = None) -> dict[str, Runs]:
        for job in jobs.values():
            job.timeout = job.timeout or self.timeout
        return interleaved(jobs, repeat or self.repeat, self.root)

    def quiet(self, argv: list[str]) -> str:
        """Run a command (not measured) and return its output."""
        return subprocess.run(argv, capture_output=True, text=True, env=env(), cwd=self.root).stdout

    def writing(self, source: Path, make: Callable[[str], list[str]]) -> Callable[[], Prepared]:
        """A job's preparation for a command that writes its dataset: a fresh copy of `source` for
        each run, removed after it (neither is timed)."""
        def prepare() -> Prepared:
            copy = self.data.fresh(source)
            return make(str(copy)), remove_tree(copy.parent)

        return prepare

    def output(self, make: Callable[[str], list[str]]) -> Callable[[], Prepared]:
        """A job's preparation for a command that writes an output folder: a new empty one each run."""
        def prepare() -> Prepared:
            out = self.data.scratch()
            return make(str(out)), remove_tree(out)

        return prepare

    def warm(self, n: int) -> None:
        """Fill frictionless's verdict cache for the n dataset's descriptor, as a first run would."""
        folder = self.data.work / f"{n}-descriptor"
        headers_only(self.data.synth(n), folder)
        self.quiet([self.cli, "validate", str(folder)])


def rows_of(folder: Path) -> int:
    """Data rows of every table, by counting lines (synthetic data has no line break in a cell)."""
    total = 0
    for path in (folder / "records").glob("*.csv"):
        with path.open("rb") as file:
            total -= 1  # the header
            while chunk := file.read(1 << 20):
                total += chunk.count(b"\n")
    return total


def startup(b: Bench) -> None:
    """Item 6: commands on the real dataset (verdict cached) beside the bare interpreter."""
    b.quiet([b.cli, "validate"])  # fills the verdict cache of the real dataset's descriptor
    runs = b.runs({"validate": Job([b.cli, "validate"]), "show": Job([b.cli, "show", "cbcf-2024"]),
                   "help": Job([b.cli, "--help"]), "import": Job([b.python, "-c", "import cbcf_data"]),
                   "pydantic": Job([b.python, "-c", "import pydantic"]), "python": Job([b.python, "-c", "pass"])},
                  max(b.repeat, 9))
    bare = "python -c pass"
    b.emit(row("`cbcf-data validate`, the real dataset (verdict cached)", "cbcf-data validate", runs["validate"],
               bare, runs["python"], Target("≤ 250 ms", seconds=0.25)))
    b.emit(row("`cbcf-data show cbcf-2024`", "cbcf-data show cbcf-2024", runs["show"], bare, runs["python"],
               Target("≤ 120 ms", seconds=0.12)))
    b.emit(row("`cbcf-data --help`", "cbcf-data --help", runs["help"], bare, runs["python"]))
    b.emit(row("cold `import cbcf_data`", 'python -c "import cbcf_data"', runs["import"],
               'python -c "import pydantic"', runs["pydantic"], Target("≤ 1.3× import pydantic", ratio=1.3)))
    b.emit(row("cold `import pydantic`", 'python -c "import pydantic"', runs["pydantic"], bare, runs["python"]))
    packaged(b)


def packaged(b: Bench) -> None:
    """The packaged dataset's `load()` timed inside the process (after import), its first record
    (imports Pydantic, builds the models) and a second `load()`: no floor."""
    found = [[float(x) for x in b.quiet([b.python, "-c", PACKAGED]).split()] for _ in range(max(b.repeat, 9))]
    for i, what in enumerate(("`load()` of the packaged dataset, in-process after import",
                              "first record after `load()`, in-process", "`load()` again in the same process")):
        b.emit(row(what, "python -c (bench/sections.py PACKAGED)", Runs(times=[f[i] for f in found]), "—", None))


def validation(b: Bench, n: int) -> None:
    """Item 7: validation beside the csv.DictReader floor, also both pinned to one core."""
    folder = str(b.data.synth(n))
    b.warm(n)
    jobs = {"cbcf": Job([b.cli, "validate", folder]), "floor": Job([b.python, FLOORS, "read", folder])}
    if b.pin:
        jobs |= {"cbcf1": Job([*b.pin, b.cli, "validate", folder]), "floor1": Job([*b.pin, b.python, FLOORS, "read", folder])}
    if b.frictionless:
        jobs["frictionless"] = Job([b.frictionless, "validate", f"{folder}/datapackage.json"], )
    runs = b.runs(jobs)
    rows = rows_of(Path(folder))
    floor = "csv.DictReader over every table (floors.py read)"
    target = None if n < SCALE else Target("≤ 2× floor" + (", ≤ 300 MiB" if n >= 1_000_000 else ""), ratio=2,
                                           rss_mib=300 if n >= 1_000_000 else None)
    per_s = round(rows / statistics.median(runs["cbcf"].times))
    b.emit(row(f"validate {n:,} ({rows:,} rows)", "cbcf-data validate DIR", runs["cbcf"], floor, runs["floor"],
               target, size=n, rows=rows, rows_per_s=per_s))
    if b.pin:
        b.emit(row(f"validate {n:,}, pinned to one core", f"{' '.join(b.pin)} cbcf-data validate DIR", runs["cbcf1"],
                   "the same floor, pinned", runs["floor1"], target, size=n, rows=rows))
    if b.frictionless:
        b.emit(row(f"frictionless validate {n:,}", "frictionless validate DIR/datapackage.json",
                   runs["frictionless"], "cbcf-data validate DIR", runs["cbcf"],
                   Target("≥ 5× cbcf-data (the validation issue)", min_ratio=5), size=n))


def errors(b: Bench, n: int) -> None:
    """Item 5: the all-invalid dataset, text and JSON report, beside the valid run."""
    valid = b.data.synth(n)
    invalid = str(b.data.derived(f"{n}-invalid", valid, all_invalid))
    b.warm(n)
    runs = b.runs({"valid": Job([b.cli, "validate", str(valid)]),
                   "text": Job([b.cli, "validate", invalid], codes=(1,)),
                   "json": Job([b.cli, "validate", "--format", "json", invalid], codes=(1,))})
    target = None if n < SCALE else Target("≤ 1.5× the valid run", ratio=1.5)
    for name, option in (("text", ""), ("json", " --format json")):
        b.emit(row(f"validate {n:,} all-invalid, {name} report", f"cbcf-data validate{option} INVALID",
                   runs[name], "cbcf-data validate of the valid dataset", runs["valid"], target, size=n))


def release(b: Bench, n: int) -> None:
    """Item 1: release beside SQLite executemany of every table and a zip of the CSVs."""
    folder = b.data.synth(n)
    if (folder / "records" / "releases.json").exists():
        # `release` refuses a version whose content differs from what records/releases.json recorded
        # under it (publish/versioning.py): measured on a copy without the manifest.
        folder = b.data.derived(f"{n}-no-manifest", folder, without_manifest)
    b.warm(n)
    runs = b.runs({"release": Job(prepare=b.output(lambda out: [b.cli, "release", "--out", out, "--dataset", str(folder)])),
                   "floor": Job(prepare=b.output(lambda out: [b.python, FLOORS, "release", str(folder), out])),
                   "checked": Job(prepare=b.output(lambda out: [b.python, FLOORS, "checked", str(folder), out]))})
    # Issue 16 asks at 1M for "≤ 1 GiB and ≤ 1.5× the floor's" peak memory, having measured its floor
    # at 673 MiB: 1.5× that is 1,009.5 MiB, within 15 MiB of the GiB. This floor keeps nothing (it
    # streams rows into SQLite), so its RSS is no bound for a release that validates: memory is judged
    # by the stricter of the two figures, and the ratio to the floor that checks keys is reported
    # beside it (bench/README.md).
    target = (None if n < SCALE else Target("≤ 2× floor", ratio=2) if n < 1_000_000
              else Target("≤ 2× floor; ≤ 1 GiB and ≤ 1.5× the 673 MiB floor the issue measured (1,009 MiB)",
                          ratio=2, rss_mib=1009.5))
    b.emit(row(f"release {n:,}", "cbcf-data release --out OUT --dataset DIR", runs["release"],
               "sqlite3 executemany of every table + zip of the CSVs (floors.py release)", runs["floor"], target, size=n))
    # Context, no target: the same work checking primary and foreign keys on the way, which a release
    # that validates cannot do without (its memory grows with the IDs that foreign keys name).
    b.emit(row(f"release {n:,}, beside a floor that checks keys", "cbcf-data release --out OUT --dataset DIR",
               runs["release"], "the same floor, checking primary and foreign keys (floors.py checked)", runs["checked"],
               None, size=n))


def load(b: Bench, n: int) -> None:
    """Item 2: `cbcf_data.load(DIR)` beside every table read into a dict by primary key."""
    folder = str(b.data.synth(n))
    runs = b.runs({"load": Job([b.python, "-c", LOAD, folder]), "floor": Job([b.python, FLOORS, "load", folder])})
    target = None if n < SCALE else Target("≤ 1.5× floor in time and peak RSS", ratio=1.5, rss_ratio=1.5)
    b.emit(row(f"load(DIR) {n:,}", "cbcf_data.load(DIR), len() of every table", runs["load"],
               "csv.DictReader into a dict by primary key, every table (floors.py load)", runs["floor"], target, size=n))
