"""A table's rows judged a column at a time, without Pydantic: `judge(table)`.

`judge(table)(rows)` takes a batch of CSV rows (lists of text, each exactly as wide as the
header, empty text for an empty cell) and checks each field's column with calls that loop in C
(`set.issuperset`, `map` over a compiled pattern's `fullmatch`, `min`/`max` of the lengths),
so a valid batch costs no Python step per value. It returns a `Judged`: each field's typed
column (the values the model would hold, as `model.accept` types them), each row's light record
(a named tuple of them, made only when asked for) or None, and for each row refused, whether its
only faults are codes outside their codelist — the one kind of fault the caller may report
without Pydantic. Every check is the same one as `model.accept`'s per value
(`accept.value_check`), run on the columns: a test holds the two equal on any batch, so a row is
taken here exactly when `model.accept` takes it, with equal values, and `model.accept` takes only
rows Pydantic accepts.

A column with any fault is checked again value by value, to find the rows at fault. The table's
row rules (`model.rowrules`) are judged on the columns where the table has a column form
(`COLUMN_RULES`, exact), else — or when that finds a fault — row by row on the rows every field
accepted. Standard library only (Pydantic's compiled validators only when asked, see `judge`).
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from cbcf_data.model.accept import PRINTABLE, SURROGATE, pattern_restricted, value_check
from cbcf_data.model.dates import DATE_PATTERN, FULL_DATE_PATTERN, dates_of

#: A batch of CSV rows, each a list of the cells' text ("" when empty).
Rows = Sequence[Sequence[str]]
#: How many dates a table's date fields remember, typed, between batches.
DATES_KEPT = 4096


class Judged:
    """What `judge` found in a batch: the typed columns and the rows refused; each row's light
    record is made only when asked for (`records`)."""

    def __init__(self, size: int, refused: dict[int, list[str] | None] | None = None,
                 record: Any = None, typed: Sequence[Sequence[Any]] = ()) -> None:
        self.size = size
        #: Rows refused: their index -> the fields whose only fault is a value outside their codelist,
        #: in field order; None where anything else is at fault (then Pydantic must say what).
        self.refused: dict[int, list[str] | None] = {} if refused is None else refused
        self._record, self._typed = record, typed

    @functools.cached_property
    def columns(self) -> dict[str, Sequence[Any]]:
        """Each field's typed values, in row order (a refused row's are not to be read)."""
        return dict(zip(self._record._fields, self._typed)) if self._record is not None else {}

    @functools.cached_property
    def records(self) -> list[Any]:
        """Each row's light record (a named tuple of its typed values), or None where it was refused."""
        if self._record is None:
            return [None] * self.size
        records: list[Any] = list(map(tuple.__new__, itertools.repeat(self._record, self.size), zip(*self._typed)))
        for index in self.refused:
            records[index] = None
        return records


#: `judge(table)(rows, known=frozenset())`: see `_judge`.
Judge = Callable[..., Judged]


@functools.cache
def judge(table: str, compiled: bool = False) -> Judge | None:
    """The column-wise judge of `table`'s rows, or None where its model has no accept path.
    `compiled`: the text and integer columns are checked by Pydantic's compiled validators of
    the same constraints (`pydantic_core`, without the models), faster on a large batch than
    Python's `re`, and imported only then; Pydantic's verdict on a value is the model's own."""
    from cbcf_data.model.rowrules import COLUMN_RULES, RULES
    from cbcf_data.model.rowspec import ROWS

    spec = ROWS.get(table)
    if spec is None:
        return None
    fields, ruled = spec
    record = collections.namedtuple(f"{table}_row", [name for name, *_ in fields])  # type: ignore[misc]
    columns = [_column(name, optional, kind, parameters, compiled) for name, optional, kind, parameters in fields]
    rules = (RULES[table], COLUMN_RULES.get(table)) if ruled else None
    return functools.partial(_judge, columns, record, rules)


def _judge(columns: list[Callable[[Sequence[str], dict[int, list[str] | None]], Sequence[Any]]], record: Any,
           rules: tuple[Callable[[Any], None], Callable[[dict[str, Sequence[Any]]], bool] | None] | None,
           rows: Rows, known: frozenset[str] = frozenset()) -> Judged:
    """`known`: fields whose every value the caller knows to be valid (see `same_constraints`);
    a column of them with no empty cell is taken as it is."""
    refused: dict[int, list[str] | None] = {}
    typed = [column if name in known and "" not in column else check(column, refused)
             for check, column, name in zip(columns, zip(*rows), record._fields)]
    judged = Judged(len(rows), refused, record, typed)
    if rules is None:
        return judged
    rule, column_rule = rules
    if column_rule is not None and not refused and column_rule(judged.columns):
        return judged  # every row surely follows the table's row rules: no record is needed for them
    records = judged.records  # the row rules, on the typed values of the rows every field took
    for index, light in enumerate(records):
        if light is not None:
            try:
                rule(light)
            except Exception:
                records[index] = None
                refused[index] = None
    return judged


