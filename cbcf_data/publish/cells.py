"""A dataset's rows read from their cells, without Pydantic: what `show` prints from.

`Cells(ds)` offers what the summaries of `show` use of a `Dataset` — tables by name, records by
key, `where`, `related`, broader and narrower rows — over each table's cells, so printing a
summary neither imports Pydantic nor builds a model (most of `show`'s time when the dataset is
held as cells). A row is a `Row`: its fields as attributes (integers as `int`, as in its record),
and the repr and `model_dump()` of its record. `related` follows the same rules as
`dataset.navigation.related`; a test holds every summary of the real dataset byte-identical to the
one printed from typed records, and `TABLES` equal to what the models declare.

`Cells(ds, checked=True)` judges each row it gives out first, as typing it would: a row that
`model.accept` (the models' rules without Pydantic) accepts is given from its cells; any other is
typed by its table, so a bad row is the located error typing it raises (file, line, field), never
a row printed as if it were data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from cbcf_data.dataset.hierarchy import Tree
from cbcf_data.errors import NotFoundError
from cbcf_data.model.accept import accepter
from cbcf_data.model.display import Display

#: Each table, in the models' dependency order: its model's name, its integer fields, and the
#: table each referencing field names (the models' `foreign_keys`, in their order).
TABLES: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "sources": ("Source", (), {}),
    "meetings": ("Meeting", ("sequence",), {}),
    "people": ("Person", (), {}),
    "organizations": ("Organization", (), {"parent_id": "organizations"}),
    "topics": ("Topic", (), {"parent_id": "topics"}),
    "attendances": ("Attendance", (), {"meeting_id": "meetings", "person_id": "people",
                                       "organization_id": "organizations", "source_id": "sources"}),
    "meeting_topics": ("MeetingTopic", (), {"meeting_id": "meetings", "topic_id": "topics", "source_id": "sources"}),
    "commitments": ("Commitment", ("quote_start", "quote_end"), {"meeting_id": "meetings", "source_id": "sources"}),
    "commitment_topics": ("CommitmentTopic", (), {"commitment_id": "commitments", "topic_id": "topics"}),
    "instruments": ("Instrument", (), {"source_id": "sources"}),
    "instrument_parties": ("InstrumentParty", (), {"instrument_id": "instruments", "organization_id": "organizations",
                                                   "source_id": "sources"}),
    "instrument_mentions": ("InstrumentMention", (), {"meeting_id": "meetings", "instrument_id": "instruments",
                                                      "commitment_id": "commitments", "source_id": "sources"}),
    "meeting_sources": ("MeetingSource", (), {"meeting_id": "meetings", "source_id": "sources"}),
    "assessments": ("Assessment", (), {"commitment_id": "commitments", "source_id": "sources"}),
    "retired_ids": ("RetiredId", (), {}),
}


class Row(Display):
    """One row: its fields as attributes, in the table's order; repr and `model_dump()` as its record's."""

    table: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]]
    integers: ClassVar[tuple[str, ...]]

    def __init__(self, cells: dict[str, Any]) -> None:
        values = dict(cells)
        for field in self.integers:
            if isinstance(values.get(field), str):
                values[field] = int(values[field])
        self.__dict__.update(values)

    @property
    def key(self) -> Any:
        if len(self.primary_key) == 1:
            return getattr(self, self.primary_key[0])
        return tuple(getattr(self, name) for name in self.primary_key)

    def model_dump(self) -> dict[str, Any]:
        return dict(vars(self))


def parent_field(table: str) -> str | None:
    """The field by which a row of `table` names its broader row, or None."""
    return next((field for field, other in TABLES[table][2].items() if other == table), None)


class _RowView(Mapping[Any, Mapping[str, Any]]):
    """A table's rows by key as field -> cell, each made when asked for (`Table.row`)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __getitem__(self, key: Any) -> Mapping[str, Any]:
        return self._table.row(key)  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def __iter__(self) -> Iterator[Any]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class Rows:
    """One table's rows by key, read from its cells (a `Table`'s, typed or not)."""

    def __init__(self, table: Any, checked: bool = False) -> None:
        self.name: str = table.name
        self.primary_key: tuple[str, ...] = table.primary_key
        self.retired = table.retired
        self._table = table
        self._cells: Mapping[Any, Mapping[str, Any]] = _RowView(table)
        name, integers, _ = TABLES[self.name]
        self.row = type(name, (Row,), {"table": self.name, "primary_key": self.primary_key, "integers": integers,
                                       "__module__": __name__})
        self._tree: Tree | None = None
        self._checked = checked

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._cells
        except TypeError:
            return False

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cells)

    def __getitem__(self, key: Any) -> Row:
        cells = self._cells[key]
        if self._checked and not self._accepted(cells):
            # Typed as `Dataset` would: InvalidDataError naming the row's file, line and field if
            # it is bad; where only the accept path was too strict, the record's values.
            record = self._table[key]
            cells = {name: getattr(record, name) for name in type(record).model_fields}
        return self.row(cells)  # type: ignore[no-any-return]

    def _accepted(self, cells: Mapping[str, Any]) -> bool:
        """Whether the accept path takes the row's cells (a table given as records is typed instead)."""
        accept = accepter(self.name)  # compiled on first use (cached): only the tables printed pay for it
        try:
            return accept is not None and accept(dict(cells)) is not None
        except (TypeError, KeyError):  # not text cells of the table's fields
            return False

    def where(self, field: str, value: Any) -> list[Row]:
        """Rows whose `field` equals `value`, in primary-key order (the table's own index, `Table.keys_where`)."""
        return [self[key] for key in self._table.keys_where(field, value) or ()]

    def descendants(self, key: Any) -> list[Row]:
        """The narrower rows of `key`, in ID order."""
        if self._tree is None:
            field = parent_field(self.name)
            self._tree = Tree({k: row.get(field) for k, row in self._cells.items()} if field else {})
        return [self[k] for k in self._tree.descendants(key)]

    def ancestors(self, key: Any) -> list[Row]:
        """The broader rows of `key`, nearest first."""
        self.descendants(key)  # builds the tree
        assert self._tree is not None
        return [self[k] for k in self._tree.ancestors(key)]


