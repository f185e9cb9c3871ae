"""`Dataset` and `Table`: each table a read-only collection keyed by primary key, and navigation
between related records. Records are typed on first access (see `Table`), so a dataset held as
cells costs no Pydantic until a record is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cbcf_data.errors import CbcfDataError, InvalidDataError
from cbcf_data.io import csvfiles

if TYPE_CHECKING:
    from cbcf_data.model.tables import (
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
        from cbcf_data.model.tables import TABLES

        return TABLES[self.name]  # type: ignore[return-value]

    def __getitem__(self, key: Any) -> R:
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = typed_record(self.model, dict(self._rows[key]), f"{self.name} {key!r}")
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
        from cbcf_data.model.tables import MODELS

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
        from cbcf_data.model.tables import MODELS, TABLES

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

    def to_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's rows as plain dicts (field -> value), in primary-key order."""
        return {name: [record.model_dump() for record in table.values()] for name, table in self.tables().items()}

    def to_csv_texts(self) -> dict[str, str]:
        """Every table as canonical CSV text, by table name."""
        return {name: csvfiles.records_to_csv_text(t.model, t.values()) for name, t in self.tables().items()}


def pandas_dtypes(model: type[Record]) -> dict[str, str]:
    """Column -> pandas dtype for a table, from its Table Schema (nullable `Int64` and `string`)."""
    from cbcf_data.model.table_schema import table_schema

    return {f["name"]: "Int64" if f["type"] == "integer" else "string" for f in table_schema(model)["fields"]}


def _key_field(link: type[Record], table: str) -> str | None:
    """The field of link's primary key that references `table`, if there is one."""
    for field in link.primary_key:
        if link.foreign_keys.get(field) == table:
            return field
    return None


def typed_record(model: type[R], row: dict[str, Any], where: str) -> R:
    from pydantic import ValidationError

    try:
        return model.model_validate(row)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or first.get("ctx", {}).get("field", "")
        raise InvalidDataError(f"{where}: {field}: {_message(first)}; run `cbcf-data validate`") from None


def _message(problem: Any) -> str:
    """Pydantic's message, or the text rule's words for a character outside it (`model.text`)."""
    from cbcf_data.model import text

    value = problem.get("input")
    if problem["type"] in ("string_pattern_mismatch", "string_unicode") and isinstance(value, str):
        multiline = (problem.get("ctx") or {}).get("pattern") == text.TEXT_PATTERN
        found = text.problem(value, multiline)
        if found is not None:
            code, position, what, _ = found
            return f"holds {what} at character {position + 1} ({code})"
    return str(problem["msg"])[:200]