@functools.cache
def same_constraints(table: str, name: str, other: str, other_name: str = "id") -> bool:
    """Whether any valid value of `other`'s field `other_name` is a valid value of `table`'s field
    `name`: both text fields with the same pattern and lengths (a foreign key and the ID it names)."""
    from cbcf_data.model.rowspec import ROWS

    def spec(of: str, field_name: str) -> tuple[Any, ...] | None:
        found = ROWS.get(of)
        return next(((kind, parameters) for field, _, kind, parameters in found[0] if field == field_name), None) \
            if found is not None else None

    mine = spec(table, name)
    return mine is not None and mine[0] == "text" and mine == spec(other, other_name)


#: The after-validators with a column form, for a column whose values all match one of its patterns.
_AFTER_COLUMNS: dict[str, tuple[Callable[[Sequence[str]], Sequence[Any] | None], tuple[str, ...]]] = {
    "cbcf_data.model.types._check_calendar": (dates_of, (DATE_PATTERN, FULL_DATE_PATTERN))}

#: An empty cell's value: `map(_EMPTY.get, cells, cells)` is each cell's text, None for "".
_EMPTY: dict[str, None] = {"": None}


def _column(name: str, optional: bool, kind: str, parameters: tuple[Any, ...],
            compiled: bool) -> Callable[[Sequence[str], dict[int, list[str] | None]], Sequence[Any]]:
    """The check of one field's column: its typed values (None for an empty cell); each row at
    fault noted in `refused` (with `name` when the fault is a code outside the codelist)."""
    one = value_check(kind, parameters)  # the same check as `model.accept`'s, for one value
    bulk = _bulk(kind, parameters, compiled)
    as_text = kind in ("codes", "text")  # a value is its cell's text

    def check(column: Sequence[str], refused: dict[int, list[str] | None]) -> Sequence[Any]:
        empty = "" in column
        values = list(filter(None, column)) if empty else column
        typed = bulk(values)
        if typed is None:  # a fault somewhere in the column: each value on its own
            return _one_by_one(name, optional, kind, one, column, refused)
        if not empty:
            return typed
        if not optional:  # a required field left empty
            for index, text in enumerate(column):
                if not text:
                    refused[index] = None
        if as_text:
            return list(map(_EMPTY.get, column, column))
        found = iter(typed)
        return [next(found) if text else None for text in column]

    return check


def _one_by_one(name: str, optional: bool, kind: str, one: Callable[[str], Any], column: Sequence[str],
                refused: dict[int, list[str] | None]) -> list[Any]:
    typed = []
    for index, text in enumerate(column):
        value = one(text) if text else None
        if value is None and (text or not optional):
            if text and kind == "codes" and (text.isascii() or not SURROGATE.search(text)):  # else not text to Pydantic
                fields = refused.setdefault(index, [])
                if fields is not None:
                    fields.append(name)
            else:
                refused[index] = None
        typed.append(value)
    return typed


def _bulk(kind: str, parameters: tuple[Any, ...], compiled: bool) -> Callable[[Sequence[str]], Sequence[Any] | None]:
    """The check of a column of present values at once: their typed values, or None at any fault."""
    if kind == "codes":
        codes = frozenset(parameters)
        return lambda values: values if codes.issuperset(values) else None
    if kind == "int":
        return _compiled_integers(*parameters) if compiled else functools.partial(_integers, *parameters)
    if kind == "after":
        text = _compiled_text(*parameters[1:]) if compiled else _bulk_text(*parameters[1:])
        typed_date = functools.lru_cache(maxsize=DATES_KEPT)(value_check(kind, parameters))
        after, patterns = _AFTER_COLUMNS.get(parameters[0], (None, ()))
        whole = after if parameters[1] in patterns else None
        # The dates typed so far, so that a date is one object however often it comes, as the
        # records keep them: replaced, never changed, so that runs in threads may share it.
        kept: list[dict[str, Any]] = [{}]

        def dates(values: Sequence[str]) -> Sequence[Any] | None:
            if text(values) is None:
                return None
            known = kept[0]
            new = list(set(values).difference(known))
            typed = whole(new) if whole is not None else None
            if typed is None:  # each value on its own
                typed = list(map(typed_date, values))
                return None if None in typed else typed
            found = dict(zip(new, typed))
            now = {**known, **found}
            kept[0] = now if len(now) <= DATES_KEPT else found
            return list(map(now.__getitem__, values))

        return dates
    return _compiled_text(*parameters) if compiled else _bulk_text(*parameters)


