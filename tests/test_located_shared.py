"""The commitments' valid IDs kept in the set of their keys (`Located.share`) rather than in a
second set: the report is the one a set of their own gives, issue for issue and in order, on
datasets whose commitments hold invalid rows of every kind — bad codes (told a batch at a time),
bad types and IDs (read row by row), duplicate IDs valid and not in every order, rows out of
order, retired IDs used again or named as successors — and whose assessments, commitment topics,
instrument mentions and retired IDs name those commitments."""

from __future__ import annotations

import dataclasses
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from cbcf_data.check import rows, structure
from cbcf_data.check.rules.located import Located
from cbcf_data.check.validate import validate

#: IDs the generated rows take: few, so that they repeat; a commitment of a meeting the dataset
#: lacks (valid, its meeting another than the mentions'); IDs no valid row can have.
POOL = [f"cbcf-2024-c{n}" for n in range(10, 16)] + ["cbcf-2025-c01", "cbcf-2024-X07", "CBCF-2024-c09"]
SUMMARY = "Work together on it."
SOURCE = "cbcf-2024-communique-summary"
#: A commitment row's cells after its ID: valid, or invalid for a code (told a batch at a time),
#: a type, a row rule or a required field.
KINDS = {
    "valid": "{meeting},Work together on it.,commit,both,{source},,,,",
    "code": "{meeting},Work together on it.,comit,both,{source},,,,",
    "type": "{meeting},Work together on it.,commit,both,{source},Both,abc,4,",
    "rule": "{meeting},Work together on it.,commit,both,{source},,3,,",
    "required": "{meeting},,commit,both,{source},,,,",
}


def _commitments(chance: random.Random, records: Path) -> list[str]:
    """Rewrite commitments.csv: the base rows and generated ones, sorted or not."""
    path = records / "commitments.csv"
    header, *base = path.read_text(encoding="utf-8").splitlines()
    made = []
    for _ in range(chance.randint(1, 14)):
        commitment_id = chance.choice(POOL)
        meeting = "cbcf-2025" if commitment_id.startswith("cbcf-2025") else "cbcf-2024"
        kind = chance.choice(["valid", "valid", "code", "code", "type", "rule", "required"])
        source = SOURCE if chance.random() < 0.9 else "naddi-2023-joint-statement"  # not the meeting's
        made.append(f"{commitment_id}," + KINDS[kind].format(meeting=meeting, source=source))
    lines = base + made
    if chance.random() < 0.6:
        lines.sort(key=lambda line: line.split(",", 1)[0])
    elif chance.random() < 0.5:
        chance.shuffle(lines)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return [line.split(",", 1)[0] for line in lines]


def _append(path: Path, lines: list[str], sort: bool = True) -> None:
    header, *kept = path.read_text(encoding="utf-8").splitlines()
    kept += lines
    if sort:
        kept = sorted(set(kept), key=lambda line: line.split(",")[:2])
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")


def make_dataset(seed: int, target: Path) -> Path:
    """A copy of fixtures/_base whose commitments and the tables naming them are generated."""
    chance = random.Random(seed)
    dataset = target / f"d{seed}"
    shutil.copytree(FIXTURES / "_base", dataset)
    records = dataset / "records"
    ids = _commitments(chance, records) + POOL
    _append(records / "commitment_topics.csv",
            [f"{chance.choice(ids)},{chance.choice(['fentanyl', 'firearms-trafficking'])}" for _ in range(chance.randint(0, 6))])
    _append(records / "assessments.csv",
            [f"{chance.choice(ids)},both,{chance.choice(['2024-01-01', '2024-08-01'])},in-progress,{SOURCE},Judged."
             for _ in range(chance.randint(0, 6))], sort=chance.random() < 0.8)
    mentions = records / "instrument_mentions.csv"
    header, *kept = mentions.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(kept):
        cells = line.split(",")
        if chance.random() < 0.7:
            cells[4] = chance.choice(["", *ids])
        kept[index] = ",".join(cells)
    mentions.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    if chance.random() < 0.2:  # a source the meeting's rows cite, not listed
        listed = records / "meeting_sources.csv"
        header, *kept = listed.read_text(encoding="utf-8").splitlines()
        kept.remove(chance.choice(kept))
        listed.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    _append(records / "retired_ids.csv",
            [f"commitments,{chance.choice(ids)},1.0.0,Test.,{chance.choice(['', '', *ids])}"
             for _ in range(chance.randint(0, 4))])
    return dataset


