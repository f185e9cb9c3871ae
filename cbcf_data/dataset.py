"""`load()` and the `Dataset` it returns: each table a read-only collection keyed by primary key.

The packaged dataset loads lazily: `load()` reads its CSV cells (a few milliseconds, no Pydantic),
and each record becomes a typed model the first time it is asked for. Any other dataset is
validated row by row as it loads, so a bad row is reported with its file and line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cbcf_data import csvfiles, package
from cbcf_data.errors import CbcfDataError, InvalidDataError, UnusableInputError

if TYPE_CHECKING:
    from cbcf_data.models import (
        Assessment,
        Attendance,
        Commitment,
        CommitmentTopic,
        Instrument,
        InstrumentMention,
        Meeting,
        MeetingSource,
        MeetingTopic,
        Organization,
        Person,
        Record,
        Source,
        Topic,
    )

R = TypeVar("R", bound="Record")


class Table(Mapping[Any, R], Generic[R]):
    """A read-only table: records by primary key (a string, or a tuple for composite keys)."""

    def __init__(self, name: str, primary_key: Iterable[str], rows: Iterable[Mapping[str, Any]],
                 records: Iterable[R] = ()) -> None:
        self.name = name
        self.primary_key = tuple(primary_key)
        self._rows: dict[Any, Mapping[str, Any]] = {self._key_of(row): row for row in rows}
        self._records: dict[Any, R] = {record.key: record for record in records}
        self._indexes: dict[str, dict[str, list[Any]]] = {}

    def _key_of(self, row: Mapping[str, Any]) -> Any:
        if len(self.primary_key) == 1:
            return row[self.primary_key[0]]
        return tuple(row[name] for name in self.primary_key)

    @property
    def model(self) -> type[R]:
        """The table's model class."""
        from cbcf_data.models import TABLES

        return TABLES[self.name]  # type: ignore[return-value]

    def __getitem__(self, key: Any) -> R:
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = _record(self.model, dict(self._rows[key]), f"{self.name} {key!r}")
        return record

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<Table {self.name}: {len(self)} rows>"

    def where(self, field: str, value: Any) -> list[R]:
        """Records whose `field` equals `value`, in primary-key order (indexed on first use)."""
        index = self._indexes.get(field)
        if index is None:
            if field not in self.model.model_fields:
                raise KeyError(f"{self.name} has no field {field!r}")
            index = {}
            for key in sorted(self._rows, key=_sortable):
                index.setdefault(csvfiles.to_cell(self._rows[key].get(field)), []).append(key)
            self._indexes[field] = index
        return [self[key] for key in index.get(csvfiles.to_cell(value), ())]


def _sortable(key: Any) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)


class Dataset:
    """The whole dataset: one `Table` per table, and navigation between related records."""

    meetings: Table[Meeting]
    people: Table[Person]
    organizations: Table[Organization]
    attendances: Table[Attendance]
    topics: Table[Topic]
    meeting_topics: Table[MeetingTopic]
    commitments: Table[Commitment]
    commitment_topics: Table[CommitmentTopic]
    instruments: Table[Instrument]
    instrument_mentions: Table[InstrumentMention]
    sources: Table[Source]
    meeting_sources: Table[MeetingSource]
    assessments: Table[Assessment]

    def __init__(self, tables: Mapping[str, Table[Any]], root: Path | None = None) -> None:
        self._tables = dict(tables)
        for name, table in self._tables.items():
            setattr(self, name, table)
        #: Folder holding the tables' CSV files and `sources/` (None when loaded from a zip or JSON).
        self.root = root

    @classmethod
    def from_records(cls, tables: Mapping[str, Iterable[Record]], root: Path | None = None) -> Dataset:
        """A dataset of typed records, by table name (every table of the models; missing ones empty)."""
        from cbcf_data.models import MODELS

        built = {}
        for model in MODELS:
            records = list(tables.get(model.table, []))
            built[model.table] = Table(model.table, model.primary_key, (r.model_dump() for r in records), records)
        return cls(built, root)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(table)}" for name, table in self._tables.items())
        return f"<Dataset {counts}>"

    def table(self, name: str) -> Table[Any]:
        """The table called `name`."""
        if name not in self._tables:
            raise KeyError(f"no table {name!r}; tables are: {', '.join(self._tables)}")
        return self._tables[name]

    def tables(self) -> dict[str, Table[Any]]:
        """Every table by name, in dependency order."""
        return dict(self._tables)

    def related(self, record: Record, table: str) -> list[Any]:
        """Records of `table` related to `record`, directly or through a link table.

        `ds.related(meeting, "commitments")`, `ds.related(person, "attendances")`,
        `ds.related(topic, "commitments")` (through commitment_topics),
        `ds.related(meeting, "topics")` (through meeting_topics).
        """
        from cbcf_data.models import MODELS, TABLES

        target = TABLES[table]
        here = type(record)
        for field, referenced in target.foreign_keys.items():
            if referenced == here.table and target is not here:
                return self.table(table).where(field, record.key)
        for field, referenced in here.foreign_keys.items():
            if referenced == table and target is not here:
                value = getattr(record, field)
                return [self.table(table)[value]] if value in self.table(table) else []
        for link in MODELS:
            to_here = _key_field(link, here.table)
            to_target = _key_field(link, table)
            if to_here and to_target:
                rows = self.table(link.table).where(to_here, record.key)
                keys = dict.fromkeys(getattr(row, to_target) for row in rows)
                return [self.table(table)[key] for key in keys if key in self.table(table)]
        raise KeyError(f"{table} is not related to {here.table}")

    def to_pandas(self) -> dict[str, Any]:
        """One pandas DataFrame per table, columns typed from the schema (text: `string`, integers: `Int64`).

        pandas is an optional extra: `pip install 'cbcf-data[pandas]'`.
        """
        try:
            import pandas as pd
        except ImportError:
            raise CbcfDataError("to_pandas() needs pandas: pip install 'cbcf-data[pandas]'") from None
        frames = {}
        for name, table in self.tables().items():
            dtypes = pandas_dtypes(table.model)
            data = {column: [getattr(record, column) for record in table.values()] for column in dtypes}
            frames[name] = pd.DataFrame(data, columns=list(dtypes)).astype(dtypes)
        return frames

    def to_csv_texts(self) -> dict[str, str]:
        """Every table as canonical CSV text, by table name."""
        return {name: csvfiles.records_to_csv_text(t.model, t.values()) for name, t in self.tables().items()}


