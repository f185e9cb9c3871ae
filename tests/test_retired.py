"""Retired IDs: remove and --replace register every ID they take out, a retired ID is never used
again, and looking one up resolves to its successor or says why it is gone."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cbcf_data
from cbcf_data.dataset.tables import RetiredIdWarning
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.importing import import_bundle
from cbcf_data.edit.replacing import remove_meeting, replace_meeting
from cbcf_data.errors import InvalidDataError, NotFoundError
from cbcf_data.model.codelists import RETIRABLE_TABLE


def registry(root: Path) -> list[dict[str, str]]:
    with (root / "records" / "retired_ids.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_registry(root: Path, rows: list[dict[str, str]]) -> None:
    fields = ["table_name", "id", "retired_in", "reason", "replaced_by"]
    with (root / "records" / "retired_ids.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["table_name"], r["id"])))


def test_remove_registers_every_id_it_takes_out_and_none_that_stay(repo_copy):
    before = cbcf_data.load(repo_copy)
    meeting = min(before.meetings)
    change = remove_meeting(meeting, repo_copy, reason="Test withdrawal.")
    rows = registry(repo_copy)
    retired = {(r["table_name"], r["id"]) for r in rows}
    expected = {(t, i) for t, ids in change.removed.items() if t in RETIRABLE_TABLE for i in ids}
    assert retired == expected and ("meetings", meeting) in retired
    assert {r["reason"] for r in rows} == {"Test withdrawal."}
    assert {r["retired_in"] for r in rows} == {json.loads((repo_copy / "datapackage.json").read_text())["version"]}
    assert change.added == {"retired_ids": sorted(f"{t}/{i}" for t, i in retired)}
    after = cbcf_data.load(repo_copy)
    assert all(i not in after.table(t) for t, i in retired)  # none that stay
    with pytest.raises(NotFoundError, match="retired from meetings in version .*Test withdrawal"):
        after.meetings[meeting]
    assert run_cli("validate", str(repo_copy)).returncode == 0
    shown = run_cli("show", meeting, "--dataset", str(repo_copy))
    assert shown.returncode != 0 and "retired" in shown.stderr + shown.stdout


def test_a_retired_id_with_a_successor_resolves_to_it_with_a_warning(repo_copy):
    ds = cbcf_data.load(repo_copy)
    old, new = sorted(ds.meetings)[:2]
    remove_meeting(old, repo_copy)
    rows = registry(repo_copy)
    for row in rows:
        if row["id"] == old:
            row["replaced_by"] = new
    write_registry(repo_copy, rows)
    after = cbcf_data.load(repo_copy)
    with pytest.warns(RetiredIdWarning, match=f"using its successor '{new}'"):
        assert after.meetings[old].id == new
    assert old not in after.meetings and after.meetings.get(old) is None  # membership is of live rows only
    assert run_cli("validate", str(repo_copy)).returncode == 0
    shown = run_cli("show", old, "--dataset", str(repo_copy))
    assert shown.returncode == 0 and f"Showing its successor, {new}" in shown.stdout
    from cbcf_data.publish.site.render import retired_pages

    pages = retired_pages(after, "fr")
    assert f'url={new}.html"' in pages[f"fr/meetings/{old}.html"].decode()
    gone = [r["id"] for r in rows if r["table_name"] == "commitments"]
    assert not gone or "Il n'a pas été remplacé" in pages[f"fr/commitments/{gone[0]}.html"].decode()


def test_remove_replaced_by_records_each_successor_named_and_no_other(repo_copy):
    ds = cbcf_data.load(repo_copy)
    old = next(m for m in sorted(ds.meetings) if ds.related(ds.meetings[m], "commitments"))
    new = next(m for m in sorted(ds.meetings) if m != old and ds.related(ds.meetings[m], "commitments"))
    old_c, new_c = ds.related(ds.meetings[old], "commitments")[0].id, ds.related(ds.meetings[new], "commitments")[0].id
    # Two values: Typer's path (a repeated option is not plain).
    dry = run_cli("remove", old, "--dry-run", "--replaced-by", f"{old}={new}", "--replaced-by", f"{old_c}={new_c}",
                  "--dataset", str(repo_copy))
    assert f"replaced_by: commitments/{old_c} → {new_c}, meetings/{old} → {new} (dry run" in dry.stdout, dry.stdout
    result = run_cli("remove", old, "--replaced-by", f"{old}={new}", "--replaced-by", f"{old_c}={new_c}",
                     "--reason", "Test merge.", "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stderr
    assert f"replaced_by: commitments/{old_c} → {new_c}, meetings/{old} → {new}" in result.stdout
    successors = {(r["table_name"], r["id"]): r["replaced_by"] for r in registry(repo_copy)}
    assert successors[("meetings", old)] == new and successors[("commitments", old_c)] == new_c
    assert sum(bool(v) for v in successors.values()) == 2  # the IDs not named have none
    assert run_cli("validate", str(repo_copy)).returncode == 0
    with pytest.warns(RetiredIdWarning, match=f"using its successor '{new_c}'"):
        assert cbcf_data.load(repo_copy).commitments[old_c].id == new_c


def test_replace_replaced_by_records_a_renumbered_commitment(repo_copy, tmp_path):
    ds = cbcf_data.load(repo_copy)
    meeting = next(m for m in sorted(ds.meetings) if len(ds.related(ds.meetings[m], "commitments")) >= 2)
    bundle = export_bundle(meeting, repo_copy)
    dropped = bundle["commitments"].pop()["id"]
    kept = bundle["commitments"][0]["id"]
    for mention in bundle.get("instrument_mentions", []):
        if mention.get("commitment_id") == dropped:
            mention.pop("commitment_id")
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    # One value: the plain path (no Typer).
    result = run_cli("import", str(path), "--replace", "--replaced-by", f"{dropped}={kept}", "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stderr + result.stdout
    assert {(r["id"], r["replaced_by"]) for r in registry(repo_copy)} == {(dropped, kept)}
    assert run_cli("validate", str(repo_copy)).returncode == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--replaced-by", "cbcf-2008"], "give OLD=NEW"),
    (["--replaced-by", "=x"], "give OLD=NEW"),
    (["--replaced-by", "a=b=c"], "give OLD=NEW"),
    (["--replaced-by", "cbcf-2012=cbcf-2010"], "'cbcf-2012' is not an ID this change retires (it retires: "),
    (["--replaced-by", "cbcf-2008=cbcf-2099"], "'cbcf-2099' is not an ID of meetings once this change is made"),
    (["--replaced-by", "cbcf-2008=cbcf-2008"], "'cbcf-2008' is not an ID of meetings once this change is made"),
    (["--replaced-by", "cbcf-2008=cbcf-2010", "--replaced-by", "cbcf-2008=cbcf-2012"], "names 'cbcf-2008' twice"),
    (["--replaced-by", "x" * 100_000 + "=y"], "…"),  # a long value is cut short in the message
])
def test_a_replaced_by_that_cannot_be_recorded_exits_2_and_writes_nothing(repo_copy, args, message):
    before = {p: p.read_bytes() for p in (repo_copy / "records").rglob("*") if p.is_file()}
    for dry_run in ([], ["--dry-run"]):
        result = run_cli("remove", "cbcf-2008", *dry_run, *args, "--dataset", str(repo_copy))
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr) < 2_000
    assert {p: p.read_bytes() for p in (repo_copy / "records").rglob("*") if p.is_file()} == before


def test_removing_a_successor_needs_its_own_successor_which_the_earlier_id_then_leads_to(repo_copy):
    ds = cbcf_data.load(repo_copy)
    first, second, third = [m for m in sorted(ds.meetings) if ds.related(ds.meetings[m], "commitments")][:3]
    commitment = {m: ds.related(ds.meetings[m], "commitments")[0].id for m in (first, second, third)}
    assert run_cli("remove", first, "--replaced-by", f"{commitment[first]}={commitment[second]}",
                   "--dataset", str(repo_copy)).returncode == 0
    before = {p: p.read_bytes() for p in (repo_copy / "records").rglob("*") if p.is_file()}
    refused = run_cli("remove", second, "--dataset", str(repo_copy))
    assert refused.returncode == 2, refused.stderr
    assert f"commitments {commitment[first]}, retired earlier, was replaced by {commitment[second]}" in refused.stderr
    assert {p: p.read_bytes() for p in (repo_copy / "records").rglob("*") if p.is_file()} == before
    done = run_cli("remove", second, "--replaced-by", f"{commitment[second]}={commitment[third]}",
                   "--dataset", str(repo_copy))
    assert done.returncode == 0, done.stderr
    successors = {r["id"]: r["replaced_by"] for r in registry(repo_copy) if r["table_name"] == "commitments"}
    assert successors[commitment[first]] == successors[commitment[second]] == commitment[third]
    assert run_cli("validate", str(repo_copy)).returncode == 0


def _renumbered(root: Path, meeting: str, old: str, new: str, path: Path) -> Path:
    """The meeting's bundle with commitment `old` given the ID `new`."""
    text = json.dumps(export_bundle(meeting, root)).replace(f'"{old}"', f'"{new}"')
    path.write_text(text, encoding="utf-8")
    return path


