"""The rules each table's row must follow on its own, without Pydantic: `RULES[table](row)`.

A rule reads the row's typed values as attributes (a record, or a light record of `model.accept`
or `model.columns`) and raises `RowRuleError` with a kebab-case code, the field at fault, and a
message template filled from its context. The models run them as their `_check_row`
(`model.tables`, which turns the error into Pydantic's, message and context unchanged); the
accept paths run the same functions. `COLUMN_RULES[table](columns)` says whether a whole batch
follows a table's rules, from its typed columns, for the tables with the most rows. Standard library only.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from cbcf_data.model import codelists

_PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}


class RowRuleError(ValueError):
    """A row breaking a rule of its table: `code`, a message template, and its context (the field at
    fault under "field", and the template's values)."""

    def __init__(self, code: str, message: str, context: dict[str, Any]) -> None:
        super().__init__(message.format(**context))
        self.code, self.message, self.context = code, message, context


def date_precision_of(value: str) -> str:
    """Return `day`, `month` or `year` for an ISO 8601 date of reduced precision."""
    return _PRECISION_BY_LENGTH[len(value)]


def _fail(code: str, field: str, message: str, **context: Any) -> RowRuleError:
    """A row-rule error whose context names the field at fault, so reports can locate it."""
    return RowRuleError(code, message, {"field": field, **context})


def _check_explained(record: Any, *fields: str) -> None:
    """A value marked inferred (or a descriptive title) needs notes saying how it was worked out."""
    if record.notes is not None:
        return
    for name in fields:
        value = getattr(record, name)
        if value in ("inferred", "descriptive"):
            raise _fail(
                "basis-without-notes", "notes",
                "{basis} is '{value}', so notes must say how the value was worked out",
                basis=name, value=value,
            )


def _check_together(record: Any, value: str, basis: str, code: str) -> None:
    """A value and its basis field are both filled or both empty."""
    if (getattr(record, value) is None) != (getattr(record, basis) is None):
        raise _fail(code, basis, "{value} and {basis} go together: fill both or neither", value=value, basis=basis)


def _check_precision(value: str | None, precision: str | None, field: str) -> None:
    if value is not None and precision is not None and date_precision_of(value) != precision:
        raise _fail(
            "date-precision-mismatch", field,
            "{field} '{value}' is written to the {actual} but date_precision says '{precision}'",
            value=value, actual=date_precision_of(value), precision=precision,
        )


def meeting(self: Any) -> None:
    """The rules of a meetings row."""
    if (self.sequence is None) != (self.sequence_basis is None):
        raise _fail("sequence-basis", "sequence_basis", "sequence and sequence_basis must both be filled or both be empty")
    _check_together(self, "host_country", "host_basis", "host-basis")
    _check_explained(self, "sequence_basis", "existence_basis", "date_basis", "host_basis")
    if self.id[5:9] != self.start_date[:4]:
        raise _fail(
            "id-year-mismatch", "id", "the ID's year {id_year} differs from start_date's year {year}",
            id_year=self.id[5:9], year=self.start_date[:4],
        )
    year = int(self.start_date[:4])
    if (self.phase == "founding") != (year <= 2012):
        raise _fail(
            "phase-year-mismatch", "phase",
            "a meeting in {year} cannot be in the '{phase}' phase (founding: 1997-2012; reestablished: 2022 on)",
            year=year, phase=self.phase,
        )
    _check_precision(self.start_date, self.date_precision, "start_date")
    _check_precision(self.end_date, self.date_precision, "end_date")
    if self.end_date is not None and self.end_date < self.start_date:
        raise _fail(
            "end-before-start", "end_date", "end_date {end} is before start_date {start}",
            end=self.end_date, start=self.start_date,
        )
    if self.end_date is not None and self.end_date == self.start_date:
        raise _fail("end-equals-start", "end_date", "end_date {end} is start_date: a one-day meeting has no end_date",
                    end=self.end_date)
    if self.subdivision and self.host_country and not self.subdivision.startswith(self.host_country + "-"):
        raise _fail(
            "subdivision-country-mismatch", "subdivision", "subdivision {subdivision} is not in host_country {country}",
            subdivision=self.subdivision, country=self.host_country,
        )


def organization(self: Any) -> None:
    """The rules of an organizations row."""
    if self.country == "CA" and self.name_fr is None:
        raise _fail("french-name-missing", "name_fr", "a Canadian body needs its French name in name_fr")
    if self.parent_id == self.id:
        raise _fail("parent-cycle", "parent_id", "an organization cannot be its own parent")


def attendance(self: Any) -> None:
    """The rules of an attendances row."""
    if self.capacity is None and self.status == "attended":
        raise _fail("capacity-missing", "capacity", "someone who attended needs a capacity (empty only for absent or unknown)")
    _check_together(self, "capacity", "capacity_basis", "capacity-basis")
    _check_explained(self, "capacity_basis")


def commitment(self: Any) -> None:
    """The rules of a commitments row."""
    if not self.id.startswith(self.meeting_id + "-c"):
        raise _fail(
            "commitment-id-meeting", "id", "commitment ID {id} should start with its meeting's ID: {prefix}",
            id=self.id, prefix=self.meeting_id + "-c",
        )
    quote, start, end = self.quote, self.quote_start, self.quote_end
    if quote is None and start is None and end is None:
        return
    if quote is None or start is None or end is None:
        raise _fail("quote-incomplete", "quote", "quote, quote_start and quote_end go together: fill all three or none")
    if end - start != len(quote):
        raise _fail(
            "quote-length", "quote_end", "quote_end - quote_start is {span} but the quote is {length} characters long",
            span=end - start, length=len(quote),
        )


def instrument(self: Any) -> None:
    """The rules of an instruments row."""
    if (self.date is None) != (self.date_precision is None):
        raise _fail("date-precision-missing", "date_precision", "date and date_precision go together: fill both or neither")
    _check_together(self, "date", "date_basis", "date-basis")
    _check_precision(self.date, self.date_precision, "date")
    _check_explained(self, "title_basis", "date_basis")


def instrument_party(self: Any) -> None:
    """The rules of an instrument_parties row."""
    _check_explained(self, "basis")


def instrument_mention(self: Any) -> None:
    """The rules of an instrument_mentions row."""
    _check_explained(self, "relation_basis")


def source(self: Any) -> None:
    """The rules of a sources row."""
    if (self.archive_path is None) != (self.sha256 is None):
        raise _fail("archive-incomplete", "sha256", "archive_path and sha256 go together: fill both or neither")
    if self.archive_path is not None and self.archive_path != f"sources/{self.id}.txt":
        raise _fail("archive-path-name", "archive_path", "archive_path should be sources/{id}.txt", id=self.id)
    allowed = codelists.RELIABILITY_BY_KIND[self.kind]
    if self.reliability not in allowed:
        raise _fail(
            "reliability-kind", "reliability", "a source of kind '{kind}' is rated {allowed}, not '{reliability}'",
            kind=self.kind, allowed=" or ".join(allowed), reliability=self.reliability,
        )
    _check_explained(self, "title_basis")


def assessment(self: Any) -> None:
    """The rules of an assessments row."""
    if self.source_id is None and self.status != "no-evidence":
        raise _fail("assessment-source-missing", "source_id",
                    "a '{status}' assessment names the source that shows it", status=self.status)
    if self.status == "no-evidence" and "searched" not in self.note.lower():
        raise _fail("no-evidence-note", "note", "a no-evidence assessment's note says what was searched ('Searched: ...')")


def commitment_columns(columns: dict[str, Sequence[Any]]) -> bool:
    """Whether every row of a batch follows `commitment`, from its typed columns (calls that loop in
    C, no Python step per row): exactly when `commitment` passes each row, which a test holds."""
    ids, meetings = columns["id"], columns["meeting_id"]
    if not all(map(str.startswith, ids, map(operator.add, meetings, itertools.repeat("-c")))):
        return False
    quotes, starts, ends = columns["quote"], columns["quote_start"], columns["quote_end"]
    if None in quotes or None in starts or None in ends:  # then rows without a quote have none of the three
        quoted = _present(quotes)
        if quoted != _present(starts) or quoted != _present(ends):
            return False
        quotes, starts, ends = (list(itertools.compress(column, quoted)) for column in (quotes, starts, ends))
    return all(map(operator.eq, map(operator.sub, ends, starts), map(len, quotes)))


def meeting_columns(columns: dict[str, Sequence[Any]]) -> bool:
    """`meeting` for a batch, as `commitment_columns` is `commitment`'s."""
    ids, starts, ends, precisions = columns["id"], columns["start_date"], columns["end_date"], columns["date_precision"]
    if not (_together_columns(columns["sequence"], columns["sequence_basis"])
            and _together_columns(columns["host_country"], columns["host_basis"])
            and _explained_columns(columns, "sequence_basis", "existence_basis", "date_basis", "host_basis")):
        return False
    years: list[str] = list(map(operator.getitem, starts, itertools.repeat(slice(0, 4))))
    if years != list(map(operator.getitem, ids, itertools.repeat(slice(5, 9)))):
        return False
    founding = map(operator.eq, columns["phase"], itertools.repeat("founding"))
    if not all(map(operator.eq, founding, map(operator.le, map(int, years), itertools.repeat(2012)))):
        return False
    if not all(map(operator.eq, map(_PRECISION_BY_LENGTH.get, map(len, starts)), precisions)):
        return False
    if None in ends:  # the rows without an end date have nothing more to check of it
        dated = _present(ends)
        ends, starts, precisions = (list(itertools.compress(column, dated)) for column in (ends, starts, precisions))
    if not all(map(operator.eq, map(_PRECISION_BY_LENGTH.get, map(len, ends)), precisions)) \
            or any(map(operator.lt, ends, starts)) or any(map(operator.eq, ends, starts)):
        return False
    both = list(map(operator.and_, map(bool, columns["subdivision"]), map(bool, columns["host_country"])))
    return all(map(str.startswith, itertools.compress(columns["subdivision"], both),
                   map(operator.add, itertools.compress(columns["host_country"], both), itertools.repeat("-"))))


def attendance_columns(columns: dict[str, Sequence[Any]]) -> bool:
    """`attendance` for a batch, as `commitment_columns` is `commitment`'s."""
    capacity = columns["capacity"]
    if None in capacity and "attended" in itertools.compress(columns["status"], _absent(capacity)):
        return False
    return _together_columns(capacity, columns["capacity_basis"]) and _explained_columns(columns, "capacity_basis")


def assessment_columns(columns: dict[str, Sequence[Any]]) -> bool:
    """`assessment` for a batch, as `commitment_columns` is `commitment`'s."""
    sources, status = columns["source_id"], columns["status"]
    unsourced = itertools.compress(status, _absent(sources)) if None in sources else ()
    if any(map(operator.ne, unsourced, itertools.repeat("no-evidence"))):
        return False
    searched = itertools.compress(columns["note"], map(operator.eq, status, itertools.repeat("no-evidence")))
    return all(map(operator.contains, map(str.lower, searched), itertools.repeat("searched")))


def instrument_mention_columns(columns: dict[str, Sequence[Any]]) -> bool:
    """`instrument_mention` for a batch."""
    return _explained_columns(columns, "relation_basis")


def _present(column: Sequence[Any]) -> list[bool]:
    return list(map(operator.is_not, column, itertools.repeat(None)))


def _absent(column: Sequence[Any]) -> list[bool]:
    return list(map(operator.is_, column, itertools.repeat(None)))


def _together_columns(values: Sequence[Any], bases: Sequence[Any]) -> bool:
    """`_check_together` for a batch: each row fills both columns or neither."""
    return (None not in values and None not in bases) or _present(values) == _present(bases)


#: The bases whose value needs notes (`_check_explained`).
_EXPLAINED = frozenset(("inferred", "descriptive"))


def _explained_columns(columns: dict[str, Sequence[Any]], *fields: str) -> bool:
    """`_check_explained` for a batch: no row without notes marks one of `fields` inferred or descriptive."""
    notes = columns["notes"]
    if None not in notes:
        return True
    bare = _absent(notes)
    return all(_EXPLAINED.isdisjoint(itertools.compress(columns[name], bare)) for name in fields)


#: Each table's row rules (a table without rules of its own is not here).
RULES: dict[str, Callable[[Any], None]] = {
    "meetings": meeting, "organizations": organization, "attendances": attendance, "commitments": commitment,
    "instruments": instrument, "instrument_parties": instrument_party, "instrument_mentions": instrument_mention,
    "sources": source, "assessments": assessment,
}

#: A table's row rules judged for a batch at once, from its typed columns: True exactly when every
#: row follows `RULES[table]` (a table without one here has its rule run row by row).
COLUMN_RULES: dict[str, Callable[[dict[str, Sequence[Any]]], bool]] = {
    "meetings": meeting_columns, "attendances": attendance_columns, "commitments": commitment_columns,
    "instrument_mentions": instrument_mention_columns, "assessments": assessment_columns,
}
