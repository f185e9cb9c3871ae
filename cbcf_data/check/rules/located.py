"""The valid records of the tables whose IDs later rules look up, each with where it is.

Shared by the groups that need them (a retired ID used again, a row nothing uses, a meeting
without a source, a commitment's meeting), so a million commitments are kept once. A CSV row's
location is kept as its line alone: its file and table are the same for every row of the table.
A table whose locations are rarely reported ("unplaced": commitments, only for a retired ID used
again) keeps only its IDs; a location asked for is found by reading the table's CSV again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cbcf_data.check.report import Where
from cbcf_data.check.validators import row_validator
from cbcf_data.io.readers import table_rows
from cbcf_data.model.declared import TABLES


class Located:
    """Table -> each valid record's ID -> where it is, in the order the records came."""

    def __init__(self, tables: Iterable[str], placed: Iterable[str], root: Path | None = None) -> None:
        """`placed`: the tables among `tables` whose every location is kept; `root`: the dataset's
        folder, below which a table is read again."""
        placed = set(placed)
        #: ID -> its CSV line (an int), or its Where when it is not a row of the table's CSV;
        #: for an unplaced table, the set of IDs.
        self.ids: dict[str, Any] = {table: {} if table in placed else set() for table in tables}
        #: Where each record of an unplaced table is that is not a row of the table's CSV.
        self.elsewhere: dict[str, dict[str, Any]] = {table: {} for table in tables if table not in placed}
        #: The CSV file of each table, from its first row read there.
        self.paths: dict[str, str | None] = {}
        self.root = root

    def handler(self, table: str) -> Any:
        """The function noting a valid record of `table`, or None for a table not kept here."""
        ids = self.ids.get(table)
        if ids is None:
            return None
        paths, elsewhere = self.paths, self.elsewhere.get(table)

        def feed(record: Any, where: Any) -> None:
            if type(where) is Where and where.pointer is None and type(where.line) is int and where.table == table:
                if table not in paths:
                    paths[table] = where.path
                if where.path == paths[table]:
                    if elsewhere is None:
                        ids[record.id] = where.line
                    else:
                        ids.add(record.id)
                        if elsewhere:
                            elsewhere.pop(record.id, None)
                    return
            if elsewhere is None:
                ids[record.id] = where
            else:
                ids.add(record.id)
                elsewhere[record.id] = where

        return feed

    def batch_handler(self, table: str) -> Any:
        """`handler` for a batch of records of the table's CSV at once (see `Rules.batch_feeders`);
        declined when the CSV is not the one its first rows came from."""
        ids = self.ids.get(table)
        if ids is None:
            return None
        paths, elsewhere = self.paths, self.elsewhere.get(table)

        def feed(columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
            if paths.get(table, path) != path:  # each record as `handler` notes it
                return False
            paths[table] = path
            keys = columns["id"]
            if elsewhere is None:
                ids.update(zip(keys, lines))
            else:
                ids.update(keys)
                if elsewhere:
                    for key in keys:
                        elsewhere.pop(key, None)
            return True

        return feed

    def where(self, table: str, key: str) -> Any:
        """Where the valid record `key` of `table` is (None if there is none)."""
        if table in self.elsewhere:
            found = self.elsewhere[table].get(key)
            return found if found is not None or key not in self.ids[table] else self._find(table, key)
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
