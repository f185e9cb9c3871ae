"""Import with a kept verdict (check/verdict.py, check/known.py): the same report as the full check,
on every bundle; a verdict never makes an invalid dataset import; `validate` never reads one."""

from __future__ import annotations

import copy
import csv
import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from test_fixtures import CASES, materialize

from cbcf_data.check import bundle as bundle_check
from cbcf_data.check import rows, verdict
from cbcf_data.check.validate import validate, validate_import
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.importing import import_bundle
from cbcf_data.edit.replacing import remove_meeting
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import limits

MEETING = "cbcf-2023"


def facts(report: Any) -> dict[str, Any]:
    """Everything a report says, to compare two reports."""
    return {"issues": [dataclasses.asdict(issue) for issue in report.issues], "rows": report.rows,
            "tables": report.tables, "checks": sorted(report.checks), "present": report.present,
            "usable": report.usable, "valid": report.valid, "omitted": report.omitted}


def both(bundle: Path, dataset: Path, spy: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the full check's report, import's with a verdict kept by `validate` of the dataset)."""
    full = facts(validate(bundle, dataset=dataset))
    assert not validate(dataset).issues  # the dataset is clean: its verdict is kept
    spy.clear()
    fast = facts(validate_import(bundle, dataset / "datapackage.json"))
    assert spy or not full["tables"], "the verdict was not used"  # (an unreadable bundle stops first)
    return full, fast


BUNDLE_CASES = [name for name in CASES if (FIXTURES / name / "expected.json").read_text().count('"input": "bundle')]


def test_every_bundle_fixture_is_compared():
    assert len(BUNDLE_CASES) >= 9


@pytest.mark.parametrize("name", BUNDLE_CASES)
def test_a_bundle_fixture_reports_the_same_with_a_verdict(name, tmp_path, spy):
    _, source, dataset = materialize(name, tmp_path)
    if not validate(dataset).issues:
        full, fast = both(source, dataset, spy)
        assert fast == full
    else:  # the fixture breaks the dataset too: no verdict, the import checks everything
        assert facts(validate_import(source, dataset / "datapackage.json")) == facts(validate(source, dataset=dataset))


# Bundles made from a meeting of the repository's dataset, each changed to hold other problems.

def _first(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(row for row in rows if all(row.get(k) == v for k, v in match.items()))


def _table(name: str) -> list[dict[str, str]]:
    with (ROOT / "records" / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _other_meeting_commitment() -> str:
    return next(row["id"] for row in _table("commitments") if not row["id"].startswith(MEETING + "-"))


def _topic_with_parent() -> dict[str, str]:
    return next(row for row in _table("topics") if row["parent_id"])


def start_later(b):
    b["meeting"]["start_date"] = "2023-12-31"

def one_delegation(b):
    b["attendances"] = [a for a in b["attendances"] if a["delegation"] == "CA"]

def quotes(b):  # one right and one wrong quote of an archived source of the dataset
    source = next(r for r in _table("sources") if r["archive_path"])
    text = (ROOT / "records" / source["archive_path"]).read_text(encoding="utf-8")
    b["sources"].append(source["id"])
    for commitment, quote in zip(b["commitments"][:2], (text[5:40], text[5:40][::-1]), strict=True):
        commitment.update(source_id=source["id"], quote=quote, quote_start=5, quote_end=40)

def source_not_listed(b):
    listed = set(b["sources"]) | {c["source_id"] for c in b["commitments"]}
    b["commitments"][0]["source_id"] = next(r["id"] for r in _table("sources") if r["id"] not in listed)

def missing_source(b):
    b["commitments"][0]["source_id"] = "naddi-2023-joint-statment"

def cycle_with_the_dataset(b):
    child = _topic_with_parent()
    parent = _first(_table("topics"), id=child["parent_id"])
    b["new_topics"].append({**{k: v or None for k, v in parent.items()}, "parent_id": child["id"]})

def cycle_in_the_bundle(b):
    base = {"label": "A", "label_fr": "A", "description": "A topic."}
    b["new_topics"] += [{**base, "id": "loop-a", "parent_id": "loop-b"}, {**base, "id": "loop-b", "parent_id": "loop-a"}]

def unused_person(b):
    person = {k: v or None for k, v in _table("people")[0].items()}
    b["new_people"] += [{**person, "id": "someone-new"}, {**person, "name": person["name"] + " Jr."}]

def delegation_flipped(b):
    b["attendances"][0]["delegation"] = "CA" if b["attendances"][0]["delegation"] == "US" else "US"

def mention_other_meeting(b):
    b["instrument_mentions"][0]["commitment_id"] = _other_meeting_commitment()

def duplicate_commitment(b):
    b["commitments"].append(copy.deepcopy(b["commitments"][0]))

def meeting_taken(b):
    b["meeting"]["id"] = "cbcf-2022"

def archive_missing(b):
    b["new_sources"].append({**b["new_sources"][0], "id": "not-archived-yet", "archive_path": "sources/not-archived-yet.txt",
                             "sha256": "0" * 64} if b["new_sources"] else {})

def no_sources(b):
    b["sources"] = []

def wrong_types(b):
    b["commitments"][0]["modality"] = "comit"
    b["attendances"][0]["person_id"] = ["a", "list"]


CHANGES: dict[str, Any] = {"as_is": None}
for _change in (start_later, one_delegation, quotes, source_not_listed, missing_source, cycle_with_the_dataset,
                cycle_in_the_bundle, unused_person, delegation_flipped, mention_other_meeting, duplicate_commitment,
                meeting_taken, archive_missing, no_sources, wrong_types):
    CHANGES[_change.__name__] = _change




@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    """The repository's dataset: whole; without MEETING (its IDs free again); without MEETING, its
    IDs retired (importing them again reuses retired IDs)."""
    root = tmp_path_factory.mktemp("bases")
    made = {}
    for name in ("whole", "without", "retired"):
        folder = root / name
        folder.mkdir()
        shutil.copy2(ROOT / "datapackage.json", folder / "datapackage.json")
        shutil.copytree(ROOT / "records", folder / "records")
        if name != "whole":
            kept = (folder / "records" / "retired_ids.csv").read_bytes()
            remove_meeting(MEETING, folder)
            if name == "without":
                (folder / "records" / "retired_ids.csv").write_bytes(kept)
        made[name] = folder
    return made


@pytest.mark.records
@pytest.mark.parametrize("base", ["whole", "without", "retired"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_meeting_reports_the_same_with_a_verdict(bases, base, change, tmp_path, spy):
    import yaml

    document = export_bundle(MEETING, ROOT)
    if CHANGES[change] is not None:
        CHANGES[change](document)
    bundle = tmp_path / "meeting.yaml"
    bundle.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    full, fast = both(bundle, bases[base], spy)
    assert fast == full
    if change != "as_is" or base != "without":
        assert full["issues"] or full["present"]  # each change is seen by some check


# A verdict only ever makes import faster.

def _plant_invalid_row(dataset: Path) -> None:
    people = dataset / "records" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, lines[1])  # the first person twice: duplicate-key
    people.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def clean(tmp_path) -> tuple[Path, Path]:
    """(a copy of the base fixture dataset whose verdict is kept, a valid bundle for it)."""
    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    assert not validate(dataset).issues
    assert verdict.vouched(_digest(dataset))
    return dataset, bundle


def _digest(dataset: Path) -> str | None:
    from cbcf_data.io import package

    descriptor = dataset / "datapackage.json"
    paths = package.resource_paths(package.read_descriptor(descriptor), dataset)
    return verdict.digest(descriptor, paths, dataset / "records")


def _refused_for_the_planted_row(bundle: Path, dataset: Path) -> None:
    with pytest.raises(InvalidDataError) as raised:
        import_bundle(bundle, dataset)
    assert "duplicate-key" in {issue.code for issue in raised.value.report.issues}


def test_a_stale_verdict_is_not_used(clean, spy):
    dataset, bundle = clean
    _plant_invalid_row(dataset)  # the kept verdict names the files as they were
    _refused_for_the_planted_row(bundle, dataset)
    assert not spy


@pytest.mark.parametrize("content", [b"", b"{", b'{"format": "1", "issues": 0}', b"[]", b" " * (limits.VERDICT_BYTES + 1)])
def test_a_malformed_or_oversized_verdict_is_ignored(clean, spy, content):
    dataset, bundle = clean
    _plant_invalid_row(dataset)
    key = _digest(dataset)
    folder = verdict.cache_folder()
    assert key is not None and folder is not None
    (folder / f"{key}.json").write_bytes(content)
    _refused_for_the_planted_row(bundle, dataset)
    assert not spy


def test_an_oversized_verdict_that_holds_the_right_text_is_ignored(clean, spy):
    dataset, bundle = clean
    _plant_invalid_row(dataset)
    key = _digest(dataset)
    assert key is not None
    (verdict.cache_folder() / f"{key}.json").write_bytes(verdict._content(key) + b" " * limits.VERDICT_BYTES)
    _refused_for_the_planted_row(bundle, dataset)


def test_a_verdict_in_the_dataset_folder_is_never_read(clean, spy, monkeypatch, tmp_path):
    """What a pull request can commit (a file in the dataset) is never taken as a verdict."""
    dataset, bundle = clean
    _plant_invalid_row(dataset)
    key = _digest(dataset)
    assert key is not None
    for name in (f"{key}.json", ".cbcf-verdict", ".cbcf-verdict.json", "verdicts/" + f"{key}.json"):
        (dataset / name).parent.mkdir(exist_ok=True)
        (dataset / name).write_bytes(verdict._content(key))
    _refused_for_the_planted_row(bundle, dataset)
    assert not spy


def test_validate_never_reads_a_verdict(clean, monkeypatch):
    dataset, bundle = clean

    def refuse(*args):
        raise AssertionError("validate read a verdict")

    monkeypatch.setattr(verdict, "vouched", refuse)
    monkeypatch.setattr(bundle_check, "vouched", refuse)
    _plant_invalid_row(dataset)
    for report in (validate(dataset), validate(bundle, dataset=dataset)):
        assert "internal-error" not in {issue.code for issue in report.issues}
        assert "duplicate-key" in {issue.code for issue in report.issues}


def test_no_verdict_is_kept_for_a_dataset_with_an_issue(tmp_path):
    _, _, dataset = materialize("orphan-person", tmp_path)  # a warning only: valid, not clean
    report = validate(dataset)
    assert report.valid and report.issues
    assert not verdict.vouched(_digest(dataset))


def test_no_verdict_when_the_cache_is_off_or_cannot_be_written(tmp_path, monkeypatch):
    _, _, dataset = materialize("bundle-valid", tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(blocker))  # its `verdicts` folder cannot be made
    assert not validate(dataset).issues
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", "off")
    assert verdict.cache_folder() is None
    assert not validate(dataset).issues and not verdict.vouched(_digest(dataset))


def test_with_a_verdict_import_types_no_row_of_the_dataset(clean, monkeypatch, spy):
    """Structural: the dataset's rows are read as cells; only the bundle's are typed."""
    dataset, bundle = clean

    def no_dataset_rows(model):
        def refuse(cells):
            raise AssertionError(f"a dataset row of {model.table} was typed")
        return refuse

    monkeypatch.setattr(rows, "row_validator", no_dataset_rows)
    result = import_bundle(bundle, dataset)
    assert spy and result.written
    assert "internal-error" not in {issue.code for issue in result.report.issues}
    # The verdict on the dataset as written is kept: the next import reads it as cells too.
    assert verdict.vouched(_digest(dataset))


@pytest.mark.parametrize("batch", [0, 1000])
def test_without_a_verdict_import_checks_every_row(tmp_path, monkeypatch, spy, batch):
    """Every row of the dataset is judged: by Pydantic's row validator (row by row), or a batch
    at a time by `model.columns` (batches)."""
    from cbcf_data.check import batches, structure

    _, bundle, dataset = materialize("bundle-valid", tmp_path)
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", "off")
    typed: list[str] = []
    original, original_judge = rows.row_validator, batches.columns.judge

    def counting(model):
        validator = original(model)

        def count(cells):
            typed.append(model.table)
            return validator(cells)
        return count

    def counting_judge(table, compiled=False):
        judge = original_judge(table, compiled)

        def count(batch_rows, *known):
            typed.extend([table] * len(batch_rows))
            return judge(batch_rows, *known)
        return count

    monkeypatch.setattr(rows, "row_validator", counting)
    monkeypatch.setattr(batches.columns, "judge", counting_judge)
    monkeypatch.setattr(structure, "BATCH", batch)
    monkeypatch.setattr(rows, "ACCEPTED", 0)  # every row through the validators counted here, none through model.accept
    with open(dataset / "records" / "people.csv", encoding="utf-8", newline="") as file:
        people = len(list(csv.reader(file))) - 1  # the dataset's, before the import adds the bundle's
    import_bundle(bundle, dataset)
    assert not spy and typed.count("people") >= people > 0


def test_the_located_tables_key_is_their_first_column():
    """`known` reads a located table's ID as its first cell."""
    from cbcf_data.check.rules.orphans import REFERENCED
    from cbcf_data.model.codelists import RETIRABLE_TABLE
    from cbcf_data.model.tables import TABLES

    for table in {*RETIRABLE_TABLE, *REFERENCED, "meetings"}:
        assert next(iter(TABLES[table].model_fields)) == "id" and TABLES[table].primary_key == ("id",)


