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
      site/                    the bilingual website (`publish/site`): open site/index.html; only
                               up to SITE_RECORDS records (io/limits.py) unless asked for
      cbcf-data-<version>.zip  all of the above
      SHA256SUMS               a checksum line for every file

Nothing carries a timestamp; the zip's entries are sorted with a fixed date, so two builds of the
same data are identical.

The dataset is parsed once, by validation, and the release is written from the rows as they
pass (`stream.ReleaseStream`, its tee), as CSV cells, never as records: the tables' CSV and
spreadsheet CSV in the main process; SQLite and each row's JSON (`spools.Spools`) in the process
of `sqlite.Builder`, on another core, which gets each batch as the canonical CSV text just
written and parses it back; the JSON document is then put together meeting by meeting from those
spools (`document.write_spooled`). Every file is hashed as it is written
(`output.Output`) and compressed for the zip in other threads as soon as it is finished
(`output.Deflater`; the JSON document as it is written, `output.Streamed`; the SQLite file by the
builder's process, once it is finished, while the JSON document is written); the zip then copies
the compressed members in, and SHA256SUMS comes from the hashes taken while writing. Nothing holds the dataset's rows: memory does not grow with them
(but for the website's, while it goes in: at most SITE_RECORDS rows with pages).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cbcf_data import signals
from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset
from cbcf_data.errors import InvalidDataError
from cbcf_data.io import limits, package
from cbcf_data.publish import citation, describe, versioning
from cbcf_data.publish.describe import dumps
from cbcf_data.publish.document import release_document as release_document  # part of this module's interface
from cbcf_data.publish.document import write_spooled
from cbcf_data.publish.output import ZIP_DATE as ZIP_DATE  # part of this module's interface
from cbcf_data.publish.output import Output, zip_entry, zip_files
from cbcf_data.publish.readme import release_readme
from cbcf_data.publish.stream import FORMULA_STARTS as FORMULA_STARTS  # part of this module's interface
from cbcf_data.publish.stream import ReleaseStream

EXCEL_README = """These CSV files are the cbcf-data tables in a spreadsheet-friendly flavour:
UTF-8 with a byte-order mark (so Excel detects the encoding), CRLF line endings, and every cell
that begins with = + - @ or a tab is prefixed with an apostrophe (') so that no spreadsheet runs
it as a formula. Values are otherwise identical to the canonical CSV in ../csv/, which is the
form to use for anything but opening in a spreadsheet.
"""


def release_name(version: str = __version__) -> str:
    """The release's folder and file stem: `cbcf-data-<version>`."""
    return f"cbcf-data-{version}"


def build_release(out: str | Path = "dist", dataset: str | Path | None = None, site: bool | None = None,
                  note: Callable[[str], None] | None = None) -> Path:
    """Validate the dataset, then write its release folder under `out`; return the folder.

    The dataset is parsed once: the release's data is written as validation reads the rows
    (`stream.ReleaseStream`, its tee), and thrown away if the dataset proves invalid. A dataset
    whose tables are not sorted by key (valid, with a `not-sorted` warning) is then loaded and its
    tables sorted, within the limits of `load()`. `site`: True puts the website in as `site/`,
    False leaves it out; None (the default) puts it in while the tables that get pages hold at
    most `limits.SITE_RECORDS` rows, and otherwise leaves it out, says so to `note` (one line) and
    in the release's README.
    Raises InvalidDataError (carrying the report) and writes nothing when the dataset is invalid.
    The folder appears complete or not at all: it is built beside its place, then moved in.
    """
    descriptor_file = package.descriptor_path(dataset)
    out = Path(out)
    replaceable(out / release_name())
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _build(out, dataset, descriptor_file, site, note)
    except BaseException as error:
        if made and not any(out.iterdir()):  # nothing is left where nothing was
            out.rmdir()
        if isinstance(error, OSError) and error.filename is None:  # a write to a file (a full disk): say where
            error.filename = str(out / release_name())
        raise


def _build(out: Path, dataset: str | Path | None, descriptor_file: Path, site: bool | None,
           note: Callable[[str], None] | None) -> Path:
    from cbcf_data.check.validate import validate
    from cbcf_data.io import outputs, writes

    name = release_name()
    target = out / name
    with writes.reading(descriptor_file.parent), \
            outputs.building(out, f".{name}.") as temp:  # no change meanwhile
        staging, work = Path(temp) / name, Path(temp) / "work"
        stream: ReleaseStream | None = None
        try:
            with signals.held():  # a stop meanwhile is raised once the stream (and its builder's process) is kept
                stream = ReleaseStream(staging, work, site, limits.SITE_RECORDS)
            report = validate(dataset, tee=stream)
            if not report.valid:
                raise InvalidDataError("the dataset does not validate; no release was built", report)
            if stream.failed is not None:
                raise stream.failed
            versioning.check_release(descriptor_file)
            if stream.unsorted:
                stream.close()
                with signals.held():  # rmtree, cut, closes a descriptor twice
                    shutil.rmtree(staging)
                    shutil.rmtree(work)
                    stream = ReleaseStream(staging, work, site, limits.SITE_RECORDS)
                feed_sorted(stream, dataset)
            descriptor = package.read_descriptor(descriptor_file)
            paths = package.resource_paths(descriptor, descriptor_file.parent)
            root = stream.root = paths["meetings"].parent if "meetings" in paths else descriptor_file.parent
            write_release(stream, descriptor, descriptor_file.parent, root, with_site(stream, site, note))
        finally:
            if stream is not None:
                with signals.held():  # its builder's process waited for, whatever comes
                    stream.close()
        replaceable(target)
        outputs.replace_folder(staging, target, Path(temp) / outputs.ASIDE)
    return target


def replaceable(target: Path) -> bool:
    """Whether an earlier release folder is at `target`, which the new one replaces; anything else
    there (a link, a file, a folder holding anything a release does not, or any file its
    SHA256SUMS does not list, such as a checkout unpacked as `cbcf-data-<version>`) is refused
    (CbcfDataError), before any work and again before the folder is replaced: a release replaces
    only a folder of an earlier release."""
    from cbcf_data.io import outputs

    return outputs.replaceable_folder(target, release_names(target.name), "release", "SHA256SUMS")


def release_names(name: str) -> frozenset[str]:
    """What a release folder named `name` holds at its top (`site` only with the website)."""
    return frozenset({"README.md", "LICENSE-DATA", "CITATION.cff", "data-dictionary.md", "csv", "excel", "schema",
                      f"{name}.json", describe.SQLITE, "metadata.json", "site", f"{name}.zip", "SHA256SUMS"})


def feed_sorted(stream: ReleaseStream, dataset: str | Path | None) -> None:
    """The release's data written again into a new `stream` from the dataset loaded, each table
    sorted by key (for a valid dataset whose tables are not: the JSON document joins the tables in
    key order)."""
    from cbcf_data.dataset import load
    from cbcf_data.model.declared import MODELS

    ds = load(dataset)
    for model in MODELS:
        if model.table in ds.tables():
            key = model.primary_key
            stream.feed(model, iter(sorted(ds.table(model.table).rows(), key=lambda row: tuple(row[k] or "" for k in key))))


def with_site(stream: ReleaseStream, site: bool | None, note: Callable[[str], None] | None = None) -> Dataset | None:
    """The dataset the website is made from, or None when the release leaves it out: when told
    (`site`), else while the tables that get pages hold at most `limits.SITE_RECORDS` rows and all
    tables `limits.SITE_ROWS` (otherwise said to `note` in one line)."""
    from cbcf_data.publish.site.views import RECORD_TABLES

    if stream.kept is not None and site is not False:
        return stream.site_dataset()
    if site is None and note is not None:
        records, rows = sum(stream.counts.get(table, 0) for table in RECORD_TABLES), sum(stream.counts.values())
        note(f"The release leaves the website out: {records:,} records would get pages and {rows:,} rows be kept "
             f"for it, more than {limits.SITE_RECORDS:,} or {limits.SITE_ROWS:,}; build it with `cbcf-data site`, "
             "or use `release --site`.")
    return None


def write_release(stream: ReleaseStream, descriptor: dict[str, Any], source: Path | None, root: Path | None,
                  site: Dataset | None = None) -> None:
    """The rest of the release after `stream` wrote its tables: the descriptor, codelists,
    archived texts, schemas, licence, citation, the JSON document from the spools, the SQLite
    file finished, metadata, README, the website of `site` (None: none); then the zip, from
    the files on disk, and SHA256SUMS. `source` is the dataset's folder (for its licence text and
    its git commit), `root` the folder of its tables (for the archived texts)."""
    from cbcf_data.dataset.hierarchy import Tree, parent_field
    from cbcf_data.model.declared import TABLES

    name = release_name()
    facts = describe.about(descriptor, source)
    out, folder = stream.out, stream.out.folder
    stream.finish(wait=False)  # the builder catches up with the rows while the rest is written
    closures = {}
    for table in describe.hierarchies():
        rows = stream.hierarchies.get(table, [])
        closures[table] = Tree.of(rows, "id", parent_field(TABLES[table]) or "").closure(row["id"] for row in rows)
    stream.db.start_finish(closures, facts)  # SQLite's last steps (and its compression) run while the rest is written
    carried = write_data(out, stream, descriptor, root)
    out.write("LICENSE-DATA", describe.licence_text(source))
    out.write("CITATION.cff", citation.citation_cff().encode("utf-8"))
    metadata = write_schemas(out, facts)
    stream.spooled()
    with out.open(f"{name}.json", streamed=True) as file:  # compressed as it is written
        write_spooled(file, facts, stream.work, stream.hierarchies)
    stream.finish_database()
    out.add(describe.SQLITE, stream.db.deflated)  # compressed by the builder's process, when it has one
    out.write("metadata.json", metadata)
    out.write("README.md", release_readme(stream.counts, facts, name, site is not None,
                                                asked=stream.keep_site is False).encode("utf-8"))
    if site is not None:
        write_site(out, site, carried)
    zip_files(folder / f"{name}.zip", folder, out.settle(), f"{name}/",
              out.deflater.members if out.deflater is not None else None)
    out.deflater = None  # the zip and SHA256SUMS are not in the zip
    out.add(f"{name}.zip")
    out.write("SHA256SUMS", out.checksums())


def write_schemas(out: Output, facts: dict[str, Any]) -> bytes:
    """schema/ and data-dictionary.md; return Datasette's metadata (metadata.json, written later).
    The Pydantic models, first needed here, are imported after validation, while the builder's
    process catches up with the rows; with the stops held back (`signals.held`, a few tenths of a
    second): Pydantic's core, cut by Ctrl-C while it builds a model or serializes a value, raises
    an error of its own (a SchemaError, a PydanticSerializationError) in place of the stop."""
    with signals.held():
        from cbcf_data.publish.schema import schema_files

        files = schema_files()
        dictionary = _data_dictionary()
        metadata = dumps(describe.datasette_metadata(facts)).encode("utf-8")
    for schema, text in files.items():
        out.write(f"schema/{schema}", text.encode("utf-8"))
    out.write("data-dictionary.md", dictionary)
    return metadata


def write_site(out: Output, ds: Dataset, carried: list[str]) -> None:
    """site/: its data files are copies of the `carried` csv/ files (the same bytes: the tables
    and archived texts), its pages are written one by one as they are rendered."""
    from cbcf_data.publish.site.render import iter_site_files

    data: dict[str, tuple[int, str]] = {}
    for path in carried:
        inside = path[len("csv/"):]
        out.copy(f"site/data/{inside}", path)
        data[f"data/{inside}"] = (out.sizes[path], out.hashes[path])
    for path, content in iter_site_files(ds, data):
        out.write(f"site/{path}", content)


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


def write_data(out: Output, stream: ReleaseStream, descriptor: dict[str, Any], root: Path | None) -> list[str]:
    """The rest of csv/ (codelists, crosswalk, archived texts, the descriptor with sizes and hashes)
    and excel/README.txt, after the stream wrote the tables; return the csv/ paths the site
    carries too (tables, texts)."""
    resources = []
    carried = []
    for resource in descriptor["resources"]:
        table = resource["name"]
        if f"csv/{table}.csv" not in out.hashes:  # never for a valid dataset: every table was read
            raise InvalidDataError(f"{table}: the table was not read; no release was built")
        resources.append({**resource, "path": f"{table}.csv"})
        carried.append(f"csv/{table}.csv")
    out.write("csv/codelists.csv", codelists_csv().encode("utf-8"))
    resources.append(json.loads(json.dumps(CODELISTS_RESOURCE)))  # a copy: sizes and hashes are added below
    out.write("csv/status_crosswalk.csv", describe.crosswalk_csv().encode("utf-8"))
    resources.append(json.loads(json.dumps(CROSSWALK_RESOURCE)))
    for resource in resources:
        path = f"csv/{resource['path']}"
        resource.update({"bytes": out.sizes[path], "hash": "sha256:" + out.hashes[path]})
    for archive_path, sha256 in stream.archives:
        if root is not None:
            out.write(f"csv/{archive_path}", archived_text(root / archive_path, sha256, root))
            carried.append(f"csv/{archive_path}")
    out.write("csv/datapackage.json", dumps({**descriptor, "resources": resources}).encode("utf-8"))
    out.write("excel/README.txt", EXCEL_README.encode("utf-8"))
    return carried


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


def _data_dictionary() -> bytes:
    from cbcf_data.publish.docs import data_dictionary

    return data_dictionary().encode("utf-8")


def excel_csv(text: str) -> bytes:
    """A canonical CSV text in the spreadsheet flavour: BOM, CRLF, formula-like cells neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(["'" + cell if cell.startswith(FORMULA_STARTS) else cell for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of `files` with sorted entries, a fixed date and fixed permissions, in memory (a
    release's zip is built from its files on disk by `output.zip_files`, with the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(zip_entry(path, len(files[path])), files[path])
    return buffer.getvalue()


def verify_checksums(folder: Path) -> list[str]:
    """Paths in the folder's SHA256SUMS whose file is missing or differs (empty when all match)."""
    return package.verify_checksums(folder)
