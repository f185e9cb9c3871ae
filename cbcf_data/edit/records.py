"""Changes to a dataset's tables: import a bundle, export a meeting, rewrite in canonical form.

Every write goes through `write_tables`: all files or none, never half a file.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbcf_data.model import bundle as bundles
from cbcf_data.io import csvfiles, package
from cbcf_data.dataset import Dataset, load
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.model.tables import TABLES
from cbcf_data.io.readers import ReadError, csv_rows, read_document
from cbcf_data.check.report import Report

Rows = dict[str, list[dict[str, Any]]]


def export_bundle(meeting_id: str, dataset: str | Path | None = None) -> dict[str, Any]:
    """The bundle of one meeting: its rows and the reference rows no other meeting uses."""
    ds = load(dataset)
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}; meetings are: {', '.join(ds.meetings)}")
    _, taken = bundles.split_meeting(ds.to_rows(), meeting_id)
    return bundles.from_rows(meeting_id, taken)


@dataclass
class ImportResult:
    """What an import checked, added and wrote."""

    report: Report
    added: Rows = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


def import_bundle(path: str | Path, dataset: str | Path | None = None, dry_run: bool = False) -> ImportResult:
    """Validate a bundle against the dataset, then add its rows to the tables (all or none).

    Raises InvalidDataError (with the report) when the bundle does not validate; nothing is
    written then, nor with `dry_run`.
    """
    from cbcf_data.check.validate import validate

    path = Path(path)
    descriptor_file = package.descriptor_path(dataset)
    report = validate(path, dataset=descriptor_file)
    if not report.valid:
        raise InvalidDataError(f"{path}: the bundle does not validate; nothing was imported", report)
    try:
        document = read_document(path)
    except ReadError as error:  # the file changed since it was validated
        raise UnusableInputError(f"{path}: {error.message}") from None
    added, _ = bundles.to_rows(document)
    ds = load(descriptor_file)
    texts: dict[str, str] = {}
    typed: Rows = {}
    for table, rows in added.items():
        model = TABLES[table]
        records = [model.model_validate(row) for row in rows]
        typed[table] = [record.model_dump() for record in records]
        texts[table] = csvfiles.records_to_csv_text(model, [*ds.table(table).values(), *records])
    result = ImportResult(report=report, added=typed)
    if not dry_run:
        assert ds.root is not None
        result.written = write_tables(ds.root, texts)
    return result


def write_tables(tables_root: Path, texts: dict[str, str]) -> list[Path]:
    """Write `<table>.csv` files under tables_root, all or none; return the paths that changed.

    Every new text is first written beside its target; the targets are then replaced one by
    one, and if any step fails the ones already replaced are put back as they were.
    """
    targets = {tables_root / f"{table}.csv": text for table, text in texts.items()}
    changed = {path: text for path, text in targets.items()
               if not path.exists() or path.read_text(encoding="utf-8") != text}
    originals = {path: path.read_bytes() if path.exists() else None for path in changed}
    staged: dict[Path, str] = {}
    replaced: list[Path] = []
    try:
        for path, text in changed.items():
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged[path] = temp
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(text)
        for path, temp in staged.items():
            os.replace(temp, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            original = originals[path]
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)
        for path, temp in staged.items():
            if path not in replaced:
                Path(temp).unlink(missing_ok=True)
        raise
    return list(changed)


def fmt(dataset: str | Path | None = None, check: bool = False) -> list[str]:
    """Rewrite every table in canonical form (or, with check, only compare); return the diffs.

    Works on the cells as written, without judging them, so it also tidies invalid tables; a
    table whose header differs from its schema is refused (fix it by hand first).
    """
    descriptor_file = package.descriptor_path(dataset)
    paths = package.resource_paths(package.read_descriptor(descriptor_file), descriptor_file.parent)
    texts: dict[str, str] = {}
    diffs: list[str] = []
    for table, model in TABLES.items():
        path = paths.get(table)
        if path is None or not path.is_file():
            raise UnusableInputError(f"{descriptor_file}: no file for table {table}")
        try:
            rows = list(csv_rows(path))
            current = path.read_text(encoding="utf-8")
        except ReadError as error:
            raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None
        header = rows[0][1] if rows else []
        if header != csvfiles.header(model):
            raise InvalidDataError(f"{path}:1: the header differs from the {table} schema; fix it by hand "
                                   f"(see `cbcf-data validate`), then run fmt again")
        cells = [{name: cell for name, cell in zip(header, row)} for _, row in rows[1:] if row]
        text = csvfiles.to_csv_text(model, cells)
        if text != current:
            texts[table] = text
            name = str(path.relative_to(descriptor_file.parent))
            diffs.append("".join(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                      fromfile=f"{name} (now)", tofile=f"{name} (canonical)")))
    if texts and not check:
        write_tables(paths["meetings"].parent, texts)
    return diffs