def pandas_dtypes(model: type[Record]) -> dict[str, str]:
    """Column -> pandas dtype for a table, from its Table Schema (nullable `Int64` and `string`)."""
    from cbcf_data.schema import table_schema

    return {f["name"]: "Int64" if f["type"] == "integer" else "string" for f in table_schema(model)["fields"]}


def _key_field(link: type[Record], table: str) -> str | None:
    """The field of link's primary key that references `table`, if there is one."""
    for field in link.primary_key:
        if link.foreign_keys.get(field) == table:
            return field
    return None


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
    return [_record(model, row, f"{label}:{line}") for line, row in enumerate(rows, start=2)]


def _record(model: type[R], row: dict[str, Any], where: str) -> R:
    from pydantic import ValidationError

    try:
        return model.model_validate(row)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or first.get("ctx", {}).get("field", "")
        raise InvalidDataError(f"{where}: {field}: {first['msg']}; run `cbcf-data validate`") from None


_cache: dict[tuple[Any, ...], Dataset] = {}
_lock = threading.Lock()


def load(path: str | Path | None = None) -> Dataset:
    """Load a dataset: the packaged one by default, or a dataset folder or its datapackage.json,
    a release folder, a release zip, or a release's JSON document.

    Parsed once per process for each unchanged input. The packaged dataset (validated before
    it ships) makes its typed records on first use; any other is validated as it loads.
    """
    if path is None:
        descriptor_file = package.descriptor_path(None)
        return _cached(("packaged", *_signature(descriptor_file)), lambda: _lazy(descriptor_file))
    kind, file = package.classify(path)
    if kind == "zip":
        return _cached(("zip", *_signature(file)), lambda: _from_zip(file))
    if kind == "json":
        return _cached(("json", *_signature(file)), lambda: _from_release_json(file))
    descriptor_file = package.descriptor_path(file)
    paths = _table_paths(descriptor_file)
    signature = ("package", str(descriptor_file.resolve()), *(_signature(p) for p in paths.values()))

    def build() -> Dataset:
        from cbcf_data.models import TABLES

        tables = {name: parse_table(model, paths[name]) for name, model in TABLES.items()}
        return Dataset.from_records(tables, root=paths["meetings"].parent)

    return _cached(signature, build)


def _table_paths(descriptor_file: Path) -> dict[str, Path]:
    from cbcf_data.models import TABLES

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


def _signature(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        raise UnusableInputError(f"{path}: no such table file") from None
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


def _from_zip(file: Path) -> Dataset:
    """A dataset from a release zip: the data package under its csv/ folder."""
    from cbcf_data.models import TABLES

    _, texts = package.read_release_zip(file)
    missing = [name for name in TABLES if name not in texts]
    if missing:
        raise UnusableInputError(f"{file}: no file for table(s) {', '.join(missing)}")
    tables = {name: parse_table_text(model, texts[name], f"{file}!{name}") for name, model in TABLES.items()}
    return Dataset.from_records(tables)


def _from_release_json(file: Path) -> Dataset:
    """A dataset from a release's JSON document (meetings as bundles, plus reference tables)."""
    from cbcf_data.bundle import NEW_TABLES, to_rows
    from cbcf_data.models import TABLES
    from cbcf_data.readers import DOCUMENT_LIMIT, ReadError, parse_json, read_text

    try:
        document = parse_json(read_text(file, 16 * DOCUMENT_LIMIT))
    except ReadError as error:
        raise UnusableInputError(f"{file}: {error.message}") from None
    if not isinstance(document, dict) or not isinstance(document.get("meetings"), list):
        raise UnusableInputError(f"{file}: not a cbcf-data release document (no `meetings` list)")
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for table in NEW_TABLES.values():
        rows[table].extend(document.get(table) or [])
    for meeting in document["meetings"]:
        for table, table_rows in to_rows(meeting)[0].items():
            rows[table].extend(table_rows)
    tables = {name: [_record(TABLES[name], row, f"{file}: {name}[{i}]") for i, row in enumerate(rows[name])]
              for name in TABLES}
    return Dataset.from_records(tables)
