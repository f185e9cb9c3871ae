"""The sections of the benchmark about one meeting and about changes: import, remove, export and
show of one meeting, and diff (issue 16, items 3 and 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchdata import middle_meeting, one_percent_changed, without_meeting
from measure import Job, Runs, Target, row
from sections import FLOORS, SCALE, Bench

FULL = "cbcf-data validate of the whole dataset"


def bundle_of(b: Bench, full: Path, meeting: str, n: int) -> tuple[Path, int]:
    """The meeting's bundle as `cbcf-data export --format json` gives it, and its number of rows."""
    bundle = b.data.work / f"{n}-{meeting}.json"
    text = b.quiet([b.cli, "export", meeting, "--dataset", str(full), "--format", "json"])
    bundle.write_text(text, encoding="utf-8")
    return bundle, sum(rows_in(part) for part in json.loads(text).values() if isinstance(part, dict | list))


def rows_in(value: object) -> int:
    """Rows a part of a bundle stands for: a record is one, plus those of the lists it holds (a
    commitment's assessments); a list, its items'; an ID in a list (a commitment's topics), one."""
    if isinstance(value, dict):
        return 1 + sum(rows_in(v) for v in value.values() if isinstance(v, list))
    if isinstance(value, list):
        return sum(rows_in(item) for item in value)
    return 1


def editing(b: Bench, n: int) -> None:
    """Item 3: import of one meeting (into a fresh copy of the dataset without it, each run),
    remove, export and show of it, beside a full validation and the bundle's validation."""
    full = b.data.synth(n)
    meeting = middle_meeting(full)
    bundle, rows = bundle_of(b, full, meeting, n)
    base = b.data.derived(f"{n}-without-meeting", full, without_meeting(b.cli, meeting))
    b.warm(n)
    # import reads the dataset's rows as cells when a verdict kept in the user's cache vouches for
    # its files (check/verdict.py): a first `validate` of it keeps one, as on the user's machine.
    b.quiet([b.cli, "validate", str(base)])
    # The same import without a kept verdict (a first import on a fresh machine): its own cache,
    # with frictionless's verdict on the descriptor kept (as above) but no dataset's verdict.
    cold = b.data.work / f"{n}-cache-without-verdicts"
    shutil.rmtree(cold, ignore_errors=True)
    b.quiet(["env", f"CBCF_DATA_CACHE_DIR={cold}", b.cli, "validate", str(b.data.work / f"{n}-descriptor")])
    runs = b.runs({
        "import": Job(prepare=b.writing(base, lambda copy: [b.cli, "import", str(bundle), "--dataset", copy])),
        "cold": Job(prepare=b.writing(base, lambda copy: [
            "env", f"CBCF_DATA_CACHE_DIR={cold}", b.cli, "import", str(bundle), "--dataset", copy])),
        "remove": Job(prepare=b.writing(full, lambda copy: [b.cli, "remove", meeting, "--dataset", copy])),
        "export": Job([b.cli, "export", meeting, "--dataset", str(full), "--format", "json"]),
        "show": Job([b.cli, "show", meeting, "--dataset", str(full)]),
        "validate": Job([b.cli, "validate", str(full)]),
        "bundle": Job([b.cli, "validate", str(bundle), "--dataset", str(base)]),
    })
    at_scale = n >= SCALE
    touched = Target("costs what it touches (no figure in the issue)")
    b.emit(row(f"import one meeting ({rows} rows) into {n:,}", "cbcf-data import BUNDLE.json --dataset COPY",
               runs["import"], FULL, runs["validate"],
               Target("≤ 1.5 s and ≤ 1× a full validation", seconds=1.5, ratio=1) if at_scale else None,
               size=n, meeting=meeting, bundle_rows=rows))
    b.emit(row(f"import into {n:,}, beside the bundle's validation", "(the same runs)", runs["import"],
               "cbcf-data validate BUNDLE.json --dataset DIR-without-it", runs["bundle"], size=n))
    b.emit(row(f"import into {n:,} without a kept verdict (every row checked)",
               "CBCF_DATA_CACHE_DIR=EMPTY cbcf-data import BUNDLE.json --dataset COPY", runs["cold"], FULL,
               runs["validate"], size=n))
    for name, command in (("remove", "cbcf-data remove ID --dataset COPY"),
                          ("export", "cbcf-data export ID --format json --dataset DIR"),
                          ("show", "cbcf-data show ID --dataset DIR")):
        b.emit(row(f"{name} one meeting of {n:,}", command, runs[name], FULL, runs["validate"],
                   touched if at_scale else None, size=n))
    b.emit(row(f"validate one meeting's bundle against {n:,}", "cbcf-data validate BUNDLE.json --dataset DIR",
               runs["bundle"], FULL, runs["validate"], size=n))


def diff(b: Bench, sizes: list[int]) -> None:
    """Item 4: diff of a dataset and its copy with 1% of rows changed, beside a streaming merge
    of the sorted CSVs and a dict compare; then its peak memory across sizes (flat)."""
    seen: dict[int, tuple[Runs, Runs]] = {}
    unchanged: dict[int, Runs] = {}
    for n in sizes:
        old = b.data.synth(n)
        new = b.data.derived(f"{n}-changed", old, one_percent_changed)
        runs = b.runs({"diff": Job([b.cli, "diff", str(old), str(new)]),
                       "merge": Job([b.python, FLOORS, "merge", str(old), str(new)]),
                       "dict": Job([b.python, FLOORS, "dictdiff", str(old), str(new)]),
                       "same": Job([b.cli, "diff", str(old), str(old)])})
        changed = int(b.quiet([b.python, FLOORS, "merge", str(old), str(new)]) or 0)
        b.emit(row(f"diff {n:,} vs 1% changed ({changed:,} rows)", "cbcf-data diff OLD NEW", runs["diff"],
                   "streaming merge of the sorted CSVs (floors.py merge)", runs["merge"],
                   Target("≤ 1.2× floor", ratio=1.2) if n >= SCALE else None, size=n, changed_rows=changed))
        b.emit(row(f"diff {n:,}, beside a dict compare", "(the same runs)", runs["diff"],
                   "both datasets in dicts by key, compared (floors.py dictdiff)", runs["dict"], size=n))
        seen[n] = runs["diff"], runs["merge"]
        unchanged[n] = runs["same"]
    if len(seen) > 1:
        small, large = min(seen), max(seen)
        # Peak memory only: the smallest size's runs stand as the "floor" of the largest's.
        b.emit(row(f"diff peak RSS, {small:,} → {large:,}", "cbcf-data diff OLD NEW",
                   Runs(rss=seen[large][0].rss), f"the same at {small:,}", Runs(rss=seen[small][0].rss),
                   Target("flat in rows: peak RSS ≤ 1.25× the smaller size's (our reading of 'flat')",
                          rss_ratio=1.25), merge_rss_mib=[max(seen[small][1].rss) / 1024, max(seen[large][1].rss) / 1024]))
        # The same with no row changed: what grows with the rows alone (1% changed is 10 times the
        # changes at 10 times the rows, and the changes are held: they are the result).
        b.emit(row(f"diff peak RSS with no row changed, {small:,} → {large:,}", "cbcf-data diff DIR DIR",
                   Runs(rss=unchanged[large].rss), f"the same at {small:,}", Runs(rss=unchanged[small].rss),
                   Target("flat in rows: peak RSS ≤ 1.25× the smaller size's (our reading of 'flat')", rss_ratio=1.25)))
