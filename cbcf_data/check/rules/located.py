"""The valid records of the tables whose IDs later rules look up, each with where it is.

Shared by the groups that need them (a retired ID used again, a row nothing uses, a meeting
without a source, a commitment's meeting), so a million commitments are kept once. A CSV row's
location is kept as its line alone: its file and table are the same for every row of the table.
A table whose locations are rarely reported ("unplaced": commitments, only for a retired ID used
again) keeps only its IDs; a location asked for is found by reading the table's CSV again.

An unplaced table checked from its CSV alone keeps its IDs in the set of its keys that the check
keeps anyway (`share`), not in a second set of the same strings: its valid IDs are then its keys
less `invalid`, the keys that no valid row has given so far. A key is a row's `id` cell, and a
valid record's `id` is that text as it was (its type is a constrained `str`), so the keys hold
every valid ID; the check adds to `invalid` a key an invalid row gives while no valid row has
given it (`rows`, `batches`), and a valid record takes its ID out again (`handler`,
`batch_handler`). So the IDs a lookup finds (`has`) are those a set of its own would hold,
invalid rows, duplicates and rows out of order included. The set is shared only before any of
the table's records is noted or its handlers made, so no handler ever holds the other set;
`valid_ids` gives the set to test a whole column against only while `invalid` is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cbcf_data.check.report import Where
from cbcf_data.check.validators import row_validator
from cbcf_data.io.readers import table_rows
from cbcf_data.model.declared import TABLES

_NONE: frozenset[str] = frozenset()


class Located:
    """Table -> each valid record's ID -> where it is, in the order the records came."""

    def __init__(self, tables: Iterable[str], placed: Iterable[str], root: Path | None = None) -> None:
        """`placed`: the tables among `tables` whose every location is kept; `root`: the dataset's
        folder, below which a table is read again."""
        placed = set(placed)
        #: ID -> its CSV line (an int), or its Where when it is not a row of the table's CSV;
        #: for an unplaced table, the set of IDs (once shared, its keys: ask `has`, never `in`).
        self.ids: dict[str, Any] = {table: {} if table in placed else set() for table in tables}
        #: Where each record of an unplaced table is that is not a row of the table's CSV.
        self.elsewhere: dict[str, dict[str, Any]] = {table: {} for table in tables if table not in placed}
        #: For an unplaced table: the keys in its `ids` that are no valid record's ID (see `share`).
        self.invalid: dict[str, set[str]] = {table: set() for table in self.elsewhere}
        #: The unplaced tables whose `ids` is the set of their keys (`share`).
        self.shared: set[str] = set()
        #: The tables whose handlers were made: their set of IDs is the one those hold.
        self.handed: set[str] = set()
        #: The CSV file of each table, from its first row read there.
        self.paths: dict[str, str | None] = {}
        self.root = root

    def handler(self, table: str) -> Any:
        """The function noting a valid record of `table`, or None for a table not kept here."""
        ids = self.ids.get(table)
        if ids is None:
            return None
        self.handed.add(table)
        paths, elsewhere = self.paths, self.elsewhere.get(table)
        # An unplaced table's ID noted: in its own set, or, in the keys' (`share`), taken out of `invalid`.
        note: Any = None if elsewhere is None else self.invalid[table].discard if table in self.shared else ids.add

        def feed(record: Any, where: Any) -> None:
            if type(where) is Where and where.pointer is None and type(where.line) is int and where.table == table:
                if table not in paths:
                    paths[table] = where.path
                if where.path == paths[table]:
                    if elsewhere is None:
                        ids[record.id] = where.line
                    else:
                        note(record.id)
                        if elsewhere:
                            elsewhere.pop(record.id, None)
                    return
            if elsewhere is None:
                ids[record.id] = where
            else:
                note(record.id)
                elsewhere[record.id] = where

        return feed

    def batch_handler(self, table: str) -> Any:
        """`handler` for a batch of records of the table's CSV at once (see `Rules.batch_feeders`);
        declined when the CSV is not the one its first rows came from."""
        ids = self.ids.get(table)
        if ids is None:
            return None
        self.handed.add(table)
        paths, elsewhere = self.paths, self.elsewhere.get(table)
        shared, invalid = table in self.shared, self.invalid.get(table)

        def feed(columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
            if paths.get(table, path) != path:  # each record as `handler` notes it
                return False
            paths[table] = path
            keys = columns["id"]
            if elsewhere is None:
                ids.update(zip(keys, lines))
            else:
                if not shared:
                    ids.update(keys)
                elif invalid:  # the keys' set holds them already (`share`)
                    invalid.difference_update(keys)
                if elsewhere:
                    for key in keys:
                        elsewhere.pop(key, None)
            return True

        return feed

    def share(self, table: str) -> tuple[set[Any], set[str]] | None:
        """For the check of an unplaced `table` from its CSV alone, before any of its records is
        noted or its handlers made: (the set to keep its keys in, which is from now on also the set
        of its IDs; the set of those keys that are no valid record's ID, for the check to add each
        key an invalid row gives while no valid row has given it). None for any other table, or
        once too late: the table then keeps a set of its own."""
        if table not in self.elsewhere or self.ids[table] or self.elsewhere[table] or table in self.handed:
            return None
        self.shared.add(table)
        return self.ids[table], self.invalid[table]

    def has(self, table: str, key: Any) -> bool:
        """Whether `key` is the ID of a valid record of `table` (`table` is one kept here)."""
        return key in self.ids[table] and key not in self.invalid.get(table, _NONE)

    def valid_ids(self, table: str) -> Any:
        """What holds exactly the valid IDs of `table`, to test many at once; None when nothing
        does (`table` is not kept here, or some of its keys are invalid rows' alone)."""
        return None if table not in self.ids or self.invalid.get(table) else self.ids[table]

    def where(self, table: str, key: str) -> Any:
        """Where the valid record `key` of `table` is (None if there is none)."""
        if table in self.elsewhere:
            found = self.elsewhere[table].get(key)
            return found if found is not None or not self.has(table, key) else self._find(table, key)
        found = self.ids[table].get(key)
        return Where(self.paths[table], table, found) if type(found) is int else found

    def items(self, table: str) -> Iterator[tuple[str, Any]]:
        """(ID, where) of each valid record of `table`, in the order they came (a placed table)."""
        for key in self.ids[table]:
            yield key, self.where(table, key)

    def _find(self, table: str, key: str) -> Where:
        """The place of the last valid row of the table's CSV whose ID is `key`: the row fed last."""
        from pydantic import ValidationError

        path, model, line = self.paths[table], TABLES[table], None
        validate_row = row_validator(model.model)
        for number, cells in table_rows(tuple(model.model_fields), Path(path or ""), self.root):
            if cells["id"] == key:
                try:
                    validate_row(cells)
                except ValidationError:
                    continue
                line = number
        return Where(path, table, line)
