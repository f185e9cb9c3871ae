"""`build_release`: the downloadable forms of a validated dataset, byte-for-byte reproducible and
self-describing (`publish/readme.py` lists and explains every file).

    dist/cbcf-data-<version>/
      README.md, LICENSE-DATA, CITATION.cff, data-dictionary.md
      csv/                     canonical tables, codelists.csv, archived texts, datapackage.json with bytes and sha256
      excel/                   the tables for spreadsheets: BOM, CRLF, formula-like cells neutralized
      schema/                  the JSON Schemas
      cbcf-data-<version>.json the whole dataset as one document (facts, codelists, meetings as bundles, tables)
      cbcf-data.sqlite         the same tables with keys, indexes, codelists, closures, metadata and views
      metadata.json            Datasette's metadata for the SQLite file
      site/                    the bilingual website (`publish/site`): open site/index.html
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
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset, load
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import limits, package
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES
from cbcf_data.publish import citation, describe, versioning
from cbcf_data.publish.readme import release_readme
from cbcf_data.publish.schema import dumps, schema_files
from cbcf_data.publish.site.build import site_files
from cbcf_data.publish.sqlite import sqlite_bytes

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
    from cbcf_data.io import writes

    descriptor_file = package.descriptor_path(dataset)
    with writes.reading(descriptor_file.parent):  # no change between the validation and the release
        report = validate(dataset)
        if not report.valid:
            raise InvalidDataError("the dataset does not validate; no release was built", report)
        versioning.check_release(descriptor_file)
        ds = load(dataset)
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


def write_release(ds: Dataset, descriptor: dict[str, Any], folder: Path, source: Path | None = None) -> None:
    """Write every release file of `ds` into `folder`; `source` is the dataset's folder (for its
    licence text and its git commit)."""
    name = release_name()
    facts = describe.about(descriptor, source)
    files = data_files(ds, descriptor)
    files.update({f"schema/{file}": text.encode("utf-8") for file, text in schema_files().items()})
    files["LICENSE-DATA"] = licence_text(source)
    files["CITATION.cff"] = citation.citation_cff().encode("utf-8")
    files["data-dictionary.md"] = _data_dictionary()
    # Compact and one line: the C encoder (indent forces the pure-Python one) and a smaller download.
    document = json.dumps(release_document(ds, facts), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    files[f"{name}.json"] = (document + "\n").encode("utf-8")
    files[describe.SQLITE] = sqlite_bytes(ds, facts)
    files["metadata.json"] = dumps(describe.datasette_metadata(ds, facts)).encode("utf-8")
    files["README.md"] = release_readme(ds, facts, name).encode("utf-8")
    files.update({f"site/{path}": data for path, data in site_files(ds).items()})
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


def data_files(ds: Dataset, descriptor: dict[str, Any]) -> dict[str, bytes]:
    """csv/ (tables, codelists, archived texts, the descriptor with sizes and hashes) and excel/."""
    texts = ds.to_csv_texts()
    files: dict[str, bytes] = {}
    resources = []
    for resource in descriptor["resources"]:
        table = resource["name"]
        files[f"csv/{table}.csv"] = texts[table].encode("utf-8")
        resources.append({**resource, "path": f"{table}.csv"})
        files[f"excel/{table}.csv"] = excel_csv(texts[table])
    files["csv/codelists.csv"] = codelists_csv().encode("utf-8")
    resources.append(json.loads(json.dumps(CODELISTS_RESOURCE)))  # a copy: sizes and hashes are added below
    files["csv/status_crosswalk.csv"] = crosswalk_csv().encode("utf-8")
    resources.append(json.loads(json.dumps(CROSSWALK_RESOURCE)))
    for resource in resources:
        data = files[f"csv/{resource['path']}"]
        resource.update({"bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()})
    for source in ds.sources.values():
        if source.archive_path and ds.root is not None:
            files[f"csv/{source.archive_path}"] = archived_text(ds.root / source.archive_path, source.sha256, ds.root)
    files["csv/datapackage.json"] = dumps({**descriptor, "resources": resources}).encode("utf-8")
    files["excel/README.txt"] = EXCEL_README.encode("utf-8")
    return files


#: The codelists as a resource of the release's data package.
CODELISTS_RESOURCE: dict[str, Any] = {
    "$schema": "https://datapackage.org/profiles/2.0/dataresource.json",
    "name": package.RELEASE_EXTRAS[0], "path": "codelists.csv", "type": "table", "format": "csv", "mediatype": "text/csv",
    "encoding": "utf-8",
    "description": "Every code of every coded column, with its English and French labels and its definition.",
    "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\n", "quoteChar": '"'},
    "schema": {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": [
            {"name": "codelist", "type": "string", "description": "The codelist's name, as the data dictionary "
                                                                  "and schema/codelists.json give it.",
             "constraints": {"required": True}},
            {"name": "code", "type": "string", "description": "The code, as it appears in the tables.",
             "constraints": {"required": True}},
            {"name": "label", "type": "string", "description": "English label.", "constraints": {"required": True}},
            {"name": "label_fr", "type": "string", "description": "French label."},
            {"name": "definition", "type": "string", "description": "When the code applies.",
             "constraints": {"required": True}},
        ],
        "missingValues": [""],
        "primaryKey": ["codelist", "code"],
    },
}


def codelists_csv() -> str:
    """The codelists as canonical CSV: one row per code, sorted by codelist and code order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    fields = [f["name"] for f in CODELISTS_RESOURCE["schema"]["fields"]]
    writer.writerow(fields)
    for row in describe.codelist_rows():
        writer.writerow([row[f] or "" for f in fields])
    return buffer.getvalue()