def test_a_commitment_renumbered_twice_leads_from_both_old_ids_to_the_last(repo_copy, tmp_path):
    ds = cbcf_data.load(repo_copy)
    meeting = next(m for m in sorted(ds.meetings) if ds.related(ds.meetings[m], "commitments"))
    c1 = ds.related(ds.meetings[meeting], "commitments")[0].id
    c2, c3 = f"{meeting}-c91", f"{meeting}-c92"
    for old, new, name in ((c1, c2, "one.json"), (c2, c3, "two.json")):
        bundle = _renumbered(repo_copy, meeting, old, new, tmp_path / name)
        result = run_cli("import", str(bundle), "--replace", "--replaced-by", f"{old}={new}", "--dataset", str(repo_copy))
        assert result.returncode == 0, result.stderr + result.stdout
    assert {(r["id"], r["replaced_by"]) for r in registry(repo_copy)} == {(c1, c3), (c2, c3)}
    assert run_cli("validate", str(repo_copy)).returncode == 0
    with pytest.warns(RetiredIdWarning, match=f"using its successor '{c3}'"):
        assert cbcf_data.load(repo_copy).commitments[c1].id == c3


def test_replaced_by_from_python_takes_one_pair_as_a_string(repo_copy):
    ds = cbcf_data.load(repo_copy)
    old, new = sorted(ds.meetings)[:2]
    remove_meeting(old, repo_copy, replaced_by=f"{old}={new}")
    assert {(r["id"], r["replaced_by"]) for r in registry(repo_copy) if r["table_name"] == "meetings"} == {(old, new)}


