"""The validation Report: every problem found, each located, with a message and a fix hint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from cbcf_data.io import limits
from cbcf_data.model.text import escape, escape_json

if TYPE_CHECKING:
    from collections.abc import Iterator

Severity = Literal["error", "warning"]

#: How much of an offending value an issue keeps.
VALUE_LIMIT = limits.VALUE_CHARS
#: How many examples the text output shows for each code.
EXAMPLES = 5


def truncate(value: Any, limit: int = VALUE_LIMIT) -> str | None:
    """The offending value as short text: `None` stays `None`, long values end in `…`. A large
    value (a whole list from a bundle) is cut before it is turned into text."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    else:
        if isinstance(value, list | dict) and len(value) > limit:
            value = value[:limit] if isinstance(value, list) else dict(list(value.items())[:limit])
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):  # a value nested too deeply to be shown
            text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Where(NamedTuple):
    """Where a row came from: a CSV file and line, or a bundle file and JSON pointer."""

    path: str | None
    table: str | None
    line: int | None = None
    pointer: str | None = None


@dataclass(frozen=True)
class Issue:
    """One problem: a stable code, where it is, what is wrong and how to fix it."""

    code: str
    message: str
    severity: Severity = "error"
    path: str | None = None
    table: str | None = None
    line: int | None = None
    pointer: str | None = None
    field: str | None = None
    record_id: str | None = None
    value: str | None = None
    hint: str | None = None
    column: int | None = None
    #: The line of the input, escaped, with a caret under the column (YAML and JSON syntax errors).
    excerpt: str | None = None

    @property
    def location(self) -> str:
        """`file:line [field]` for CSV, `file:line:column#/pointer` for bundles."""
        where = self.path or self.table or "dataset"
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        if self.pointer is not None:
            where += f"#{self.pointer}"
        elif self.field:
            where += f" [{self.field}]"
        return where


