"""An accept path for a table's rows without Pydantic: `accepter(table)`.

`accepter(table)` is a function compiled once from what the table's model declares — kept as
plain data in `model.rowspec` — that takes a row's cells (field -> text, None when empty) and
returns either a light record (a `SimpleNamespace` of the typed values the model would hold: integers,
`PartialDate`s, text) or None. None means only "not accepted here": the caller then types the
row with Pydantic, which accepts it or says exactly what is wrong with it (file, line, field).
`show` prints a checkout's rows through it, so printing a few records imports no Pydantic.

`rowspec.ROWS` is what `spec_of` reads from each model's core schema, the validator Pydantic
itself runs (patterns, lengths, codes, integer bounds, optional fields, after-validators such as
the calendar check, the row rules of `model.rowrules`); a test holds the two equal, and a
differential test holds that a row accepted here is one Pydantic accepts, with equal values.
`spec_of` understands only the schema nodes and keys below (anything else: no accept path for
the table, every row goes to Pydantic), and the checks err towards refusing:

- a text value holding a lone surrogate is refused (Pydantic refuses it; `re` would not);
- a pattern is read by Python's `re` with `fullmatch`, which is no looser than the Rust regex
  Pydantic runs, for a pattern anchored by a leading `^` and one trailing `$`, made of literal
  characters and classes of explicit characters; a pattern using a shorthand class (`\\s`, `\\d`,
  `\\w`, `\\b`…), whose tables differ between the engines, accepts only values of printable
  ASCII without spaces, where they agree; any other pattern (flags, other anchors, nested or
  set-operation classes) leaves the table to Pydantic;
- an integer is accepted only as plain decimal digits without a leading zero (at most 18).

Standard library only (`spec_of` reads a model handed to it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from cbcf_data.model.dates import PartialDate

#: A row's cells -> its light record, or None (then Pydantic judges it).
Accepter = Callable[[dict[str, Any]], Any]
#: One field of `rowspec.ROWS`: (name, optional, kind, parameters), see `spec_of`.
FieldSpec = tuple[str, bool, str, tuple[Any, ...]]

#: The after-validators of fields `spec_of` knows, by qualified name, with their equivalent here:
#: the calendar check of `model.types` is `PartialDate(value)` with Pydantic's error.
AFTER: dict[str, Callable[[str], Any]] = {"cbcf_data.model.types._check_calendar": PartialDate}

SURROGATE = re.compile("[\ud800-\udfff]")
PRINTABLE = re.compile(r"[\x21-\x7e]*")
_INTEGER = re.compile(r"0|[1-9][0-9]{0,17}")
_SHORTHAND = re.compile(r"\\[sSdDwWbBpPAzZ]")
_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")


class Unsupported(Exception):
    """A schema node `spec_of` does not understand: the table keeps Pydantic's path alone."""


@functools.cache
def accepter(table: str) -> Accepter | None:
    """The compiled accept path of `table`'s rows, or None where its model is not understood."""
    from cbcf_data.model.rowrules import RULES
    from cbcf_data.model.rowspec import ROWS

    spec = ROWS.get(table)
    if spec is None:
        return None
    fields, ruled = spec
    return _compiled(table, fields, RULES[table] if ruled else None)


@functools.cache
def value_accepter(table: str) -> Accepter | None:
    """`accepter(table)` for a row given as values — a bundle's object, as its JSON or YAML reads
    it — instead of CSV cells: a row whose keys are all fields of the table, and whose values are
    text, None, or (for an integer field) an integer, is judged as the cells that hold those values
    (an integer as its digits: the model takes an integer as it is, and the digits as that integer);
    any other row (another type, an unknown key) is not accepted here (None), and Pydantic judges it.
    A row accepted is one the model accepts, with equal values (a differential test holds it)."""
    accept = accepter(table)
    if accept is None:
        return None
    from cbcf_data.model.rowspec import ROWS

    names = tuple(name for name, *_ in ROWS[table][0])
    known = frozenset(names)
    integers = frozenset(name for name, _, kind, _ in ROWS[table][0] if kind == "int")

    def accept_values(row: dict[str, Any]) -> Any:
        if not known.issuperset(row):
            return None
        cells = {}
        for name in names:
            value = row.get(name)
            if value is not None and type(value) is not str:
                if type(value) is not int or name not in integers:
                    return None
                value = str(value)
            cells[name] = value
        return accept(cells)

    return accept_values


def dumped(table: str, record: Any) -> dict[str, Any]:
    """A record accepted here (`accepter`, `value_accepter`) as its model's `model_dump()` gives
    it: every field in order, a date as its plain text (the models serialise a `PartialDate` so)."""
    from cbcf_data.model.rowspec import ROWS

    values = vars(record)
    return {name: str(values[name]) if kind == "after" and values[name] is not None else values[name]
            for name, _, kind, _ in ROWS[table][0]}


