"""Reading untrusted JSON and YAML documents (bundles, descriptors, release documents), and
writing YAML that reads back as it was written.

Before a document is parsed, its values are counted and its nesting measured (limits in
`cbcf_data.io.limits`), so a small file cannot expand into gigabytes of objects. YAML is read by
the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules: `010` is the integer 10 (not 8), `1:30`,
`yes`, `on` and `2024-07-11` are text, and there are no aliases, merge keys or duplicate keys.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from cbcf_data.io import limits, positions
from cbcf_data.io.files import ReadError, read_text

#: A JSON string, escapes included.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def check_json_shape(text: str, nodes: int) -> None:
    """ReadError when a JSON text holds more than `nodes` values or nests deeper than DEPTH.

    Measured on the text, before parsing: strings are set aside, the values are counted by their
    separators, and the nesting by how many times the innermost brackets can be removed.
    """
    bare = _STRING.sub("0", text)
    count = bare.count(",") + bare.count("[") + bare.count("{") + 1
    if count > nodes:
        raise too_many(count, nodes)
    brackets = _NOT_BRACKET.sub("", bare)
    for _ in range(limits.DEPTH):
        brackets, removed = _INNERMOST.subn("", brackets)
        if not brackets or not removed:  # all levels removed, or unbalanced: the parser says where
            return
    if _INNERMOST.search(brackets):
        raise too_deep()


def too_many(count: int | str, nodes: int) -> ReadError:
    """The ReadError for a document of too many values."""
    return ReadError("too-many-values", f"the document holds {count:,} values or more; the limit is {nodes:,} "
                     "(see README, Limits)" if isinstance(count, int) else
                     f"the document holds more than {nodes:,} values (see README, Limits)")


def too_deep() -> ReadError:
    """The ReadError for a document nested too deeply."""
    return ReadError("too-deep", f"the document is nested more than {limits.DEPTH} levels deep; a bundle needs 5")


class _DuplicateKeys(list[str]):
    """Keys seen twice in one JSON object while parsing."""


def parse_json(text: str, nodes: int | None = None) -> Any:
    """A JSON document; duplicate keys, too many values (DOCUMENT_NODES unless given), excessive
    nesting and syntax errors are ReadErrors."""
    check_json_shape(text, limits.DOCUMENT_NODES if nodes is None else nodes)
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
        raise too_deep() from None
    if duplicates:
        raise ReadError(
            "duplicate-json-key", f"the key {duplicates[0][:60]!r} appears twice in one object",
            hint="keep one of the two entries: JSON readers silently drop the other",
        )
    return document


#: The YAML 1.2 core schema's plain scalars (yaml.org/spec/1.2.2, 10.3.2): tag, pattern, first characters.
CORE_SCALARS = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$", list("-+.0123456789")),
)


def _core_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in CORE_SCALARS:
        for first in firsts:
            resolvers.setdefault(first, []).append((tag, re.compile(pattern)))
    return resolvers


def _core_int(loader: Any, node: Any) -> int:
    value = loader.construct_scalar(node)
    if value.startswith(("0o", "0x")):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)  # leading zeros are decimal in YAML 1.2: 010 is 10


@functools.cache
def _loader(nodes: int, fast: bool) -> Any:
    """A safe loader reading the YAML 1.2 core schema and refusing duplicate keys. The C one
    (libyaml, `fast`) has its events counted first (`_check_yaml_shape`); the pure-Python one
    counts values and depth, and refuses aliases, as it composes."""
    import yaml

    class Strict:
        yaml_implicit_resolvers = _core_resolvers()

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key (a list): the constructor reports it
                    continue
                if repeated:
                    raise ReadError("duplicate-json-key", f"the key {str(key)[:60]!r} appears twice in one mapping",
                                    key_node.start_mark.line + 1)
            return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    class CountingLoader(Strict, yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.values, self.depth = 0, 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise alias_error(self.peek_event())
            self.values += 1
            if self.values > nodes:
                raise too_many("more", nodes)
            self.depth += 1
            if self.depth > limits.DEPTH:
                raise too_deep()
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader: Any = type("StrictLoader", (Strict, yaml.CSafeLoader), {}) if fast else CountingLoader
    loader.add_constructor("tag:yaml.org,2002:int", _core_int)
    return loader


def alias_error(event: Any) -> ReadError:
    """The ReadError for a YAML alias (`*name`): refused, so no small document expands into a large one."""
    return ReadError("yaml-alias", "YAML aliases (*name) are not accepted in bundles", event.start_mark.line + 1)


def _check_yaml_shape(text: str, nodes: int) -> None:
    """Count a YAML text's values and nesting from libyaml's events, before anything is built."""
    import yaml

    values = depth = 0
    opening, closing = (yaml.SequenceStartEvent, yaml.MappingStartEvent), (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.ScalarEvent):
            values += 1
        elif isinstance(event, opening):
            values += 1
            depth += 1
            if depth > limits.DEPTH:
                raise too_deep()
        elif isinstance(event, closing):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise alias_error(event)
        if values > nodes:
            raise too_many("more", nodes)


def parse_yaml(text: str, nodes: int | None = None) -> Any:
    """A YAML document read by the YAML 1.2 core schema, in the safe subset (no aliases, no
    duplicate keys, no Python tags), within the value (DOCUMENT_NODES unless given) and depth
    limits. libyaml reads it when PyYAML has it (about twenty times faster than pure Python)."""
    import yaml

    nodes = limits.DOCUMENT_NODES if nodes is None else nodes
    fast = bool(getattr(yaml, "__with_libyaml__", False))
    try:
        if fast:
            _check_yaml_shape(text, nodes)
        return yaml.load(text, Loader=_loader(nodes, fast))  # noqa: S506 - safe loaders only
    except ReadError:
        raise
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):  # libyaml's own limit (1,000) met while scanning ahead
            raise too_deep() from None
        raise yaml_error(text, error) from None
    except (yaml.YAMLError, ValueError) as error:
        raise ReadError("yaml-syntax", f"not valid YAML: {str(error)[:200]}") from None
    except RecursionError:
        raise too_deep() from None


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
    problem = str(error.problem or error)[:200]
    mark = error.problem_mark
    hint = next((words for key, words in YAML_HINTS if key in problem), None)
    if error.context_mark is not None and ("end of stream" in problem or "end of the stream" in problem
                                           or "found unexpected end" in problem):
        mark = error.context_mark
        hint = f"the {str(error.context).replace('while scanning a ', '')[:60]} opened here is never closed: close it"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    if hint is None and line is not None and "\t" in (text.splitlines()[line - 1:line] or [""])[0]:
        hint = YAML_HINTS[0][1]  # libyaml does not name the tab it stopped at
    excerpt = positions.excerpt(text, line, column) if line is not None else None
    where = f" (line {line}, column {column})" if line is not None else ""
    return ReadError("yaml-syntax", f"not valid YAML: {problem}{where}", line, hint, column, excerpt)


def read_document(path: Path) -> Any:
    """A bundle file's document: YAML for .yaml/.yml, JSON otherwise (a regular file, within the limits)."""
    text = read_text(path, limits.DOCUMENT_BYTES)
    return parse_yaml(text) if path.suffix.lower() in (".yaml", ".yml") else parse_json(text)


@functools.cache
def _dumper() -> Any:
    import yaml

    class RoundTripDumper(yaml.SafeDumper):
        """Quotes every string that YAML 1.1 or the 1.2 core schema would read as something else."""

    for tag, pattern, firsts in CORE_SCALARS:
        for first in firsts:
            RoundTripDumper.add_implicit_resolver(tag, re.compile(pattern), [first])
    return RoundTripDumper


def dump_yaml(document: Any) -> str:
    """YAML text of a document that `parse_yaml` (and any YAML 1.1 reader) reads back as it is."""
    import yaml

    return yaml.dump(document, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)