@dataclass
class Report:
    """Everything validation found, and what it checked."""

    issues: list[Issue] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    checks: set[str] = field(default_factory=set)
    #: False when the input could not be read as what it claims to be (exit status 2).
    usable: bool = True
    #: For a bundle: the record IDs of its rows already in the dataset, identical, by table.
    present: dict[str, list[str]] = field(default_factory=dict)
    #: Issues found beyond the ISSUES kept (see README, Limits): counted, not kept; and the errors among them.
    omitted: int = 0
    omitted_errors: int = 0

    def add(self, issue: Issue) -> None:
        """Record one issue (beyond the limit, only count it)."""
        if len(self.issues) < limits.ISSUES:
            self.issues.append(issue)
        else:
            self.omitted += 1
            self.omitted_errors += issue.severity == "error"

    @property
    def errors(self) -> list[Issue]:
        """Issues of severity error (of those kept)."""
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def valid(self) -> bool:
        """True when something was checked and no error was found."""
        return self.usable and self.tables > 0 and not self.errors and not self.omitted_errors

    @property
    def exit_status(self) -> int:
        """0 valid, 1 invalid, 2 unusable input."""
        return 2 if not self.usable else 0 if self.valid else 1

    def flatten(self, keys: tuple[str, ...] = ("code", "table", "line", "field")) -> list[tuple[Any, ...]]:
        """Issues as tuples of the given attributes, for one-line comparisons in tests."""
        return [tuple(getattr(issue, key) for key in keys) for issue in self.issues]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: `{"valid", "checked": {tables, rows, checks}, "issues": [...]}`."""
        result: dict[str, Any] = {
            "valid": self.valid,
            "checked": {"tables": self.tables, "rows": self.rows, "checks": len(self.checks)},
            "issues": [issue_dict(issue) for issue in self.issues],
            "omitted": self.omitted,
        }
        if self.present:
            result["already_present"] = self.present
        return result

    def to_json(self) -> str:
        """The JSON form as text: exactly `json.dumps(self.to_dict(), indent=2, ensure_ascii=False)`
        and a newline, with the characters a terminal would act on as `\\u` escapes (`escape_json`;
        tested), written without the standard library's pure-Python indenting encoder, which took
        a third of an all-invalid run: the issues go to the C encoder a chunk at a time (see
        `_issues_json`), and only the chunks that hold a character `escape_json` may change are
        scanned by it. The text is the parts of `json_parts` joined."""
        return "".join(self.json_parts())

    def json_parts(self) -> Iterator[str]:
        """`to_json()` in parts, made as they are asked for: the command line writes each as it
        comes (`cli.base.echo_parts`), never holding the whole text (44 MB for 100,000 issues).
        Every part is JSON text from `json.dumps` and `escape_json`: it holds no control character
        but the newlines of its indentation (no ESC) and no surrogate, so UTF-8 encodes it part by
        part to the bytes of the whole (tested)."""
        head = {"valid": self.valid, "checked": {"tables": self.tables, "rows": self.rows, "checks": len(self.checks)}}
        yield escape_json(json.dumps(head, indent=2, ensure_ascii=False)[:-2]) + ',\n  "issues": '
        if self.issues:
            issues = self.issues
            yield "[\n    {\n      "
            for start in range(0, len(issues), CHUNK):
                if start:
                    yield _BETWEEN
                yield _escaped(_issues_json(issues[start:start + CHUNK]))
            yield "\n    }\n  ]"
        else:
            yield "[]"
        yield f',\n  "omitted": {self.omitted}'
        if self.present:
            present = json.dumps(self.present, indent=2, ensure_ascii=False)
            yield escape_json(',\n  "already_present": ' + present.replace("\n", "\n  "))  # JSON text has no raw newline
        yield "\n}\n"

    def to_text(self) -> str:
        """A summary for people: issues grouped by code with counts and the first examples.

        Safe on a terminal: control characters (ESC, CR…), bidi controls and invisible characters
        in paths, messages and hints are shown as `\\x1b`-style escapes.
        """
        lines = []
        groups: dict[str, list[Issue]] = {}
        for issue in self.issues:
            groups.setdefault(issue.code, []).append(issue)
        for code, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
            lines.append(escape(f"{group[0].severity} {code} ({len(group)}):"))
            for issue in group[:EXAMPLES]:
                lines.append("  " + escape(f"{issue.location}: {issue.message}"))
                if issue.excerpt:
                    lines.extend(f"      {part}" for part in issue.excerpt.splitlines())
                if issue.hint:
                    lines.append("    hint: " + escape(issue.hint))
            if len(group) > EXAMPLES:
                lines.append(f"  … and {len(group) - EXAMPLES} more")
        if self.omitted:
            lines.append(f"… and {self.omitted:,} more issue(s) not kept: a report keeps {limits.ISSUES:,} "
                         "(see README, Limits)")
        errors = len(self.errors) + self.omitted_errors
        warnings = len(self.issues) + self.omitted - errors
        verdict = "valid" if self.valid else "unusable input" if not self.usable else "invalid"
        if self.usable and self.tables == 0:
            verdict += " (nothing was checked)"
        if self.present:
            present = ", ".join(f"{table} {len(ids)}" for table, ids in self.present.items())
            lines.append(f"already in the dataset, identical (nothing to add): {present}")
        lines.append(
            f"{verdict}: {self.tables} table(s), {self.rows} row(s), {len(self.checks)} check(s); "
            f"{errors} error(s), {warnings} warning(s)"
        )
        return "\n".join(lines) + "\n"


#: The fields of an Issue, in order.
ISSUE_FIELDS = tuple(f.name for f in fields(Issue))
#: Issues encoded in one call: few enough that their intermediate values stay small.
CHUNK = 2048
#: Between two issues in the report's indented JSON.
_BETWEEN = "\n    },\n    {\n      "
#: Between two fields of an issue in the report's indented JSON.
_FIELD_SEPARATOR = ",\n      "
#: Each field's key as the report writes it.
_KEYS = tuple(f"{json.dumps(name)}: " for name in ISSUE_FIELDS)


_new = object.__new__


def new_issue(code: str, message: str, severity: str, path: str | None, table: str | None, line: int | None,
              pointer: str | None, field: str | None, record_id: str | None, value: str | None,
              hint: str | None) -> Issue:
    """`Issue(code, message, severity, path, table, line, pointer, field, record_id, value, hint)`:
    the same frozen issue (equal, same hash, its fields in the same order; a test holds it),
    built without the dataclass's `__init__`, whose thirteen `object.__setattr__` calls cost more
    than the rest of reporting an issue (3.4 µs against 1.2). Its fields are set one by one, in
    order, into its own `__dict__`: the instance keeps the class's shared keys, as `__init__`'s
    do (a dict given whole would take twice the memory, 100,000 issues kept)."""
    issue = _new(Issue)
    fields = issue.__dict__
    fields["code"] = code
    fields["message"] = message
    fields["severity"] = severity
    fields["path"] = path
    fields["table"] = table
    fields["line"] = line
    fields["pointer"] = pointer
    fields["field"] = field
    fields["record_id"] = record_id
    fields["value"] = value
    fields["hint"] = hint
    fields["column"] = None
    fields["excerpt"] = None
    return issue


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue's fields as a dict, as `dataclasses.asdict` gives them (its values are all flat)."""
    return {name: getattr(issue, name) for name in ISSUE_FIELDS}


