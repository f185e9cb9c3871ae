"""What one validation run shares between its layers: the report, the keys seen, the tables
that failed, and the helpers that put an issue in the report.

Each layer is a module of functions taking this `Run` (see `cbcf_data.check`); none keeps
state of its own between runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from cbcf_data.check.report import VALUE_LIMIT, Issue, Report, Where, new_issue, truncate
from cbcf_data.io import limits
from cbcf_data.io.readers import resident_memory
from cbcf_data.model.declared import TABLES

if TYPE_CHECKING:
    from cbcf_data.check.profile import Judgement
    from cbcf_data.check.rules import Rules

#: Hints that need a search (nearest value, next free ID) are computed for this many issues of a code.
HINTED = 50
#: Rows between two calls of a progress callback.
PROGRESS_EVERY = 20_000
Progress = Callable[[str, int, bool], None]
#: One row as the row layers take it: where it is, its key (text, or a tuple for a composite
#: key) and its cells by field.
Row = tuple[Where, Any, dict[str, Any]]


class Batch(NamedTuple):
    """Consecutive rows of a table's CSV that its structure check passed (`structure.csv_feed`):
    each as wide as the header, in order, as the text of their cells ("" when empty)."""

    path: str
    table: str
    lines: Sequence[int]
    rows: list[list[str]]
    #: Each row's primary key (text, or a tuple for a composite key).
    keys: list[Any]


#: A table's keys seen so far, each with where it came from ("dataset" or "bundle"); a set when
#: the table is fed by its CSV alone (every key from the dataset).
Keys = dict[Any, str] | set[Any]


class Stop(Exception):
    """Raised inside a run when the input is unusable and nothing further can be checked."""


class Run:
    """One validation: the report, the keys seen so far, and the cross-table rules."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress
        self.report = Report()
        #: Each table's keys seen so far (text, or a tuple for a composite key), see `Keys`.
        self.keys: dict[str, Keys] = {name: {} for name in TABLES}
        #: Tables whose structure failed: their rows were not checked.
        self.broken: set[str] = set()
        #: Tables some of whose rows could not be read: references to them are not judged.
        self.incomplete: set[str] = set()
        self.hinted: dict[str, int] = {}
        #: CSV rows judged by `model.accept` so far (`rows.ACCEPTED`).
        self.accepted = 0
        self.rules: Rules | None = None
        #: The frictionless verdict on the descriptor, where to report it, and at which issue position.
        self.judgement: tuple[Judgement, Where, int] | None = None
        #: For a bundle: the dataset's cells of each row the bundle also holds, by table and record ID.
        self.existing: dict[str, dict[str, dict[str, Any]]] = {}
        #: Issues already reported at one bundle location (code, pointer): a cascade is told once.
        self.told: set[tuple[str, str]] = set()
        #: The dataset's folder: its files are opened below it, never through a link (`cbcf_data.io.files`).
        self.root: Path | None = None
        #: What the tables may still hold, in bytes and rows (VALIDATE_BYTES, VALIDATE_ROWS).
        self.bytes_left = limits.VALIDATE_BYTES
        self.rows_left = limits.VALIDATE_ROWS
        #: The process's resident memory when the run began (None where it cannot be read).
        self.memory_at_start = resident_memory()

    def memory_grown(self) -> int | None:
        """Bytes of resident memory the process has gained since the run began, where known."""
        now = resident_memory()
        return None if now is None or self.memory_at_start is None else now - self.memory_at_start

    def emit(self, code: str, message: str, where: Where, *, field: str | None = None, record_id: str | None = None,
             value: Any = None, hint: str | None = None, severity: str = "error") -> None:
        """Add one issue to the report, located by `where` (and `field`, for a bundle's pointer).
        This runs once per issue (100,000 times for a dataset whose every row is wrong): values
        already short enough are kept without a call, and the issue is built by `new_issue`."""
        issues = self.report.issues
        if len(issues) >= limits.ISSUES:  # full: count it, build nothing
            self.report.omitted += 1
            self.report.omitted_errors += severity == "error"
            return
        pointer = where.pointer
        if field is not None and len(field) > limits.VALUE_CHARS:  # a header cell that is no field name
            field = truncate(field)
        if pointer is not None:
            if field is not None:
                pointer = field_pointer(where.table, pointer, field)
            if (code, pointer) in self.told:
                return
            self.told.add((code, pointer))
        if record_id is not None and (type(record_id) is not str or len(record_id) > limits.MESSAGE_CHARS):
            record_id = truncate(record_id, limits.MESSAGE_CHARS)
        if value is not None and (type(value) is not str or len(value) > VALUE_LIMIT):  # as `truncate` cuts
            value = truncate(value)
        if len(message) > limits.MESSAGE_CHARS:
            message = shorten(message)
        issues.append(new_issue(code, message, severity, where.path, where.table, where.line, pointer, field,
                                record_id, value, shorten(hint) if hint else hint))

    def unusable(self, code: str, message: str, path: str | None, line: int | None = None,
                 hint: str | None = None, column: int | None = None, excerpt: str | None = None) -> None:
        """Report that the input cannot be read as what it claims to be (exit status 2)."""
        self.report.usable = False
        self.report.add(Issue(code=code, message=message, path=path, line=line, hint=hint, column=column,
                              excerpt=excerpt))

    def want_hint(self, code: str) -> bool:
        """Whether this issue of `code` still gets a hint that needs a search (the first HINTED do)."""
        self.hinted[code] = self.hinted.get(code, 0) + 1
        return self.hinted[code] <= HINTED


def shorten(text: str) -> str:
    """A message or hint of at most MESSAGE_CHARS characters."""
    return text if len(text) <= limits.MESSAGE_CHARS else text[: limits.MESSAGE_CHARS - 1] + "…"


def record_id(key: Any) -> str:
    """A record's ID as reports show it: the key, its parts joined by `/` when composite."""
    return key if type(key) is str else "/".join(map(str, key))


def escape(key: str) -> str:
    """A JSON pointer's reference token for `key` (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def field_pointer(table: str | None, pointer: str, field: str) -> str:
    """The JSON pointer of a field of a bundle row (fields the bundle implies point at their origin);
    a bundle inside a release document keeps its `/meetings/<n>` prefix."""
    if pointer.startswith("/meetings/") and pointer.count("/") > 2:
        prefix, _, rest = pointer[len("/meetings/"):].partition("/")
        if prefix.isdigit():
            return f"/meetings/{prefix}" + field_pointer(table, "/" + rest, field)
    if field == "meeting_id" and table != "meetings":
        return "/meeting/id"
    if table == "commitment_topics":
        return pointer if field == "topic_id" else pointer.rsplit("/topics/", 1)[0] + "/id"
    if table == "meeting_sources":
        return pointer
    if table == "assessments" and field == "commitment_id":
        return pointer.rsplit("/assessments/", 1)[0] + "/id"
    return f"{pointer}/{escape(field)}"
