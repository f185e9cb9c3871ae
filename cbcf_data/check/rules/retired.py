"""Rules on the retired-ID registry (`retired_ids`): a retired ID is never used again in its
table, and the successor a retired ID names is a row that exists (DESIGN principle 4)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cbcf_data.check.rules.located import Located


class Retired:
    """retired-id-reused, retired-successor-missing."""

    CHECKS = ("retired-id-reused", "retired-successor-missing")

    def __init__(self, emit: Callable[..., None], live: Located) -> None:
        self.emit = emit
        #: The valid records of every retirable table (fed by `Rules`).
        self.live = live
        self.retired: list[tuple[Any, Any]] = []

    def handler(self, table: str) -> Callable[[Any, Any], None] | None:
        """Note each registry row (the live IDs are noted by `Rules`, in `live`)."""
        if table == "retired_ids":
            return lambda record, where: self.retired.append((record, where))
        return None

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Report each retired ID in use again, and each successor that is not a live row."""
        for record, where in self.retired:
            if self.live.has(record.table_name, record.id):
                self.emit("retired-id-reused",
                          f"{record.id} was retired from {record.table_name} in {record.retired_in} "
                          f"({record.reason}) and is used again", self.live.where(record.table_name, record.id), field="id",
                          record_id=record.id, value=record.id,
                          hint="give the row a new ID: a retired ID is never reused (see retired_ids.csv)")
            if record.replaced_by is not None and not self.live.has(record.table_name, record.replaced_by):
                self.emit("retired-successor-missing",
                          f"retired {record.table_name} ID {record.id} is replaced by {record.replaced_by}, "
                          f"which is not a row of {record.table_name}", where, field="replaced_by",
                          record_id=f"{record.table_name}/{record.id}", value=record.replaced_by,
                          hint="name a row that exists, or leave replaced_by empty")