def _issues_json(issues: list[Issue]) -> str:
    """The issues as the report's indented JSON writes them, from the first field of the first to
    the last value of the last. A field whose value is the same in every issue of the chunk (the
    code, message and hint of a thousand alike issues) is encoded once, into the constant text
    around the others; those are encoded a field at a time in one call of the C encoder each,
    separated by raw newlines (which JSON text never holds inside a value), then joined in turn
    with the constant text between them (a quarter faster than formatting a template with `%`)."""
    fields_of = [issue.__dict__ for issue in issues]
    pieces, varying = [""], []  # the constant text before each varying value, and after the last
    for name, key in zip(ISSUE_FIELDS, _KEYS):
        column = list(map(itemgetter(name), fields_of))
        pieces[-1] += key if name == ISSUE_FIELDS[0] else _FIELD_SEPARATOR + key
        if _same(column):
            pieces[-1] += json.dumps(column[0], ensure_ascii=False)
        else:
            varying.append(json.dumps(column, ensure_ascii=False, separators=("\n", ":"))[1:-1].split("\n"))
            pieces.append("")
    if not varying:
        return _BETWEEN.join([pieces[0]] * len(issues))
    # Each issue is pieces[0], its first varying value, pieces[1], … its last, pieces[-1]; between
    # two issues, pieces[-1] + _BETWEEN + pieces[0].
    after = [*pieces[1:-1], pieces[-1] + _BETWEEN + pieces[0]]
    parts = [pieces[0]]
    parts.extend(chain.from_iterable(zip(*chain.from_iterable(zip(varying, map(repeat, after))))))
    parts[-1] = pieces[-1]
    return "".join(parts)


def _same(column: list[Any]) -> bool:
    """True when every value of the column is one value of one type (so one encoding): a text or
    None equals only its like; an int may equal a bool or a float, so their types are compared."""
    first = column[0]
    if column.count(first) != len(column):
        return False
    return type(first) is str or first is None or len(set(map(type, column))) == 1


def _escaped(text: str) -> str:
    """`escape_json(text)`, without its scan when text is ASCII without DEL: the only ASCII
    character it escapes (json.dumps escapes the C0 controls itself; a test holds both)."""
    return text if text.isascii() and "\x7f" not in text else escape_json(text)
