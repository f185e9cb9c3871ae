"""Tables and the dataset as HTML, for notebooks (`_repr_html_`): the first rows, and counts.

(`Table` and `Dataset` call these with themselves: typed `Any` here, so that no import cycle forms.)
"""

from __future__ import annotations

from typing import Any

#: Rows a table shows in a notebook.
ROWS = 10
#: Characters a cell shows.
CELL = 80


def _escape(text: str) -> str:
    """HTML-escaped text (the html module, with its table of entities, is imported only when a
    notebook shows a table: not by `import cbcf_data`)."""
    import html

    return html.escape(text)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return _escape(text if len(text) <= CELL else text[: CELL - 1] + "…")


def table_html(table: Any) -> str:
    """The table's first rows under its name and size."""
    from cbcf_data.io.csvfiles import header

    fields = header(table.model)
    head = "".join(f"<th>{_escape(f)}</th>" for f in fields)
    body = "".join("<tr>" + "".join(f"<td>{_cell(table._value(key, f))}</td>" for f in fields) + "</tr>"
                   for key in list(table)[:ROWS])
    more = f"<p>… and {len(table) - ROWS:,} more rows</p>" if len(table) > ROWS else ""
    return (f"<div><strong>{_escape(table.name)}</strong>: {len(table):,} rows"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</div>")


def dataset_html(ds: Any) -> str:
    """Every table with its row count and what a row is."""
    rows = "".join(f"<tr><td><code>{_escape(name)}</code></td><td>{len(table):,}</td>"
                   f"<td>{_escape((table.model.__doc__ or '').strip())}</td></tr>"
                   for name, table in ds.tables().items())
    return ("<div><strong>cbcf-data dataset</strong><table><thead><tr><th>table</th><th>rows</th><th>a row is</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>")
