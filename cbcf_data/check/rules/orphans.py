"""Rules on rows nothing uses: people, topics, sources, organizations and instruments that no
other row names through a foreign key (warnings). Which fields use a row is read from the
models' foreign keys, so a new table's references count without a change here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cbcf_data.check.rules.located import Located
from cbcf_data.model.declared import TABLES

#: Tables whose rows exist to be used by others, with the singular their issue code uses.
REFERENCED = {"people": "person", "topics": "topic", "sources": "source", "organizations": "organization",
              "instruments": "instrument"}


class Orphans:
    """orphan-person, orphan-topic, orphan-source, orphan-organization, orphan-instrument."""

    CHECKS = tuple(f"orphan-{singular}" for singular in REFERENCED.values())

    def __init__(self, emit: Callable[..., None], defined: Located) -> None:
        self.emit = emit
        #: The valid records of every table in REFERENCED (fed by `Rules`).
        self.defined = defined
        self.used: dict[str, set[str]] = {table: set() for table in REFERENCED}

    def handler(self, table: str) -> Callable[[Any, Any], None] | None:
        """Record the rows of `table` this group tracks, and the rows they use: one function per
        table, compiled to read each field by name (it runs for every row of the largest tables)."""
        model = TABLES[table]
        uses = [(field, self.used[target]) for field, target in model.foreign_keys.items() if target in REFERENCED]
        if not uses:
            return None
        namespace: dict[str, Any] = {f"add{i}": used.add for i, (_, used) in enumerate(uses)}
        body = "".join(f"    value = record.{field}\n    if value is not None:\n        add{i}(value)\n"
                       for i, (field, _) in enumerate(uses))
        exec(f"def feed(record, where):\n{body}", namespace)  # noqa: S102 - the models' field names only
        feed: Callable[[Any, Any], None] = namespace["feed"]
        return feed

    def batch_handler(self, table: str) -> Callable[[dict[str, Any], str, Sequence[int]], bool] | None:
        """`handler` for a batch of records at once (see `Rules.batch_feeders`)."""
        model = TABLES[table]
        uses = [(field, self.used[target]) for field, target in model.foreign_keys.items() if target in REFERENCED]
        if not uses:
            return None

        def feed(columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
            for field, used in uses:  # a batch's empty cell is None, never "" (`model.columns`)
                used.update(filter(None, columns[field]))
            return True

        return feed

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Warn about each defined row that no other table uses."""
        for table, singular in REFERENCED.items():
            used = self.used[table]
            for key, where in self.defined.items(table):
                if key not in used:
                    self.emit(f"orphan-{singular}", f"{singular} {key} is not used by any other table", where,
                              severity="warning", field="id", record_id=key, value=key,
                              hint=f"remove the {singular}, or add the rows that use it")
