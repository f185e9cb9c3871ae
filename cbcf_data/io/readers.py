"""Reading untrusted input without crashing: CSV tables, JSON and YAML documents.

Every reader returns data or raises `ReadError` with a located, plain-language message;
nothing here lets a malformed file escape as a traceback or a hang.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from cbcf_data.io import positions

#: Largest cell accepted in a CSV file, in characters (the longest field allows 4,000).
CELL_LIMIT = 100_000
#: Largest JSON or YAML document accepted, in bytes.
DOCUMENT_LIMIT = 20 * 1024 * 1024
#: Largest CSV table accepted, in bytes.
TABLE_LIMIT = 4 * 1024 * 1024 * 1024



class ReadError(Exception):
    """Raised when input cannot be read; `code`, `line`, `column`, `excerpt` and `hint` locate and explain it."""

    def __init__(self, code: str, message: str, line: int | None = None, hint: str | None = None,
                 column: int | None = None, excerpt: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.hint = code, message, line, hint
        self.column, self.excerpt = column, excerpt


def read_text(path: Path, limit: int) -> str:
    """A file's text as UTF-8, or ReadError naming the line of the first bad byte."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ReadError("file-too-large", f"the file is {size:,} bytes; the limit is {limit:,}")
        data = path.read_bytes()
    except OSError as error:
        raise ReadError("file-unreadable", f"cannot read the file: {error.strerror or error}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ReadError(
            "encoding", f"byte {data[error.start]:#04x} at position {error.start} is not UTF-8", line,
            "save the file as UTF-8 (in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)')",
        ) from None


def open_csv(path: Path) -> tuple[Iterator[tuple[int, list[str]]], IO[str]]:
    """(records, open file) for a table file, after the size and byte-order-mark checks.

    Iterate the records inside `with file:`; they are (first line, cells), the header first, and
    reading them raises located ReadErrors. `csv_rows` does both for callers that need no speed.
    """
    try:
        size = path.stat().st_size
        if size > TABLE_LIMIT:
            raise ReadError("file-too-large", f"the file is {size:,} bytes; the limit is {TABLE_LIMIT:,}")
        with path.open("rb") as raw:
            if raw.read(3) == b"\xef\xbb\xbf":
                raise ReadError("bom", "the file starts with a byte-order mark (BOM)", 1,
                                "save as UTF-8 without BOM, or run `cbcf-data fmt`")
        file = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise ReadError("file-unreadable", f"cannot read the file: {error.strerror or error}") from None
    csv.field_size_limit(CELL_LIMIT)  # process-wide, and other libraries raise it: set it here
    return csv_records(file, path), file


