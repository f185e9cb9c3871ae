"""Rules on the trees of the dataset: topic and organization parents form no cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cbcf_data.model.tables import Organization, Topic


class Hierarchy:
    """parent-cycle."""

    CHECKS = ("parent-cycle",)

    def __init__(self, emit: Callable[..., None]) -> None:
        self.emit = emit
        self.parents: dict[str, dict[str, tuple[str, Any]]] = {"topics": {}, "organizations": {}}

    def _organizations(self, organization: Organization, where: Any) -> None:
        if organization.parent_id is not None:
            self.parents["organizations"][organization.id] = (organization.parent_id, where)

    def _topics(self, topic: Topic, where: Any) -> None:
        if topic.parent_id is not None:
            self.parents["topics"][topic.id] = (topic.parent_id, where)

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Report each member of a parent loop."""
        for table, parents in self.parents.items():
            for start, (_, where) in parents.items():
                if in_cycle(start, parents):
                    self.emit("parent-cycle", f"{table} {start} is its own ancestor through parent_id", where,
                              field="parent_id", record_id=start, value=parents[start][0],
                              hint="break the loop: one entry of the chain must have no parent or another one")


def in_cycle(start: str, parents: dict[str, tuple[str, Any]]) -> bool:
    """Whether following parent_id from `start` comes back to `start`."""
    seen = {start}
    current = parents[start][0]
    while current in parents:
        if current == start:
            return True
        if current in seen:
            return False  # a loop further up: reported at its own members
        seen.add(current)
        current = parents[current][0]
    return current == start
