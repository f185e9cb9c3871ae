"""Layer 5: the rules that need more than one table (DESIGN.md "Cross-table rules").

Each module here is one group of rules: a class fed valid records table by table, in dependency
order, keeping only what its later rules need (dates, countries, offsets), so a million rows
never sit in memory as records; `finish()` runs the rules that need every table. `Rules` feeds
each record to every group that handles its table, after noting the IDs of the valid records of
the retirable tables once for all groups (`located.Located`: a CSV row's place as its line).

To add a rule: add it to the group it belongs to (or a new group module listed in `GROUPS`):
a method `_<table>(record, where)` per table it reads, or one `handler(table)` returning them,
name its issue code in that group's `CHECKS`, and add a broken fixture under tests/fixtures/.
A group whose handler runs for every row of a large table may also take a batch of its rows at
once, as typed columns: `batch_handler(table)`, which declines (returns False, having changed
nothing) any batch it would report something for (see `Rules.batch_feeders`); a test in
tests/test_rules_feed.py holds each one to its record handler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from cbcf_data.check.rules.archives import Archives
from cbcf_data.check.rules.hierarchy import Hierarchy
from cbcf_data.check.rules.located import Located
from cbcf_data.check.rules.meetings import Meetings
from cbcf_data.check.rules.orphans import REFERENCED, Orphans
from cbcf_data.check.rules.retired import Retired
from cbcf_data.model.codelists import RETIRABLE_TABLE

Emit = Callable[..., None]
Handler = Callable[[Any, Any], None]
#: Takes a batch of valid records of one table's CSV: (their typed columns by field, the CSV's path,
#: their lines); returns whether it took them (False: it changed nothing; each record to its Handler).
BatchHandler = Callable[[dict[str, Sequence[Any]], str, Sequence[int]], bool]
#: In the order their issues are reported, row by row and at the finish.
GROUPS = (Meetings, Hierarchy, Orphans, Archives, Retired)
#: Every check these rules run, by issue code.
CHECKS = tuple(code for group in GROUPS for code in group.CHECKS)


class Rules:
    """Cross-table checks, fed one record at a time; `finish()` runs those that need everything."""

    def __init__(self, emit: Emit, tables_root: Path | None, dataset_root: Path | None = None) -> None:
        """`tables_root`: the folder of the tables (archived texts are under it); `dataset_root`: the
        dataset's folder, below which files are opened without following links."""
        #: The valid records whose IDs the groups look up later, kept once for all of them.
        self.located = Located(RETIRABLE_TABLE, ("meetings", *REFERENCED), dataset_root or tables_root)
        self.groups = (Meetings(emit, self.located), Hierarchy(emit), Orphans(emit, self.located),
                       Archives(emit, tables_root, dataset_root), Retired(emit, self.located))

    def feeder(self, table: str) -> Handler:
        """The function that takes one valid record of `table` (looked up once per table, for speed)."""
        return in_turn([h for group in (self.located, *self.groups) if (h := _handler(group, table))])

    def batch_feeders(self, table: str) -> tuple[tuple[BatchHandler | None, Handler], ...]:
        """For a batch of valid records of `table` (rows of its CSV): each group's batch handler
        (None when it has none) with its record handler, in the order `feeder` calls them. A batch
        handler takes a batch only when its group reports nothing for it, and what it keeps is read
        only by `finish` or while later tables are fed; a group whose batch handler declines the
        batch takes each record as `feeder` gives it, in order. So the rules report the same
        issues, in the same order, either way."""
        found = []
        for group in (self.located, *self.groups):
            row_handler = _handler(group, table)
            if row_handler is not None:
                found.append((group.batch_handler(table) if hasattr(group, "batch_handler") else None, row_handler))
        return tuple(found)

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Run the rules that need every table. `source_ids` are every source row's ID, valid or
        not, so an invalid row's archive is not reported as unlisted too."""
        for group in self.groups:
            group.finish(source_ids)


def in_turn(handlers: list[Handler]) -> Handler:
    """One function calling each handler in turn, compiled (as `csvfiles.cells_of` is): no loop per record."""
    if len(handlers) == 1:
        return handlers[0]
    namespace: dict[str, Any] = {f"handler{i}": handler for i, handler in enumerate(handlers)}
    body = "".join(f"    handler{i}(record, where)\n" for i in range(len(handlers))) or "    pass\n"
    exec(f"def feed(record, where):\n{body}", namespace)  # noqa: S102 - names made here only
    feed: Handler = namespace["feed"]
    return feed


def _handler(group: Any, table: str) -> Handler | None:
    """A group's handler of `table`: from its `handler(table)` if it has one, else its `_<table>` method."""
    if hasattr(group, "handler"):
        handler: Handler | None = group.handler(table)
        return handler
    return getattr(group, "_" + table, None)
