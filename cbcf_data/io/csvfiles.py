"""The canonical CSV dialect: how a table is written, and how its text is read back into cells.

Canonical form: UTF-8 without BOM, comma, `"` quoting only where needed, LF line endings, a
header row equal to the model's fields, rows sorted by primary key, empty cell = null.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record

Cell = str | None


def header(model: type[Record]) -> list[str]:
    """The CSV header of a table: its model's fields in order."""
    return list(model.model_fields)


def to_cell(value: Any) -> str:
    """A field value as CSV text (null is the empty string)."""
    if value is None:
        return ""
    return str(value)


def sort_key(model: type[Record], row: Mapping[str, Any]) -> tuple[str, ...]:
    """The canonical sort key of a row: its primary key as text."""
    return tuple(to_cell(row.get(name)) for name in model.primary_key)


def to_csv_text(model: type[Record], rows: Iterable[Mapping[str, Any]]) -> str:
    """Canonical CSV text for rows (records' dumps or raw cells), sorted by primary key.

    Every cell reads back as it was written. Valid text holds no CR (see `cbcf_data.model.text`),
    but `fmt` also tidies invalid tables: the csv module leaves a cell holding a lone CR unquoted
    (its line terminator is LF), which would split the row, so such cells are quoted here.
    """
    fields = header(model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    ordered = sorted(rows, key=lambda r: sort_key(model, r))
    for row in ordered:
        writer.writerow([to_cell(row.get(name)) for name in fields])
    text = buffer.getvalue()
    if "\r" not in text:
        return text
    lines = [",".join(_quoted(cell) for cell in [to_cell(row.get(name)) for name in fields]) for row in ordered]
    return "\n".join([",".join(fields), *lines]) + "\n"


def _quoted(cell: str) -> str:
    """A cell as the csv module writes it, and quoted also when it holds a CR."""
    if any(char in cell for char in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def records_to_csv_text(model: type[Record], records: Iterable[Record]) -> str:
    """Canonical CSV text for typed records."""
    return to_csv_text(model, (record.model_dump() for record in records))


@functools.cache
def cells_of(fields: tuple[str, ...]) -> Callable[[Sequence[str]], dict[str, Cell]]:
    """The function that turns a CSV row of exactly `fields` into its cells, empty text becoming None.

    It runs once per row of every table, so it is compiled once per header into a dict display
    (as `collections.namedtuple` compiles its classes): several times faster than a comprehension
    over `zip`. Field names are repr()-quoted, so any header text is safe here.
    """
    body = ", ".join(f"{name!r}: row[{index}] or None" for index, name in enumerate(fields))
    namespace: dict[str, Any] = {}
    exec(f"def cells(row):\n    return {{{body}}}\n", namespace)  # noqa: S102 - code built from repr()s only
    function: Callable[[Sequence[str]], dict[str, Cell]] = namespace["cells"]
    return function


