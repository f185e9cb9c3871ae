"""Trees inside a table: a table whose `parent_id` (any field referencing its own table) makes
broader and narrower entries — the topic vocabulary, organizations and their agencies.

`closure` lists every (ancestor, descendant, depth) pair, each entry with itself at depth 0:
the same rows the library walks, the SQLite release stores and the JSON release lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


def parent_field(model: type[Record]) -> str | None:
    """The field by which a row names its broader row of the same table, or None."""
    return next((field for field, table in model.foreign_keys.items() if table == model.table), None)


class Tree:
    """Broader and narrower entries of one table, from each row's parent."""

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self.parents = {key: parent for key, parent in parents.items() if parent is not None}
        self.children: dict[str, list[str]] = {}
        for key in sorted(self.parents):
            self.children.setdefault(self.parents[key], []).append(key)

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]], key: str, parent: str) -> Tree:
        """The tree of rows (cells or dumps), keyed by `key`, parented by `parent`."""
        return cls({row[key]: row.get(parent) for row in rows})

    def ancestors(self, key: str) -> list[str]:
        """The broader entries of `key`, nearest first (a loop, which validation forbids, ends the walk)."""
        found: list[str] = []
        current = self.parents.get(key)
        while current is not None and current != key and current not in found:
            found.append(current)
            current = self.parents.get(current)
        return found

    def descendants(self, key: str, direct: bool = False) -> list[str]:
        """The narrower entries of `key`, in ID order: its children only when `direct`."""
        if direct:
            return list(self.children.get(key, []))
        found: set[str] = set()
        pending = list(self.children.get(key, []))
        while pending:
            current = pending.pop()
            if current not in found and current != key:
                found.add(current)
                pending.extend(self.children.get(current, []))
        return sorted(found)

    def closure(self, keys: Iterable[str]) -> list[tuple[str, str, int]]:
        """(ancestor, descendant, depth) for every entry and each of its ancestors, itself at depth 0."""
        rows = []
        for key in keys:
            rows.append((key, key, 0))
            rows.extend((ancestor, key, depth) for depth, ancestor in enumerate(self.ancestors(key), start=1))
        return sorted(rows)
