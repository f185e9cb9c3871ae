"""`Dataset` and `Table`: each table a read-only collection keyed by primary key, and navigation
between related records. Records are typed on first access (see `Table`), so a dataset held as
cells costs no Pydantic until a record is asked for.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cbcf_data.dataset.display import dataset_html, table_html
from cbcf_data.dataset.hierarchy import Tree, parent_field
from cbcf_data.errors import InvalidDataError, NotFoundError, not_found
from cbcf_data.io import csvfiles

if TYPE_CHECKING:
    from cbcf_data.model.tables import (
        Assessment,
        Attendance,
        Commitment,
        CommitmentTopic,
        Instrument,
        InstrumentMention,
        InstrumentParty,
        Meeting,
        MeetingSource,
        MeetingTopic,
        Organization,
        Person,
        Record,
        RetiredId,
        Source,
        Topic,
    )

R = TypeVar("R", bound="Record")

#: The tables of a dataset in dependency order: `model.tables.TABLES`' keys, without importing
#: Pydantic (a test holds them equal).
TABLE_NAMES = ("sources", "meetings", "people", "organizations", "topics", "attendances", "meeting_topics",
               "commitments", "commitment_topics", "instruments", "instrument_parties", "instrument_mentions",
               "meeting_sources", "assessments", "retired_ids")


class RetiredIdWarning(UserWarning):
    """A retired ID was looked up and resolved to the ID that replaced it (see `retired_ids`)."""


class Table(Mapping[Any, R], Generic[R]):
    """A read-only table: records by primary key (a string, or a tuple for composite keys)."""

    def __init__(self, name: str, primary_key: Iterable[str], rows: Iterable[Mapping[str, Any]],
                 records: Iterable[R] = ()) -> None:
        self.name = name
        self.primary_key = tuple(primary_key)
        self._header: tuple[str, ...] | None = None
        #: Each row by key: a mapping, or (first line, cells) under `_header` for a table read as cells.
        self._rows: dict[Any, Any] = {self.key_of(row): row for row in rows}
        self._records: dict[Any, R] = {record.key: record for record in records}
        self._label = name
        self._indexes: dict[str, dict[str, list[Any]]] = {}
        self._tree: Tree | None = None
        #: Retired IDs of this table -> their registry row (set by `Dataset`).
        self.retired: dict[Any, Mapping[str, Any]] = {}

    @classmethod
    def from_cells(cls, name: str, primary_key: Iterable[str], header: Iterable[str],
                   records: Iterable[tuple[int, list[str]]], label: str) -> Table[Any]:
        """A table of CSV records, (first line, cells) under `header`, as read from the file `label`
        names: nothing is typed until asked for. InvalidDataError (file:line) for a record whose cell
        count differs from the header's or whose key another record already has."""
        table: Table[Any] = cls(name, primary_key, ())
        table._header, table._label = tuple(header), label
        width, at = len(table._header), [table._header.index(field) for field in table.primary_key]
        records = records if isinstance(records, list) else list(records)
        bad = next((record for record in records if len(record[1]) != width), None)
        if bad is not None:
            raise InvalidDataError(f"{label}:{bad[0]}: {len(bad[1])} cells under a header of {width}; "
                                   "run `cbcf-data validate`")
        key = operator.itemgetter(*at)
        table._rows = rows = {key(record[1]): record for record in records}
        if len(rows) != len(records):
            seen: dict[Any, int] = {}
            for line, cells in records:
                first = seen.setdefault(key(cells), line)
                if first != line:
                    raise InvalidDataError(f"{label}:{line}: the key {key(cells)!r} is also the key of line "
                                           f"{first}; run `cbcf-data validate`")
        return table

    def row(self, key: Any) -> Mapping[str, Any]:
        """The row of `key` as field -> cell (None for an empty cell), or as it was given, without
        typing it; KeyError when there is none."""
        row = self._rows[key]
        return row if self._header is None else csvfiles.cells_of(self._header)(row[1])

    def _value(self, key: Any, field: str) -> Any:
        if self._header is None:
            return self._rows[key].get(field)
        return self._rows[key][1][self._header.index(field)] or None if field in self._header else None

    def rows(self) -> Iterator[Mapping[str, Any]]:
        """Every row as field -> cell (None for an empty cell; typed values for a table built from
        records), in the table's order, without typing a record."""
        if self._header is None:
            return iter(self._rows.values())
        return map(csvfiles.cells_of(self._header), map(operator.itemgetter(1), self._rows.values()))

    def key_of(self, row: Mapping[str, Any]) -> Any:
        """The key a row of this table (as `rows()` gives it) is found under."""
        if self._header is not None:
            row = {name: csvfiles.to_cell(row.get(name)) for name in self.primary_key}
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
            row = self._rows.get(key)
            if row is None:
                return self._retired(key)
            where = f"{self._label}:{row[0]}" if self._header is not None else f"{self.name} {key!r}"
            record = self._records[key] = typed_record(self.model, dict(self.row(key)), where)
        return record

    def _retired(self, key: Any) -> R:
        """The successor of a retired ID (with a RetiredIdWarning); NotFoundError saying why it is gone."""
        entry = self.retired.get(key) if isinstance(key, str) else None
        if entry is None:
            raise not_found("row", key, self._rows, within=self.name)
        successor = entry.get("replaced_by") or None
        why = f"{key!r} was retired from {self.name} in version {entry['retired_in']}: {entry['reason']}"
        if successor is None or successor not in self._rows:
            raise NotFoundError(why + ("" if successor is None else f"; its successor {successor!r} is not here"))
        warnings.warn(RetiredIdWarning(f"{why}; using its successor {successor!r}"), stacklevel=3)
        return self[successor]

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._rows
        except TypeError:  # an unhashable key names no row
            return False

    def get(self, key: Any, default: Any = None) -> Any:
        """The record with primary key `key`, or `default` when there is none."""
        return self[key] if key in self else default

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<Table {self.name}: {len(self)} rows>"

    def _repr_html_(self) -> str:
        return table_html(self)

    def where(self, field: str, value: Any) -> list[R]:
        """Records whose `field` equals `value`, in primary-key order (indexed on first use).

        An unknown field, or a value outside a coded field's codelist, is a NotFoundError naming
        the nearest that exists (`where("phase", "reestablishd")` is a typo, not an empty answer).
        """
        if field not in self._indexes and field not in self.model.model_fields:
            raise not_found("field", field, self.model.model_fields, within=self.name)
        keys = self.keys_where(field, value)
        if keys is None and value is not None:
            _check_code(self.model, field, value)
        return [self[key] for key in keys or ()]

    def keys_where(self, field: str, value: Any) -> list[Any] | None:
        """The keys of the rows whose `field` holds `value`, in primary-key order, or None when no
        row does; no record typed, the field not judged (`where` does both). Indexed on first use."""
        index = self._indexes.get(field)
        if index is None:
            index = {}
            for key in sorted(self._rows, key=_sortable):
                index.setdefault(csvfiles.to_cell(self._value(key, field)), []).append(key)
            self._indexes[field] = index
        return index.get(csvfiles.to_cell(value))

    def to_pandas(self, index: bool = True) -> Any:
        """This table as a pandas DataFrame: typed columns, codes as categoricals, the primary key
        as the index (a MultiIndex for a composite key) unless `index` is False."""
        from cbcf_data.dataset.frames import frame

        return frame(self.model, self.values(), index=index)

    @property
    def tree(self) -> Tree:
        """Broader and narrower rows of a table with a parent (topics, organizations)."""
        if self._tree is None:
            field = parent_field(self.model)
            if field is None:
                raise NotFoundError(f"{self.name} has no hierarchy: no field of it names another of its rows")
            self._tree = Tree({key: self._value(key, field) for key in self._rows})
        return self._tree

    def ancestors(self, item: Any) -> list[R]:
        """The broader rows of a row (a record or its key), nearest first: fentanyl → drug trafficking → …"""
        return [self[key] for key in self.tree.ancestors(self._key(item))]

    def descendants(self, item: Any, direct: bool = False) -> list[R]:
        """The narrower rows of a row (a record or its key), in ID order; only its children when `direct`."""
        return [self[key] for key in self.tree.descendants(self._key(item), direct)]

    def _key(self, item: Any) -> Any:
        key = item.key if hasattr(item, "key") and not isinstance(item, str | tuple) else item
        if key not in self:
            raise not_found("row", key, self._rows, within=self.name)
        return key


