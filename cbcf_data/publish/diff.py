"""`diff(old, new)`: record-level and schema-level changes between two datasets, and the version
bump they require (DESIGN.md "Versioning": MAJOR breaks, MINOR adds, PATCH corrects).

Datasets are read as raw cells through their own descriptors, so two versions with different
schemas can be compared: a folder or datapackage.json, a release folder, its zip or its JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbcf_data.errors import CbcfDataError, UnusableInputError
from cbcf_data.io import package
from cbcf_data.io.readers import Budget, ReadError, csv_records, read_table
from cbcf_data.model.text import escape
from cbcf_data.publish import diffstream
from cbcf_data.publish.diffstream import resource_parts

LEVELS = ("none", "patch", "minor", "major")
#: Changed rows of each table and breaking changes `to_markdown` lists (it counts all).
SHOWN = 20
Key = tuple[str, ...]


@dataclass
class Side:
    """One dataset as compared: each table's schema and its rows by primary key (cells as text)."""

    label: str
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, dict[Key, dict[str, str]]] = field(default_factory=dict)


def read_side(path: str | Path) -> Side:
    """A dataset for comparison; `none` is the empty dataset with the current schema.

    Each side is read within the limits of `load()` (LOAD_BYTES, LOAD_ROWS), its files as
    `cbcf_data.io.files` allows (regular files inside the dataset, never through a link).
    """
    from cbcf_data.model.table_schema import table_schema
    from cbcf_data.model.tables import MODELS

    if str(path) == "none":
        return Side("none", {m.table: table_schema(m) for m in MODELS}, {m.table: {} for m in MODELS})
    kind, file = package.classify(path)
    budget = Budget("each side of diff")
    if kind == "zip":
        descriptor, texts = package.read_release_zip(file, budget)
        return _side(str(file), descriptor, lambda name, _: _records_of_text(texts[name], f"{file}!{name}", budget))
    if kind == "json":
        return _side_from_dataset(file)
    descriptor_file = package.descriptor_path(file)
    descriptor = package.read_descriptor(descriptor_file)
    root = descriptor_file.parent

    def read(name: str, resource_path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        try:
            return read_table(root / resource_path, root, budget)
        except ReadError as error:
            raise UnusableInputError(f"{root / resource_path}:{error.line or 1}: {error.message}") from None

    return _side(str(path), descriptor, read)


def _records_of_text(text: str, label: str, budget: Budget) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        records = list(csv_records(io.StringIO(text, newline=""), Path(label)))
        budget.spend_rows(len(records) - 1)
    except ReadError as error:
        raise UnusableInputError(f"{label}:{error.line or 1}: {error.message}") from None
    return (records[0][1] if records else []), records[1:]


def _side_from_dataset(file: Path) -> Side:
    from cbcf_data.dataset import load
    from cbcf_data.io import csvfiles
    from cbcf_data.model.table_schema import table_schema

    ds = load(file)
    side = Side(str(file))
    for name, table in ds.tables().items():
        side.schemas[name] = table_schema(table.model)
        side.rows[name] = {}
        for record in table.values():
            cells = {f: csvfiles.to_cell(v) for f, v in record.model_dump().items()}
            side.rows[name][tuple(cells[f] for f in table.model.primary_key)] = cells
    return side


Reader = Callable[[str, str], tuple[list[str], list[tuple[int, list[str]]]]]


def _side(label: str, descriptor: dict[str, Any], read: Reader) -> Side:
    """A side from a descriptor and `read(table name, resource path) -> (header, records)`."""
    side = Side(label)
    for resource in descriptor.get("resources", []):
        if isinstance(resource, dict) and resource.get("name") in package.RELEASE_EXTRAS:
            continue  # a release's codelists and crosswalk: generated from the code, not tables
        name, path, schema = resource_parts(label, resource)
        side.schemas[name] = schema
        header, records = read(name, path)
        key_fields = schema.get("primaryKey") or [f["name"] for f in schema["fields"]]
        rows: dict[Key, dict[str, str]] = {}
        for line, cells in records:
            if len(cells) != len(header):
                raise UnusableInputError(f"{label}: {name} line {line}: the row has {len(cells)} cells and the header "
                                         f"{len(header)}; run `cbcf-data validate`")
            row = dict(zip(header, cells))
            rows[tuple(row.get(f) or "" for f in key_fields)] = row
        side.rows[name] = rows
    return side


def _bump(level: str, to: str) -> str:
    return to if LEVELS.index(to) > LEVELS.index(level) else level


def _field_changes(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Schema changes of one table, each with the level it requires."""
    changes: list[dict[str, Any]] = []

    def note(kind: str, level: str, field_name: str | None = None, detail: str = "") -> None:
        changes.append({"table": table, "change": kind, "field": field_name, "level": level, "detail": detail})

    old_fields = {f["name"]: f for f in old.get("fields", [])}
    new_fields = {f["name"]: f for f in new.get("fields", [])}
    for name in old_fields.keys() - new_fields.keys():
        note("field-removed", "major", name)
    for name in new_fields.keys() - old_fields.keys():
        required = new_fields[name].get("constraints", {}).get("required", False)
        note("field-added", "major" if required else "minor", name, "required" if required else "optional")
    for name in sorted(old_fields.keys() & new_fields.keys()):
        before, after = old_fields[name], new_fields[name]
        if before.get("type") != after.get("type"):
            note("type-changed", "major", name, f"{before.get('type')} → {after.get('type')}")
        for kind, level, detail in _constraint_changes(before.get("constraints", {}), after.get("constraints", {})):
            note(kind, level, name, detail)
        if before.get("description") != after.get("description"):
            note("description-changed", "patch", name)
    if old.get("primaryKey") != new.get("primaryKey"):
        note("primary-key-changed", "major", None, f"{old.get('primaryKey')} → {new.get('primaryKey')}")
    old_fks = {_foreign_key_text(fk) for fk in old.get("foreignKeys", [])}
    new_fks = {_foreign_key_text(fk) for fk in new.get("foreignKeys", [])}
    for fk in sorted(new_fks - old_fks):
        note("foreign-key-added", "major", None, fk)
    for fk in sorted(old_fks - new_fks):
        note("foreign-key-removed", "minor", None, fk)
    return sorted(changes, key=lambda c: (c["change"], c["field"] or ""))


def _foreign_key_text(foreign_key: Any) -> str:
    """A foreign key in one form: a self-reference written as v1's `"resource": ""` equals v2's omitted one."""
    if isinstance(foreign_key, dict) and isinstance(foreign_key.get("reference"), dict) \
            and foreign_key["reference"].get("resource") == "":
        foreign_key = {**foreign_key, "reference": {k: v for k, v in foreign_key["reference"].items() if k != "resource"}}
    return json.dumps(foreign_key, sort_keys=True)


def _constraint_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(change, level, detail) for each constraint that was tightened or loosened."""
    found = []
    tighter_when_larger = {"minLength", "minimum"}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "required":
            tightened = bool(after) and not before
        elif key == "enum":
            tightened = before is None or not set(after or ()) >= set(before)
        elif before is None or after is None:
            tightened = before is None
        elif key in tighter_when_larger:
            tightened = after > before
        elif key in ("maxLength", "maximum"):
            tightened = after < before
        else:  # a changed pattern cannot be judged looser: treat it as tighter
            tightened = True
        found.append(("constraint-tightened" if tightened else "constraint-loosened",
                      "major" if tightened else "minor", f"{key}: {before!r} → {after!r}"))
    return found


def diff(old_path: str | Path, new_path: str | Path, keep: int | None = None) -> dict[str, Any]:
    """Changes from `old` to `new`: schema changes, rows added, removed and changed per table, the bump.

    With `keep` (a summary, as `to_markdown` prints one), each table's lists of added, removed and
    changed rows hold only their first `keep` rows in key order, `breaking` its first `keep`
    items of each table, and the counts of all are in each table's `counts` and in
    `breaking_count`: memory then holds no more than that, and DIFF_ROWS and DIFF_CHARS do not
    apply to tables merged as they stream.

    Tables of folders, descriptors and zips are compared as they stream, each a merge of the two
    sides in primary-key order (the order `validate` holds tables to and `fmt` writes), so memory
    grows with the changes, not the rows: only the rows that differ count against a limit
    (DIFF_ROWS, DIFF_CHARS; `TooManyChanges`, an UnusableInputError, beyond them). A side that
    is a release's JSON, a table that is not strictly sorted by its key, or any input that cannot
    be read is compared as before, each side read whole into memory within the load limits
    (LOAD_BYTES, LOAD_ROWS): the result is the same, and so is every error and the order in which
    errors are found (the old side is read whole before the new one).
    """
    try:
        streamed = diffstream.open_sides(old_path, new_path)
        if streamed is not None:
            old, new = streamed
            held = diffstream.Held() if keep is None else None
            return _compare(old.label, new.label, old.schemas, new.schemas,
                            lambda table: diffstream.rows(old, new, table, held, keep), keep)
    except diffstream.TooManyChanges:
        raise  # the in-memory comparison would hold more still
    except (diffstream.Unsorted, CbcfDataError, ReadError):
        pass  # compared in memory below, which reports the first error exactly as it always has
    return diff_in_memory(old_path, new_path, keep)


def diff_in_memory(old_path: str | Path, new_path: str | Path, keep: int | None = None) -> dict[str, Any]:
    """`diff`, each side read whole into dicts of rows by primary key."""
    old, new = read_side(old_path), read_side(new_path)

    def rows_of(table: str) -> Rows:
        found = _compare_dicts(old.rows.get(table, {}), new.rows.get(table, {}))
        return tuple(diffstream.Kept(keep, rows[:keep], len(rows)) for rows in found)  # type: ignore[return-value]

    return _compare(old.label, new.label, old.schemas, new.schemas, rows_of, keep)


Rows = tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, Any]]]