def facts(report: Any) -> dict[str, Any]:
    """Everything a report says, to compare two reports."""
    return {"issues": [dataclasses.asdict(issue) for issue in report.issues], "rows": report.rows,
            "tables": report.tables, "checks": sorted(report.checks), "present": report.present,
            "usable": report.usable, "valid": report.valid, "omitted": report.omitted}


#: (rows a batch holds at most, CSV rows judged by `model.accept`): batches of the default size,
#: judged without Pydantic; small batches judged by Pydantic's compiled validators; no batch at all.
WAYS = [(structure.BATCH, rows.ACCEPTED), (3, 0), (0, 0)]


@pytest.mark.parametrize(("batch", "accepted"), WAYS)
def test_shared_ids_report_what_a_set_of_their_own_reports(tmp_path, monkeypatch, batch, accepted):
    monkeypatch.setattr(structure, "BATCH", batch)
    monkeypatch.setattr(rows, "ACCEPTED", accepted)
    share, shared = Located.share, []

    def spied(self: Located, table: str) -> Any:
        given = share(self, table)
        shared.append((table, given is not None))
        return given

    codes: set[str] = set()
    for seed in range(40):
        dataset = make_dataset(seed, tmp_path)
        monkeypatch.setattr(Located, "share", spied)
        found = validate(dataset)
        assert ("commitments", True) in shared, "the commitments' IDs were not shared"
        shared.clear()
        monkeypatch.setattr(Located, "share", lambda self, table: None)  # the reference: a set of their own
        expected = validate(dataset)
        assert facts(found) == facts(expected), seed
        codes.update((issue.code, issue.table) for issue in found.issues)
    # The corpus meets every rule that looks a commitment up, both ways.
    for wanted in [("assessment-before-meeting", "assessments"), ("mention-commitment-meeting", "instrument_mentions"),
                   ("retired-id-reused", "commitments"), ("retired-successor-missing", "retired_ids"),
                   ("duplicate-key", "commitments"), ("pattern", "commitment_topics"),
                   ("not-in-codelist", "commitments"), ("foreign-key", "assessments"),
                   ("source-not-listed", "commitments")]:
        assert wanted in codes, wanted


def test_the_ids_are_shared_only_before_a_record_is_noted_or_a_handler_made():
    """A handler holds the set it was made with: the keys' set is given out only while the table's
    own is empty and no handler of the table exists, and only for an unplaced table."""
    from types import SimpleNamespace

    from cbcf_data.check.report import Where

    fresh = Located(["commitments", "meetings"], ["meetings"])
    assert fresh.share("meetings") is None and fresh.share("topics") is None
    given = fresh.share("commitments")
    assert given is not None and given[0] is fresh.ids["commitments"] and given[1] is fresh.invalid["commitments"]
    keys, invalid = given
    keys.update({"cbcf-2024-c01", "cbcf-2024-c02", "cbcf-2024-X"})  # as the check keeps every row's key
    invalid.update({"cbcf-2024-c02", "cbcf-2024-X"})  # as it notes the invalid rows' keys
    assert fresh.valid_ids("commitments") is None and fresh.valid_ids("meetings") == {}
    fresh.handler("commitments")(SimpleNamespace(id="cbcf-2024-c02"), Where("c.csv", "commitments", 5))
    assert keys == {"cbcf-2024-c01", "cbcf-2024-c02", "cbcf-2024-X"} and invalid == {"cbcf-2024-X"}
    assert [fresh.has("commitments", key) for key in ("cbcf-2024-c01", "cbcf-2024-c02", "cbcf-2024-X")] == [True, True, False]
    assert fresh.where("commitments", "cbcf-2024-X") is None

    for late in ("handler", "batch_handler", "noted"):
        located = Located(["commitments"], [])
        if late == "noted":
            located.ids["commitments"].add("cbcf-2024-c01")
        else:
            getattr(located, late)("commitments")
        assert located.share("commitments") is None, late