def csv_records(file: Iterable[str], path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record in file (opened with newline=""), exactly as
    `csv.reader` parses them; a record that cannot be read raises a ReadError located in path.

    A line with no quote character and no NUL, shorter than the csv module's cell limit, is a
    whole record whose cells are its comma-separated parts: `str.split` gives the same cells
    as the csv module, several times faster. Every other line goes to the csv module itself,
    with the lines after it when a quoted cell spans them. (A test compares both on any text.)
    """
    limit = csv.field_size_limit()
    lines = iter(file)
    handback = _Handback(lines)
    reader = csv.reader(handback)
    number = 0  # lines read so far
    try:
        for line in lines:
            number += 1
            if '"' in line or "\0" in line or len(line) > limit:
                handback.line = line
                before = reader.line_num
                cells = next(reader)
                yield number, cells
                number += reader.line_num - before - 1
            else:
                text = line.rstrip("\r\n")
                yield number, text.split(",") if text else []
    except csv.Error as error:  # raised for the record that began at line `number`
        raise read_failure(path, error, number) from None
    except UnicodeDecodeError as error:
        raise read_failure(path, error, number + 1) from None


class _Handback:
    """The lines the csv module reads: the one handed back to it, then the file's next ones."""

    __slots__ = ("line", "lines")

    def __init__(self, lines: Iterator[str]) -> None:
        self.line: str | None = None
        self.lines = lines

    def __iter__(self) -> _Handback:
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            return next(self.lines)
        self.line = None
        return line


def read_failure(path: Path, error: Exception, line: int) -> ReadError:
    """The located ReadError for an exception raised while reading CSV record `line` of path."""
    if isinstance(error, UnicodeDecodeError):
        try:
            read_text(path, TABLE_LIMIT)
        except ReadError as located:  # the exact line of the first bad byte
            return located
        return ReadError("encoding", "the file is not UTF-8", line)
    message = str(error)
    if "field larger" in message:
        return ReadError("cell-too-large", f"a cell is longer than {CELL_LIMIT:,} characters", line,
                         "check for an unclosed quote (\") that swallows the rest of the file")
    return ReadError("csv-syntax", f"the CSV cannot be parsed: {message}", line)


def csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Stream (first line, cells) of each CSV record of a file; the header is line 1.

    Raises ReadError where the file cannot be read: not UTF-8 (with the line of the first bad
    byte), an over-long cell, a CSV syntax error, a file over the size limit.
    """
    records, file = open_csv(path)
    with file:
        yield from records


class _DuplicateKeys(list[str]):
    """Keys seen twice in one JSON object while parsing."""


def parse_json(text: str) -> Any:
    """A JSON document; duplicate keys, excessive nesting and syntax errors are ReadErrors."""
    duplicates = _DuplicateKeys()

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise ReadError("json-syntax", f"not valid JSON: {error.msg}", error.lineno, column=error.colno,
                        excerpt=positions.excerpt(text, error.lineno, error.colno),
                        hint="check the commas and quotes just before this point") from None
    except RecursionError:
        raise ReadError("too-deep", "the document is nested too deeply to be a bundle") from None
    if duplicates:
        raise ReadError(
            "duplicate-json-key", f"the key {duplicates[0]!r} appears twice in one object",
            hint="keep one of the two entries: JSON readers silently drop the other",
        )
    return document


def parse_yaml(text: str) -> Any:
    """A YAML document in the safe subset (no aliases, no duplicate keys, no tags)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise ReadError("yaml-alias", "YAML aliases (*name) are not accepted in bundles", event.start_mark.line + 1)
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ReadError("duplicate-json-key", f"the key {key!r} appears twice in one mapping",
                                    key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    # Dates stay strings: the models expect ISO text, not datetime objects.
    StrictLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except ReadError:
        raise
    except yaml.MarkedYAMLError as error:
        raise yaml_error(text, error) from None
    except yaml.YAMLError as error:
        raise ReadError("yaml-syntax", f"not valid YAML: {error}") from None
    except RecursionError:
        raise ReadError("too-deep", "the document is nested too deeply to be a bundle") from None


#: (words in PyYAML's problem, plain hint) for the YAML mistakes people make most.
YAML_HINTS = (
    ("'\\t'", "YAML does not allow tabs for indentation: indent with spaces"),
    ("mapping values are not allowed", "a value containing ': ' must be quoted, e.g. summary: \"Note: ...\""),
    ("could not find expected ':'", "each field is `name: value` on its own line; check the indentation above"),
    ("expected <block end>", "the indentation is off: items of one list or object start in the same column"),
    ("did not find expected key", "the indentation is off: fields of one object start in the same column"),
    ("did not find expected '-'", "list items start with `- ` in the same column"),
)


def yaml_error(text: str, error: Any) -> ReadError:
    """A YAML syntax error as a ReadError at its line and column, with the line shown and a hint.

    An unclosed quote or bracket is reported where it was opened, not at the end of the file.
    """
    problem = str(error.problem or error)
    mark = error.problem_mark
    hint = next((words for key, words in YAML_HINTS if key in problem), None)
    if error.context_mark is not None and ("end of stream" in problem or "end of the stream" in problem
                                           or "found unexpected end" in problem):
        mark = error.context_mark
        hint = f"the {error.context.replace('while scanning a ', '')} opened here is never closed: close it"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    excerpt = positions.excerpt(text, line, column) if line is not None else None
    where = f" (line {line}, column {column})" if line is not None else ""
    return ReadError("yaml-syntax", f"not valid YAML: {problem}{where}", line, hint, column, excerpt)


def read_document(path: Path) -> Any:
    """A bundle file's document: YAML for .yaml/.yml, JSON otherwise."""
    text = read_text(path, DOCUMENT_LIMIT)
    return parse_yaml(text) if path.suffix.lower() in (".yaml", ".yml") else parse_json(text)
