"""Layers 3 and 4: each row against its model (types, codelists, row rules), then keys —
primary keys unique, foreign keys naming existing rows — and each valid record on to layer 5.

A CSV row is judged first by `model.accept` (the models' rules without Pydantic) for the first
ACCEPTED rows of a run, so that a small dataset is validated without importing Pydantic or
building the models; a row it does not take, and every row after those, goes to the model's
validator (`validators.row_validator`). Per row Pydantic's compiled validator is the faster of the
two, hence the budget. A row the accept path takes is one Pydantic accepts, with equal values
(tested), so the report is the same either way.

This loop runs once per row of the dataset: it binds what it needs to locals and builds nothing
per row that it can avoid (see bench/README.md).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from cbcf_data.check.batches import CodeFaults, TableCheck, check_batch, judged_validator, rows_of
from cbcf_data.check.explain import close_match, explain
from cbcf_data.check.report import Where, truncate
from cbcf_data.check.state import PROGRESS_EVERY, Batch, Row, Run, record_id
from cbcf_data.check.structure import keys_before
from cbcf_data.check.validators import row_validator
from cbcf_data.dataset.loading import gc_paused
from cbcf_data.io import limits
from cbcf_data.io.csvfiles import to_cell
from cbcf_data.model import columns
from cbcf_data.model.accept import accepter
from cbcf_data.model.declared import pydantic_model

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record

#: CSV rows of a run judged by `model.accept` before Pydantic takes over (tests set it to 0, to
#: judge every row with Pydantic, or raise it, to judge every row without).
ACCEPTED = 1_000


def check_table(run: Run, model: type[Record], feeds: Iterable[tuple[str, Iterable[Row | Batch]]],
                foreign_keys: bool = True) -> None:
    """Check the rows of one table, fed as (origin, rows): "dataset" rows come from its CSV
    file under a checked header; "bundle" rows from a contributed bundle, with any fields.

    A composite key fed by its CSV alone is checked by adjacency: while the rows are sorted, a
    duplicate is equal to the key before it, so no key is kept. At the first row out of order,
    the keys before it are read again from the file (`structure.keys_before`) and every later
    key is looked up among all keys seen, as other tables' keys always are: the same issues,
    in the same order, either way. The keys of a table fed by its CSV alone are kept as a set
    (their origin is the dataset's); a table fed by a bundle too keeps each key's origin. For an
    unplaced table of the rules (`Located.share`: commitments), that set is also the one of its
    valid IDs, less the keys only invalid rows gave, which `_refused` and `batches` note."""
    feeds = list(feeds)
    name = model.table
    alone = len(feeds) == 1 and feeds[0][0] == "dataset"
    adjacent = len(model.primary_key) > 1 and alone
    shared = None
    if alone and not run.keys[name]:
        # An unplaced table's valid IDs are kept in this set too (`Located.share`), made before its handlers.
        shared = run.rules.located.share(name) if run.rules is not None and not adjacent else None
        run.keys[name] = set() if shared is None else shared[0]
    run.report.checks.update(("row-types", "primary-key"))
    if foreign_keys:
        run.report.checks.add("foreign-key")
    outside = {f: ref for f, ref in model.foreign_keys.items()
               if ref != name and ref not in run.broken and ref not in run.incomplete}
    table = TableCheck(
        name, run.keys[name],
        references=tuple((f, ref, run.keys[ref]) for f, ref in outside.items()) if foreign_keys else (),
        inside=[f for f, ref in model.foreign_keys.items() if ref == name] if foreign_keys else [],
        feed_rules=run.rules.feeder(name) if run.rules is not None else None,
        adjacent=adjacent, previous=() if adjacent else None, invalid=None if shared is None else shared[1],
    )
    if run.rules is not None:
        table.batch_rules = run.rules.batch_feeders(name)
        located = run.rules.located  # the tables it names are read whole by now: their valid IDs are final
        table.implied = tuple((f, ids) for f, ref, _ in table.references
                              if (ids := located.valid_ids(ref)) is not None and columns.same_constraints(name, f, ref))
    with gc_paused():  # the young objects are collected where limits are checked (`structure.checked`)
        for origin, feed in feeds:
            if origin == "dataset":
                _check_parts(run, model, table, feed)
            else:  # a bundle's rows, never batched
                _check_feed(run, model, table, origin, cast("Iterable[Row]", feed), _validator(run, model, origin))
        _finish_table(run, model, table)


def _check_parts(run: Run, model: type[Record], table: TableCheck, feed: Iterable[Row | Batch]) -> None:
    """A CSV's rows: each `Batch` a column at a time (`batches.check_batch`), other rows one by one."""
    for batched, items in itertools.groupby(feed, key=_is_batch):
        if batched:
            for batch in cast("Iterator[Batch]", items):
                # Within the run's first ACCEPTED rows, judged without Pydantic (see `_validator`).
                compiled = run.accepted >= ACCEPTED
                if not compiled:
                    run.accepted += len(batch.rows)
                judged = check_batch(run, model, table, batch, compiled)
                if judged is not None:  # something to say about a row: the batch is read row by row
                    _check_feed(run, model, table, "dataset", rows_of(model, batch),
                                judged_validator(run, model, judged))
        else:
            _check_feed(run, model, table, "dataset", cast("Iterator[Row]", items), _validator(run, model, "dataset"))


def _is_batch(item: Any) -> bool:
    return type(item) is Batch


def _check_feed(run: Run, model: type[Record], table: TableCheck, origin: str, feed: Iterable[Row],
                validate_row: Callable[[dict[str, Any]], Any]) -> None:
    """Layers 3 and 4 for each row of `feed`, in order, each judged by `validate_row`."""
    keys: Any  # a set or a dict (`Keys`), told apart once: `by_set`
    name, keys, references, inside, feed_rules = table.name, table.keys, table.references, table.inside, table.feed_rules
    deferred, progress = table.deferred, run.progress
    rows = table.rows
    by_set = type(keys) is set
    # The key before this row while the rows come sorted by a composite key (None: keys are kept).
    previous: Any = table.previous
    for where, key, cells in feed:
        rows += 1
        if progress is not None and not rows % PROGRESS_EVERY:
            progress(name, rows, False)
        try:
            record = validate_row(cells)
        except _invalid() as error:  # evaluated only when a row raised: Pydantic is imported by then
            record = None
            _refused(run, model, table, error, where, key, cells)
        if previous is not None and key > previous:  # sorted so far: a new key, kept nowhere
            first = None
            previous = key
        elif previous is not None and key == previous:
            first = origin
        else:
            if previous is not None:  # the first row out of order: every key from here on is kept
                keys.update(dict.fromkeys(keys_before(run, model, where), origin))
                previous = None
            if by_set:  # inline: this runs for every row of the largest tables
                size = len(keys)
                keys.add(key)
                first = None if len(keys) > size else origin
            else:
                first, key = _look_up(keys, key, origin)
        if first is not None:
            _note_duplicate(table, key, first, origin, where, cells)
        for field_name, ref, known in references:
            value = cells.get(field_name)
            if value is not None:
                try:
                    found = value in known
                except TypeError:  # an unhashable value from a bundle: it names nothing
                    found = False
                if not found:
                    missing_reference(run, field_name, ref, str(value), where, record_id(key))
        if inside:  # references to the table itself, judged once it is read
            deferred.extend([(where, f, str(value)) for f in inside if (value := cells.get(f)) is not None])
        if record is not None and feed_rules is not None:
            feed_rules(record, where)
    table.rows, table.previous = rows, previous


def _refused(run: Run, model: type[Record], table: TableCheck, error: Any, where: Where, key: Any,
             cells: dict[str, Any]) -> None:
    """An invalid row, before its key is kept: its issues; and its key, when no valid row has given
    it so far, among the keys that are no valid ID (`TableCheck.invalid`, when there is one)."""
    row_issues(run, pydantic_model(model), error, cells, where, record_id(key))
    invalid = table.invalid
    if invalid is not None and (key not in table.keys or key in invalid):
        invalid.add(key)


def _validator(run: Run, model: Any, origin: str) -> Callable[[dict[str, Any]], Any]:
    """The function judging a row of `model` from `origin`: its record, or Pydantic's ValidationError.
    While the run's budget (ACCEPTED) lasts, a CSV row is judged by `model.accept` first, and Pydantic
    is imported only for a row that it does not take; past the budget, and for a bundle's rows,
    Pydantic's validator judges every row."""
    accept = accepter(model.table) if origin == "dataset" and run.accepted < ACCEPTED else None
    if accept is None:
        return _pydantic(model, origin)
    pydantic: Callable[[dict[str, Any]], Any] | None = None

    def judge(cells: dict[str, Any]) -> Any:
        nonlocal pydantic
        if run.accepted < ACCEPTED:
            run.accepted += 1
            record = accept(cells)
            if record is not None:
                return record
        if pydantic is None:
            pydantic = _pydantic(model, origin)
        return pydantic(cells)

    return judge


def _pydantic(model: Any, origin: str) -> Callable[[dict[str, Any]], Any]:
    """Pydantic's validator of `model`'s rows from `origin` (importing Pydantic and the models)."""
    model = pydantic_model(model)
    validate: Callable[[dict[str, Any]], Any] = (row_validator(model) if origin == "dataset"
                                                 else model.__pydantic_validator__.validate_python)
    return validate


@functools.cache
def _invalid() -> tuple[type[Exception], ...]:
    """Pydantic's ValidationError (imported when a row raised one), and a batch's `CodeFaults`."""
    from pydantic import ValidationError

    return ValidationError, CodeFaults


def _look_up(keys: dict[Any, str], key: Any, origin: str) -> tuple[str | None, Any]:
    """(where `key` was seen first, or None after keeping it now; the key as kept)."""
    try:
        first = keys.get(key)
    except TypeError:  # an unhashable key part from a bundle: reported as a row issue
        first = None
        key = record_id(key)
    if first is None:
        keys[key] = origin
    return first, key


def _note_duplicate(table: TableCheck, key: Any, first: str, origin: str, where: Where, cells: dict[str, Any]) -> None:
    """Keep a duplicate key for the report at the end of the table (or count it beyond ISSUES)."""
    if len(table.duplicates) < limits.ISSUES:
        table.duplicates.append((record_id(key), first, origin, where, cells))
    else:  # more than a report keeps: counted, not kept
        table.dropped += 1


def _finish_table(run: Run, model: type[Record], table: TableCheck) -> None:
    """Issues that need the whole table (duplicates, references within it), then the counts."""
    name, keys = table.name, table.keys
    # Reported once the table is read, so that the next free ID is free in the whole table.
    for duplicate_id, first, origin, where, cells in table.duplicates:
        duplicate(run, model, duplicate_id, first, origin, where, cells)
    run.report.omitted += table.dropped
    run.report.omitted_errors += table.dropped
    for where, field_name, value in table.deferred if name not in run.incomplete else ():
        if value not in keys:
            missing_reference(run, field_name, name, value, where, None)
    if len(model.primary_key) > 1:
        keys.clear()  # nothing references a composite key: free the memory for the next tables
    run.report.rows += table.rows
    if run.progress is not None:
        run.progress(name, table.rows, True)
    if name not in run.broken:
        run.report.tables += 1


def duplicate(run: Run, model: type[Record], duplicate_id: str, first: str, origin: str, where: Where,
              cells: dict[str, Any]) -> None:
    """Report a key seen twice within the dataset or a bundle; a bundle's row that the dataset
    already holds is `already present` when identical, a conflict showing the difference if not."""
    key_field = model.primary_key[-1] if len(model.primary_key) == 1 else None
    if origin == "bundle" and first == "dataset":
        existing = run.existing.get(model.table, {}).get(duplicate_id)
        differences = row_differences(model, existing, cells) if existing is not None else ["(not compared)"]
        if not differences:
            run.report.present.setdefault(model.table, []).append(duplicate_id)
            return
        run.emit("id-collision", f"{model.table} already has {duplicate_id} in the dataset, with other values: "
                 + "; ".join(differences[:4]) + (" …" if len(differences) > 4 else ""), where, field=key_field,
                 record_id=duplicate_id, value=duplicate_id,
                 hint="to correct the meeting already in the dataset, import the bundle with `--replace`; "
                      "for a different record, choose an ID the dataset does not use")
        return
    hint = None
    if len(model.primary_key) == 1 and run.want_hint("duplicate-key"):
        hint = f"the next free ID is `{next_free(run, model.table, duplicate_id, cells.get('meeting_id'))}`"
    run.emit("duplicate-key", f"{duplicate_id} appears more than once in {model.table}", where, field=key_field,
             record_id=duplicate_id, value=duplicate_id, hint=hint)


def row_differences(model: type[Record], existing: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """`field: 'old' → 'new'` for each field whose value differs, compared as CSV cells."""
    found = []
    for name in model.model_fields:
        old, now = to_cell(existing.get(name)), to_cell(new.get(name))
        if old != now:
            found.append(f"{name}: {truncate(old) or '(empty)'!r} → {truncate(now) or '(empty)'!r}")
    return found


def next_free(run: Run, table: str, taken: str, meeting_id: Any = None) -> str:
    """The ID to use instead of `taken`: the next commitment number (under the row's own meeting),
    or `taken-2`, `taken-3`…"""
    keys = run.keys[table]
    match = re.fullmatch(r"(.*-c)(\d+)", taken)
    if match:
        prefix = f"{meeting_id}-c" if isinstance(meeting_id, str) and meeting_id else match.group(1)
        # ASCII digits only: `str.isdigit` also takes `²`, which `int` refuses
        numbers = [int(rest) for k in keys
                   if k.startswith(prefix) and (rest := k[len(prefix):]).isdigit() and rest.isascii()]
        return f"{prefix}{max(numbers, default=0) + 1:02d}"
    suffix = 2
    while f"{taken}-{suffix}" in keys:
        suffix += 1
    return f"{taken}-{suffix}"


def missing_reference(run: Run, field_name: str, ref: str, value: str, where: Where, row_id: str | None) -> None:
    """Report a foreign key naming no row of `ref`, with the nearest ID that exists."""
    hint = f"add the {ref} row first, or correct {field_name}"
    if where.pointer is not None:  # a bundle: new rows go in its new_* section
        sections = new_sections()
        if ref in sections:
            hint = f"add it under `{sections[ref]}` in the bundle, or correct {field_name}"
    if run.want_hint("foreign-key"):
        near = close_match(value, run.keys[ref]) if len(run.keys[ref]) < 100_000 else None
        if near:
            hint = f"did you mean `{near}`? " + hint
    run.emit("foreign-key", f"{field_name} {value!r} is not an id in {ref}", where, field=field_name,
             record_id=row_id, value=value, hint=hint)


def row_issues(run: Run, model: type[Record], error: Any, cells: dict[str, Any], where: Where,
               row_id: str) -> None:
    """One issue per problem Pydantic found in a row, in words a contributor can act on. Runs once
    per bad row: Pydantic's context of each problem is asked for only when a problem has no
    location (a row rule names its field there), and the nearest-code search runs only for the
    issues whose hint is shown (`Run.want_hint`). Once the report is full (ISSUES kept), each
    problem is only counted, as `Run.emit` would count it, and nothing is explained."""
    if len(run.report.issues) >= limits.ISSUES:
        count = error.error_count()
        run.report.omitted += count
        run.report.omitted_errors += count
        return
    problems = error.errors(include_url=False, include_context=False)
    if not all(problem["loc"] for problem in problems):
        problems = error.errors(include_url=False)
    emit, want_hint = run.emit, run.want_hint
    for problem in problems:
        loc = problem["loc"]
        if loc:
            field_name: str | None = str(loc[0])
            value = problem.get("input")
        else:
            field_name = (problem.get("ctx") or {}).get("field")
            value = cells.get(field_name) if field_name else None
        code, message, hint = explain(model, problem["type"], field_name, value, problem["msg"], want_hint)
        emit(code, message, where, field=field_name, record_id=row_id, value=value, hint=hint)


@functools.cache
def new_sections() -> dict[str, str]:
    """Table -> the bundle section where a contributor adds its new rows. Imported when a bundle
    needs it: the bundle models cost a dataset's validation a sixth of a second to build."""
    from cbcf_data.model.bundle import NEW_TABLES

    return {table: key for key, table in NEW_TABLES.items()}