def _compare_dicts(before: dict[Key, dict[str, str]], after: dict[Key, dict[str, str]]) -> Rows:
    """(added, removed, changed) rows of one table, from each side's rows by key."""
    added = [after[k] for k in sorted(after.keys() - before.keys())]
    removed = [before[k] for k in sorted(before.keys() - after.keys())]
    changed = []
    for key in sorted(before.keys() & after.keys()):
        fields = {f: {"old": before[key].get(f), "new": after[key].get(f)}
                  for f in sorted(before[key].keys() & after[key].keys()) if before[key].get(f) != after[key].get(f)}
        if fields:
            changed.append({"key": list(key), "fields": fields})
    return added, removed, changed


def _compare(old_label: str, new_label: str, old_schemas: dict[str, dict[str, Any]],
             new_schemas: dict[str, dict[str, Any]], rows_of: Callable[[str], Rows],
             keep: int | None = None) -> dict[str, Any]:
    """The diff of two sides, given their schemas and `rows_of(table) -> (added, removed, changed)`
    (each a `Kept` list when `keep` is given: see `diff`)."""
    level, breaking = "none", 0
    result: dict[str, Any] = {"old": old_label, "new": new_label, "tables": {}, "breaking": []}
    for table in sorted(old_schemas.keys() | new_schemas.keys()):
        entry: dict[str, Any] = {"schema": [], "added": [], "removed": [], "changed": []}
        if table not in new_schemas:
            entry["schema"].append({"table": table, "change": "table-removed", "field": None, "level": "major", "detail": ""})
        elif table not in old_schemas:
            entry["schema"].append({"table": table, "change": "table-added", "field": None, "level": "minor", "detail": ""})
        else:
            try:
                entry["schema"] = _field_changes(table, old_schemas[table], new_schemas[table])
            except (TypeError, ValueError, AttributeError, KeyError) as error:  # constraints of unusual shape
                raise UnusableInputError(f"{table}: the table schemas cannot be compared ({str(error)[:100]})") from None
        entry["added"], entry["removed"], entry["changed"] = rows_of(table)
        told = diffstream.Kept(keep)
        for change in entry["schema"]:
            level = _bump(level, change["level"])
            if change["level"] == "major":
                told.append(f"{table}: {change['change']} {change['field'] or ''} {change['detail']}".strip())
        if _total(entry["removed"]):
            level = _bump(level, "major")
            pk = new_schemas.get(table, old_schemas[table]).get("primaryKey", [])
            for row in entry["removed"]:
                told.append(f"{table}: {'/'.join(row.get(f, '') for f in pk)} disappeared")
            told.total += _total(entry["removed"]) - len(entry["removed"])
        result["breaking"] += told
        breaking += told.total
        counts = {kind: _total(entry[kind]) for kind in ("added", "removed", "changed")}
        if counts["added"]:
            level = _bump(level, "minor")
        if counts["changed"]:
            level = _bump(level, "patch")
        if entry["schema"] or any(counts.values()):
            result["tables"][table] = entry if keep is None else {**entry, "counts": counts}
    result["bump"] = level
    if keep is not None:
        result["breaking_count"] = breaking
    return result