def spec_of(model: Any) -> tuple[tuple[FieldSpec, ...], bool] | None:
    """(each field's spec, whether the row rules of `model.rowrules` apply) read from `model`'s
    core schema; None when it holds anything not understood here."""
    try:
        return _spec(model)
    except Unsupported:
        return None


def _spec(model: Any) -> tuple[tuple[FieldSpec, ...], bool]:
    schema = model.__pydantic_core_schema__
    ruled = False
    if schema.get("type") == "function-after":  # the model's `_check_row`, which runs `rowrules.RULES`
        _only(schema, "type", "function", "schema", "metadata", "ref")
        function = schema["function"]
        if function.get("type") != "no-info" \
                or _qualified(function["function"]) != f"{model.__module__}.{model.__name__}._check_row":
            raise Unsupported("a row rule other than _check_row")
        ruled, schema = True, schema["schema"]
    if schema.get("type") != "model" or schema.get("custom_init") or schema.get("root_model"):
        raise Unsupported("not a plain model")
    _only(schema, "type", "cls", "config", "custom_init", "root_model", "schema", "metadata", "ref")
    _only(schema.get("config", {}), "extra_fields_behavior", "title")
    fields = schema["schema"]
    _only(fields, "type", "fields", "computed_fields", "model_name")
    if fields["type"] != "model-fields" or fields.get("computed_fields"):
        raise Unsupported("computed fields")
    found = []
    for name, field in fields["fields"].items():
        _only(field, "type", "schema", "metadata")
        node, optional = field["schema"], False
        if node.get("type") == "default":  # `X | None = None`
            _only(node, "type", "default", "schema", "metadata")
            if node["default"] is not None or node["schema"].get("type") != "nullable":
                raise Unsupported("a default other than None")
            _only(node["schema"], "type", "schema", "metadata")
            node, optional = node["schema"]["schema"], True
        found.append((name, optional, *_kind(node)))
    return tuple(found), ruled