def _compiled_text(pattern: str | None, shortest: int | None,
                   longest: int | None) -> Callable[[Sequence[str]], Sequence[Any] | None]:
    """`_bulk_text` by Pydantic's compiled validator of a list of such texts (the models' own)."""
    from pydantic_core import SchemaValidator, ValidationError, core_schema

    validate = SchemaValidator(core_schema.list_schema(core_schema.str_schema(
        pattern=pattern, min_length=shortest, max_length=longest))).validate_python

    def text(values: Sequence[str]) -> Sequence[Any] | None:
        try:
            validate(values)
        except ValidationError:
            return None
        return values

    return text


def _compiled_integers(ge: int | None, le: int | None, gt: int | None,
                       lt: int | None) -> Callable[[Sequence[str]], Sequence[Any] | None]:
    """`_integers` by Pydantic's compiled validator of a list of such integers (the models' own)."""
    from pydantic_core import SchemaValidator, ValidationError, core_schema

    validate = SchemaValidator(core_schema.list_schema(core_schema.int_schema(ge=ge, le=le, gt=gt, lt=lt))).validate_python

    def integers(values: Sequence[str]) -> Sequence[Any] | None:
        try:
            typed: list[Any] = validate(values)
        except ValidationError:
            return None
        return typed

    return integers


#: Plain decimal digits without a leading zero, at most 18 (`model.accept`'s integers), one per line.
_INTEGERS = re.compile(r"(?:0|[1-9][0-9]{0,17})(?:\n(?:0|[1-9][0-9]{0,17}))*")


def _integers(ge: int | None, le: int | None, gt: int | None, lt: int | None,
              values: Sequence[str]) -> Sequence[Any] | None:
    if not values:
        return values
    text = "\n".join(values)  # a value holding a line feed would read as two
    if text.count("\n") != len(values) - 1 or _INTEGERS.fullmatch(text) is None:
        return None
    typed = list(map(int, values))
    low, high = min(typed), max(typed)
    if (ge is not None and low < ge) or (le is not None and high > le) or (gt is not None and low <= gt) \
            or (lt is not None and high >= lt):
        return None
    return typed


def _bulk_text(pattern: str | None, shortest: int | None,
               longest: int | None) -> Callable[[Sequence[str]], Sequence[Any] | None]:
    restricted = pattern is not None and pattern_restricted(pattern)
    whole = _whole_column(pattern) if pattern is not None else None

    def text(values: Sequence[str]) -> Sequence[Any] | None:
        if not values:
            return values
        joined = "".join(values)
        if not joined.isascii() and SURROGATE.search(joined):
            return None
        if (shortest is not None and min(map(len, values)) < shortest) \
                or (longest is not None and max(map(len, values)) > longest):
            return None
        if restricted and PRINTABLE.fullmatch(joined) is None:
            return None
        if whole is not None and not whole(values, joined):
            return None
        return values

    return text


#: A pattern that is one class of characters not allowed, repeated: `^[^…]+$` (the text rule's).
_NOT_ALLOWED = re.compile(r"\^\[\^((?:\\.|[^\]\\])+)\]\+\$")
#: Classes in a pattern (no escapes inside), and escapes outside them (of punctuation only).
_PLAIN_CLASS = re.compile(r"\[[^\]\\^][^\]\\]*\]")
_PLAIN = re.compile(r"(?:[^\[\]\\.\n]|\\[^0-9A-Za-z\n])*")


def _whole_column(pattern: str) -> Callable[[Sequence[str], str], bool]:
    """Whether every value of a column fullmatches `pattern` (anchored `^…$`), in one regular
    expression call over the column where that is exact, else one call per value.

    - `^[^C]+$`: no value holds a character of class C (values are never empty here), which is a
      search for `[C]` in the values joined;
    - a pattern whose classes and escapes can never match a line feed (classes of listed
      characters, no `.`, no escaped letter or digit): `P(?:\nP)*` over the values joined by line
      feeds, when no value holds one — each P then spans exactly one value.
    """
    match = re.compile(pattern).fullmatch
    inner = pattern[1:-1]
    found = _NOT_ALLOWED.fullmatch(pattern)
    if found is not None and not found.group(1).startswith("^"):
        forbidden = re.compile(f"[{found.group(1)}]").search
        if any(forbidden(chr(code)) for code in range(0x20, 0x7F)):
            return lambda values, joined: forbidden(joined) is None
        # No printable ASCII character is forbidden: text of those alone passes at C speed.
        return lambda values, joined: (joined.isascii() and joined.isprintable()) or forbidden(joined) is None
    if _PLAIN.fullmatch(_PLAIN_CLASS.sub("", inner)) and "\n" not in inner:
        lines = re.compile(f"(?:{inner})(?:\n(?:{inner}))*").fullmatch

        def joined_by_lines(values: Sequence[str], joined: str) -> bool:
            if "\n" in joined:
                return all(map(match, values))
            return lines("\n".join(values)) is not None

        return joined_by_lines
    return lambda values, joined: all(map(match, values))
