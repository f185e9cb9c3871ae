"""Turn a run's figures (bench/results/latest.json) into text: one line per row while the run
goes, and the markdown table bench/README.md reports, so that its figures come from a run.

    python bench/report.py [bench/results/latest.json]    # prints the markdown
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def unit(seconds: float) -> tuple[float, str]:
    """The scale and unit that read best for a wall time: ms below 10 s, else s."""
    return (1000, "ms") if seconds < 10 else (1, "s")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds == float("inf"):
        return "timed out"
    scale, name = unit(seconds)
    return f"{seconds * scale:.{0 if name == 'ms' else 1}f} {name}"


def spread(figures: dict[str, Any] | None) -> str:
    """'median (min–max) unit' of a summary of runs, in the median's unit."""
    if not figures or figures.get("median") is None:
        return "—"
    if len(figures.get("runs", [])) < 2 or float("inf") in (figures["median"], figures["max"]):
        return duration(figures["median"])
    scale, name = unit(figures["median"])
    digits = 0 if name == "ms" else 1
    low, median, high = (f"{figures[k] * scale:.{digits}f}" for k in ("min", "median", "max"))
    return f"{median} ({low}–{high}) {name}"


def ratio(row: dict[str, Any]) -> str:
    """The ratio of medians, with the range of the pair ratios."""
    if row.get("ratio") is None:
        return "—"
    pairs = row.get("pair_ratios") or []
    shown = f"{row['ratio']:.2f}×"
    return shown + (f" (pairs {pairs[0]:.2f}–{pairs[-1]:.2f})" if len(pairs) > 1 else "")


def memory(row: dict[str, Any]) -> str:
    """Peak RSS of the command and of its floor, MiB."""
    mine = f"{row['rss_mib']:.0f}" if row.get("rss_mib") else "—"
    floor = f"{row['floor_rss_mib']:.0f}" if row.get("floor_rss_mib") else None
    return f"{mine} / {floor} MiB" if floor else (f"{mine} MiB" if row.get("rss_mib") else "—")


def verdict(row: dict[str, Any]) -> str:
    if row.get("failed_runs"):
        return f"FAILED ({row['failed_runs']} run(s) exited {row.get('codes')})"
    if row.get("target") is None:
        return "—"
    return {True: f"met ({row['target']})", False: f"**not met** ({row['target']})", None: row["target"]}[row["met"]]


def line(row: dict[str, Any]) -> str:
    """One row as a line of the run's printed table."""
    figures = {"median": row.get("median"), "min": row.get("min"), "max": row.get("max"), "runs": row.get("runs", [])}
    return (f"{row['what'][:56]:56} {spread(figures):>24} | floor {spread(row.get('floor')):>24} | "
            f"{ratio(row):>23} | RSS {memory(row):>16} | {verdict(row)}")


def markdown(results: dict[str, Any]) -> str:
    """The machine, then one table row per figure: command, floor, ratio, peak RSS, target."""
    machine = results.get("machine", {})
    lines = [f"{results.get('started', '?')}, `{results.get('command', 'bench/run.py')}`, "
             f"{machine.get('cpus', '?')} cores ({machine.get('cpu', '?')}), {machine.get('memory', '?')}, "
             f"{machine.get('platform', '?')}, Python {machine.get('python', '?')}, pydantic {machine.get('pydantic', '?')}; "
             f"cbcf_data at {machine.get('cbcf_data', '?')} ({machine.get('commit', '?')}); "
             f"load average {machine.get('load_before', '?')} before, {machine.get('load_after', '?')} after.", "",
             "| section | what | median (min–max) | floor | floor median (min–max) | ratio (pairs) | peak RSS / floor's | target |",
             "|---|---|---:|---|---:|---:|---:|---|"]
    for row in results.get("rows", []):
        cells = [row.get("section", ""), row["what"], spread(row), row.get("floor_what") or "—", spread(row.get("floor")),
                 ratio(row), memory(row), verdict(row)]
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    print(markdown(json.loads(args.results.read_text(encoding="utf-8"))), end="")


if __name__ == "__main__":
    main()
