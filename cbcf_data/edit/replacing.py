"""Correct or withdraw a meeting: `replace_meeting` makes a meeting's rows exactly a bundle's,
`remove_meeting` takes a meeting out. Both are one all-or-nothing write under the dataset's lock,
and both say which rows they add, remove and change.

A meeting's rows are its own rows plus the people, organizations, topics, instruments and
sources that only it uses (`model.bundle.split_meeting`): those go with it; rows another meeting
still uses stay.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbcf_data.check.report import Report, truncate
from cbcf_data.check.state import record_id
from cbcf_data.check.validate import validate
from cbcf_data.dataset import load
from cbcf_data.edit.owned import meeting_rows, stays
from cbcf_data.edit.splicing import splice_file, split_rows
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, files, limits, package, writes
from cbcf_data.io.readers import ReadError, read_document
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES

Rows = dict[str, list[dict[str, Any]]]
KeyedRows = dict[tuple[str, ...], dict[str, Any]]


@dataclass
class Change:
    """The rows a change adds, removes and alters (record IDs by table), and the files it wrote."""

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    report: Report | None = None
    #: Archived texts of removed sources, left in place for the contributor to delete (`git rm`).
    archives_left: list[str] = field(default_factory=list)
    #: Retired IDs the change registers or redirects with a successor: `table/old → new`.
    successors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def lines(self, limit: int = 6) -> list[str]:
        """One line per table and kind of change, naming the first records."""
        out = []
        for kind in ("removed", "added", "changed"):
            for table, ids in getattr(self, kind).items():
                shown = ", ".join(ids[:limit]) + (f", … {len(ids) - limit} more" if len(ids) > limit else "")
                out.append(f"{table}: {len(ids)} {kind} ({shown})")
        if self.successors:
            out.append(f"replaced_by: {', '.join(self.successors)}")
        out += [f"{path}: no source names it any more; delete it (git rm)" for path in self.archives_left]
        return out


def row_changes(before: Rows, after: Rows) -> Change:
    """Rows added, removed and changed between two sets of table rows, compared as CSV cells
    (a row that is the same object in both is unchanged, and not compared)."""
    change = Change()
    for table, model in TABLES.items():
        old, new = _delta(model, before.get(table, []), after.get(table, []))
        for kind, ids in (("added", [k for k in new if k not in old]), ("removed", [k for k in old if k not in new]),
                          ("changed", [k for k in new if k in old and _cells(model, new[k]) != _cells(model, old[k])])):
            if ids:
                getattr(change, kind)[table] = sorted(record_id(key if len(key) > 1 else key[0]) for key in ids)
        if table == "retired_ids":
            change.successors = [f"{row['table_name']}/{row['id']} → {row['replaced_by']}" for key, row in sorted(new.items())
                                 if row.get("replaced_by") and (key not in old or old[key].get("replaced_by") != row["replaced_by"])]
    return change


def _delta(model: Any, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> tuple[KeyedRows, KeyedRows]:
    """The rows of `before` and of `after` that are not one object in both, by key (its cells)."""
    if len(before) == len(after) and list(map(id, before)) == list(map(id, after)):
        return {}, {}  # (the same rows: a table the change leaves alone)
    shared = {id(row) for row in before} & {id(row) for row in after}
    return ({csvfiles.sort_key(model, row): row for row in before if id(row) not in shared},
            {csvfiles.sort_key(model, row): row for row in after if id(row) not in shared})


def _cells(model: Any, row: dict[str, Any]) -> list[str]:
    return [csvfiles.to_cell(row.get(name)) for name in model.model_fields]


def retire(before: Rows, after: Rows, version: str, reason: str, replaced_by: Sequence[str] | str | None = None,
           live: Callable[[str, str], bool] | None = None) -> Rows:
    """`after` plus a `retired_ids` row for each ID of a retirable table that `before` has and
    `after` has not (rows that stay are never retired): the IDs are never to be used again.
    `replaced_by`: `OLD=NEW` texts (`--replaced-by`), each an ID retired here and the ID of a row
    of the same table that is there once the change is made (`live(table, id)`; by default, a row
    of `after`); a registered ID whose successor is OLD then leads to NEW too (`forwarded`).
    UnusableInputError for any other pair, and for a registered ID whose successor this change
    retires without naming what took its place: its `replaced_by` would name no row."""
    from cbcf_data.model.codelists import RETIRABLE_TABLE

    named = replacements(replaced_by)
    registry = forwarded(after.get("retired_ids", []), named)
    known = {(row["table_name"], row["id"]) for row in registry}
    retired: dict[str, list[dict[str, Any]]] = {}
    for table in RETIRABLE_TABLE:
        kept = {row["id"] for row in after.get(table, [])}
        for row in before.get(table, []):
            if row["id"] not in kept and (table, row["id"]) not in known:
                retired.setdefault(row["id"], []).append(
                    {"table_name": table, "id": row["id"], "retired_in": version, "reason": reason, "replaced_by": None})
    for row in registry:
        if any(entry["table_name"] == row["table_name"] for entry in retired.get(row["replaced_by"] or "", ())):
            raise UnusableInputError(f"{row['table_name']} {row['id']}, retired earlier, was replaced by "
                                     f"{row['replaced_by']}, which this change retires: say which row took its place "
                                     f"with --replaced-by {row['replaced_by']}=NEW")
    for old, new in named.items():
        entry = _retired_here(retired, old, new)
        table = entry["table_name"]
        if not (live(table, new) if live is not None else any(row["id"] == new for row in after.get(table, []))):
            raise UnusableInputError(f"--replaced-by {truncate(f'{old}={new}')!r}: {truncate(new)!r} is not an ID "
                                     f"of {table} once this change is made; name the row that took the old one's place")
        entry["replaced_by"] = new
    registry += [entry for entries in retired.values() for entry in entries]
    return {**after, "retired_ids": sorted(registry, key=lambda r: (r["table_name"], r["id"]))}


def forwarded(registry: list[dict[str, Any]], named: Mapping[str, str]) -> list[dict[str, Any]]:
    """`registry` with each row whose successor is an OLD of `named` (OLD -> NEW) leading to NEW
    instead (a new row: the old one stays as it was, for the change's `before`)."""
    return [{**row, "replaced_by": named[row["replaced_by"]]} if row.get("replaced_by") in named else row
            for row in registry]


def replacements(values: Iterable[str] | str | None) -> dict[str, str]:
    """`--replaced-by` values (`OLD=NEW`; one may be given alone) as OLD -> NEW; UnusableInputError
    for one not of that form, or an OLD given twice."""
    found: dict[str, str] = {}
    for value in [values] if isinstance(values, str) else values or ():
        shown = truncate(value)
        old, equals, new = value.partition("=")
        old, new = old.strip(), new.strip()
        if not equals or not old or not new or "=" in new:
            raise UnusableInputError(f"--replaced-by {shown!r}: give OLD=NEW, a retired ID and the ID that took its "
                                     "place, e.g. --replaced-by cbcf-2022-c13=cbcf-2022-c12")
        if old in found:
            raise UnusableInputError(f"--replaced-by names {truncate(old)!r} twice: give one row that took its place")
        found[old] = new
    return found


def _retired_here(retired: dict[str, list[dict[str, Any]]], old: str, new: str) -> dict[str, Any]:
    """The `retired_ids` row this change adds for `old` (UnusableInputError when it adds none, or
    one in each of several tables)."""
    entries = retired.get(old, [])
    if not entries:
        listed = ", ".join(sorted(retired)[:10]) + (", …" if len(retired) > 10 else "") if retired else "none"
        raise UnusableInputError(f"--replaced-by {truncate(f'{old}={new}')!r}: {truncate(old)!r} is not an ID this "
                                 f"change retires (it retires: {listed})")
    if len(entries) > 1:
        tables = ", ".join(entry["table_name"] for entry in entries)
        raise UnusableInputError(f"--replaced-by {truncate(f'{old}={new}')!r}: {old} is retired in several tables "
                                 f"({tables}); set replaced_by in records/retired_ids.csv by hand")
    return entries[0]


def _version(descriptor_file: Path) -> str:
    return str(package.read_descriptor(descriptor_file).get("version") or "unversioned")


def remove_meeting(meeting_id: str, dataset: str | Path | None = None, dry_run: bool = False,
                   reason: str | None = None, replaced_by: Sequence[str] | None = None) -> Change:
    """Take a meeting and the rows only it uses out of the dataset (nothing written with dry_run);
    every ID taken out is added to `retired_ids`, with `reason` (or a default naming the command)
    and, for the IDs `replaced_by` names (`OLD=NEW`), the row that took its place (see `retire`)."""
    descriptor_file = package.descriptor_path(dataset)
    root = descriptor_file.parent
    with writes.reading(root) if dry_run else writes.writing(root):
        # Only the rows that change, and the shared ones that might: `edit.owned`.
        before, kept = meeting_rows(descriptor_file, meeting_id)
        kept = retire(before, kept, _version(descriptor_file),
                      reason or f"Removed with its meeting {meeting_id} (`cbcf-data remove`).", replaced_by,
                      stays(descriptor_file, before, kept))
        change = row_changes(before, kept)
        change.archives_left = _archives_left(before, kept)
        if not dry_run:
            change.written = _write(root, descriptor_file, before, kept)
    return change


def replace_meeting(path: str | Path, dataset: str | Path | None = None, dry_run: bool = False,
                    reason: str | None = None, replaced_by: Sequence[str] | None = None) -> Change:
    """Make the bundle's meeting exactly the bundle: its old rows out, the bundle's in, validated
    against the rest of the dataset first. InvalidDataError (with the report) writes nothing.
    Every ID taken out and not brought back by the bundle is added to `retired_ids`, with the row
    that took its place for those `replaced_by` names (`OLD=NEW`, see `retire`)."""
    path = Path(path)
    descriptor_file = package.descriptor_path(dataset)
    root = descriptor_file.parent
    try:
        document = read_document(path)
    except ReadError as error:
        raise UnusableInputError(f"{path}: {error.message}") from None
    meeting = document.get("meeting") if isinstance(document, dict) else None
    meeting_id = meeting.get("id") if isinstance(meeting, dict) else None
    with writes.reading(root) if dry_run else writes.writing(root):
        ds = load(descriptor_file)
        if not isinstance(meeting_id, str) or meeting_id not in ds.meetings:
            raise UnusableInputError(f"{path}: its meeting {meeting_id!r} is not in the dataset: add it with "
                                     "`cbcf-data import` (without --replace)")
        before, kept, _ = split_rows(ds, meeting_id)
        # An ID retired earlier whose successor the bundle renumbers leads to the new row before the bundle is judged.
        kept = {**kept, "retired_ids": forwarded(kept.get("retired_ids", []), replacements(replaced_by))}
        report = _validate_against(path, descriptor_file, ds.root or root, before, kept)
        after = retire(before, _with_bundle(kept, document, report), _version(descriptor_file),
                       reason or f"Taken out when meeting {meeting_id} was replaced (`cbcf-data import --replace`).",
                       replaced_by)
        change = row_changes(before, after)
        change.report = report
        change.archives_left = _archives_left(before, after)
        if change and not dry_run:
            change.written = _write(root, descriptor_file, before, after)
    return change


def _validate_against(path: Path, descriptor_file: Path, tables_root: Path, before: Rows, rows: Rows) -> Report:
    """The bundle validated against a scratch copy of the dataset holding `rows` (each table's
    file copied, or spliced where `rows` differs from `before`)."""
    descriptor = package.read_descriptor(descriptor_file)
    root = descriptor_file.parent
    paths = package.resource_paths(descriptor, root)
    with tempfile.TemporaryDirectory(prefix="cbcf-replace-") as temp:
        scratch = Path(temp)
        shutil.copyfile(descriptor_file, scratch / package.DESCRIPTOR)
        for table, target in paths.items():
            copy = scratch / target.relative_to(root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            old, new = _delta(TABLES[table], before.get(table, []), rows.get(table, []))
            if old or new:
                text = splice_file(TABLES[table], target, root, old, new.values())
                copy.write_text(text, encoding="utf-8", newline="")
            else:
                copy.write_bytes(_read(target, root))
        archives = tables_root / "sources"
        if archives.is_dir():
            folder = scratch / paths["meetings"].parent.relative_to(descriptor_file.parent) / "sources"
            folder.mkdir(parents=True, exist_ok=True)
            for file in archives.iterdir():
                if file.is_file() and not file.is_symlink():
                    shutil.copyfile(file, folder / file.name)
        report = validate(path, dataset=scratch / package.DESCRIPTOR)
    if not report.valid:
        raise InvalidDataError(f"{path}: the bundle does not validate against the rest of the dataset; "
                               "nothing was changed", report)
    return report


def _read(path: Path, root: Path) -> bytes:
    try:
        return files.read_bytes(path, limits.LOAD_BYTES, root)
    except ReadError as error:
        raise UnusableInputError(f"{path}: {error.message}") from None


def _with_bundle(kept: Rows, document: dict[str, Any], report: Report) -> Rows:
    """`kept` plus the bundle's rows (typed by their models), leaving out those already present."""
    after = {table: list(rows) for table, rows in kept.items()}
    added, _ = bundles.to_rows(document)
    for table, rows in added.items():
        model = TABLES[table]
        present = set(report.present.get(table, ()))
        for row in rows:
            record = model.model_validate(row)
            if record_id(record.key) not in present:
                after.setdefault(table, []).append(record.model_dump())
    return after


def _archives_left(before: Rows, after: Rows) -> list[str]:
    """The archive paths of sources that the change removes."""
    kept = {row.get("archive_path") for row in after.get("sources", [])}
    return sorted(path for row in before.get("sources", []) if (path := row.get("archive_path")) and path not in kept)


def _write(root: Path, descriptor_file: Path, before: Rows, after: Rows) -> list[Path]:
    """Write every table the change touches in one all-or-nothing replacement: its rows taken out
    or changed dropped from its text, the new ones put in, the other lines as they are."""
    paths = package.resource_paths(package.read_descriptor(descriptor_file), root)
    texts = {}
    for table, model in TABLES.items():
        old, new = _delta(model, before.get(table, []), after.get(table, []))
        gone = [key for key, row in old.items() if key not in new or _cells(model, new[key]) != _cells(model, row)]
        added = [row for key, row in new.items() if key not in old or key in gone]
        if gone or added:
            texts[paths[table]] = splice_file(model, paths[table], root, gone, added)
    return writes.replace_files(root, texts)