class Cells:
    """What `show` uses of a `Dataset`, over its cells: `cells.meetings["cbcf-2024"].city`."""

    def __init__(self, ds: Any, checked: bool = False) -> None:
        self._tables = {name: Rows(table, checked) for name, table in ds.tables().items()}

    def __getattr__(self, name: str) -> Rows:
        if name.startswith("_") or name not in self._tables:
            raise AttributeError(name)
        return self._tables[name]

    def table(self, name: str) -> Rows:
        return self._tables[name]

    def ancestors(self, record: Row) -> list[Row]:
        return self._tables[record.table].ancestors(record.key)

    def descendants(self, record: Row) -> list[Row]:
        return self._tables[record.table].descendants(record.key)

    def related(self, record: Row, table: str) -> list[Row]:
        """The rows of `table` related to `record`, by the rules of `dataset.navigation.related`."""
        here, rows = record.table, self._tables[table]
        if table == here:
            if parent_field(here) is None:
                raise NotFoundError(f"{table} is not related to {here}")
            return rows.descendants(record.key)
        keys = [record.key]
        if parent_field(here) is not None:
            keys += [row.key for row in self._tables[here].descendants(record.key)]
        for field, referenced in TABLES[table][2].items():
            if referenced == here:
                return _merged([rows.where(field, key) for key in keys])
        for field, referenced in TABLES[here][2].items():
            if referenced == table:
                value = getattr(record, field)
                return [rows[value]] if value in rows else []
        for link in TABLES:
            to_here, to_target = self._key_field(link, here), self._key_field(link, table)
            if to_here and to_target and to_here != to_target:
                found = {getattr(row, to_target) for key in keys for row in self._tables[link].where(to_here, key)}
                return [rows[key] for key in sorted(found) if key in rows]
        raise NotFoundError(f"{table} is not related to {here}")

    def _key_field(self, link: str, table: str) -> str | None:
        return next((f for f in self._tables[link].primary_key if TABLES[link][2].get(f) == table), None)

    def relations(self, record: Row) -> list[str]:
        """The tables `related()` reaches from `record` (as `dataset.navigation.relations`)."""
        here = record.table
        found = {t for t, (_, _, keys) in TABLES.items() if here in keys.values() and t != here}
        found |= {t for t in TABLES[here][2].values() if t != here}
        for link in TABLES:
            to_here = self._key_field(link, here)
            found |= {t for f in self._tables[link].primary_key if to_here and f != to_here
                      and (t := TABLES[link][2].get(f))}
        if parent_field(here) is not None:
            found.add(here)
        return sorted(found)


def _merged(groups: list[list[Row]]) -> list[Row]:
    """One list of the rows of several lookups, each once, in key order."""
    if len(groups) == 1:
        return groups[0]
    unique = {row.key: row for group in groups for row in group}
    return [unique[key] for key in sorted(unique, key=lambda k: k if isinstance(k, tuple) else (k,))]
