"""`load()`: a dataset from a folder, its descriptor, a release folder, zip or JSON document.

The packaged dataset loads lazily: `load()` reads its CSV cells (a few milliseconds, no Pydantic),
and each record becomes a typed model the first time it is asked for. Any other dataset is
validated row by row as it loads, so a bad row is reported with its file and line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cbcf_data.dataset.tables import Dataset, Table, typed_record
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, package

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record

R = TypeVar("R", bound="Record")


def parse_table(model: type[R], path: Path) -> list[R]:
    """Typed records of one table's CSV file; InvalidDataError names the first bad row."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnusableInputError(f"{path}: cannot read ({error})") from None
    return parse_table_text(model, text, str(path))


def parse_table_text(model: type[R], text: str, label: str) -> list[R]:
    """Typed records of a table's CSV text; `label` names it in errors."""
    fields, rows = csvfiles.parse_csv_text(text)
    if fields != csvfiles.header(model):
        raise InvalidDataError(f"{label}:1: header differs from the {model.table} schema; run `cbcf-data validate`")
    return [typed_record(model, row, f"{label}:{line}") for line, row in enumerate(rows, start=2)]


_cache: dict[tuple[Any, ...], Dataset] = {}
_lock = threading.Lock()


def load(path: str | Path | None = None) -> Dataset:
    """Load a dataset: the packaged one by default, or a dataset folder or its datapackage.json,
    a release folder, a release zip, or a release's JSON document.

    Parsed once per process for each unchanged input. The packaged dataset (validated before
    it ships) makes its typed records on first use; any other is validated as it loads. A release
    is checked against the sizes and hashes it carries (its descriptor's, its SHA256SUMS): a changed
    or damaged file is an InvalidDataError, never a silently different dataset.
    """
    if path is None:
        descriptor_file = package.descriptor_path(None)
        if package.inside_package(descriptor_file):  # the wheel's copy: nothing writes there, no lock
            return _cached(("packaged", *_signature(descriptor_file)), lambda: _lazy(descriptor_file))
        from cbcf_data.io import writes

        with writes.reading(descriptor_file.parent):  # a checkout's copy may be being changed
            return _cached(("packaged", *_signature(descriptor_file)), lambda: _lazy(descriptor_file))
    kind, file = package.classify(path)
    if kind == "zip":
        return _cached(("zip", *_signature(file)), lambda: _from_zip(file))
    if kind == "json":
        return _cached(("json", *_signature(file)), lambda: _from_release_json(file))
    from cbcf_data.io import writes

    descriptor_file = package.descriptor_path(file)
    # Under the dataset's lock (shared): no table is replaced while they are read, and an
    # interrupted change is finished or undone first.
    with writes.reading(descriptor_file.parent):
        paths = _table_paths(descriptor_file)
        signature = ("package", str(descriptor_file.resolve()), *(_signature(p) for p in paths.values()))

        def build() -> Dataset:
            from cbcf_data.model.tables import TABLES

            if Path(path).is_dir():
                _check_checksums(Path(path))
            _check_integrity(descriptor_file)
            tables = {name: parse_table(model, paths[name]) for name, model in TABLES.items()}
            return Dataset.from_records(tables, root=paths["meetings"].parent)

        return _cached(signature, build)


def _check_integrity(descriptor_file: Path) -> None:
    """InvalidDataError when a resource's file differs from the size or hash its descriptor declares."""
    descriptor = package.read_descriptor(descriptor_file)
    paths = package.resource_paths(descriptor, descriptor_file.parent)
    for resource in descriptor["resources"]:
        name = resource.get("name") if isinstance(resource, dict) else None
        path = paths.get(name) if isinstance(name, str) else None
        problem = package.file_integrity(resource, path) if path is not None and path.is_file() else None
        if problem is not None:
            raise InvalidDataError(f"{path}: {problem[1]}: the release was changed or damaged; "
                                   "download it again, or run `cbcf-data validate` on it")


def _check_checksums(folder: Path, only: set[str] | None = None) -> None:
    """InvalidDataError when a file a release folder's SHA256SUMS lists is missing or differs."""
    bad = package.verify_checksums(folder, only)
    if bad:
        raise InvalidDataError(f"{folder / package.CHECKSUMS}: {', '.join(bad[:5])} differ from their checksums: "
                               "the release was changed or damaged; download it again")