def _qualified(function: Any) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _kind(node: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    kind = node.get("type")
    if kind == "literal":
        _only(node, "type", "expected", "metadata")
        if not all(type(code) is str for code in node["expected"]):
            raise Unsupported("a literal that is not text")
        return "codes", tuple(node["expected"])
    if kind == "int":
        _only(node, "type", "ge", "le", "gt", "lt", "metadata")
        bounds = tuple(node.get(key) for key in ("ge", "le", "gt", "lt"))
        if not all(bound is None or type(bound) is int for bound in bounds):
            raise Unsupported("a bound that is not an integer")
        return "int", bounds
    if kind == "str":
        return "text", _text(node)
    if kind == "function-after":
        _only(node, "type", "function", "schema", "serialization", "metadata")
        function = node["function"]
        name = _qualified(function.get("function"))
        if function.get("type") != "no-info" or name not in AFTER or node["schema"].get("type") != "str":
            raise Unsupported("an after-validator not known here")
        return "after", (name, *_text(node["schema"]))
    raise Unsupported(f"schema type {kind}")


def _text(node: dict[str, Any]) -> tuple[Any, ...]:
    _only(node, "type", "pattern", "max_length", "min_length", "metadata")
    pattern = node.get("pattern")
    if pattern is not None:
        pattern_restricted(pattern)
    return pattern, node.get("min_length"), node.get("max_length")


def _only(node: dict[str, Any], *keys: str) -> None:
    """Unsupported when `node` holds a key besides `keys`: a setting whose effect is not checked here."""
    extra = set(node) - set(keys)
    if extra:
        raise Unsupported(f"unknown keys {sorted(extra)}")


@functools.cache  # once per pattern: a dozen patterns serve a hundred fields
def pattern_restricted(pattern: str) -> bool:
    """Whether values must be printable ASCII for `pattern` (see the module's docstring);
    Unsupported for a pattern whose reading by the two engines is not known to agree."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        raise Unsupported("a pattern not anchored at both ends")
    inner = pattern[1:-1].replace("\\\\", "")  # an escaped backslash is a literal character
    # Classes of plain characters and ranges: no nested class or set operation (Rust reads `[a&&b]`,
    # `[a--b]`, `[[:alpha:]]` as sets, `re` as characters), none starting with `]`.
    for body in _CLASS.findall(inner):
        if re.search(r"(?<!\\)\[|&&|--|~~", body[1:]) or body[1:].lstrip("^").startswith("]"):
            raise Unsupported("a character class the engines may read differently")
    # Outside character classes: no other anchor, no flag or look-around group, no backreference.
    if re.search(r"(?<!\\)[\^$]|\(\?(?!:)|\\[1-9]", _CLASS.sub("", inner)):
        raise Unsupported("an anchor, a flag or a group the engines may read differently")
    return bool(_SHORTHAND.search(inner))


def _compiled(table: str, fields: tuple[FieldSpec, ...], rule: Callable[[Any], None] | None) -> Accepter:
    """The accept function of `fields`: one check per field, each typing its value or refusing it
    (closures, not generated code: compiling costs more than `show` spends on its rows)."""
    checks = [(name, optional, value_check(kind, parameters)) for name, optional, kind, parameters in fields]

    def accept(cells: dict[str, Any]) -> Any:
        values = {}
        for name, optional, check in checks:
            value = cells[name]
            if value is not None:
                value = check(value)
                if value is None:
                    return None
            elif not optional:
                return None
            values[name] = value
        record = SimpleNamespace(**values)
        if rule is not None:  # the table's own row rules, on the typed values
            try:
                rule(record)
            except Exception:
                return None
        return record

    return accept


def value_check(kind: str, parameters: tuple[Any, ...]) -> Callable[[str], Any]:
    """The check of a present (non-None) text cell as `kind`: its typed value, or None where refused."""
    if kind == "codes":
        codes = frozenset(parameters)
        return lambda value: value if value in codes else None
    if kind == "int":
        return functools.partial(_integer, *parameters)
    if kind == "after":
        return functools.partial(_after, AFTER[parameters[0]], _text_check(*parameters[1:]))
    return _text_check(*parameters)


def _integer(ge: int | None, le: int | None, gt: int | None, lt: int | None, text: str) -> int | None:
    if _INTEGER.fullmatch(text) is None:
        return None
    value = int(text)
    if (ge is not None and value < ge) or (le is not None and value > le) or (gt is not None and value <= gt) \
            or (lt is not None and value >= lt):
        return None
    return value


def _after(after: Callable[[str], Any], check: Callable[[str], str | None], text: str) -> Any:
    if check(text) is None:
        return None
    try:
        return after(text)
    except Exception:
        return None


def _text_check(pattern: str | None, shortest: int | None, longest: int | None) -> Callable[[str], str | None]:
    """The check of a text cell: no lone surrogate, its lengths, its pattern."""
    restricted = pattern is not None and pattern_restricted(pattern)
    match = re.compile(pattern).fullmatch if pattern is not None else None

    def check(text: str) -> str | None:
        if not text.isascii() and SURROGATE.search(text):
            return None
        if (shortest is not None and len(text) < shortest) or (longest is not None and len(text) > longest):
            return None
        if restricted and PRINTABLE.fullmatch(text) is None:
            return None
        return text if match is None or match(text) is not None else None

    return check


def rowspec_text(models: Any) -> str:
    """The text of `model/rowspec.py` for `models` (what a test compares the file with)."""
    lines = ['"""What each table\'s model declares of its rows, as plain data for `model.accept`, `model.declared`',
             "and `check.explain`'s words: read from the models (their core schemas by `accept.spec_of`, their",
             "codelists by `table_schema.codelists_of`; a test holds the two equal; to write it again:",
             '`python -c "from cbcf_data.model import accept; accept.write_rowspec()"`). Not edited by hand."""',
             "", "from __future__ import annotations", "", "from typing import Any", "",
             "ROWS: dict[str, Any] = {"]
    for model in models:
        spec = spec_of(model)
        if spec is not None:
            lines.append(f"    {model.table!r}: (")
            lines.append("        (")
            lines += [f"            {field!r}," for field in spec[0]]
            lines.append("        ),")
            lines.append(f"        {spec[1]!r},")
            lines.append("    ),")
    lines.append("}")
    lines += ["", "#: Each table's model: (its class's name, its fields, primary key and foreign keys), in dependency order.",
              "DECLARED: dict[str, Any] = {"]
    lines += [f"    {model.table!r}: ({model.__name__!r}, {tuple(model.model_fields)!r}, {model.primary_key!r}, "
              f"{model.foreign_keys!r})," for model in models]
    lines.append("}")
    from cbcf_data.model.table_schema import codelists_of

    lines += ["", "#: Each table's coded fields: field -> the name of its codelist (`table_schema.codelists_of`).",
              "CODELISTS_OF: dict[str, dict[str, str]] = {"]
    lines += [f"    {model.table!r}: {codelists_of(model)!r}," for model in models]
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_rowspec() -> None:
    """Write `model/rowspec.py` from the models (after a change to a model's fields or types)."""
    from pathlib import Path

    from cbcf_data.model.tables import MODELS

    Path(__file__).with_name("rowspec.py").write_text(rowspec_text(MODELS), encoding="utf-8")