@pytest.mark.records
def test_each_import_keeps_the_verdict_for_the_next(bases, tmp_path, spy):
    """A fresh dataset's first `validate` keeps its verdict; each import keeps the next one."""
    import yaml

    dataset = tmp_path / "dataset"
    shutil.copytree(bases["without"], dataset)
    kept = (dataset / "records" / "retired_ids.csv").read_bytes()
    remove_meeting("cbcf-1997", dataset)
    (dataset / "records" / "retired_ids.csv").write_bytes(kept)
    assert not validate(dataset).issues
    for meeting in (MEETING, "cbcf-1997"):
        document = export_bundle(meeting, ROOT)
        bundle = tmp_path / f"{meeting}.yaml"
        bundle.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        spy.clear()
        result = import_bundle(bundle, dataset)
        assert spy and result.written and not result.report.issues
    assert not validate(dataset).issues


@pytest.mark.records
def test_a_new_sources_archived_text_keeps_the_verdict(bases, tmp_path, spy):
    """Adding the text a bundle's new source archives changes nothing the verdict vouched for."""
    import hashlib

    import yaml

    dataset = tmp_path / "dataset"
    shutil.copytree(bases["without"], dataset)
    assert not validate(dataset).issues
    text = "The text of a new source.\n"
    (dataset / "records" / "sources" / "new-source.txt").write_text(text, encoding="utf-8")
    (dataset / "records" / "sources" / "unlisted.txt").write_text(text, encoding="utf-8")
    document = export_bundle(MEETING, ROOT)
    source = {**_first(_table("sources"), id=document["commitments"][0]["source_id"])}
    source = {k: v or None for k, v in source.items()}
    source.update(id="new-source", archive_path="sources/new-source.txt",
                  sha256=hashlib.sha256(text.encode()).hexdigest())
    document["new_sources"].append(source)
    document["sources"].append("new-source")
    document["commitments"][0].update(source_id="new-source", quote="new source", quote_start=14, quote_end=24)
    bundle = tmp_path / "meeting.yaml"
    bundle.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    full = facts(validate(bundle, dataset=dataset))
    spy.clear()
    fast = facts(validate_import(bundle, dataset / "datapackage.json"))
    assert spy and fast == full
    assert [issue["code"] for issue in full["issues"]] == ["archive-unlisted"]  # unlisted.txt only


def test_no_verdict_is_kept_when_a_file_changes_while_it_is_checked(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))  # no verdict kept by another test
    _, _, dataset = materialize("bundle-valid", tmp_path)
    people = dataset / "records" / "people.csv"

    def touch(table, rows, finished):  # a file written to (here: its time) once it was read
        if finished and table == "assessments":
            status = people.stat()
            os.utime(people, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))

    assert not validate(dataset, progress=touch).issues
    assert not verdict.vouched(_digest(dataset))
    assert not validate(dataset).issues and verdict.vouched(_digest(dataset))  # unchanged: kept
