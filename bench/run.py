"""Measure import, load, validation and release speed in one run, on one machine.

    .venv/bin/python bench/run.py [--sizes 10000 100000 1000000] [--repeat 5] [--out bench/results/latest.json]

Every figure is the median of several runs of a whole command in a fresh process, the
competitors interleaved so that machine noise hits them alike. Synthetic datasets are written
once under bench/results/data/ by bench/synth.py. Prints one table and writes it as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
FLOOR = """
import csv, pathlib, sys
rows = 0
for path in sorted(pathlib.Path(sys.argv[1], "records").glob("*.csv")):
    with path.open(encoding="utf-8", newline="") as file:
        rows += sum(1 for _ in csv.DictReader(file))
print(rows)
"""
LOAD = """
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


def env() -> dict[str, str]:
    """The environment of measured commands: bytecode cached as after a normal install."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], timeout: float | None = None) -> tuple[float, str]:
    """(wall seconds, stdout) of one run of command; infinity when it timed out."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env(), cwd=ROOT)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return float("inf"), ""
    return time.perf_counter() - start, out.decode()


def rss_of(command: list[str]) -> int:
    """Peak RSS (KiB) of one run of a command, from the kernel's accounting of that child alone."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=ROOT)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss


def runs(commands: dict[str, list[str]], repeat: int, timeout: float | None = None) -> dict[str, list[float]]:
    """Wall times of each command, runs interleaved so that machine noise hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            if times[name] and times[name][-1] == float("inf"):
                continue  # timed out once: do not wait again
            times[name].append(timed(command, timeout)[0])
    return times


def medians(commands: dict[str, list[str]], repeat: int, timeout: float | None = None) -> dict[str, float]:
    """Median wall time of each command, runs interleaved."""
    return {name: statistics.median(values) for name, values in runs(commands, repeat, timeout).items()}


