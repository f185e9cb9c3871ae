"""Pydantic's errors in words a contributor can act on: a stable code, a message and a fix hint
(nearest codelist value, the expected date form, what a pattern means); `tell_code_faults` reports
a batch's codes outside their codelists in those words, without Pydantic."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from cbcf_data.errors import nearest as nearest_choice
from cbcf_data.io import limits
from cbcf_data.model import text

if TYPE_CHECKING:
    from cbcf_data.check.report import Where
    from cbcf_data.check.state import Run
    from cbcf_data.model.tables import Record

# What a problem's words need of a field (its codes, pattern, longest length, codelist) is read
# from `model.rowspec`, plain data held equal to the models by a test: explaining a row's error
# imports neither Pydantic nor the models (a run whose faults are codes outside their codelists
# never loads them). A table that `model.rowspec` lacks is read from its model's JSON Schema.

DATE_FIELDS = {"start_date", "end_date", "date", "published_date", "as_of"}
_PATTERN_HINTS = {
    "^[a-z0-9]+(?:-[a-z0-9]+)*$": "IDs are lowercase letters and digits joined by single hyphens, e.g. `dominic-leblanc`",
    "^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$": "meeting IDs are `cbcf-` and the year, e.g. `cbcf-2024`",
    "^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$": "commitment IDs are the meeting ID, `-c` and two digits, e.g. `cbcf-2024-c01`",
    "^(?:US|CA)-[A-Z0-9]{1,3}$": "an ISO 3166-2 code such as `US-DC` or `CA-ON`",
    "^Q[1-9][0-9]*$": "a Wikidata item ID such as `Q42`",
    "^[0-9a-f]{64}$": "64 lowercase hexadecimal digits (the output of `sha256sum`)",
    "url": "a web address starting with http:// or https://, without spaces",
    "^sources/[a-z0-9]+(?:-[a-z0-9]+)*\\.txt$": "`sources/<source id>.txt`",
}
DATE_HINT = "write the date as YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"

_ROW_HINTS = {
    "date-precision-mismatch": "write the date to the precision date_precision states, or change date_precision",
    "end-before-start": "swap the dates, or correct the one that is wrong",
    "end-equals-start": "leave end_date empty for a meeting of one day",
    "sequence-basis": "fill sequence_basis (stated/inferred) with sequence, or empty both",
    "id-year-mismatch": "a meeting's ID carries the year of its start_date",
    "commitment-id-meeting": "number the commitment under its meeting, e.g. cbcf-2024-c01",
    "quote-incomplete": "fill quote, quote_start and quote_end together, or none of them",
    "quote-length": "quote_end = quote_start + the quote's length in characters",
    "french-name-missing": "give the body's official French name",
    "archive-incomplete": "fill archive_path and sha256 together, or neither",
    "basis-without-notes": "say in notes how the inferred value was worked out (or why the title is descriptive)",
    "host-basis": "fill host_basis (stated/inferred) with host_country, or empty both",
    "capacity-basis": "fill capacity_basis (stated/inferred) with capacity, or empty both",
    "date-basis": "fill date_basis (stated/inferred) with date, or empty both",
    "capacity-missing": "give the capacity the source states or implies; leave it empty only when status is absent or unknown",
    "reliability-kind": "official texts are high, rewrites (summary) low, everything else medium or low: see CONTRIBUTING.md",
    "assessment-source-missing": "name the later source that shows the progress, or use status no-evidence",
    "no-evidence-note": "list the sources and searches made, e.g. 'Searched: DOJ and Public Safety releases; ...'",
}

_property_cache: dict[str, dict[str, Any]] = {}


@functools.cache
def pattern_hints() -> dict[str, str]:
    """What each pattern of the models means, in words (by the pattern's text)."""
    return {text.URL_PATTERN if pattern == "url" else pattern: hint for pattern, hint in _PATTERN_HINTS.items()}


def properties(model: type[Record]) -> dict[str, Any]:
    """What explain reads of each field's own JSON Schema — its codes (`enum`), `pattern` and
    `maxLength` — computed once per table; from `model.rowspec` (`said`) when it has the table."""
    cached = _property_cache.get(model.table)
    if cached is None:  # the import inside: it costs every call that runs it, a microsecond an issue
        from cbcf_data.model.rowspec import ROWS

        cached = _property_cache[model.table] = said(ROWS[model.table][0]) if model.table in ROWS else schema_said(model)
    return cached


def said(fields: tuple[tuple[str, bool, str, tuple[Any, ...]], ...]) -> dict[str, dict[str, Any]]:
    """Field -> its `enum`, `pattern` and `maxLength` as its JSON Schema states them, from a table's
    entry of `model.rowspec.ROWS` (kind `text`: pattern, shortest, longest; `after`: the function,
    then the same)."""
    found: dict[str, dict[str, Any]] = {}
    for name, _, kind, parameters in fields:
        if kind == "codes":
            found[name] = {"enum": list(parameters)}
        elif kind in ("text", "after"):
            pattern, _, longest = parameters[-3:]
            found[name] = {key: value for key, value in (("pattern", pattern), ("maxLength", longest)) if value is not None}
        else:
            found[name] = {}
    return found


def schema_said(model: Any) -> dict[str, dict[str, Any]]:
    """Each field's own JSON Schema (nullable unwrapped), read from the Pydantic model."""
    from cbcf_data.model.declared import pydantic_model
    from cbcf_data.model.table_schema import field_schema

    schema = pydantic_model(model).model_json_schema()
    return {name: field_schema(name, schema)[0] for name in schema["properties"]}


def explain(model: type[Record], kind: str, field: str | None, value: Any,
            message: str, searched: Callable[[str], bool] | None = None) -> tuple[str, str, str | None]:
    """(code, message, hint) for one Pydantic error, in words a contributor can act on.

    `searched(code)`, when given, says whether this issue of `code` gets a hint that needs a
    search (nearest code or field name); when it says no, the hint is None and nothing is searched
    (`Run.want_hint`: only the first `HINTED` issues of a code get one)."""
    name = field or "the row"
    prop = properties(model).get(field or "", {})
    if kind == "extra_forbidden":
        return _unknown_field(model, field, searched)
    if kind == "missing" or (value is None and kind.endswith("_type")):
        return "required", f"{name} is required but empty", None
    if kind == "literal_error":
        return _not_in_codelist(model, field, value, prop, searched)
    if kind == "string_unicode" or (kind == "string_pattern_mismatch" and isinstance(value, str)
                                    and text.problem(value, prop.get("pattern") == text.TEXT_PATTERN)):
        return text_issue(name, value, prop.get("pattern") == text.TEXT_PATTERN)
    if kind == "invalid-date":
        return "invalid-date", f"{name} {value!r} is not a day of the calendar", _calendar_hint(str(value))
    if kind == "string_pattern_mismatch":
        if field in DATE_FIELDS and isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            # the form is right; the patterns admit real months and days only
            return "invalid-date", f"{name} {value!r} is not a day of the calendar", _calendar_hint(value)
        if field in DATE_FIELDS:
            return "invalid-date", f"{name} {value!r} is not a date", DATE_HINT
        return "pattern", f"{name} {value!r} does not have the expected form", pattern_hints().get(prop.get("pattern", ""))
    if kind == "string_too_long":
        return "too-long", f"{name} is longer than {prop.get('maxLength')} characters", "shorten it; put detail in notes"
    if kind == "string_too_short":
        return "empty", f"{name} is empty", "leave the field out (or the cell empty) instead"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "not-an-integer", f"{name} {value!r} is not a whole number", "write digits only, e.g. 3"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "out-of-range", f"{name} {value!r} is out of range: {message}", None
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return "wrong-type", f"{name}: {message}", None
    if "-" in kind:  # the models' own row rules carry kebab-case codes
        return kind, message, _ROW_HINTS.get(kind)
    return kind.replace("_", "-"), f"{name}: {message}", None


def _not_in_codelist(model: type[Record], field: str | None, value: Any, prop: dict[str, Any],
                     searched: Callable[[str], bool] | None) -> tuple[str, str, str | None]:
    """A value that is not a code of its codelist, with the nearest code (for the issues that show one)."""
    said = f"{value!r} is not a {_codelist_name(model, field)} code"
    if searched is not None and not searched("not-in-codelist"):
        return "not-in-codelist", said, None
    allowed: list[str] = prop.get("enum", [])
    near = nearest(str(value), allowed)
    hint = f"did you mean `{near}`? " if near else ""
    return ("not-in-codelist", said,
            hint + f"allowed: {', '.join(allowed)} (see schema/codelists.json)")


def tell_code_faults(run: Run, model: Any, faults: list[tuple[str, str]], where: Where, row_id: str) -> None:
    """What `rows.row_issues` tells of a row whose only faults are codes outside their codelists
    (`batches.CodeFaults`: (field, value) each), issue for issue, without Pydantic's form of the
    errors in between: one `not-in-codelist` issue per fault, or each only counted once the
    report is full (ISSUES kept). It runs once per such row: 100,000 times for a dataset
    whose every commitment has a wrong code."""
    report = run.report
    if len(report.issues) >= limits.ISSUES:
        report.omitted += len(faults)
        report.omitted_errors += len(faults)
        return
    emit, want_hint, said = run.emit, run.want_hint, properties(model)
    for name, value in faults:
        code, message, hint = _not_in_codelist(model, name, value, said.get(name, {}), want_hint)
        emit(code, message, where, field=name, record_id=row_id, value=value, hint=hint)


@functools.cache
def _codelist_name(model: type[Record], field: str | None) -> str | None:
    """The name of the codelist of `field` (the field's own name when it has none), once per field."""
    from cbcf_data.model.rowspec import CODELISTS_OF

    if model.table in CODELISTS_OF:
        return CODELISTS_OF[model.table].get(field or "") or field
    from cbcf_data.model.declared import pydantic_model
    from cbcf_data.model.table_schema import codelist_of

    return codelist_of(pydantic_model(model), field or "") or field


def _unknown_field(model: type[Record], field: str | None,
                   searched: Callable[[str], bool] | None) -> tuple[str, str, str | None]:
    text = f"{str(field)[:80]!r} is not a field of {model.table}"
    if searched is not None and not searched("unknown-field"):
        return "unknown-field", text, None
    close = close_match(str(field), list(model.model_fields))
    return ("unknown-field", text,
            f"did you mean `{close}`?" if close else f"fields are: {', '.join(model.model_fields)}")


def _calendar_hint(value: str) -> str:
    """What is wrong with a well-formed date that the calendar does not have (2008-02-30, 2024-13)."""
    parts = value.split("-")
    if len(parts) >= 2 and not 1 <= int(parts[1]) <= 12:
        return f"the month must be 01 to 12, not {parts[1]}"
    if len(parts) == 3:
        import calendar

        year, month = int(parts[0]), int(parts[1])
        days = calendar.monthrange(year, month)[1]
        return f"{year}-{month:02d} has {days} days: check the day, or write only YYYY-MM if the day is not known"
    return DATE_HINT


def text_issue(name: str, value: Any, multiline: bool) -> tuple[str, str, str | None]:
    """(code, message, hint) for a value holding a character outside the text rule (`model.text`)."""
    found = text.problem(value, multiline) if isinstance(value, str) else None
    if found is None:  # Pydantic could not read it as text at all (a lone surrogate)
        return ("invalid-character", f"{name} holds a character that is not Unicode text",
                "remove it: it is not a character (a broken encoding, or a lone surrogate)")
    code, position, what, hint = found
    return code, f"{name} holds {what} at character {position + 1}", hint


#: Longest text for which a "did you mean" hint is searched (difflib indexes every character).
HINT_CHARS = 200


def close_match(word: str, possibilities: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The possibility closest to word (difflib), or None; none is searched for a long word, whose
    index would cost memory in proportion to it (a hostile bundle's 20 MB key)."""
    if len(word) > HINT_CHARS:
        return None
    import difflib  # here: a run with nothing to hint never needs it

    near = difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)
    return near[0] if near else None


def nearest(value: str, allowed: list[str]) -> str | None:
    """The allowed code closest to `value` (case and spaces aside), if any is close enough."""
    if len(value) > HINT_CHARS:
        return None
    return nearest_choice(value, allowed, cutoff=0.5)
