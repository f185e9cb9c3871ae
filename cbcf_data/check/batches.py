"""Layers 3 and 4 for a `Batch` of a CSV's rows at once: the rows judged a column at a time
(`model.columns`, without Pydantic), the keys and references of the batch checked as sets,
and each valid record fed to the cross-table rules.

A batch with nothing to say — every row valid, no key seen before, every reference found — costs
no Python step per value. A batch whose keys and references pass, and whose refused rows hold
only codes outside their codelists, is told here, row by row in order: those rows' issues
(`explain.tell_code_faults`, as `rows` tells Pydantic's errors, without running it) among the valid
records fed to the rules. Anything else hands the batch back to `rows`, which reads it row by
row as it reads any row, with each row's verdict taken from here (`judged_validator`): a valid
row's record, a row's code faults, or Pydantic for any other row. The report is therefore the
same, issue for issue and in order, as a reading row by row (a test holds this on every fixture
and on bad rows of every kind).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cbcf_data.check.explain import tell_code_faults
from cbcf_data.check.report import Where
from cbcf_data.check.rules import BatchHandler, Handler, in_turn
from cbcf_data.check.state import PROGRESS_EVERY, Batch, Keys, Row, Run, record_id
from cbcf_data.io import csvfiles
from cbcf_data.model import columns
from cbcf_data.model.declared import pydantic_model

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


@dataclass
class TableCheck:
    """What the check of one table collects while its rows stream past."""

    name: str
    keys: Keys
    #: (field, referenced table, its keys) for each foreign key to another, readable table.
    references: tuple[tuple[str, str, Keys], ...]
    #: Fields referencing this same table: judged once the whole table is read.
    inside: list[str]
    feed_rules: Callable[[Any, Any], None] | None
    #: For a batch: each group's batch handler (or None) and record handler (`Rules.batch_feeders`).
    batch_rules: tuple[tuple[BatchHandler | None, Handler], ...] = ()
    #: The record handlers of the groups that declined a batch, called as one (`rules.in_turn`).
    row_feeders: dict[tuple[Handler, ...], Handler] = field(default_factory=dict)
    #: (field, the valid IDs of the table it references) for each foreign key whose values are
    #: valid when they are such IDs (`columns.same_constraints`): a batch's column of them is then
    #: neither checked again nor looked up in the keys. Only while something holds exactly those IDs
    #: (`Located.valid_ids`): else each such column is checked as any other.
    implied: tuple[tuple[str, Any], ...] = ()
    #: When `keys` is also the set of the table's valid IDs (`Located.share`): the keys no valid
    #: row has given so far, to which the check adds an invalid row's key (`rows`, `_tell_in_order`).
    invalid: set[Any] | None = None
    #: A composite key checked by adjacency while its CSV is sorted (see `rows.check_table`).
    adjacent: bool = False
    #: The key before the next row while a composite key is checked by adjacency (None: keys are kept).
    previous: Any = None
    deferred: list[tuple[Where, str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str, str, Where, dict[str, Any]]] = field(default_factory=list)
    #: Duplicates beyond the ISSUES kept.
    dropped: int = 0
    rows: int = 0


class CodeFaults(Exception):
    """A row whose only faults are values outside their codelists, told as Pydantic tells them
    (`errors()`, `error_count()`), so that `rows.row_issues` reports them alike."""

    def __init__(self, model: type[Record], faults: list[tuple[str, str]]) -> None:
        self.model, self.faults = model, faults  # (field, value): each problem's dict made when asked

    def errors(self, include_url: bool = False, include_context: bool = True) -> list[dict[str, Any]]:
        return [code_fault(self.model, name, value, include_context) for name, value in self.faults]

    def error_count(self) -> int:
        return len(self.faults)


def check_batch(run: Run, model: type[Record], table: TableCheck, batch: Batch, compiled: bool) -> columns.Judged | None:
    """Check `batch` at once and return None; or, when a row is invalid for more than codes outside
    their codelists, a key was seen before or a reference names nothing, leave it unchecked and
    return the rows' verdicts, for `rows` to read the batch row by row with them. `compiled`: see
    `columns.judge`."""
    judge = columns.judge(table.name, compiled)
    known = _valid_ids(model, table, batch)
    judged = judge(batch.rows, known) if judge is not None else \
        columns.Judged(len(batch.rows), dict.fromkeys(range(len(batch.rows))))
    # Rows refused only for codes outside their codelists are told here, in order, with the others.
    told_here = judge is not None and None not in judged.refused.values()
    if not told_here or not _references_found(model, table, batch, known) or not _keys_new(table, batch):
        return judged
    before, table.rows = table.rows, table.rows + len(batch.rows)
    if run.progress is not None and before // PROGRESS_EVERY != table.rows // PROGRESS_EVERY:
        run.progress(table.name, table.rows // PROGRESS_EVERY * PROGRESS_EVERY, False)
    new_where, display, name = tuple.__new__, batch.path, batch.table
    if table.inside:  # references to the table itself, judged once it is read
        inside = [(f, _position(model, f)) for f in table.inside]
        for line, row in zip(batch.lines, batch.rows):
            table.deferred.extend([(Where(display, name, line), f, row[at]) for f, at in inside if row[at]])
    if judged.refused:
        _tell_in_order(run, model, table, batch, judged)
        return None
    feed_rules = _fed(table, judged.columns, display, batch.lines)
    if feed_rules is not None:
        for record, line in zip(judged.records, batch.lines):
            feed_rules(record, new_where(Where, (display, name, line, None)))
    return None


def _fed(table: TableCheck, columns: dict[str, Any], path: str, lines: Sequence[int]) -> Handler | None:
    """Feed a batch's valid records (their typed `columns`) to the rules' batch handlers; the record
    handlers of the groups that declined it or have none, as one function (None: every group took it)."""
    declined = tuple(row for batch, row in table.batch_rules if batch is None or not batch(columns, path, lines))
    if not declined:
        return None
    feed = table.row_feeders.get(declined)
    if feed is None:
        feed = table.row_feeders[declined] = in_turn(list(declined))
    return feed


def _tell_in_order(run: Run, model: type[Record], table: TableCheck, batch: Batch, judged: columns.Judged) -> None:
    """A batch whose keys and references passed, some of whose rows hold codes outside their
    codelists: each such row's issues (`explain.tell_code_faults`, as `rows.row_issues` tells them)
    and each valid record fed to the rules, in order, as a reading row by row does (the groups that
    take the valid records as a batch report nothing for them)."""
    records, refused, display, name, new_where = judged.records, judged.refused, batch.path, batch.table, tuple.__new__
    valid = [index for index, record in enumerate(records) if record is not None]
    columns_ = {field_name: [column[index] for index in valid] for field_name, column in judged.columns.items()}
    feed_rules = _fed(table, columns_, display, [batch.lines[index] for index in valid])
    for index, (record, line) in enumerate(zip(records, batch.lines)):
        where = new_where(Where, (display, name, line, None))
        if record is None:
            row = batch.rows[index]
            faults = [(field_name, row[_position(model, field_name)]) for field_name in refused[index] or ()]
            tell_code_faults(run, model, faults, where, record_id(batch.keys[index]))
            if table.invalid is not None:  # its key is new (`_keys_new`): no valid row gave it
                table.invalid.add(batch.keys[index])
        elif feed_rules is not None:
            feed_rules(record, where)


@functools.cache
def _position(model: type[Record], field_name: str) -> int:
    return list(model.model_fields).index(field_name)


def _valid_ids(model: type[Record], table: TableCheck, batch: Batch) -> frozenset[str]:
    """The foreign keys of `table.implied` whose every value in the batch is a valid ID."""
    return frozenset(field_name for field_name, ids in table.implied if _all_in(ids, model, batch, field_name))


def _references_found(model: type[Record], table: TableCheck, batch: Batch, valid: frozenset[str]) -> bool:
    """Whether every reference of the batch is a key of its table (those `valid` are valid IDs)."""
    return all(field_name in valid or _all_in(known, model, batch, field_name)
               for field_name, _, known in table.references)


def _all_in(container: Any, model: type[Record], batch: Batch, field_name: str) -> bool:
    """Whether every value of the batch's field `field_name` (its empty cells aside) is in `container`."""
    return all(map(container.__contains__, filter(None, map(operator.itemgetter(_position(model, field_name)), batch.rows))))


