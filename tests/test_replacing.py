"""Correcting and withdrawing a meeting: `import --replace` and `remove`, atomic, with the row diff."""

from __future__ import annotations

import pytest
import yaml
from conftest import run_cli

import cbcf_data
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.replacing import remove_meeting, replace_meeting, row_changes
from cbcf_data.errors import InvalidDataError, UnusableInputError


def snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted((root / "records").rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def latest_meeting(root) -> str:
    return max(cbcf_data.load(root).meetings.values(), key=lambda m: m.start_date).id


def test_remove_takes_the_meeting_and_what_only_it_uses(repo_copy):
    meeting = latest_meeting(repo_copy)
    before = cbcf_data.load(repo_copy)
    dry = remove_meeting(meeting, repo_copy, dry_run=True)
    assert dry.removed["meetings"] == [meeting] and not dry.written
    change = remove_meeting(meeting, repo_copy)
    after = cbcf_data.load(repo_copy)
    assert meeting not in after.meetings and change.removed == dry.removed and list(change.added) == ["retired_ids"]
    own = [c.id for c in before.related(before.meetings[meeting], "commitments")]
    assert change.removed.get("commitments", []) == sorted(own)
    assert not [c for c in after.commitments.values() if c.meeting_id == meeting]
    assert run_cli("validate", str(repo_copy)).returncode == 0  # nothing dangling, no orphan left as error
    gone = {s.archive_path for s in before.sources.values() if s.archive_path} - \
        {s.archive_path for s in after.sources.values() if s.archive_path}
    assert change.archives_left == sorted(gone)
    assert all(f"{path}: no source names it any more" in "\n".join(change.lines()) for path in gone)


def test_remove_cli_dry_run_writes_nothing_and_unknown_meeting_exits_2(repo_copy):
    before = snapshot(repo_copy)
    meeting = latest_meeting(repo_copy)
    result = run_cli("remove", meeting, "--dry-run", "--dataset", str(repo_copy))
    assert result.returncode == 0 and f"meetings: 1 removed ({meeting})" in result.stdout
    assert snapshot(repo_copy) == before
    result = run_cli("remove", "cbcf-1900", "--dataset", str(repo_copy))
    assert result.returncode == 2 and "no meeting 'cbcf-1900'" in result.stderr
    with pytest.raises(UnusableInputError):
        remove_meeting("cbcf-1900", repo_copy)


def test_replace_makes_the_meeting_exactly_the_bundle(repo_copy, tmp_path):
    meeting = latest_meeting(repo_copy)
    document = export_bundle(meeting, repo_copy)
    dropped = document["commitments"].pop()
    document["meeting"]["summary"] = "A corrected summary of the meeting."
    path = tmp_path / "bundle.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    change = replace_meeting(path, repo_copy)
    assert change.changed["meetings"] == [meeting]
    assert dropped["id"] in change.removed["commitments"] and "commitments" not in change.added
    assert change.added["retired_ids"] == [f"commitments/{dropped['id']}"]  # only what went, not what stayed
    ds = cbcf_data.load(repo_copy)
    with pytest.raises(cbcf_data.NotFoundError, match="replaced"):
        ds.commitments[dropped["id"]]
    assert ds.meetings[meeting].summary == "A corrected summary of the meeting." and dropped["id"] not in ds.commitments
    assert run_cli("validate", str(repo_copy)).returncode == 0
    again = run_cli("import", str(path), "--replace", "--dataset", str(repo_copy))
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_replace_of_an_invalid_bundle_changes_nothing(repo_copy, tmp_path):
    meeting = latest_meeting(repo_copy)
    document = export_bundle(meeting, repo_copy)
    document["attendances"][0]["capacity"] = "hostess"
    path = tmp_path / "bundle.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    before = snapshot(repo_copy)
    with pytest.raises(InvalidDataError):
        replace_meeting(path, repo_copy)
    result = run_cli("import", str(path), "--replace", "--dataset", str(repo_copy))
    assert result.returncode == 1 and "not-in-codelist" in result.stdout
    assert snapshot(repo_copy) == before


def test_replace_of_an_unknown_meeting_points_to_import(repo_copy, tmp_path):
    document = export_bundle(latest_meeting(repo_copy), repo_copy)
    document["meeting"]["id"] = "cbcf-1901"
    path = tmp_path / "bundle.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    result = run_cli("import", str(path), "--replace", "--dataset", str(repo_copy))
    assert result.returncode == 2 and "cbcf-data import" in result.stderr


def test_row_changes_compares_cells():
    before = {"people": [{"id": "a", "name": "A", "country": "CA"}, {"id": "b", "name": "B", "country": "US"}]}
    after = {"people": [{"id": "a", "name": "A", "country": "CA"}, {"id": "b", "name": "Bee", "country": "US"},
                        {"id": "c", "name": "C", "country": "US"}]}
    change = row_changes(before, after)
    assert (change.added, change.removed, change.changed) == ({"people": ["c"]}, {}, {"people": ["b"]})
    assert change.lines() == ["people: 1 added (c)", "people: 1 changed (b)"]


def test_export_types_only_the_meetings_rows_and_matches_a_full_typing(repo_copy, monkeypatch):
    from cbcf_data.model import bundle as bundles

    full = cbcf_data.load(repo_copy).to_rows()
    for meeting in list(cbcf_data.load(repo_copy).meetings):
        assert export_bundle(meeting, repo_copy) == bundles.from_rows(meeting, bundles.split_meeting(full, meeting)[1])
    meeting = latest_meeting(repo_copy)
    from cbcf_data.edit import exporting

    typed: list[tuple[str, dict]] = []

    class Counting:  # each table's model, noting the rows it types
        def __init__(self, name):
            self.name, self.model = name, exporting.TABLES[name]

        def model_validate(self, row):
            typed.append((self.name, row))
            return self.model.model_validate(row)

    monkeypatch.setattr(exporting, "TABLES", {name: Counting(name) for name in exporting.TABLES})
    export_bundle(meeting, repo_copy)
    commitments = [row for name, row in typed if name == "commitments"]
    assert commitments and all(row["meeting_id"] == meeting for row in commitments)
    own = bundles.split_meeting(full, meeting)[1]
    assert len(typed) == sum(len(rows) for rows in own.values())  # the meeting's rows, no other


def test_remove_then_import_give_back_the_same_bytes_copying_untouched_lines(repo_copy, tmp_path):
    # A line of another meeting quoted where no canonical writer would: validate accepts it, and
    # neither remove nor import rewrites it (only the rows they change are written).
    meeting = latest_meeting(repo_copy)
    path = repo_copy / "records" / "commitments.csv"
    lines = path.read_text().splitlines(keepends=True)
    other = next(i for i, line in enumerate(lines) if i and f",{meeting}," not in line and '"' not in line)
    cells = lines[other].split(",", 3)
    lines[other] = ",".join([*cells[:2], f'"{cells[2]}"', cells[3]])
    path.write_text("".join(lines))
    assert run_cli("validate", str(repo_copy)).returncode == 0
    before = snapshot(repo_copy)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(yaml.safe_dump(export_bundle(meeting, repo_copy), allow_unicode=True))
    change = remove_meeting(meeting, repo_copy)
    assert change.removed["meetings"] == [meeting]
    assert path.read_text().splitlines(keepends=True)[other] == lines[other]
    retired = repo_copy / "records" / "retired_ids.csv"
    retired.write_bytes(before[retired.relative_to(repo_copy)])  # forget the retirement, to import it again
    result = run_cli("import", str(bundle), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(repo_copy) == before


def test_import_into_an_invalid_dataset_is_refused_and_writes_nothing(repo_copy, tmp_path):
    meeting = latest_meeting(repo_copy)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(yaml.safe_dump(export_bundle(meeting, repo_copy), allow_unicode=True))
    remove_meeting(meeting, repo_copy)
    (repo_copy / "records" / "retired_ids.csv").write_text("table_name,id,retired_in,reason,replaced_by\n")
    path = repo_copy / "records" / "meetings.csv"
    path.write_text(path.read_text().replace(",US-DC,US,", ",US-DC,XX,", 1))  # a row no import touches
    before = snapshot(repo_copy)
    result = run_cli("import", str(bundle), "--dataset", str(repo_copy))
    assert result.returncode == 1 and "not-in-codelist" in result.stdout and "meetings.csv:12" in result.stdout
    assert snapshot(repo_copy) == before
