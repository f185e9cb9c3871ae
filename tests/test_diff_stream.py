"""diff's streaming merge: equal to the in-memory comparison on any pair of tables (sorted or not,
rows added, removed and changed, composite keys, columns added), lazy in its inputs, and the path
actually taken for sorted folders."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbcf_data.errors import UnusableInputError
from cbcf_data.publish import diff as diff_module
from cbcf_data.publish import diffstream
from cbcf_data.publish.diff import diff, diff_in_memory, to_markdown

BASE = FIXTURES / "_base"
CELL = st.text(alphabet="ab,\"\né", max_size=3)
KEY = st.text(alphabet="abc", min_size=0, max_size=2)


def write_dataset(folder: Path, tables: dict[str, tuple[list[str], list[str], list[list[str]]]]) -> Path:
    """A folder with a datapackage.json and one CSV per table: name -> (fields, key, rows)."""
    (folder / "records").mkdir(parents=True)
    resources = []
    for name, (fields, key, rows) in tables.items():
        resources.append({"name": name, "path": f"records/{name}.csv",
                          "schema": {"fields": [{"name": f, "type": "string"} for f in fields], "primaryKey": key}})
        with (folder / "records" / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, lineterminator="\n").writerows([fields, *rows])
    (folder / "datapackage.json").write_text(json.dumps({"name": "t", "resources": resources}), encoding="utf-8")
    return folder


@st.composite
def table_pair(draw: st.DrawFn) -> tuple[tuple[list[str], list[str], list[list[str]]], ...]:
    """One table's two versions: some rows kept, changed, removed and added, each side sorted by
    key or (sometimes) not, keys single or composite, sometimes a column more on the new side."""
    key = ["k"] if draw(st.booleans()) else ["k", "j"]
    fields = [*key, "x", "y"]
    row = st.lists(KEY, min_size=len(key), max_size=len(key)).flatmap(
        lambda k: st.lists(CELL, min_size=2, max_size=2).map(lambda rest: [*k, *rest]))
    old_rows = draw(st.lists(row, max_size=12))
    new_rows = [list(r) for r in old_rows]
    for r in new_rows:
        if draw(st.integers(0, 3)) == 0:
            r[len(key)] = draw(CELL)  # changed
    new_rows = [r for r in new_rows if draw(st.integers(0, 4)) != 0]  # removed
    new_rows += draw(st.lists(row, max_size=4))  # added (or a key twice)
    new_fields = fields
    if draw(st.integers(0, 5)) == 0:
        new_fields = [*fields, "z"]
        new_rows = [[*r, draw(CELL)] for r in new_rows]
    sides = []
    for rows in (old_rows, new_rows):
        order = draw(st.sampled_from(["sorted", "sorted", "sorted", "as drawn"]))
        sides.append(sorted(rows, key=lambda r: r[:len(key)]) if order == "sorted" else rows)
    return (fields, key, sides[0]), (new_fields, key, sides[1])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["t1", "t2", "t3"]), table_pair(), min_size=1, max_size=3),
       st.sets(st.sampled_from(["t1", "t2", "t3"])))
def test_streaming_equals_the_in_memory_comparison(tables, only_old):
    with tempfile.TemporaryDirectory() as temp:
        old = write_dataset(Path(temp) / "old", {n: pair[0] for n, pair in tables.items()})
        new = write_dataset(Path(temp) / "new", {n: pair[1] for n, pair in tables.items() if n not in only_old})
        assert diff(old, new) == diff_in_memory(old, new)
        assert diff(new, old) == diff_in_memory(new, old)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["t1", "t2", "t3"]), table_pair(), min_size=1, max_size=3),
       st.sets(st.sampled_from(["t1", "t2", "t3"])), st.integers(1, 3))
def test_a_summary_prints_as_the_whole_diff_and_holds_only_its_first_rows(tables, only_old, keep):
    """`diff(…, keep=k)` (what `cbcf-data diff` prints in markdown), streamed or compared in
    memory: the same markdown as the whole diff's, each list holding at most k rows, the counts of all."""
    with tempfile.TemporaryDirectory() as temp:
        old = write_dataset(Path(temp) / "old", {n: pair[0] for n, pair in tables.items()})
        new = write_dataset(Path(temp) / "new", {n: pair[1] for n, pair in tables.items() if n not in only_old})
        whole = diff_in_memory(old, new)
        for summary in (diff(old, new, keep=keep), diff_in_memory(old, new, keep)):
            assert to_markdown(summary, keep) == to_markdown(whole, keep)
            assert summary["bump"] == whole["bump"] and summary["tables"].keys() == whole["tables"].keys()
            assert summary["breaking_count"] == len(whole["breaking"])
            each = {table: [item for item in whole["breaking"] if item.startswith(f"{table}: ")] for table in whole["tables"]}
            assert summary["breaking"] == [item for table in sorted(each) for item in each[table][:keep]]
            for table, entry in summary["tables"].items():
                for kind in ("added", "removed", "changed"):
                    assert entry[kind] == whole["tables"][table][kind][:keep]
                    assert entry["counts"][kind] == len(whole["tables"][table][kind])