def _table_paths(descriptor_file: Path) -> dict[str, Path]:
    from cbcf_data.model.tables import TABLES

    paths = package.resource_paths(package.read_descriptor(descriptor_file), descriptor_file.parent)
    missing = [name for name in TABLES if name not in paths]
    if missing:
        raise UnusableInputError(f"{descriptor_file}: no resource for table(s) {', '.join(missing)}")
    return {name: paths[name] for name in TABLES}


def _lazy(descriptor_file: Path) -> Dataset:
    """The packaged dataset as cells; records are typed on first access (see `Table`)."""
    descriptor = package.read_descriptor(descriptor_file)
    tables: dict[str, Table[Any]] = {}
    for resource in descriptor["resources"]:
        path = descriptor_file.parent / resource["path"]
        _, rows = csvfiles.parse_csv_text(path.read_text(encoding="utf-8"))
        tables[resource["name"]] = Table(resource["name"], resource["schema"]["primaryKey"], rows)
    return Dataset(tables, root=(descriptor_file.parent / descriptor["resources"][0]["path"]).parent)
def _cached(signature: tuple[Any, ...], build: Callable[[], Dataset]) -> Dataset:
    with _lock:
        cached = _cache.get(signature)
        if cached is None:
            cached = _cache[signature] = build()
    return cached


def _signature(path: Path) -> tuple[str, int, int, int]:
    """What tells a file's versions apart: a replaced file has a new inode even when its time
    and size are those of the old one (two writes in one clock tick)."""
    try:
        stat = path.stat()
    except OSError:
        raise UnusableInputError(f"{path}: no such table file") from None
    return str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size


def _from_zip(file: Path) -> Dataset:
    """A dataset from a release zip: the data package under its csv/ folder."""
    from cbcf_data.model.tables import TABLES

    descriptor, texts = package.read_release_zip(file)
    for resource in descriptor.get("resources", []):
        problem = package.bytes_integrity(resource, texts[resource["name"]].encode("utf-8"))
        if problem is not None:
            raise InvalidDataError(f"{file}!{resource.get('path')}: {problem[1]}: the release was changed or damaged; "
                                   "download it again, or run `cbcf-data validate` on it")
    missing = [name for name in TABLES if name not in texts]
    if missing:
        raise UnusableInputError(f"{file}: no file for table(s) {', '.join(missing)}")
    tables = {name: parse_table_text(model, texts[name], f"{file}!{name}") for name, model in TABLES.items()}
    return Dataset.from_records(tables)


def _from_release_json(file: Path) -> Dataset:
    """A dataset from a release's JSON document (meetings as bundles, plus reference tables)."""
    from cbcf_data.io.readers import DOCUMENT_LIMIT, ReadError, parse_json, read_text
    from cbcf_data.model.bundle import NEW_TABLES, to_rows
    from cbcf_data.model.tables import TABLES

    _check_checksums(file.parent, {file.name})
    try:
        document = parse_json(read_text(file, 16 * DOCUMENT_LIMIT))
    except ReadError as error:
        raise UnusableInputError(f"{file}: {error.message}") from None
    if not isinstance(document, dict) or not isinstance(document.get("meetings"), list):
        raise UnusableInputError(f"{file}: not a cbcf-data release document (no `meetings` list)")
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    derived = ("ancestors", "descendants")  # listed beside a hierarchy's rows; parent_id holds the same
    for table in NEW_TABLES.values():
        rows[table].extend({k: v for k, v in row.items() if k not in derived} if isinstance(row, dict) else row
                           for row in document.get(table) or [])
    rows["retired_ids"].extend(document.get("retired_ids") or [])
    for meeting in document["meetings"]:
        for table, table_rows in to_rows(meeting)[0].items():
            rows[table].extend(table_rows)
    tables = {name: [typed_record(TABLES[name], row, f"{file}: {name}[{i}]") for i, row in enumerate(rows[name])]
              for name in TABLES}
    return Dataset.from_records(tables)
