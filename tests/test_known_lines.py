"""Import under a kept verdict reads a table without quotes as lines split at commas
(`check.known._rows`), and hands the text it read to the splice: the same cells as the csv module,
the same state left in the run and the same report as when the csv module reads every table; and
on a synthetic dataset (no quote anywhere: every table read as lines) the same report as the full
check, including the row the bundle shares with the dataset."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_fixtures import materialize
from test_known import both, facts

from cbcf_data.check import bundle as bundle_check
from cbcf_data.check import known
from cbcf_data.check.state import Run
from cbcf_data.check.validate import validate, validate_import
from cbcf_data.edit import importing
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.importing import import_bundle
from cbcf_data.edit.replacing import remove_meeting
from cbcf_data.errors import InvalidDataError

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

TEXTS = {
    "plain": "a,b\n1,2\n3,4\n",
    "no final LF": "a,b\n1,2\n3,4",
    "header only": "a,b\n",
    "empty": "",
    "empty cells": "a,b,c\n,,\n1,,\n",
    "unicode": "a,b\nété,😀\n",
    "a quote": 'a,b\n1,"2,3"\n',
    "a quote inside a cell": 'a,b\n1,2"3\n',
    "a CR": "a,b\r\n1,2\r\n",
    "a lone CR": "a,b\n1,2\r3\n",
    "a blank line": "a,b\n1,2\n\n3,4\n",
    "a blank line at the end": "a,b\n1,2\n\n",
    "a NUL": "a,b\n1,\x002\n",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_lines_are_the_csv_modules_rows_or_left_to_it(name, tmp_path):
    text = TEXTS[name]
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode("utf-8"))
    run, order = Run(), known.Order()
    run.root = tmp_path
    rows = known._rows(run, "table", path, order)
    assert order.texts == {"table": text}  # the text read, for the splice
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    if rows is not None:
        assert [row.split(",") for row in rows] == expected
    else:
        assert any(c in text for c in '"\r\0') or [] in expected  # only what lines cannot tell


def test_a_table_past_the_splices_bound_is_not_read_whole(tmp_path, monkeypatch):
    """Such a table is left to the csv module, which streams it (a second reader measured 54 MiB
    held for an 18 MiB table read whole); nothing is kept for the splice, which refuses it as before."""
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.setattr(known.limits, "LOAD_BYTES", 4)
    run, order = Run(), known.Order()
    run.root = tmp_path
    assert known._rows(run, "table", path, order) is None
    assert order.texts == {}


def _state(run: Any) -> dict[str, Any]:
    """What a run holds for the bundle's rows to meet: keys, cells, and every rule's state."""
    groups = {type(group).__name__: {name: value for name, value in vars(group).items() if not callable(value)}
              for group in run.rules.groups}
    located = {name: value for name, value in vars(run.rules.located).items() if not callable(value)}
    return {"keys": run.keys, "existing": run.existing, "rows": run.report.rows,
            "groups": re.sub(" at 0x[0-9a-f]+", "", repr(groups)), "located": repr(located)}


def _known_runs(bundle: Path, dataset: Path, monkeypatch, lines: bool) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(the report, the run's state, the order) of an import's check under a verdict, every table
    read as lines where it can be (`lines`) or by the csv module."""
    runs: list[Any] = []
    original = known.known_table

    def spied(run, model, *args):
        runs.append(run)
        return original(run, model, *args)

    monkeypatch.setattr(bundle_check, "known_table", spied)
    reading = known._rows
    monkeypatch.setattr(known, "_rows", lambda *args: rows if (rows := reading(*args)) is not None and lines else None)
    order = known.Order()
    report = facts(validate_import(bundle, dataset / "datapackage.json", order))
    assert runs, "the verdict was not used"
    monkeypatch.undo()
    return report, _state(runs[0]), (dict(order), order.texts)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """(a synthetic dataset without its middle meeting, that meeting's bundle): no quote anywhere."""
    import json

    root = tmp_path_factory.mktemp("synthetic")
    synth.write(60, root / "whole", seed=5)
    meetings = [row[0] for row in csv.reader((root / "whole" / "records" / "meetings.csv").open(newline=""))][1:]
    meeting = meetings[len(meetings) // 2]
    bundle = root / "meeting.json"
    bundle.write_text(json.dumps(export_bundle(meeting, root / "whole")), encoding="utf-8")
    shutil.copytree(root / "whole", root / "without")
    kept = (root / "without" / "records" / "retired_ids.csv").read_bytes()
    remove_meeting(meeting, root / "without")
    (root / "without" / "records" / "retired_ids.csv").write_bytes(kept)
    assert not any('"' in path.read_text() for path in (root / "without" / "records").glob("*.csv"))
    return root / "without", bundle


def test_a_synthetic_import_reports_the_same_with_a_verdict(synthetic, spy, tmp_path):
    without, bundle = synthetic
    dataset = tmp_path / "dataset"
    shutil.copytree(without, dataset)
    full, fast = both(bundle, dataset, spy)
    assert fast == full and full["valid"]
    # the dataset holds one of the bundle's rows already, with other values: the full check's issues
    whole = bundle.parent / "whole"
    for case in (whole, dataset):
        assert not validate(case).issues
        full, fast = both(bundle, case, spy)
        assert fast == full


@pytest.mark.parametrize("source", ["synthetic", "fixture"])
def test_lines_leave_the_state_the_csv_module_leaves(source, synthetic, tmp_path, monkeypatch):
    if source == "synthetic":
        dataset, bundle = tmp_path / "dataset", synthetic[1]
        shutil.copytree(synthetic[0], dataset)
    else:  # the fixture's commitments hold quotes: read by the csv module both times
        _, bundle, dataset = materialize("bundle-valid", tmp_path)
    assert not validate(dataset).issues  # its verdict is kept
    by_lines = _known_runs(bundle, dataset, monkeypatch, lines=True)
    by_csv = _known_runs(bundle, dataset, monkeypatch, lines=False)
    assert by_lines == by_csv
    assert by_lines[2][0] and by_lines[2][1]  # keys and texts handed to the splice


def test_the_splice_writes_from_the_text_the_check_read(synthetic, tmp_path, monkeypatch):
    dataset = tmp_path / "dataset"
    shutil.copytree(synthetic[0], dataset)
    assert not validate(dataset).issues
    read: list[str] = []
    splice = importing.splice_file

    def spied(model, path, root, remove, add, keys=None, text=None):
        read.append(model.table)
        assert text is not None and keys is not None  # neither read again
        return splice(model, path, root, remove, add, keys, text)

    monkeypatch.setattr(importing, "splice_file", spied)
    result = import_bundle(synthetic[1], dataset)
    assert sorted(read) == sorted(result.added) and result.written
    monkeypatch.undo()
    assert not validate(dataset).issues
    whole = synthetic[1].parent / "whole" / "records"
    for path in (dataset / "records").glob("*.csv"):
        if path.name != "retired_ids.csv":
            assert path.read_bytes() == (whole / path.name).read_bytes(), path.name


def test_a_table_changed_after_the_verdict_is_checked_in_full(synthetic, tmp_path, spy):
    dataset = tmp_path / "dataset"
    shutil.copytree(synthetic[0], dataset)
    assert not validate(dataset).issues
    commitments = dataset / "records" / "commitments.csv"
    lines = commitments.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, lines[1])  # a duplicate key, in a table read as lines under a verdict
    commitments.write_text("".join(lines), encoding="utf-8")
    spy.clear()
    with pytest.raises(InvalidDataError) as raised:
        import_bundle(synthetic[1], dataset)
    assert "duplicate-key" in {issue.code for issue in raised.value.report.issues}
    assert not spy  # no verdict names these files: every row checked


