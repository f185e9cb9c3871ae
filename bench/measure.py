"""Running commands side by side and turning their runs into rows of figures.

Every run is a whole command in a fresh process. Its wall time is taken around it, and its peak
resident memory from the kernel's accounting of that command alone (ru_maxrss from `os.wait4`,
taken by GNU time — see `run_once` — and counting the descendants it waited for). Commands
measured together run interleaved — one run of each, in turn, `repeat` times — so that noise
from a shared machine hits them alike; each run of a command is also divided by its floor's run
of the same round ("pair ratios").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Prepared = tuple[list[str], Callable[[], None]]
TIME = shutil.which("time", path="/usr/bin:/bin")  # GNU time, for each command's own peak RSS


def env() -> dict[str, str]:
    """The environment of measured commands: bytecode cached as after a normal install."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def nothing() -> None:
    """What is done after a run that leaves nothing behind."""


@dataclass
class Job:
    """One command to measure: a fixed argv, or `prepare`, called before each run (not timed),
    returning the run's argv and what to do after it (not timed either: remove a fresh copy…)."""

    argv: list[str] = field(default_factory=list)
    prepare: Callable[[], Prepared] | None = None
    codes: tuple[int, ...] = (0,)  # the exit statuses of a run that did its work
    timeout: float | None = None

    def ready(self) -> Prepared:
        return self.prepare() if self.prepare is not None else (self.argv, nothing)


@dataclass
class Runs:
    """The runs of one command: wall seconds, peak RSS in KiB and exit status of each."""

    times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    failed: int = 0  # runs whose exit status says the command did not do its work


def run_once(argv: list[str], cwd: Path, timeout: float | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS KiB, exit status) of one run; infinite seconds when it timed out.

    Linux carries a parent's resident size into its child's ru_maxrss across fork and exec, so a
    child of this (Python) process would count at least this process's own peak. The command is
    therefore started by GNU time, a small C program, which reports the ru_maxrss (os.wait4) of
    its own child; without it, the child's ru_maxrss from os.wait4 here, an upper bound.
    """
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as temp:
        note = Path(temp) / "rss"
        wrapped = [TIME, "-f", "%M", "-o", str(note), *argv] if TIME else argv
        fired: list[bool] = []
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env(), cwd=cwd, start_new_session=True)
        timer = threading.Timer(timeout, _kill, (process.pid, fired)) if timeout else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
        process.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        rss = usage.ru_maxrss
        reported = note.read_text(encoding="utf-8").split() if note.is_file() else []
        if reported and reported[-1].isdigit():
            rss = int(reported[-1])
    return (float("inf") if fired else seconds), rss, code


def _kill(pid: int, fired: list[bool]) -> None:
    """Stop a run that took too long: its whole process group (GNU time and the command)."""
    fired.append(True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def interleaved(jobs: dict[str, Job], repeat: int, cwd: Path) -> dict[str, Runs]:
    """Run each job once in turn, `repeat` times; a job that timed out once is not run again."""
    found = {name: Runs() for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            if found[name].times and found[name].times[-1] == float("inf"):
                continue
            argv, after = job.ready()
            try:
                seconds, rss, code = run_once(argv, cwd, job.timeout)
            finally:
                after()
            found[name].times.append(seconds)
            found[name].rss.append(rss)
            found[name].codes.append(code)
            found[name].failed += code not in job.codes
    return found


def summary(values: list[float]) -> dict[str, Any]:
    """Median, min and max of some wall times (seconds), with every run (None when there is none)."""
    if not values:
        return {"median": None, "min": None, "max": None, "runs": []}
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4), "runs": [round(v, 4) for v in values]}


@dataclass(frozen=True)
class Target:
    """What issue 16 asks of a row, in words, and the bounds that decide whether it is met."""

    text: str
    ratio: float | None = None  # median time over the floor's median, at most
    min_ratio: float | None = None  # … at least (for a competitor measured against cbcf-data)
    seconds: float | None = None  # median wall time, at most
    rss_mib: float | None = None  # peak RSS, at most
    rss_ratio: float | None = None  # peak RSS over the floor's, at most

    def met(self, row: dict[str, Any]) -> bool | None:
        """Whether the row meets every bound (None when there is none to judge)."""
        checks = [(self.ratio, row["ratio"], True), (self.min_ratio, row["ratio"], False),
                  (self.seconds, row["median"], True), (self.rss_mib, row["rss_mib"], True),
                  (self.rss_ratio, row["rss_ratio"], True)]
        judged = [(value <= bound) if at_most else (value >= bound)
                  for bound, value, at_most in checks if bound is not None and value is not None]
        return all(judged) if judged else None


def row(what: str, command: str, runs: Runs, floor_what: str, floor: Runs | None,
        target: Target | None = None, **extra: Any) -> dict[str, Any]:
    """One row of figures: a command's runs beside its floor's, the ratios, peak RSS and the target."""
    mine = summary(runs.times)
    entry: dict[str, Any] = {"what": what, "command": command, **mine, "rss_mib": mib(max(runs.rss, default=0)),
                             "codes": sorted(set(runs.codes)), "floor_what": floor_what}
    entry["ratio"] = entry["pair_ratios"] = entry["rss_ratio"] = entry["floor"] = entry["floor_rss_mib"] = None
    if floor is not None:
        entry["floor"] = summary(floor.times)
        entry["floor_rss_mib"] = mib(max(floor.rss, default=0))
        entry["ratio"] = _ratio(mine["median"], entry["floor"]["median"])
        entry["pair_ratios"] = sorted(round(a / b, 3) for a, b in zip(runs.times, floor.times) if b > 0)
        entry["rss_ratio"] = _ratio(entry["rss_mib"], entry["floor_rss_mib"])
    entry["target"] = target.text if target is not None else None
    entry["failed_runs"] = runs.failed + (floor.failed if floor is not None else 0)
    entry["met"] = target.met(entry) if target is not None and not entry["failed_runs"] else None
    entry.update(extra)
    return entry


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b and a != float("inf") and b != float("inf") else None


def mib(kib: int) -> float:
    return round(kib / 1024, 1)