def test_sorted_folders_are_never_read_into_memory(tmp_path, monkeypatch):
    old = write_dataset(tmp_path / "old", {"t": (["k", "j", "x"], ["k", "j"], [["a", "1", "x"], ["a", "2", "y"], ["b", "1", "z"]])})
    new = write_dataset(tmp_path / "new", {"t": (["k", "j", "x"], ["k", "j"], [["a", "1", "x"], ["a", "2", "Y"], ["c", "1", "w"]])})
    expected = diff_in_memory(old, new)
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: pytest.fail("compared in memory"))
    result = diff(old, new)
    assert result == expected
    table = result["tables"]["t"]
    assert table["changed"] == [{"key": ["a", "2"], "fields": {"x": {"old": "y", "new": "Y"}}}]
    assert table["added"] == [{"k": "c", "j": "1", "x": "w"}] and table["removed"] == [{"k": "b", "j": "1", "x": "z"}]
    assert result["bump"] == "major"


@pytest.mark.parametrize("rows", [[["b", "x"], ["a", "y"]], [["a", "x"], ["a", "y"]]], ids=["unsorted", "key twice"])
def test_a_table_out_of_order_is_compared_in_memory(tmp_path, monkeypatch, rows):
    old = write_dataset(tmp_path / "old", {"t": (["k", "x"], ["k"], [["a", "x"], ["b", "x"]])})
    new = write_dataset(tmp_path / "new", {"t": (["k", "x"], ["k"], rows)})
    fallbacks = []
    in_memory = diff_module.diff_in_memory
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: fallbacks.append(a) or in_memory(*a))
    assert diff(old, new) == in_memory(old, new) and fallbacks == [(old, new, None)]


@pytest.mark.parametrize("side", ["old", "new"])
def test_an_unreadable_row_fails_as_in_memory(tmp_path, side):
    old = write_dataset(tmp_path / "old", {"t": (["k", "x"], ["k"], [["a", "x"], ["b", "x"]])})
    new = write_dataset(tmp_path / "new", {"t": (["k", "x"], ["k"], [["a", "x"], ["b", "x"]])})
    path = (old if side == "old" else new) / "records" / "t.csv"
    path.write_text(path.read_text() + "c,x,extra\n")
    with pytest.raises(UnusableInputError) as in_memory:
        diff_in_memory(old, new)
    with pytest.raises(UnusableInputError) as streamed:
        diff(old, new)
    assert str(streamed.value) == str(in_memory.value) and "line 4" in str(streamed.value)


def test_a_zip_side_streams_too(tmp_path, monkeypatch):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(BASE, old)
    shutil.copytree(BASE, new)
    path = new / "records" / "meetings.csv"
    path.write_text(path.read_text().replace(",Washington,", ",Washington DC,", 1))
    archive = tmp_path / "new.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(new.rglob("*")):
            if file.is_file():
                out.write(file, f"release/csv/{file.relative_to(new).as_posix()}")
    expected = diff_in_memory(old, archive)
    assert expected["tables"]["meetings"]["changed"]
    monkeypatch.setattr(diff_module, "diff_in_memory", lambda *a: pytest.fail("compared in memory"))
    assert diff(old, archive) == expected


def test_the_merge_reads_one_row_ahead_at_most():
    """Each side is asked for its next row only when its last one is not past the other side's:
    a merge that read a side ahead (into a list, say) would fail here."""
    last: dict[str, object] = {}

    def side(name: str, other: str, keys: list[int]):
        for key in keys:
            if name in last:  # asked for a row after its first
                assert other in last and last[name] <= last[other], f"{name} read past {other}"  # type: ignore[operator]
            last[name] = key
            yield key, [str(key)]

    old = side("old", "new", list(range(0, 100, 2)) + [200])
    new = side("new", "old", list(range(1, 100, 2)) + [200])
    added, removed, changed = diffstream.merge(old, new)
    assert [k for k, _ in added] == list(range(1, 100, 2)) and [k for k, _ in removed] == list(range(0, 100, 2))
    assert changed == []


def test_the_merge_keeps_only_what_it_makes_of_a_changed_row():
    """A changed row is made into its report as it is found (only the cells that differ), not kept
    whole on both sides until the table ends; a row whose compared cells are equal is not kept."""
    made = []
    old = iter([(1, ["1", "a", "x"]), (2, ["2", "b", "y"]), (3, ["3", "c", "z"])])
    new = iter([(1, ["1", "A", "x"]), (2, ["2", "b", "Y"]), (3, ["3", "c", "z"])])

    def change(key, before, after):
        made.append(key)
        return None if key == 2 else {"key": key, "cells": [i for i, (x, y) in enumerate(zip(before, after)) if x != y]}

    added, removed, changed = diffstream.merge(old, new, None, change)
    assert made == [1, 2] and changed == [{"key": 1, "cells": [1]}] and added == removed == []
