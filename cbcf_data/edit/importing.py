"""`import_bundle`: validate a meeting bundle against a dataset, then add its rows to the tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbcf_data.check.report import Report
from cbcf_data.check.state import record_id
from cbcf_data.check.validate import validate
from cbcf_data.dataset import load
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, package
from cbcf_data.io.readers import ReadError, read_document
from cbcf_data.io.writes import write_tables
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES

Rows = dict[str, list[dict[str, Any]]]


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

    Raises InvalidDataError (with the report) when the bundle does not validate; nothing is
    written then, nor with `dry_run`.
    """
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
        present = set(report.present.get(table, ()))
        records = [record for record in (model.model_validate(row) for row in rows)
                   if record_id(record.key) not in present]
        if not records:
            continue
        typed[table] = [record.model_dump() for record in records]
        texts[table] = csvfiles.records_to_csv_text(model, [*ds.table(table).values(), *records])
    result = ImportResult(report=report, added=typed)
    if not dry_run:
        assert ds.root is not None
        result.written = write_tables(ds.root, texts)
    return result
