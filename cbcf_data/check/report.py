"""The validation Report: every problem found, each located, with a message and a fix hint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from itertools import chain
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from cbcf_data.io import limits
from cbcf_data.model.text import escape, escape_json

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
        scanned by it."""
        head = {"valid": self.valid, "checked": {"tables": self.tables, "rows": self.rows, "checks": len(self.checks)}}
        parts = [escape_json(json.dumps(head, indent=2, ensure_ascii=False)[:-2]), ',\n  "issues": ']
        if self.issues:
            issues = self.issues
            parts.append("[\n    {\n      ")
            for start in range(0, len(issues), CHUNK):
                if start:
                    parts.append(_BETWEEN)
                parts.append(_escaped(_issues_json(issues[start:start + CHUNK])))
            parts.append("\n    }\n  ]")
        else:
            parts.append("[]")
        parts.append(f',\n  "omitted": {self.omitted}')
        if self.present:
            present = json.dumps(self.present, indent=2, ensure_ascii=False)
            parts.append(escape_json(',\n  "already_present": ' + present.replace("\n", "\n  ")))  # JSON text has no raw newline
        parts.append("\n}\n")
        return "".join(parts)

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


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue's fields as a dict, as `dataclasses.asdict` gives them (its values are all flat)."""
    return {name: getattr(issue, name) for name in ISSUE_FIELDS}


def _issues_json(issues: list[Issue]) -> str:
    """The issues as the report's indented JSON writes them, from the first field of the first to
    the last value of the last. A field whose value is the same in every issue of the chunk (the
    code, message and hint of a thousand alike issues) is encoded once, into the template of an
    issue; the others are encoded a field at a time in one call of the C encoder each, separated
    by raw newlines (which JSON text never holds inside a value), then put under their keys."""
    fields_of = [issue.__dict__ for issue in issues]
    template, varying = [], []
    for name, key in zip(ISSUE_FIELDS, _KEYS):
        column = list(map(itemgetter(name), fields_of))
        if _same(column):
            template.append(key + json.dumps(column[0], ensure_ascii=False).replace("%", "%%"))
        else:
            template.append(key + "%s")
            varying.append(json.dumps(column, ensure_ascii=False, separators=("\n", ":"))[1:-1].split("\n"))
    return _BETWEEN.join([_FIELD_SEPARATOR.join(template)] * len(issues)) % tuple(chain.from_iterable(zip(*varying)))


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