def dataset(n: int) -> Path:
    folder = HERE / "results" / "data" / str(n)
    if not (folder / "datapackage.json").exists():
        if folder.exists():
            shutil.rmtree(folder)
        subprocess.run([sys.executable, str(HERE / "synth.py"), str(n), str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder


def all_invalid(n: int) -> Path:
    """The n-commitment dataset with every commitment's modality a near miss (`comit`): one
    not-in-codelist issue per commitment, the rest of the dataset valid."""
    import csv

    folder = HERE / "results" / "data" / f"{n}-invalid"
    if not (folder / "datapackage.json").exists():
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(dataset(n), folder)
        path = folder / "records" / "commitments.csv"
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
        column = rows[0].index("modality")
        for line in rows[1:]:
            line[column] = "comit"
        with path.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, lineterminator="\n").writerows(rows)
    return folder


def spread(values: list[float]) -> str:
    """min–max of some figures, in ms."""
    return f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frictionless-timeout", type=float, default=1800)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    python, cli, frictionless = str(BIN / "python"), str(BIN / "cbcf-data"), str(BIN / "frictionless")
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "cbcf_data")], check=True, env=env())
    results: dict = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                                 "cpus": os.cpu_count()}, "rows": []}

    def row(what: str, seconds: float, **extra: object) -> None:
        entry = {"what": what, "seconds": round(seconds, 4), **extra}
        results["rows"].append(entry)
        shown = ", ".join(f"{k}={v}" for k, v in extra.items())
        print(f"{what:58} {seconds * 1000:10.1f} ms  {shown}", flush=True)

    # 1. cold import
    imports = medians({"cbcf_data": [python, "-c", "import cbcf_data"], "pydantic": [python, "-c", "import pydantic"],
                       "python": [python, "-c", "pass"]}, max(args.repeat, 9))
    row("cold `import cbcf_data` (whole process)", imports["cbcf_data"],
        ratio_to_pydantic=round(imports["cbcf_data"] / imports["pydantic"], 2))
    row("cold `import pydantic` (whole process)", imports["pydantic"])
    row("cold `python -c pass` (interpreter start)", imports["python"])

    # 2. load() after import
    loads = [[float(x) for x in timed([python, "-c", LOAD])[1].split()] for _ in range(max(args.repeat, 9))]
    row("load() of the packaged dataset, after import", statistics.median(load[0] for load in loads))
    row("first record access (imports Pydantic, builds models)", statistics.median(load[1] for load in loads))
    row("load() again in the same process", statistics.median(load[2] for load in loads))

    # 3. validation at scale
    for n in args.sizes:
        folder = dataset(n)
        rows = int(timed([python, "-c", FLOOR, str(folder)])[1])
        repeat = args.repeat
        commands = {"cbcf": [cli, "validate", str(folder)], "floor": [python, "-c", FLOOR, str(folder)]}
        times = runs(commands, repeat)
        found = {name: statistics.median(values) for name, values in times.items()}
        # Each cbcf run over the floor run next to it: the spread shows how much is machine noise.
        pairs = sorted(a / b for a, b in zip(times["cbcf"], times["floor"]))
        fl = medians({"frictionless": [frictionless, "validate", str(folder / "datapackage.json")]},
                     1 if n >= 100_000 else repeat, args.frictionless_timeout)["frictionless"]
        rss = rss_of([cli, "validate", str(folder)])
        row(f"validate {n:,} commitments ({rows:,} rows): cbcf-data", found["cbcf"],
            rows_per_s=round(rows / found["cbcf"]), ratio_to_floor=round(found["cbcf"] / found["floor"], 2),
            pair_ratios=f"{pairs[0]:.2f}-{pairs[-1]:.2f} (median {statistics.median(pairs):.2f})",
            frictionless_over_cbcf=round(fl / found["cbcf"], 1) if fl != float("inf") else f">{args.frictionless_timeout}s",
            peak_rss_mib=round(rss / 1024))
        row(f"validate {n:,}: csv.DictReader floor", found["floor"], rows_per_s=round(rows / found["floor"]))
        row(f"validate {n:,}: frictionless validate", fl, rows_per_s=round(rows / fl) if fl != float("inf") else 0)
        results.setdefault("validate", {})[n] = {"rows": rows, "cbcf": found["cbcf"], "floor": found["floor"],
                                                 "cbcf_runs": times["cbcf"], "floor_runs": times["floor"],
                                                 "frictionless": fl if fl != float("inf") else None,
                                                 "peak_rss_kib": rss}
    sizes = sorted(results.get("validate", {}))
    for small, large in zip(sizes, sizes[1:]):
        a, b = results["validate"][small], results["validate"][large]
        print(f"scaling {small:,} → {large:,}: time × {b['cbcf'] / a['cbcf']:.1f} for rows × {b['rows'] / a['rows']:.1f}")

    # 3b. the error path: an all-invalid dataset against the valid run beside it
    if 100_000 in args.sizes:
        valid, invalid = str(dataset(100_000)), str(all_invalid(100_000))
        times = runs({"valid": [cli, "validate", valid], "text": [cli, "validate", invalid],
                      "json": [cli, "validate", "--format", "json", invalid]}, args.repeat)
        for name in ("text", "json"):
            pairs = sorted(a / b for a, b in zip(times[name], times["valid"]))
            row(f"validate 100,000 all-invalid ({name} report)", statistics.median(times[name]),
                spread=spread(times[name]), ratio_to_valid=round(statistics.median(pairs), 2),
                pair_ratios=f"{pairs[0]:.2f}-{pairs[-1]:.2f}",
                peak_rss_mib=round(rss_of([cli, "validate", "--format", name, invalid]) / 1024))
        row("validate 100,000 valid (beside the above)", statistics.median(times["valid"]), spread=spread(times["valid"]))

    # 3c. start-up on the real dataset: the verdict cache warm (a first run fills it), beside the interpreter
    subprocess.run([cli, "validate"], stdout=subprocess.DEVNULL, cwd=ROOT, env=env())
    times = runs({"validate": [cli, "validate"], "show": [cli, "show", "cbcf-2024"], "python": [python, "-c", "pass"]}, max(args.repeat, 9))
    for name, what in (("validate", "`cbcf-data validate` of the real dataset (verdict cached)"),
                       ("show", "`cbcf-data show cbcf-2024`"), ("python", "`python -c pass` beside them")):
        row(what, statistics.median(times[name]), spread=spread(times[name]))

    # 4. release
    with tempfile.TemporaryDirectory() as temp:
        packaged = medians({"release": [cli, "release", "--out", temp]}, args.repeat)["release"]
        row("release of the packaged dataset", packaged)
        if 100_000 in args.sizes:
            big = medians({"release": [cli, "release", "--out", temp, "--dataset", str(dataset(100_000))]}, 1)["release"]
            row("release of the 100,000-commitment dataset", big)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