def _fresh_digest(dataset: Path) -> str | None:
    from cbcf_data.check import verdict
    from cbcf_data.io import package

    descriptor = dataset / "datapackage.json"
    paths = package.resource_paths(package.read_descriptor(descriptor), dataset)
    verdict._HASHED.clear()
    return verdict.digest(descriptor, paths, dataset / "records")


def test_the_verdict_an_import_keeps_names_the_files_as_written(synthetic, tmp_path):
    from cbcf_data.check import verdict

    dataset = tmp_path / "dataset"
    shutil.copytree(synthetic[0], dataset)
    assert not validate(dataset).issues
    import_bundle(synthetic[1], dataset)  # the written files hashed from memory, the others reused
    assert verdict.vouched(_fresh_digest(dataset))  # every file read again: the same name


def test_a_file_changed_after_the_check_is_not_vouched_for(synthetic, tmp_path, monkeypatch, spy):
    """A table the import does not write, changed by another program between the check and the
    verdict kept after the write: the verdict names the file as the check read it, so the next
    import does not take it as vouched for."""
    from cbcf_data.check import verdict
    from cbcf_data.io import writes

    dataset = tmp_path / "dataset"
    shutil.copytree(synthetic[0], dataset)
    assert not validate(dataset).issues
    people = dataset / "records" / "people.csv"
    replace = writes.replace_files

    def and_another_change(root, files):
        written = replace(root, files)
        assert people not in files
        lines = people.read_text(encoding="utf-8").splitlines(keepends=True)
        people.write_text("".join([*lines, lines[1]]), encoding="utf-8")  # a duplicate key
        return written

    monkeypatch.setattr(writes, "replace_files", and_another_change)
    import_bundle(synthetic[1], dataset)
    monkeypatch.undo()
    assert not verdict.vouched(_fresh_digest(dataset))
    spy.clear()
    report = validate_import(synthetic[1], dataset / "datapackage.json")
    assert "duplicate-key" in {issue.code for issue in report.issues}
    assert not spy  # checked in full
