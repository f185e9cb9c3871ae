"""`load()`: a dataset from a folder, its descriptor, a release folder, zip or JSON document.

The packaged dataset loads lazily: `load()` reads its CSV cells (a few milliseconds, no Pydantic),
and each record becomes a typed model the first time it is asked for. Any other dataset is
validated row by row as it loads, so a bad row is reported with its file and line.
"""

from __future__ import annotations

import _thread  # not `threading`: its locks are these, and `show` needs nothing more of it
import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cbcf_data.dataset.tables import TABLE_NAMES, Dataset, Table, typed_record
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, limits, package
from cbcf_data.io.readers import Budget, ReadError, csv_records, read_table, read_text

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record

R = TypeVar("R", bound="Record")


def parse_table(model: type[R], path: Path, budget: Budget | None = None, root: Path | None = None) -> list[R]:
    """Typed records of one table's CSV file (below `root`, the dataset's folder, when given);
    InvalidDataError names the first bad row, UnusableInputError a file that cannot be read."""
    try:
        header, records = read_table(path, root, budget or Budget())
    except ReadError as error:
        raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None
    return typed_rows(model, header, records, str(path))


def parse_table_text(model: type[R], text: str, label: str, budget: Budget | None = None) -> list[R]:
    """Typed records of a table's CSV text; `label` names it in errors."""
    budget = budget or Budget()
    try:
        records = list(csv_records(io.StringIO(text, newline=""), Path(label)))
        budget.spend_rows(len(records) - 1)
    except ReadError as error:
        raise UnusableInputError(f"{label}:{error.line or 1}: {error.message}") from None
    header = records[0][1] if records else []
    return typed_rows(model, header, records[1:], label)


def typed_rows(model: type[R], header: list[str], records: list[tuple[int, list[str]]], label: str) -> list[R]:
    """Typed records of a table's (first line, cells) under its header; empty cells are null."""
    if header != csvfiles.header(model):
        raise InvalidDataError(f"{label}:1: header differs from the {model.table} schema; run `cbcf-data validate`")
    return [typed_record(model, {name: (cell if cell != "" else None) for name, cell in zip(header, cells)},
                         f"{label}:{line}") for line, cells in records]


_cache: dict[tuple[Any, ...], Dataset] = {}
_lock = _thread.allocate_lock()


