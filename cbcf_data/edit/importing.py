"""`import_bundle`: validate a meeting bundle against a dataset, then add its rows to the tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbcf_data.check.known import Order
from cbcf_data.check.report import Report
from cbcf_data.check.state import record_id
from cbcf_data.check.validate import validate_import
from cbcf_data.dataset.loading import gc_paused
from cbcf_data.edit.splicing import splice_file
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import package, writes
from cbcf_data.io.readers import ReadError, read_document
from cbcf_data.model import bundling
from cbcf_data.model.accept import dumped, value_accepter
from cbcf_data.model.declared import TABLES, pydantic_model

Rows = dict[str, list[dict[str, Any]]]
BUNDLE_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class ImportResult:
    """What an import checked, added and wrote."""

    report: Report
    added: Rows = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)

    @property
    def present(self) -> dict[str, list[str]]:
        """Record IDs of the bundle's rows that the dataset already held, identical, by table."""
        return self.report.present


def import_bundle(path: str | Path, dataset: str | Path | None = None, dry_run: bool = False) -> ImportResult:
    """Validate a bundle against the dataset, then add its rows to the tables (all or none).

    The whole read-validate-write runs under the dataset's lock, so two imports at once both
    land (the second waits for the first). Raises UnusableInputError when `path` is not a
    bundle; InvalidDataError (with the report) when the bundle does not validate; nothing is
    written then, nor with `dry_run`. The new rows are put into each table's text where their
    keys sort; the lines already there are copied as they are (`edit.splicing`).
    """
    path = Path(path)
    refuse_non_bundle(path)
    descriptor_file = package.descriptor_path(dataset)
    root = descriptor_file.parent
    # The cyclic garbage collector paused: the check and the splice make no cycles, and its passes
    # over the keys of the tables as they are read cost a fifth of the import at 100k rows.
    with writes.reading(root) if dry_run else writes.writing(root), gc_paused():
        order = Order()  # the keys and texts of the tables the bundle adds to, read under a verdict
        report = validate_import(path, descriptor_file, order)
        if not report.valid:
            raise InvalidDataError(f"{path}: the bundle does not validate; nothing was imported", report)
        try:
            document = read_document(path)
        except ReadError as error:  # the file changed since it was validated
            raise UnusableInputError(f"{path}: {error.message}") from None
        added, _ = bundling.to_rows(document)
        paths = package.resource_paths(package.read_descriptor(descriptor_file), root)
        texts: dict[Path, bytes] = {}  # encoded once: written, then hashed for the verdict
        typed: Rows = {}
        _splice(added, report, paths, root, order, texts, typed)
        order.clear()  # the tables' keys: freed here, not looked at by the collector once it runs again
        result = ImportResult(report=report, added=typed)
        if not dry_run:
            result.written = writes.replace_files(root, texts)
            if not report.issues and not report.omitted:  # the dataset as written gives no issue
                keep_verdict(descriptor_file, paths, texts)
    return result


def _splice(added: Rows, report: Report, paths: dict[str, Path], root: Path, order: Order,
            texts: dict[Path, bytes], typed: Rows) -> None:
    """Type the bundle's rows the dataset does not hold yet (into `typed`), and splice them into
    their tables' texts (into `texts`, encoded), read again or as the check read them (`order`)."""
    for table, rows in added.items():
        model = TABLES[table]
        present = set(report.present.get(table, ()))
        records = [record for record in map(typed_row(table), rows) if record_id(record_key(model, record)) not in present]
        if not records:
            continue
        typed[table] = records
        texts[paths[table]] = splice_file(model, paths[table], root, (), records, order.get(table),
                                          order.texts.pop(table, None)).encode("utf-8")


def typed_row(table: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A bundle's row of `table` (valid) as its record's `model_dump()`: typed by `model.accept`
    when it takes the row (without Pydantic), else by the model (equal values either way)."""
    accept = value_accepter(table)

    def typed(row: dict[str, Any]) -> dict[str, Any]:
        record = accept(row) if accept is not None else None
        if record is not None:
            return dumped(table, record)
        model: Any = pydantic_model(TABLES[table])
        return model.model_validate(row).model_dump()  # type: ignore[no-any-return]

    return typed


def record_key(model: Any, row: dict[str, Any]) -> Any:
    """A typed row's primary key, as `Record.key` gives it: a value, or a tuple for a composite key."""
    return row[model.primary_key[0]] if len(model.primary_key) == 1 else tuple(row[f] for f in model.primary_key)


def keep_verdict(descriptor_file: Path, paths: dict[str, Path], written: dict[Path, bytes]) -> None:
    """Keep the verdict on the dataset just written (`check.verdict`), under the lock still held:
    the bundle's rows and the dataset's gave no issue together, as the dataset now holds them.
    The files written are hashed from their content, the others as the check's digest read them."""
    from cbcf_data.check import verdict

    if verdict.cache_folder() is not None:
        tables_root = paths["meetings"].parent if "meetings" in paths else descriptor_file.parent
        verdict.keep(verdict.digest(descriptor_file, paths, tables_root, written), descriptor_file)


def refuse_non_bundle(path: Path) -> None:
    """UnusableInputError unless path names a bundle file (.json, .yaml, .yml; not a dataset)."""
    if path.is_dir() or path.name == package.DESCRIPTOR or path.suffix.lower() not in BUNDLE_SUFFIXES:
        raise UnusableInputError(
            f"{path}: not a meeting bundle; import takes one meeting's .yaml, .yml or .json file (see "
            "records/templates/meeting.yaml). To check a dataset, use `cbcf-data validate`")
