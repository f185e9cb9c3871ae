"""Rules on the trees of the dataset: topic and organization parents form no cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
            members = cycle_members(parents)
            for start, (_, where) in parents.items():
                if start in members:
                    self.emit("parent-cycle", f"{table} {start} is its own ancestor through parent_id", where,
                              field="parent_id", record_id=start, value=parents[start][0],
                              hint="break the loop: one entry of the chain must have no parent or another one")


def cycle_members(parents: dict[str, tuple[str, Any]]) -> set[str]:
    """Every key that is its own ancestor through `parents`, in time linear in their number:
    each key is walked once (a chain of a million parents must not cost a million walks)."""
    walked: dict[str, int] = {}  # key -> the walk that first reached it
    members: set[str] = set()
    for walk, start in enumerate(parents):
        path = []
        current = start
        while current in parents and current not in walked:
            walked[current] = walk
            path.append(current)
            current = parents[current][0]
        if current in parents and walked[current] == walk:  # back on this walk's own path: a loop
            members.update(path[path.index(current):])
    return members