def load(path: str | Path | None = None) -> Dataset:
    """Load a dataset: the packaged one by default, or a dataset folder or its datapackage.json,
    a release folder, a release zip, or a release's JSON document.

    Parsed once per process for each unchanged input. A dataset folder (the packaged one too) is
    read as cells: `load()` checks that every table is readable within the load limits, that its
    header is the fields its descriptor declares, that each row has that many cells and that no
    two rows share a key. Each record is typed the first time it is asked for; a row that does not
    make a valid record raises InvalidDataError naming its file and line then (iterating a table
    types all its rows). The rules between tables are `cbcf-data validate`'s, not `load()`'s. A
    release zip or JSON document is typed as it loads. A release is checked against the sizes and
    hashes it carries (its descriptor's, its SHA256SUMS): a changed or damaged file is an
    InvalidDataError, never a silently different dataset.
    """
    if path is None:
        descriptor_file = package.descriptor_path(None)
        if package.inside_package(descriptor_file):  # the wheel's copy: nothing writes there, no lock
            return _cached(("packaged", *_signature(descriptor_file)), lambda: _lazy_paused(descriptor_file))
        from cbcf_data.io import writes

        with writes.reading(descriptor_file.parent):  # a checkout's copy may be being changed
            return _cached(("packaged", *_signature(descriptor_file)), lambda: _lazy_paused(descriptor_file))
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
        descriptor = package.read_descriptor(descriptor_file)  # read once, for the paths and the build
        paths = _table_paths(descriptor_file, descriptor)
        signature = ("package", str(descriptor_file.resolve()), *(_signature(p) for p in paths.values()))

        def build() -> Dataset:
            if Path(path).is_dir():
                _check_checksums(Path(path))
            _check_integrity(descriptor_file, descriptor)
            with gc_paused():
                return _lazy(descriptor_file, descriptor)

        return _cached(signature, build)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block: reading a table makes a few container
    objects per row and no cycles, and the collector's passes over a heap that only grows would
    take as long as the reading itself (half of `load()` at 100k rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_integrity(descriptor_file: Path, descriptor: dict[str, Any]) -> None:
    """InvalidDataError when a resource's file differs from the size or hash its descriptor declares."""
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


def _table_paths(descriptor_file: Path, descriptor: dict[str, Any]) -> dict[str, Path]:
    paths = package.resource_paths(descriptor, descriptor_file.parent)
    missing = [name for name in TABLE_NAMES if name not in paths]
    if missing:
        raise UnusableInputError(f"{descriptor_file}: no resource for table(s) {', '.join(missing)}")
    return {name: paths[name] for name in TABLE_NAMES}


def _lazy_paused(descriptor_file: Path) -> Dataset:
    with gc_paused():
        return _lazy(descriptor_file)


def _lazy(descriptor_file: Path, descriptor: dict[str, Any] | None = None) -> Dataset:
    """A dataset folder's tables as cells; each record is typed on first access (see `Table`).

    What is checked here: every table file is readable within the limits of a folder's load
    (LOAD_FOLDER_BYTES, LOAD_FOLDER_ROWS, LOAD_MEMORY), its header is the
    fields its descriptor declares, each row has that many cells, and no two rows share a key. A
    row whose cells do not make a valid record raises InvalidDataError (file:line) when it is
    first accessed; `cbcf-data validate` checks every row and every rule between tables at once.
    """
    root = descriptor_file.parent
    descriptor = descriptor if descriptor is not None else package.read_descriptor(descriptor_file)
    paths = _table_paths(descriptor_file, descriptor)
    budget = Budget("load()", limits.LOAD_FOLDER_BYTES, limits.LOAD_FOLDER_ROWS, limits.LOAD_MEMORY)
    tables: dict[str, Table[Any]] = {}
    for resource in descriptor["resources"]:
        name, schema = resource.get("name"), resource.get("schema")
        if name not in TABLE_NAMES:
            continue
        key = schema.get("primaryKey") if isinstance(schema, dict) else None
        fields = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)] if isinstance(schema, dict) else []
        if not isinstance(key, list) or not all(isinstance(k, str) for k in key) or not set(key) <= set(fields):
            raise UnusableInputError(f"{descriptor_file}: resource {str(name)[:60]!r} needs a safe path and a "
                                     "primaryKey among its fields; run `cbcf-data validate`")
        try:
            header, records = read_table(paths[name], root, budget)
        except ReadError as error:
            raise UnusableInputError(f"{paths[name]}:{error.line or 1}: {error.message}") from None
        if header != fields:
            raise InvalidDataError(f"{paths[name]}:1: header differs from the {name} schema; run `cbcf-data validate`")
        tables[name] = Table.from_cells(name, key, header, records, str(paths[name]))
    return Dataset({name: tables[name] for name in TABLE_NAMES}, root=paths["meetings"].parent)


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

    budget = Budget()
    descriptor, texts = package.read_release_zip(file, budget)
    for resource in descriptor.get("resources", []):
        problem = package.bytes_integrity(resource, texts[resource["name"]].encode("utf-8"))
        if problem is not None:
            raise InvalidDataError(f"{file}!{resource.get('path')}: {problem[1]}: the release was changed or damaged; "
                                   "download it again, or run `cbcf-data validate` on it")
    missing = [name for name in TABLES if name not in texts]
    if missing:
        raise UnusableInputError(f"{file}: no file for table(s) {', '.join(missing)}")
    tables = {name: parse_table_text(model, texts[name], f"{file}!{name}", budget) for name, model in TABLES.items()}
    return Dataset.from_records(tables)


def _from_release_json(file: Path) -> Dataset:
    """A dataset from a release's JSON document (meetings as bundles, plus reference tables)."""
    from cbcf_data.io.documents import parse_json
    from cbcf_data.model.tables import TABLES

    _check_checksums(file.parent, {file.name})
    try:
        document = parse_json(read_text(file, limits.RELEASE_DOCUMENT_BYTES), limits.RELEASE_DOCUMENT_NODES)
    except ReadError as error:
        raise UnusableInputError(f"{file}: {error.message}") from None
    rows = release_rows(document, str(file))
    try:
        Budget().spend_rows(sum(len(table_rows) for table_rows in rows.values()))
    except ReadError as error:
        raise UnusableInputError(f"{file}: {error.message}") from None
    tables = {name: [typed_record(TABLES[name], row, f"{file}: {name}[{i}]") for i, row in enumerate(rows[name])]
              for name in TABLES}
    return Dataset.from_records(tables)


def release_rows(document: Any, label: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows of a release's JSON document; UnusableInputError where its shape is wrong."""
    from cbcf_data.model.bundle import NEW_TABLES, to_rows
    from cbcf_data.model.tables import TABLES

    if not isinstance(document, dict) or not isinstance(document.get("meetings"), list):
        raise UnusableInputError(f"{label}: not a cbcf-data release document (no `meetings` list)")
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    derived = ("ancestors", "descendants")  # listed beside a hierarchy's rows; parent_id holds the same
    for table in (*NEW_TABLES.values(), "retired_ids"):
        table_rows = document.get(table) or []
        if not isinstance(table_rows, list) or not all(isinstance(row, dict) for row in table_rows):
            raise UnusableInputError(f"{label}: `{table}` is not a list of objects")
        rows[table].extend({k: v for k, v in row.items() if k not in derived} for row in table_rows)
    for index, meeting in enumerate(document["meetings"]):
        if not isinstance(meeting, dict) or not isinstance(meeting.get("meeting"), dict):
            raise UnusableInputError(f"{label}: meetings[{index}] is not a meeting bundle (an object with a `meeting`)")
        for table, table_rows in to_rows(meeting)[0].items():
            rows[table].extend(table_rows)
    return rows
