"""`load()` and the `Dataset` it returns: each table a read-only collection keyed by primary key."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from cbcf_data import csvfiles, package
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.models import (
    MODELS,
    TABLES,
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

R = TypeVar("R", bound=Record)


class Table(Mapping[Any, R], Generic[R]):
    """A read-only table: records by primary key (a string, or a tuple for composite keys)."""

    def __init__(self, model: type[R], records: list[R]) -> None:
        self.model = model
        self._rows: dict[Any, R] = {record.key: record for record in records}
        self._indexes: dict[str, dict[Any, list[R]]] = {}

    def __getitem__(self, key: Any) -> R:
        return self._rows[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<Table {self.model.table}: {len(self)} rows>"

    def where(self, field: str, value: Any) -> list[R]:
        """Records whose `field` equals `value`, in primary-key order (indexed on first use)."""
        if field not in self.model.model_fields:
            raise KeyError(f"{self.model.table} has no field {field!r}")
        index = self._indexes.get(field)
        if index is None:
            index = {}
            for key in sorted(self._rows, key=_sortable):
                record = self._rows[key]
                index.setdefault(getattr(record, field), []).append(record)
            self._indexes[field] = index
        return list(index.get(value, ()))


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

    def __init__(self, tables: Mapping[str, list[Record]], root: Path | None = None) -> None:
        for model in MODELS:
            setattr(self, model.table, Table(model, list(tables.get(model.table, []))))
        #: Folder holding the tables' CSV files and `sources/` (None for a dataset built in memory).
        self.root = root

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(self.table(name))}" for name in TABLES)
        return f"<Dataset {counts}>"

    def table(self, name: str) -> Table[Any]:
        """The table called `name`."""
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables are: {', '.join(TABLES)}")
        table: Table[Any] = getattr(self, name)
        return table

    def tables(self) -> dict[str, Table[Any]]:
        """Every table by name, in dependency order."""
        return {name: self.table(name) for name in TABLES}

    def related(self, record: Record, table: str) -> list[Record]:
        """Records of `table` related to `record`, directly or through a link table.

        `ds.related(meeting, "commitments")`, `ds.related(person, "attendances")`,
        `ds.related(topic, "commitments")` (through commitment_topics),
        `ds.related(meeting, "topics")` (through meeting_topics).
        """
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

    def to_csv_texts(self) -> dict[str, str]:
        """Every table as canonical CSV text, by table name."""
        return {name: csvfiles.records_to_csv_text(TABLES[name], t.values()) for name, t in self.tables().items()}


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
    fields, rows = csvfiles.parse_csv_text(text)
    if fields != csvfiles.header(model):
        raise InvalidDataError(f"{path}:1: header differs from the {model.table} schema; run `cbcf-data validate`")
    records = []
    for line, row in enumerate(rows, start=2):
        try:
            records.append(model.model_validate(row))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise InvalidDataError(f"{path}:{line}: {where}: {first['msg']}; run `cbcf-data validate`") from None
    return records


_cache: dict[tuple[Any, ...], Dataset] = {}
_lock = threading.Lock()


def load(path: str | Path | None = None) -> Dataset:
    """Load a dataset: the packaged one by default, or a dataset folder or its datapackage.json.

    Parsed once per process for each unchanged dataset.
    """
    descriptor_file = package.descriptor_path(path)
    descriptor = package.read_descriptor(descriptor_file)
    root = descriptor_file.parent
    paths = package.resource_paths(descriptor, root)
    missing = [name for name in TABLES if name not in paths]
    if missing:
        raise UnusableInputError(f"{descriptor_file}: no resource for table(s) {', '.join(missing)}")
    signature = (str(descriptor_file.resolve()), *(_stat(paths[name]) for name in TABLES))
    with _lock:
        cached = _cache.get(signature)
        if cached is None:
            tables = {name: parse_table(TABLES[name], paths[name]) for name in TABLES}
            cached = _cache[signature] = Dataset(tables, root=paths["meetings"].parent)
    return cached


def _stat(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        raise UnusableInputError(f"{path}: no such table file") from None
    return stat.st_mtime_ns, stat.st_size
