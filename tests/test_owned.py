"""`edit.owned`: remove streams the tables and holds the meeting's rows, with the same change as
`model.bundle.split_meeting` over every row."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from cbcf_data.dataset import load
from cbcf_data.edit import owned, replacing
from cbcf_data.edit.splicing import split_rows
from cbcf_data.errors import UnusableInputError


def meetings() -> list[str]:
    with (ROOT / "records" / "meetings.csv").open(encoding="utf-8", newline="") as file:
        return [row["id"] for row in csv.DictReader(file)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    root = tmp_path_factory.mktemp("owned")
    shutil.copy2(ROOT / "datapackage.json", root / "datapackage.json")
    shutil.copytree(ROOT / "records", root / "records")
    return root


@pytest.mark.records
@pytest.mark.parametrize("meeting", meetings())
def test_removing_a_meeting_by_streaming_agrees_with_split_meeting(meeting, copies, tmp_path, monkeypatch):
    # The same change and the same files as the split of every row (the previous implementation).
    streamed_copy, whole_copy = tmp_path / "streamed", tmp_path / "whole"
    for copy in (streamed_copy, whole_copy):
        shutil.copytree(copies, copy)
    streamed = replacing.remove_meeting(meeting, streamed_copy)

    def split_of_every_row(descriptor_file, meeting_id):
        before, kept, _ = split_rows(load(descriptor_file), meeting_id)
        return before, kept

    monkeypatch.setattr(replacing, "meeting_rows", split_of_every_row)
    whole = replacing.remove_meeting(meeting, whole_copy)
    assert (streamed.removed, streamed.added, streamed.changed, streamed.archives_left) == \
        (whole.removed, whole.added, whole.changed, whole.archives_left)
    assert streamed.removed["meetings"] == [meeting]
    assert snapshot(streamed_copy) == snapshot(whole_copy)


def test_a_meeting_that_is_not_there_is_named_with_those_that_are(copies):
    with pytest.raises(UnusableInputError, match="meetings are: cbcf-1997"):
        owned.meeting_rows(copies / "datapackage.json", "cbcf-1900")


def test_only_the_meetings_rows_of_the_large_tables_are_held(copies):
    """Structural: of the tables of meetings' rows, `before` holds the meeting's own rows only."""
    before, after = owned.meeting_rows(copies / "datapackage.json", "cbcf-2023")
    assert {row["id"] for row in before["meetings"]} == {"cbcf-2023"}
    assert all(row["meeting_id"] == "cbcf-2023" for row in before["commitments"] + before["attendances"])
    assert all(row["commitment_id"].startswith("cbcf-2023-") for row in before["commitment_topics"])
    assert after["commitments"] == [] and after["meetings"] == []


@pytest.mark.records
@pytest.mark.parametrize("meeting", meetings())
def test_export_by_streaming_agrees_with_the_loaded_dataset(meeting, copies):
    from cbcf_data.edit.exporting import _export_loaded, export_bundle

    assert export_bundle(meeting, copies) == _export_loaded(meeting, copies)


def test_export_of_a_bad_row_names_its_file_and_line(copies, tmp_path):
    from cbcf_data.edit.exporting import export_bundle
    from cbcf_data.errors import InvalidDataError

    broken = tmp_path / "broken"
    shutil.copytree(copies, broken)
    path = broken / "records" / "meetings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("cbcf-2023,reestablished", "cbcf-2023,reestablishd"),
                    encoding="utf-8")
    with pytest.raises(InvalidDataError, match=r"meetings\.csv:\d+: phase"):
        export_bundle("cbcf-2023", broken)