def _keys_new(table: TableCheck, batch: Batch) -> bool:
    """Whether no key of the batch was seen before, in it or earlier (then they are kept, or
    the last one is, by adjacency); nothing kept when not."""
    keys, kept = batch.keys, table.keys
    kept_: Any = kept  # a set or a dict (`Keys`)
    if table.previous is not None:  # sorted so far: each key greater than the one before
        if keys[0] > table.previous and all(map(operator.lt, keys, keys[1:])):
            table.previous = keys[-1]
            return True
        return False
    by_set = type(kept) is set
    if not (kept_ if by_set else kept_.keys()).isdisjoint(keys):
        return False
    size = len(kept)
    kept_.update(keys if by_set else dict.fromkeys(keys, "dataset"))
    if len(kept) - size == len(keys):
        return True
    for key in keys:  # a key twice in the batch, none of them seen before it: kept as before
        if by_set:
            kept_.discard(key)
        else:
            kept_.pop(key, None)
    return False


def rows_of(model: type[Record], batch: Batch) -> Iterator[Row]:
    """The batch's rows as `structure.csv_feed` gives a row on its own: (where, key, cells)."""
    cells_of, new_where, path, table = csvfiles.cells_of(tuple(model.model_fields)), tuple.__new__, batch.path, batch.table
    for line, key, row in zip(batch.lines, batch.keys, batch.rows):
        yield new_where(Where, (path, table, line, None)), key, cells_of(row)


def judged_validator(run: Run, model: type[Record], judged: columns.Judged) -> Callable[[dict[str, Any]], Any]:
    """The row validator of a batch read row by row: each row's verdict from `judged`, in order."""
    verdicts = iter(zip(judged.records, range(len(judged.records))))
    refused, pydantic = judged.refused, None

    def validate(cells: dict[str, Any]) -> Any:
        nonlocal pydantic
        record, index = next(verdicts)
        if record is not None:
            return record
        faults = refused.get(index)
        if faults:
            raise CodeFaults(model, [(name, cells[name]) for name in faults])
        if pydantic is None:
            from cbcf_data.check.validators import row_validator

            pydantic = row_validator(pydantic_model(model))
        return pydantic(cells)

    return validate


def code_fault(model: type[Record], name: str, value: str, context: bool = True) -> dict[str, Any]:
    """Pydantic's error for `value`, which is not one of the codes of `model`'s field `name`
    (with its context, or without as `errors(include_context=False)` gives it)."""
    expected = _expected(model.table, name)
    fault: dict[str, Any] = {"type": "literal_error", "loc": (name,), "msg": f"Input should be {expected}", "input": value}
    if context:
        fault["ctx"] = {"expected": expected}
    return fault


@functools.cache
def _expected(table: str, name: str) -> str:
    """The codes of a field as Pydantic's literal error lists them: `'a', 'b' or 'c'`."""
    from cbcf_data.model.rowspec import ROWS

    codes = next(parameters for field_name, _, _, parameters in ROWS[table][0] if field_name == name)
    shown = [repr(code) for code in codes]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
