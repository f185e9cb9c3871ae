"""The valid records of the tables whose IDs later rules look up, each with where it is.

Shared by the groups that need them (a retired ID used again, a row nothing uses, a meeting
without a source, a commitment's meeting), so a million commitments are kept once. A CSV row's
location is kept as its line alone: its file and table are the same for every row of the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from cbcf_data.check.report import Where


class Located:
    """Table -> each valid record's ID -> where it is, in the order the records came."""

    def __init__(self, tables: Iterable[str]) -> None:
        #: ID -> its CSV line (an int), or its Where when it is not a row of the table's CSV.
        self.ids: dict[str, dict[str, Any]] = {table: {} for table in tables}
        #: The CSV file of each table, from its first row read there.
        self.paths: dict[str, str | None] = {}

    def handler(self, table: str) -> Any:
        """The function noting a valid record of `table`, or None for a table not kept here."""
        ids = self.ids.get(table)
        if ids is None:
            return None
        paths = self.paths

        def feed(record: Any, where: Any) -> None:
            if type(where) is Where and where.pointer is None and type(where.line) is int and where.table == table:
                if table not in paths:
                    paths[table] = where.path
                if where.path == paths[table]:
                    ids[record.id] = where.line
                    return
            ids[record.id] = where

        return feed

    def where(self, table: str, key: str) -> Any:
        """Where the valid record `key` of `table` is (None if there is none)."""
        found = self.ids[table].get(key)
        return Where(self.paths[table], table, found) if type(found) is int else found

    def items(self, table: str) -> Iterator[tuple[str, Any]]:
        """(ID, where) of each valid record of `table`, in the order they came."""
        for key in self.ids[table]:
            yield key, self.where(table, key)