def _check_code(model: type[Record], field: str, value: Any) -> None:
    """NotFoundError when `value` is not a code of the codelist of a coded field."""
    from cbcf_data.model.codelists import CODELISTS
    from cbcf_data.model.table_schema import codelist_of

    codelist = codelist_of(model, field)
    if codelist is not None and csvfiles.to_cell(value) not in CODELISTS[codelist]:
        raise not_found(f"{codelist} code", value, CODELISTS[codelist], cutoff=0.5)


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
    instrument_parties: Table[InstrumentParty]
    instrument_mentions: Table[InstrumentMention]
    sources: Table[Source]
    meeting_sources: Table[MeetingSource]
    assessments: Table[Assessment]
    retired_ids: Table[RetiredId]

    def __init__(self, tables: Mapping[str, Table[Any]], root: Path | None = None) -> None:
        self._tables = dict(tables)
        for name, table in self._tables.items():
            setattr(self, name, table)
        for row in self._tables["retired_ids"].rows() if "retired_ids" in self._tables else ():
            if row["table_name"] in self._tables:
                self._tables[row["table_name"]].retired[row["id"]] = row
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

    def __getattr__(self, name: str) -> Any:  # only for names that are not tables or attributes
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(str(not_found("table", name, self.__dict__.get("_tables", {}))))

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(table)}" for name, table in self._tables.items())
        return f"<Dataset {counts}>"

    def _repr_html_(self) -> str:
        return dataset_html(self)

    def table(self, name: str) -> Table[Any]:
        """The table called `name`."""
        if name not in self._tables:
            raise not_found("table", name, self._tables)
        return self._tables[name]

    def tables(self) -> dict[str, Table[Any]]:
        """Every table by name, in dependency order."""
        return dict(self._tables)

    def related(self, record: Record, table: str, direct: bool = False) -> list[Any]:
        """Records of `table` related to `record`, directly or through a link table, in key order.

        `ds.related(meeting, "commitments")`, `ds.related(person, "meetings")` (through attendances),
        `ds.related(topic, "commitments")` (through commitment_topics). From a row of a hierarchy
        (a topic, an organization) the rows of its narrower entries count too — drug trafficking's
        commitments include fentanyl's — unless `direct` is True; `ds.related(topic, "topics")` is
        its narrower topics. A table that is not related is a NotFoundError listing those that are.
        """
        from cbcf_data.dataset.navigation import related

        return related(self, record, self.table(table).name, direct)

    def as_of(self, date: Any) -> Dataset:
        """The dataset as it stood on `date` ("2023-06-30", or a `datetime.date`): the meetings held
        by then, their rows and commitments, each commitment's latest assessment on or before the
        date per party, and the reference rows those use. A partial date counts as known by the
        date only when its latest possible day is (`cbcf_data.dataset.asof` has the whole rule)."""
        from cbcf_data.dataset.asof import as_of

        return as_of(self, date)

    def ancestors(self, record: Record) -> list[Any]:
        """The broader rows of a topic or organization, nearest first."""
        return self.table(record.table).ancestors(record)

    def descendants(self, record: Record, direct: bool = False) -> list[Any]:
        """The narrower rows of a topic or organization, in ID order (only its children when `direct`)."""
        return self.table(record.table).descendants(record, direct)

    def label(self, codelist: str, code: str, lang: str = "en") -> str:
        """The label of a code in English (`en`) or French (`fr`): `ds.label("capacity", "host", lang="fr")`."""
        from cbcf_data.model.codelists import CODELISTS

        if codelist not in CODELISTS:
            raise not_found("codelist", codelist, CODELISTS)
        if code not in CODELISTS[codelist]:
            raise not_found(f"{codelist} code", code, CODELISTS[codelist], cutoff=0.5)
        if lang not in ("en", "fr"):
            raise not_found("language", lang, ("en", "fr"))
        entry = CODELISTS[codelist][code]
        return entry.label_fr or entry.label if lang == "fr" else entry.label

    def to_pandas(self, table: str | None = None, index: bool = True) -> Any:
        """pandas DataFrames: typed columns, codes as categoricals, the primary key as the index
        (unless `index` is False) — one table's (`to_pandas("meetings")`) or {table: DataFrame}.

        pandas is an optional extra: `pip install 'cbcf-data[pandas]'`.
        """
        if table is not None:
            return self.table(table).to_pandas(index)
        return {name: t.to_pandas(index) for name, t in self._tables.items()}

    def to_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's rows as plain dicts (field -> value), in primary-key order."""
        return {name: [record.model_dump() for record in table.values()] for name, table in self.tables().items()}

    def to_csv_texts(self) -> dict[str, str]:
        """Every table as canonical CSV text, by table name."""
        return {name: csvfiles.records_to_csv_text(t.model, t.values()) for name, t in self.tables().items()}


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