def _total(rows: list[Any]) -> int:
    """How many rows a list of rows stands for: all it holds, or a `Kept` list's total."""
    return rows.total if isinstance(rows, diffstream.Kept) else len(rows)


def to_markdown(result: dict[str, Any], limit: int = SHOWN) -> str:
    """The diff for people and for CHANGELOG.md: a summary table, then each table's changes (from
    a `diff` or a summary of one, `diff(…, keep=limit)`, alike)."""
    lines = [f"Changes from `{result['old']}` to `{result['new']}`: **{result['bump']}** version bump.", ""]
    if not result["tables"]:
        return lines[0] + " No changes.\n"
    lines += ["| table | added | removed | changed | schema changes |", "|---|---|---|---|---|"]
    for table, entry in result["tables"].items():
        added, removed, changed = (entry.get("counts", {}).get(kind, len(entry[kind])) for kind in ("added", "removed", "changed"))
        lines.append(f"| {table} | {added} | {removed} | {changed} | {len(entry['schema'])} |")
    breaking = result.get("breaking_count", len(result["breaking"]))
    if breaking:
        lines += ["", "Breaking:", *[f"- {item}" for item in result["breaking"][:limit]]]
        if breaking > limit:
            lines.append(f"- … and {breaking - limit} more")
    for table, entry in result["tables"].items():
        details = [f"- schema: {c['change']} {c['field'] or ''} {c['detail']}".rstrip() for c in entry["schema"]]
        for change in entry["changed"][:limit]:
            for name, values in change["fields"].items():
                details.append(f"- changed {'/'.join(change['key'])} `{name}`: {values['old']!r} → {values['new']!r}")
        if details:
            lines += ["", f"### {table}", *details]
    return escape("\n".join(lines), lines=True) + "\n"  # nothing a terminal would act on
