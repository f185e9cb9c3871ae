"""Generated documentation: the data dictionary, and the codelist sections of CONTRIBUTING.md.

Both come from the models and codelists (and, for modality examples, from the records), so they
cannot drift: `cbcf-data schema` writes them and `cbcf-data schema --check` compares them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cbcf_data.model import codelists, text, types
from cbcf_data.model.tables import MODELS, Record

_DATE_FORMS = {
    types.DATE_PATTERN: "a real calendar date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` (ISO 8601)",
    types.FULL_DATE_PATTERN: "a real calendar date: `YYYY-MM-DD`",
}
START, END = "<!-- generated:codelists:start -->", "<!-- generated:codelists:end -->"


#: The text rule's patterns, named rather than printed in every row (explained under "Text").
TEXT_RULES = {text.TEXT_PATTERN: "[text](#text), may hold LF and TAB", text.LINE_PATTERN: "[text](#text), one line",
              types.URL_PATTERN: "`http://` or `https://` address without whitespace, [text](#text)"}
TEXT_SECTION = [
    "## Text",
    "",
    "Every text field (names, titles, labels, summaries, notes, quotes, addresses) follows one rule,",
    "so that a value reads back byte for byte from the CSV, JSON, YAML and SQLite forms and looks to",
    "every reader as it is stored. A text holds no:",
    "",
    "- control character (`control-character`): U+0000–U+001F, U+007F–U+009F, U+2028, U+2029. Long",
    "  texts (summary, notes, description, quote, note) may hold line feeds (LF) and tabs; one-line",
    "  texts may not. A carriage return (CR) is never allowed: line breaks are LF;",
    "- bidirectional control (`bidi-control`): U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069;",
    "- invisible character (`invisible-character`): U+00AD, U+180E, U+200B–U+200D, U+2060–U+2064,",
    "  U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB;",
    "- non-character (`invalid-character`): lone surrogates, U+FDD0–U+FDEF, U+FFFE, U+FFFF.",
    "",
    f"The schemas state it as the pattern `{text.TEXT_PATTERN}` (long texts) and",
    f"`{text.LINE_PATTERN}` (one-line texts).",
    "Characters beyond U+FFFF are outside it (JSON Schema's regular expressions cannot name them",
    "alike in every engine); the tools' terminal output still escapes the invisible tag characters",
    "U+E0000–U+E007F.",
    "",
]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(prop: dict[str, Any]) -> str:
    parts = []
    if "codelist" in prop:
        parts.append(f"codelist [`{prop['codelist']}`](#{prop['codelist'].replace('_', '-')})")
    if prop.get("pattern") in _DATE_FORMS:  # the calendar pattern is long: say what it admits
        parts.append(_DATE_FORMS[prop["pattern"]])
    elif prop.get("pattern") in TEXT_RULES:
        parts.append(TEXT_RULES[prop["pattern"]])
    elif "pattern" in prop:
        parts.append(f"pattern `{prop['pattern']}`")
    for key, label in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "min"), ("maximum", "max")):
        if key in prop:
            parts.append(f"{label} {prop[key]}")
    return "; ".join(parts)


def _table_section(model: type[Record]) -> list[str]:
    from cbcf_data.model.table_schema import codelist_of, table_schema

    schema = table_schema(model)
    lines = [f"### `{model.table}`", "", (model.__doc__ or "").strip(), "",
             f"Primary key: {', '.join(f'`{f}`' for f in model.primary_key)}."]
    if model.foreign_keys:
        refs = ", ".join(f"`{field}` → `{table}.id`" for field, table in model.foreign_keys.items())
        lines.append(f"Foreign keys: {refs}.")
    lines += ["", "| field | type | required | constraints | description |", "|---|---|---|---|---|"]
    for field in schema["fields"]:
        constraints = dict(field.get("constraints", {}))
        required = "yes" if constraints.pop("required", False) else ""
        constraints.pop("enum", None)
        codelist = codelist_of(model, field["name"])
        if codelist is not None:
            constraints["codelist"] = codelist
        lines.append(f"| `{field['name']}` | {field['type']} | {required} | {_cell(_constraints(constraints))} | "
                     f"{_cell(field['description'])} |")
    return [*lines, ""]


def _codelist_section(name: str, heading: str = "###") -> list[str]:
    lines = [f"{heading} {name}", "", "| code | label | label (fr) | definition |", "|---|---|---|---|"]
    for code, entry in codelists.CODELISTS[name].items():
        lines.append(f"| `{code}` | {entry.label} | {entry.label_fr} | {_cell(entry.definition)} |")
    return [*lines, ""]


def data_dictionary() -> str:
    """The whole data dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the models and codelists by `cbcf-data schema`; do not edit by hand.",
        "",
        "Every table is a CSV file in `records/`: UTF-8 without BOM, comma-separated, `\"` quoting only",
        "where needed, LF line endings, a header row, rows sorted by primary key, empty cell = null.",
        "Dates are ISO 8601; a date known only to the month or year is written `YYYY-MM` or `YYYY`.",
        "",
        "## Tables",
        "",
    ]
    for model in MODELS:
        lines += _table_section(model)
    lines += TEXT_SECTION
    lines += ["## Codelists", ""]
    for name in codelists.CODELISTS:
        lines += _codelist_section(name)
    return "\n".join(lines).rstrip() + "\n"


def contributing_codelists(dataset_root: Path) -> str:
    """The generated block of CONTRIBUTING.md: modalities with examples, then the other codelists."""
    from cbcf_data.io import limits, package
    from cbcf_data.io.readers import csv_rows

    # The commitments file is read directly (not through load()), so that the docs can be
    # regenerated while datapackage.json itself is stale, e.g. when a table is added.
    path = dataset_root / package.RECORDS / "commitments.csv"
    records = [cells for _, cells in csv_rows(path, dataset_root, limits.LOAD_BYTES)] if path.is_file() else []
    rows = [dict(zip(records[0], cells)) for cells in records[1:]] if records else []
    examples: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.get("id") or ""):
        modality, quote = row.get("modality"), row.get("quote")
        if quote and modality and modality not in examples:
            examples[modality] = f"“{quote}” (`{row.get('id')}`)"
    lines = [START, "", "### How firmly it was worded: `modality`", "",
             "| code | use when the text says… | example from an archived source |", "|---|---|---|"]
    for code, entry in codelists.MODALITY.items():
        lines.append(f"| `{code}` | {_cell(entry.definition)} | {_cell(examples.get(code, '—'))} |")
    lines.append("")
    for name in ("capacity", "attendance_status", "relation", "instrument_kind", "party_role", "source_kind",
                 "reliability", "title_basis", "assessment_status", "basis"):
        lines += _codelist_section(name, "####")
    lines.append(END)
    return "\n".join(lines)


def contributing(current: str, dataset_root: Path) -> str:
    """CONTRIBUTING.md with its generated block brought up to date."""
    return replace_block(current, START, END, lambda: contributing_codelists(dataset_root))


def replace_block(current: str, start: str, end: str, block: Callable[[], str]) -> str:
    """`current` with the text from marker `start` to marker `end` replaced by `block()` (which
    includes the markers); unchanged when a marker is missing."""
    if start not in current or end not in current:
        return current
    before, rest = current.split(start, 1)
    _, after = rest.split(end, 1)
    return before + block() + after
