"""Measure every row of issue 16 beside its floor, in one run, on one machine.

    .venv/bin/python bench/run.py [--only SECTION ...] [--sizes 10000 100000 1000000] [--repeat 3]
                                  [--data DIR] [--out bench/results/latest.json] [--merge]

The commands measured are those of the venv of the python running this script (its
`cbcf-data` and `python`): run it with another checkout's venv to measure that checkout. Every
figure is a whole command in a fresh process, run interleaved with its floor `--repeat` times;
a row is its median (min–max), the floor's, the ratio of medians and of each pair of runs, peak
RSS of both (os.wait4) and the issue's target. Prints one line per row; writes them as JSON
(after each section, so a partial run keeps what it measured). `bench/report.py` makes the
markdown table of bench/README.md from that JSON. bench/README.md describes every section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import changes
import sections
from benchdata import Data
from measure import env
from report import line

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SECTIONS = ("startup", "validate", "errors", "release", "load", "edit", "diff")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), metavar="SECTION",
                        help=f"sections to run (default: all): {', '.join(SECTIONS)}")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                        help="commitments of the synthetic datasets (default: 10000 100000 1000000; leave out "
                             "1000000 to skip the 1M rows). validate, release, load and diff run at every size; "
                             "errors and edit at 100000 when given, else the largest size under 1M")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default 3; start-up: at least 9)")
    parser.add_argument("--data", type=Path, help="take the synthetic datasets from DIR/<size> when there (read only: "
                                                  "commands that write get a copy)")
    parser.add_argument("--work", type=Path, default=HERE / "results" / "data",
                        help="where synthetic datasets, derived copies and each run's copies go")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is stopped (default 3600)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--merge", action="store_true", help="keep the rows of sections not run from --out")
    parser.add_argument("--no-pin", action="store_true", help="do not measure validation pinned to one core")
    parser.add_argument("--frictionless", action="store_true", help="also run frictionless validate beside validation")
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    return args


def first_line(argv: list[str], cwd: Path = Path("/")) -> str:
    """The first line a command prints (run outside any checkout: `python -c` imports from its
    working folder first)."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, env=env(), cwd=cwd, timeout=60).stdout
    except OSError:
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def machine(python: str) -> dict[str, Any]:
    """What a figure depends on: the machine, its load, and the code measured."""
    package = Path(first_line([python, "-c", "import cbcf_data, os; print(os.path.dirname(cbcf_data.__file__))"]))
    cpu = memory = "?"
    if Path("/proc/cpuinfo").is_file():
        cpu = next((x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines()
                    if x.startswith("model name")), "?")
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 ** 2:.0f} GiB"
    commit = first_line(["git", "-C", str(package.parent), "describe", "--always", "--dirty", "--abbrev=12"])
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(), "cpu": cpu,
            "memory": memory, "pydantic": first_line([python, "-c", "import pydantic; print(pydantic.VERSION)"]),
            "cbcf_data": str(package), "commit": commit, "load_before": round(os.getloadavg()[0], 2)}


def mid(sizes: list[int]) -> int:
    """The size of the sections the issue states at 100k only."""
    below = [n for n in sizes if n < 1_000_000]
    return 100_000 if 100_000 in sizes else max(below) if below else min(sizes)


def plan(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """(section, what runs it) in the order of the run; each size ascending within a section."""
    sizes = sorted(args.sizes)
    steps: list[tuple[str, Any]] = [("startup", sections.startup)]
    steps += [("validate", lambda b, n=n: sections.validation(b, n)) for n in sizes]
    steps += [("errors", lambda b: sections.errors(b, mid(sizes)))]
    steps += [("edit", lambda b: changes.editing(b, mid(sizes)))]
    steps += [("diff", lambda b: changes.diff(b, sizes))]
    steps += [("load", lambda b, n=n: sections.load(b, n)) for n in sizes]
    steps += [("release", lambda b, n=n: sections.release(b, n)) for n in sizes]
    return [(name, step) for name, step in steps if name in args.only]


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    python, cli = str(BIN / "python"), str(BIN / "cbcf-data")
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                               "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
                               "machine": machine(python), "rows": []}
    kept = []
    if args.merge and args.out.is_file():
        kept = [r for r in json.loads(args.out.read_text(encoding="utf-8"))["rows"] if r.get("section") not in args.only]
    package = results["machine"]["cbcf_data"]
    # Commands run in the measured package's checkout: `python -c` imports from its working folder
    # first, and `cbcf-data validate` with no argument finds the checkout's real dataset there.
    root = Path(package).parent
    subprocess.run([python, "-m", "compileall", "-q", package], check=False, env=env(), stdout=subprocess.DEVNULL)
    print(f"measuring {package} ({results['machine']['commit']}) with {python}", flush=True)
    current = {"section": ""}

    def emit(row: dict[str, Any]) -> None:
        results["rows"].append({"section": current["section"], "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                "commit": results["machine"]["commit"], **row})
        print(line(row), flush=True)

    pin = ["taskset", "-c", "0"] if shutil.which("taskset") and not args.no_pin else []
    bench = sections.Bench(python, cli, args.repeat, Data(args.work, args.data), root, emit, pin,
                           str(BIN / "frictionless") if args.frictionless else None, args.timeout)
    for current["section"], step in plan(args):
        step(bench)
        write(args.out, results, kept)
    results["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    write(args.out, results, kept)
    print(f"wrote {args.out}")


def write(out: Path, results: dict[str, Any], kept: list[dict[str, Any]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    whole = {**results, "rows": kept + results["rows"]}
    out.write_text(json.dumps(whole, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
