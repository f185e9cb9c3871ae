"""The benchmark harness (bench/): its floors compute what they stand for, rows judge targets
from their figures, the report renders a run's JSON, and the modules keep the house's size rules.
No timing is asserted: the figures themselves are bench/'s business."""

from __future__ import annotations

import ast
import csv
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import benchdata  # noqa: E402
import floors  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402

# synth.py is left out: its write() is one long generator, kept as it is so that its output stays
# byte for byte what existing synthetic datasets hold (its own tests are in test_validate.py).
BENCH = sorted(path for path in (ROOT / "bench").glob("*.py") if path.name != "synth.py")


def tiny(folder: Path, rows: dict[str, list[list[str]]]) -> Path:
    """A dataset of two tables: `things` (key id) and `pairs` (key a, b), rows given without header."""
    headers = {"things": ["id", "name"], "pairs": ["a", "b", "note"]}
    keys = {"things": ["id"], "pairs": ["a", "b"]}
    (folder / "records").mkdir(parents=True)
    resources = []
    for name, header in headers.items():
        with (folder / "records" / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, lineterminator="\n").writerows([header, *rows.get(name, [])])
        resources.append({"name": name, "path": f"records/{name}.csv", "schema": {"primaryKey": keys[name]}})
    (folder / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    return folder


OLD = {"things": [["a", "x"], ["b", "y"], ["d", "w"]], "pairs": [["a", "1", ""], ["a", "2", "n"], ["b", "1", ""]]}
NEW = {"things": [["a", "x"], ["b", "Y"], ["c", "z"]], "pairs": [["a", "1", ""], ["b", "1", "m"], ["b", "2", ""]]}


def test_the_diff_floors_agree_on_what_changed(tmp_path):
    old, new = tiny(tmp_path / "old", OLD), tiny(tmp_path / "new", NEW)
    # things: b changed, c added, d removed; pairs: (a,2) removed, (b,1) changed, (b,2) added
    assert floors.merge(old, new) == floors.dictdiff(old, new) == 6
    assert floors.merge(old, old) == floors.dictdiff(new, new) == 0


def test_the_read_load_and_release_floors_see_every_row(tmp_path):
    folder = tiny(tmp_path / "d", OLD)
    assert floors.read(folder) == floors.load(folder) == 6
    assert floors.release(folder, tmp_path / "out") == 6
    with sqlite3.connect(tmp_path / "out" / "floor.sqlite") as db:
        assert db.execute('SELECT name FROM "things" WHERE id = ?', ("b",)).fetchone() == ("y",)
    assert sorted(zipfile.ZipFile(tmp_path / "out" / "floor.zip").namelist()) == ["pairs.csv", "things.csv"]


def test_the_checked_release_floor_writes_what_release_does_and_counts_key_faults(tmp_path, capsys):
    folder = tiny(tmp_path / "d", OLD)
    assert floors.checked(folder, tmp_path / "out") == 6
    assert capsys.readouterr().err == "0 faults\n"
    with sqlite3.connect(tmp_path / "out" / "floor.sqlite") as db:
        assert db.execute("SELECT count(*) FROM pairs").fetchone() == (3,)
    with zipfile.ZipFile(tmp_path / "out" / "floor.zip") as archive:
        assert sorted(archive.namelist()) == ["pairs.csv", "things.csv"]
    faulty = tiny(tmp_path / "f", {"things": [["a", "x"], ["a", "y"]], "pairs": [["b", "1", ""], ["a", "1", ""]]})
    assert floors.checked(faulty, tmp_path / "out2") == 4
    assert capsys.readouterr().err == "2 faults\n"  # a repeated id, a pair out of order
    descriptor = json.loads((faulty / "datapackage.json").read_text())
    descriptor["resources"][1]["schema"]["foreignKeys"] = [{"fields": ["a"], "reference": {"resource": "things",
                                                                                           "fields": ["id"]}}]
    (faulty / "datapackage.json").write_text(json.dumps(descriptor))
    floors.checked(faulty, tmp_path / "out3")
    assert capsys.readouterr().err == "3 faults\n"  # and pair b names no thing


def test_one_percent_changed_keeps_keys_and_order(tmp_path):
    rows = {"things": [[f"t{i:04d}", "x"] for i in range(250)], "pairs": [["a", f"{i:04d}", ""] for i in range(250)]}
    old = tiny(tmp_path / "old", rows)
    new = tiny(tmp_path / "new", rows)
    benchdata.one_percent_changed(new)
    assert floors.merge(old, new) == floors.dictdiff(old, new) == 6  # rows 0, 100 and 200 of each table
    assert floors.load(new) == floors.load(old)


def test_a_row_judges_its_target_from_its_figures():
    mine, floor = measure.Runs([3.0, 2.0, 4.0], [2048, 4096, 1024], [0, 0, 0]), measure.Runs([1.0, 2.0, 1.0], [1024] * 3)
    row = measure.row("x", "cmd", mine, "floor", floor, measure.Target("≤ 2× floor", ratio=2.0))
    assert (row["median"], row["min"], row["max"], row["floor"]["median"]) == (3.0, 2.0, 4.0, 1.0)
    assert row["ratio"] == 3.0 and row["pair_ratios"] == [1.0, 3.0, 4.0]
    assert (row["rss_mib"], row["floor_rss_mib"], row["rss_ratio"]) == (4.0, 1.0, 4.0)
    assert row["met"] is False
    assert measure.row("x", "cmd", mine, "floor", floor, measure.Target("t", ratio=3.0, rss_mib=4))["met"] is True
    assert measure.row("x", "cmd", mine, "floor", floor, measure.Target("words only"))["met"] is None
    failed = measure.Runs([1.0], [1], [1], failed=1)
    assert measure.row("x", "cmd", failed, "floor", floor, measure.Target("t", ratio=9))["met"] is None


def test_runs_take_exit_status_and_peak_memory_of_each_child(tmp_path):
    jobs = {"ok": measure.Job([sys.executable, "-c", "pass"]),
            "bad": measure.Job([sys.executable, "-c", "raise SystemExit(3)"]),
            "big": measure.Job([sys.executable, "-c", "b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096])"])}
    found = measure.interleaved(jobs, 2, tmp_path)
    assert found["ok"].codes == [0, 0] and found["ok"].failed == 0
    assert found["bad"].codes == [3, 3] and found["bad"].failed == 2
    assert min(found["big"].rss) >= 64 * 1024 > max(found["ok"].rss)  # KiB, that child's own


def test_report_renders_a_run_as_markdown(tmp_path):
    rows = [measure.row("release 100,000", "cbcf-data release", measure.Runs([20.0, 30.0, 25.0], [900 * 1024] * 3),
                        "sqlite + zip", measure.Runs([10.0, 10.0, 10.0], [100 * 1024] * 3),
                        measure.Target("≤ 2× floor", ratio=2)),
            measure.row("startup | pipe", "cbcf-data --help", measure.Runs([0.05]), "python -c pass", None)]
    results = {"started": "2026-11-28 12:00 UTC", "command": "bench/run.py --only release",
               "machine": {"cpus": 2, "cpu": "Test CPU", "python": "3.11.7"}, "rows": rows}
    (tmp_path / "latest.json").write_text(json.dumps(results), encoding="utf-8")
    text = subprocess.run([sys.executable, str(ROOT / "bench" / "report.py"), str(tmp_path / "latest.json")],
                          capture_output=True, text=True, check=True).stdout
    assert "2 cores (Test CPU)" in text and "`bench/run.py --only release`" in text
    assert "| release 100,000 | 25.0 (20.0–30.0) s | sqlite + zip | 10.0 (10.0–10.0) s | 2.50× (pairs 2.00–3.00) " \
           "| 900 / 100 MiB | **not met** (≤ 2× floor) |" in text
    assert "startup \\| pipe" in text and "| 50 ms |" in text
    assert report.line(rows[0]).startswith("release 100,000")


def test_run_help_and_plan():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--only" in out and "--sizes" in out and "--data" in out
    args = run.arguments(["--only", "edit", "diff", "--sizes", "10000", "1000"])
    assert [name for name, _ in run.plan(args)] == ["edit", "diff"]
    assert run.mid([10_000, 100_000, 1_000_000]) == 100_000 and run.mid([1000, 10_000]) == 10_000
    with pytest.raises(SystemExit):
        run.arguments(["--only", "nothing"])


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name)
def test_bench_modules_keep_the_size_rules(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno - node.lineno + 1 <= 60, f"{path.name}: {node.name} is over 60 lines"


def test_a_bundles_rows_are_counted_as_the_tables_hold_them():
    import changes

    bundle = {"meeting": {"id": "m"}, "attendances": [{"person_id": "p"}, {"person_id": "q"}],
              "commitments": [{"id": "c1", "topics": ["t1", "t2"], "assessments": [{"party": "both"}]}],
              "new_people": []}
    # meeting 1, attendances 2, commitment 1 with 2 topics and 1 assessment
    assert sum(changes.rows_in(part) for part in bundle.values()) == 7


@pytest.mark.skipif(measure.TIME is None, reason="no GNU time: peak RSS is then this process's child's, an upper bound")
def test_a_small_commands_peak_memory_is_its_own_not_the_harness(tmp_path):
    ballast = bytearray(256 << 20)  # this process now holds 256 MiB more than any small child needs
    ballast[::4096] = b"x" * len(ballast[::4096])
    found = measure.interleaved({"ok": measure.Job([sys.executable, "-c", "pass"])}, 1, tmp_path)
    assert found["ok"].rss[0] < 128 * 1024
    del ballast
