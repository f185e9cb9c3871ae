"""`build_release`: the downloadable forms of a validated dataset, byte-for-byte reproducible.

    dist/cbcf-data-<version>/
      csv/                     canonical tables, archived texts, datapackage.json with bytes and sha256
      excel/                   the tables for spreadsheets: BOM, CRLF, formula-like cells neutralized
      cbcf-data-<version>.json the whole dataset as one document (meetings as bundles)
      cbcf-data-<version>.sqlite the same tables with keys, indexes and views
      cbcf-data-<version>.zip  all of the above
      SHA256SUMS               a checksum line for every file

Nothing carries a timestamp; the zip's entries are sorted with a fixed date, so two builds of the
same data are identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset, load
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import limits, package
from cbcf_data.model import bundle as bundles
from cbcf_data.model.table_schema import table_schema
from cbcf_data.model.tables import MODELS, TABLES
from cbcf_data.publish.schema import dumps

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_README = """These CSV files are the cbcf-data tables in a spreadsheet-friendly flavour:
UTF-8 with a byte-order mark (so Excel detects the encoding), CRLF line endings, and every cell
that begins with = + - @ or a tab is prefixed with an apostrophe (') so that no spreadsheet runs
it as a formula. Values are otherwise identical to the canonical CSV in ../csv/, which is the
form to use for anything but opening in a spreadsheet.
"""


def release_name(version: str = __version__) -> str:
    """The release's folder and file stem: `cbcf-data-<version>`."""
    return f"cbcf-data-{version}"


def build_release(out: str | Path = "dist", dataset: str | Path | None = None) -> Path:
    """Validate the dataset, then write its release folder under `out`; return the folder.

    Raises InvalidDataError (carrying the report) and writes nothing when the dataset is invalid.
    The folder appears complete or not at all: it is built beside its place, then moved in.
    """
    from cbcf_data.check.validate import validate

    report = validate(dataset)
    if not report.valid:
        raise InvalidDataError("the dataset does not validate; no release was built", report)
    ds = load(dataset)
    descriptor_file = package.descriptor_path(dataset)
    descriptor = package.read_descriptor(descriptor_file)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = release_name()
    target = out / name
    with tempfile.TemporaryDirectory(prefix=f".{name}.", dir=out) as temp:
        staging = Path(temp) / name
        write_release(ds, descriptor, staging, descriptor_file.parent)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def write_release(ds: Dataset, descriptor: dict[str, Any], folder: Path, dataset_root: Path | None = None) -> None:
    """Write every release file of `ds` into `folder` (archived texts read below `dataset_root`)."""
    name = release_name()
    texts = ds.to_csv_texts()
    files: dict[str, bytes] = {}
    resources = []
    for resource in descriptor["resources"]:
        table = resource["name"]
        data = texts[table].encode("utf-8")
        files[f"csv/{table}.csv"] = data
        resources.append({**resource, "path": f"{table}.csv", "bytes": len(data),
                          "hash": "sha256:" + hashlib.sha256(data).hexdigest()})
        files[f"excel/{table}.csv"] = excel_csv(texts[table])
    for source in ds.sources.values():
        if source.archive_path and ds.root is not None:
            files[f"csv/{source.archive_path}"] = archived_text(ds.root / source.archive_path, source.sha256,
                                                                dataset_root or ds.root)
    files["csv/datapackage.json"] = dumps({**descriptor, "resources": resources}).encode("utf-8")
    files["excel/README.txt"] = EXCEL_README.encode("utf-8")
    # Compact and one line: the C encoder (indent forces the pure-Python one) and a smaller download.
    document = json.dumps(release_document(ds), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    files[f"{name}.json"] = document.encode("utf-8")
    files[f"{name}.sqlite"] = sqlite_bytes(ds)
    files[f"{name}.zip"] = zip_bytes({f"{name}/{path}": data for path, data in files.items()})
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {path}\n"
                                  for path, data in sorted(files.items())).encode("utf-8")
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def archived_text(path: Path, sha256: str | None, root: Path) -> bytes:
    """An archived text's bytes for the release: a regular file inside the dataset (never through
    a link), within ARCHIVE_BYTES, whose SHA-256 is the one its source row records."""
    from cbcf_data.io.files import ReadError, read_bytes

    try:
        data = read_bytes(path, limits.ARCHIVE_BYTES, root)
    except ReadError as error:
        raise InvalidDataError(f"{path}: {error.message}; no release was built") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidDataError(f"{path}: its SHA-256 differs from the source's sha256 (it changed since it was "
                               "validated); no release was built")
    return data


def release_document(ds: Dataset) -> dict[str, Any]:
    """The JSON release: every meeting as a bundle, plus the reference tables."""
    rows = ds.to_rows()
    meeting_tables = {t: rows[t] for t in TABLES if t not in bundles.NEW_TABLES.values()}
    document: dict[str, Any] = {"name": "cbcf-data", "version": __version__,
                                "meetings": bundles.all_bundles(meeting_tables)}
    for table in bundles.NEW_TABLES.values():
        document[table] = [{k: v for k, v in row.items() if v is not None} for row in rows[table]]
    return document


def excel_csv(text: str) -> bytes:
    """A canonical CSV text in the spreadsheet flavour: BOM, CRLF, formula-like cells neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(["'" + cell if cell.startswith(FORMULA_STARTS) else cell for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of `files` with sorted entries, a fixed date and fixed permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()


VIEWS = {
    "commitments_detail": """
        SELECT c.id, c.meeting_id, m.start_date AS meeting_date, m.date_basis AS meeting_date_basis,
               c.summary, c.modality, c.parties,
               (SELECT group_concat(label, '; ') FROM (
                    SELECT t.label FROM commitment_topics ct JOIN topics t ON t.id = ct.topic_id
                    WHERE ct.commitment_id = c.id ORDER BY t.label)) AS topic_labels,
               c.quote, c.source_id
        FROM commitments c JOIN meetings m ON m.id = c.meeting_id""",
    "attendance_detail": """
        SELECT a.meeting_id, m.start_date AS meeting_date, a.person_id, p.name, a.role, a.capacity,
               a.delegation, a.organization_id, o.name AS organization_name, a.status, a.source_id
        FROM attendances a JOIN people p ON p.id = a.person_id JOIN meetings m ON m.id = a.meeting_id
        LEFT JOIN organizations o ON o.id = a.organization_id""",
}


def _create_table(model: type[Any]) -> str:
    """CREATE TABLE for a model, typed and constrained as its Table Schema says."""
    columns = []
    for field in table_schema(model)["fields"]:
        kind = "INTEGER" if field["type"] == "integer" else "TEXT"
        required = field.get("constraints", {}).get("required", False)
        columns.append(f'"{field["name"]}" {kind}' + (" NOT NULL" if required else ""))
    columns.append("PRIMARY KEY (" + ", ".join(f'"{f}"' for f in model.primary_key) + ")")
    for field, table in model.foreign_keys.items():
        columns.append(f'FOREIGN KEY ("{field}") REFERENCES "{table}" ("id")')
    return f'CREATE TABLE "{model.table}" (\n  ' + ",\n  ".join(columns) + "\n)"


def sqlite_bytes(ds: Dataset) -> bytes:
    """The dataset as an SQLite database file: tables with keys, an index per foreign key, views."""
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "release.sqlite"
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA page_size = 4096")
            with connection:
                for model in MODELS:
                    connection.execute(_create_table(model))
                    for field in model.foreign_keys:
                        connection.execute(f'CREATE INDEX "{model.table}_{field}" ON "{model.table}" ("{field}")')
                    fields = list(model.model_fields)
                    placeholders = ", ".join("?" for _ in fields)
                    connection.executemany(
                        f'INSERT INTO "{model.table}" VALUES ({placeholders})',
                        ([getattr(record, f) for f in fields] for record in ds.table(model.table).values()),
                    )
                for view, query in VIEWS.items():
                    connection.execute(f'CREATE VIEW "{view}" AS {query.strip()}')
            problems = connection.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise InvalidDataError(f"the SQLite build found broken foreign keys: {problems[:5]}")
            connection.execute("VACUUM")
        finally:
            connection.close()
        return path.read_bytes()


def verify_checksums(folder: Path) -> list[str]:
    """Paths in the folder's SHA256SUMS whose file is missing or differs (empty when all match)."""
    bad = []
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, path = line.split("  ", 1)
        file = folder / path
        if not file.is_file() or hashlib.sha256(file.read_bytes()).hexdigest() != digest:
            bad.append(path)
    return bad