def test_replaced_by_without_replace_is_refused_before_reading_the_bundle(repo_copy, tmp_path):
    result = run_cli("import", str(tmp_path / "missing.json"), "--replaced-by", "a=b", "--dataset", str(repo_copy))
    assert result.returncode == 2 and "--replaced-by goes with --replace" in result.stderr, result.stderr


def test_a_retired_id_used_again_and_a_missing_successor_fail_validation(repo_copy):
    ds = cbcf_data.load(repo_copy)
    live = sorted(ds.meetings)[0]
    write_registry(repo_copy, [
        {"table_name": "meetings", "id": live, "retired_in": "1.0.0", "reason": "Test.", "replaced_by": ""},
        {"table_name": "topics", "id": "gone-topic", "retired_in": "1.0.0", "reason": "Test.", "replaced_by": "nope"},
    ])
    report = cbcf_data.validate(repo_copy)
    codes = {issue.code for issue in report.issues}
    assert {"retired-id-reused", "retired-successor-missing"} <= codes and not report.valid


def test_reimporting_a_removed_meeting_is_refused(repo_copy):
    meeting = max(cbcf_data.load(repo_copy).meetings)
    bundle = repo_copy / "bundle.json"
    bundle.write_text(json.dumps(export_bundle(meeting, repo_copy)), encoding="utf-8")
    remove_meeting(meeting, repo_copy)
    with pytest.raises(InvalidDataError) as caught:
        import_bundle(bundle, dataset=repo_copy)
    assert "retired-id-reused" in {issue.code for issue in caught.value.report.issues}


# Any sequence of removes, replaces (dropping a commitment) and re-imports on a copy of the dataset.
OPS = st.lists(st.tuples(st.sampled_from(["remove", "replace", "reimport"]), st.integers(0, 50)), min_size=1, max_size=3)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
def test_any_sequence_of_changes_reuses_no_id_and_leaves_every_retired_id_resolvable(ops):
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        shutil.copy2(ROOT / "datapackage.json", root / "datapackage.json")
        shutil.copytree(ROOT / "records", root / "records")
        exported: dict[str, Path] = {}
        for op, pick in ops:
            _apply(root, op, pick, exported)
            _check_invariants(root)


def _apply(root: Path, op: str, pick: int, exported: dict[str, Path]) -> None:
    meetings = sorted(cbcf_data.load(root).meetings)
    meeting = meetings[pick % len(meetings)]
    bundle = root / f"{meeting}.json"
    document = export_bundle(meeting, root)
    bundle.write_text(json.dumps(document), encoding="utf-8")
    exported.setdefault(meeting, bundle)
    if op == "remove":
        remove_meeting(meeting, root)
    elif op == "replace" and (droppable := _droppable(document)):
        document["commitments"] = [c for c in document["commitments"] if c["id"] != droppable[-1]]
        bundle.write_text(json.dumps(document), encoding="utf-8")
        replace_meeting(bundle, root)
    elif op == "reimport":
        removed = [m for m in exported if m not in meetings]
        if removed:  # a withdrawn meeting's bundle uses retired IDs: refused, nothing written
            with pytest.raises(InvalidDataError):
                import_bundle(exported[removed[0]], dataset=root)


def _droppable(document: dict) -> list[str]:
    """The bundle's commitments no mention names (dropping one leaves the bundle valid)."""
    named = {m.get("commitment_id") for m in document.get("instrument_mentions", [])}
    return [c["id"] for c in document.get("commitments", []) if c["id"] not in named]


def _check_invariants(root: Path) -> None:
    ds = cbcf_data.load(root)
    for entry in ds.retired_ids.values():
        table = ds.table(entry.table_name)
        assert entry.id not in table, f"{entry.table_name} {entry.id} is retired and in use"
        if entry.replaced_by:
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                assert table[entry.id].id == entry.replaced_by
        else:
            with pytest.raises(NotFoundError, match="was retired"):
                table[entry.id]