#: The status crosswalk (model/crosswalks.py) as a resource of the release's data package.
CROSSWALK_RESOURCE: dict[str, Any] = {
    **{k: v for k, v in CODELISTS_RESOURCE.items() if k not in ("name", "path", "description", "schema")},
    "name": package.RELEASE_EXTRAS[1], "path": "status_crosswalk.csv",
    "description": "Each assessment status beside the G7 Research Group compliance score and the OGP IRM "
                   "level of completion; empty where the status has no equivalent, and a note saying why.",
    "schema": {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": [
            {"name": "status", "type": "string", "description": "An assessment_status code.",
             "constraints": {"required": True}},
            {"name": "g7_score", "type": "integer", "description": "G7 Research Group compliance score "
             "(-1, 0 or +1); empty when the status has none.", "constraints": {"enum": [-1, 0, 1]}},
            {"name": "irm_completion", "type": "string", "description": "OGP IRM level of completion; empty when "
             "the status does not determine one.",
             "constraints": {"enum": ["not started", "limited", "substantial", "complete"]}},
            {"name": "note", "type": "string", "description": "Why the status maps as it does, or does not.",
             "constraints": {"required": True}},
        ],
        "missingValues": [""],
        "primaryKey": ["status"],
    },
}


def crosswalk_csv() -> str:
    """The status crosswalk as canonical CSV, in codelist order."""
    from cbcf_data.model.crosswalks import FIELDS, rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows():
        writer.writerow(["" if row[f] is None else row[f] for f in FIELDS])
    return buffer.getvalue()


def licence_text(source: Path | None) -> bytes:
    """The data licence's text: the dataset's own LICENSE-DATA, else the packaged one."""
    for folder in (source, package.packaged_root()):
        if folder is not None and (folder / "LICENSE-DATA").is_file():
            return (folder / "LICENSE-DATA").read_bytes()
    return f"{citation.LICENSE_TITLE} ({citation.LICENSE}): {citation.LICENSE_URL}\n".encode()


def _data_dictionary() -> bytes:
    from cbcf_data.publish.docs import data_dictionary

    return data_dictionary().encode("utf-8")


def release_document(ds: Dataset, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON release: its facts, the codelists, every meeting as a bundle, the reference tables
    (rows of a hierarchy with their `ancestors`, nearest first, and `descendants`)."""
    from cbcf_data.dataset.asof import latest_assessments
    from cbcf_data.model import crosswalks
    from cbcf_data.publish.schema import codelists_document

    facts = facts or describe.about({}, None)
    rows = ds.to_rows()
    meeting_tables = {t: rows[t] for t in TABLES if t not in (*bundles.NEW_TABLES.values(), "retired_ids")}
    document: dict[str, Any] = {**facts, "codelists": codelists_document(),
                                "meetings": bundles.all_bundles(meeting_tables)}
    for table in bundles.NEW_TABLES.values():
        document[table] = [{k: v for k, v in row.items() if v is not None} for row in rows[table]]
        if table in describe.hierarchies():
            tree = ds.table(table).tree
            for row in document[table]:
                row["ancestors"], row["descendants"] = tree.ancestors(row["id"]), tree.descendants(row["id"])
    document["latest_assessments"] = latest_assessments(rows["assessments"])
    document["status_crosswalk"] = crosswalks.rows()
    document["retired_ids"] = [{k: v for k, v in row.items() if v is not None} for row in rows["retired_ids"]]
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


def verify_checksums(folder: Path) -> list[str]:
    """Paths in the folder's SHA256SUMS whose file is missing or differs (empty when all match)."""
    return package.verify_checksums(folder)
