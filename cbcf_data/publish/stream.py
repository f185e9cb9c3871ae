"""The release's data written as validation reads the rows: `ReleaseStream` is `validate`'s tee.

Each table's rows pass once, as CSV cells (`csvfiles.cells_of`: text, None for an empty cell),
in batches: each batch's canonical CSV text is joined (`batch_text`: a compiled f-string a row,
quoted by the csv module's rules only where a cell needs it) and written with its spreadsheet
flavour, then sent as those bytes to the SQLite builder's process (`sqlite.Builder`), which parses
them back (`spools.values_of_text`), inserts the rows by `executemany` with the column types the
Table Schema gives, and encodes each row's JSON into a spool file (`spools.Spools`, in `work/`),
keyed by the meeting or commitment it belongs to, for `document.write_spooled` to put together
meeting by meeting once every table is read.
Nothing keeps the rows: only the hierarchies (topics, organizations: their trees and JSON), the
archived texts to copy, row counts, and — while the website goes in — the cells for its pages.

Cells become typed values only where the type changes them: an integer column's text (`05` and
`5` are both 5; a cell not in the integer's own form is typed by the model's validator, in this
process, before its text is written; the builder types the integers' own forms). Every other
field of every model is text whose record holds the same text (a test holds that).

The tables must come sorted by primary key, as `fmt` writes them: the JSON document joins them by
key order. A table that is not (validation warns `not-sorted`) leaves `unsorted` set, and the
release is then made again from the dataset loaded and sorted (`release.build_release`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cbcf_data import signals
from cbcf_data.check.state import Batch
from cbcf_data.dataset.hierarchy import parent_field
from cbcf_data.io import csvfiles, limits
from cbcf_data.model.declared import MODELS, pydantic_model
from cbcf_data.publish import sqlite as database
from cbcf_data.publish.output import Deflater, Output
from cbcf_data.publish.spools import Spools as Spools  # part of this module's interface
from cbcf_data.publish.spools import integer_fields as integer_fields  # part of this module's interface

#: Rows written at a time.
BATCH = 10_000
#: A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A line of cells joined by commas that the csv module would quote (with a comma counted apart).
_QUOTED = re.compile('["\r\n]')
#: An integer cell in the form its value prints in.
_INTEGER = re.compile(r"0|-?[1-9][0-9]*").fullmatch
#: Integer cells in that form, each followed by a line feed.
_INTEGERS = re.compile(r"(?:(?:0|-?[1-9][0-9]*)\n)*").fullmatch


class ReleaseStream:
    """The tee of `validate` that writes the release's data as the rows go past (see the module).

    `keep_site`: True keeps every row's cells for the website; None keeps them while the tables
    with pages hold at most `site_limit` rows and all tables `limits.SITE_ROWS`; False keeps none."""

    def __init__(self, folder: Path, work: Path, keep_site: bool | None = None, site_limit: int = 0) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        # Before any thread starts: it may fork.
        self.db = database.Builder(folder / database.SQLITE_NAME, Spools(work), work / f"{database.SQLITE_NAME}.deflate")
        try:
            self.deflater = Deflater(work / "zip")
            self.out = Output(folder, self.deflater)
        except BaseException:  # no stream to close: its builder's process is let go here
            self.db.close()
            raise
        self.counts: dict[str, int] = {}
        self.unsorted: list[str] = []
        self.failed: BaseException | None = None
        self.hierarchies: dict[str, list[dict[str, Any]]] = {}
        self.archives: list[tuple[str, str | None]] = []
        self.keep_site, self.site_limit = keep_site, site_limit
        self.kept: dict[str, list[dict[str, Any]]] | None = {} if keep_site is not False else None
        self.pages = self.site_rows = 0
        self.created: set[str] = set()
        self.sinks: list[TableSink] = []
        self.closed = False
        #: The folder of the tables (the site's Dataset's root), set by the release.
        self.root: Path | None = None

    def __call__(self, model: Any, feed: Iterator[Any]) -> Iterator[Any]:
        """Yield the rows of `feed` (rows and `Batch`es) on, unchanged, writing them as they pass
        (`validate`'s tee)."""
        batch: list[list[str]] = []  # each row as its cells' text, "" when empty (a `Batch`'s rows)
        previous = None
        sink = self.sink(model)
        for item in feed:
            if type(item) is Batch:
                keys, rows = item.keys, item.rows
            else:
                keys, rows = [item[1]], [list(map(csvfiles.to_cell, item[2].values()))]
            if sink is not None and not _increasing(previous, keys):
                self.unsorted.append(model.table)
                sink = None
            previous = keys[-1]
            batch.extend(rows)
            if len(batch) >= BATCH:
                sink = self._write(sink, batch)
                batch = []
            yield item
        sink = self._write(sink, batch)
        if sink is not None:
            self._close(sink)

    def feed(self, model: Any, rows: Iterator[Mapping[str, Any]]) -> None:
        """Write a table from rows already sorted and checked (the release of an unsorted dataset)."""
        for _ in self(model, ((None, index, row) for index, row in enumerate(rows))):
            pass

    def sink(self, model: Any) -> TableSink | None:
        if self.failed is not None or self.unsorted:
            return None
        try:
            for earlier in MODELS:
                if earlier.table not in self.created:  # a table the dataset lacks is still created, empty
                    self.created.add(earlier.table)
                    self.db.send("table", earlier.table, earlier.table != model.table)
                if earlier.table == model.table:
                    break
            sink = TableSink(self, model)
            self.sinks.append(sink)
            return sink
        except Exception as error:  # noqa: BLE001 - validation goes on; a valid dataset re-raises it
            self.failed = error
            return None

    def _write(self, sink: TableSink | None, batch: list[list[str]]) -> TableSink | None:
        if sink is None or not batch or self.failed is not None:
            return sink if self.failed is None else None
        try:
            sink.write_texts(batch)
            if self.kept is not None:
                self._keep(sink.model.table, list(map(sink.cells_of, batch)))
            return sink
        except Exception as error:  # noqa: BLE001 - a row validation will report; re-raised if valid
            self.failed = error
            return None

    def _close(self, sink: TableSink) -> None:
        try:
            sink.close()
        except Exception as error:  # noqa: BLE001
            self.failed = error

    def _keep(self, table: str, batch: list[dict[str, Any]]) -> None:
        """The cells for the website, while it goes in (see the class)."""
        if self.kept is None:
            return
        from cbcf_data.publish.site.views import RECORD_TABLES

        if table in RECORD_TABLES:
            self.pages += len(batch)
        self.site_rows += len(batch)
        if self.keep_site is None and (self.pages > self.site_limit or self.site_rows > limits.SITE_ROWS):
            self.kept = None
            return
        self.kept.setdefault(table, []).extend(batch)

    def finish(self, wait: bool = True) -> None:
        """Every model's table created (empty when the dataset lacks it), spools closed (without
        `wait`, once the builder has caught up: `spooled()` waits for it)."""
        for model in MODELS:
            if model.table not in self.created:
                self.created.add(model.table)
                self.db.send("table", model.table, True)
        self.db.close_sink(wait)  # every row is in the spools

    def spooled(self) -> None:
        """Wait for the spools closed by `finish(wait=False)`; raises what went wrong building."""
        self.db.sink_closed()

    def finish_database(self) -> None:
        """The SQLite file completed (`sqlite.finish_database`, begun by `db.start_finish`) and closed."""
        self.closed = True
        self.db.finish()

    def close(self) -> None:
        """Close what is still open (a release given up: invalid, or made again sorted)."""
        self.out.deflater = None  # nothing more goes into the zip
        self.deflater.close()
        for sink in self.sinks:
            sink.indexed = True  # nothing more goes into the database
            sink.close()
        self.closed = True
        self.db.close()

    def site_dataset(self) -> Any:
        """The kept cells as a `Dataset` whose records are typed on access (for the website)."""
        from cbcf_data.dataset import Dataset
        from cbcf_data.dataset.tables import Table

        kept = self.kept or {}
        tables: dict[str, Table[Any]] = {model.table: Table(model.table, model.primary_key, kept.pop(model.table, []))
                                         for model in MODELS}
        root = self.root
        return Dataset(tables, root=root)


class TableSink:
    """One table's outputs, open while its rows stream past."""

    def __init__(self, stream: ReleaseStream, model: Any) -> None:
        self.stream, self.model, self.table = stream, model, model.table
        self.integers = integer_fields(model)
        self.fields = tuple(model.model_fields)
        self.integer_indexes = tuple(self.fields.index(name) for name in self.integers)
        self.cells_of = csvfiles.cells_of(self.fields)
        self.line = line_of(self.fields)
        self.csv = stream.out.open_file(f"csv/{self.table}.csv")
        self.excel = stream.out.open_file(f"excel/{self.table}.csv")
        self.csv.write((",".join(self.fields) + "\n").encode("utf-8"))
        self.excel.write(("\ufeff" + ",".join(self.fields) + "\r\n").encode("utf-8"))
        self.parent = parent_field(model)
        if self.parent is not None:
            stream.hierarchies[self.table] = []
        stream.counts[self.table] = 0
        self.indexed = False

    def write_texts(self, rows: list[list[str]]) -> None:
        """Write rows given as their cells' text ("" when empty): joined as they are when they are
        already canonical (no cell to quote, integers in the form their values print in), as `write`
        would write them; through `write` otherwise, and for a hierarchy's and the sources' rows."""
        if self.parent is not None or self.table == "sources" or not canonical_integers(rows, self.integer_indexes):
            self.write(list(map(self.cells_of, rows)))
            return
        self.stream.counts[self.table] += len(rows)
        width = len(self.fields) - 1
        text = "\n".join(map(",".join, rows)) + "\n"
        if not (text.count("\n") == len(rows) and text.count(",") == width * len(rows) and '"' not in text
                and "\r" not in text):
            text = canonical_text(rows)
        data = text.encode("utf-8")
        self.csv.write(data)
        excel = plain_excel(text, len(rows), width)
        self.excel.write((excel if excel is not None else excel_text(rows, text)).encode("utf-8"))
        self.stream.db.send("text", self.table, data)

    def write(self, batch: list[dict[str, Any]]) -> None:
        # Typed where the cells' text is not their values' (or for a hierarchy's tree, kept whole).
        typed = bool(self.integers) and (self.parent is not None or not canonical_integers(batch, self.integers))
        if typed:
            batch = [self.typed(cells) for cells in batch]
        self.stream.counts[self.table] += len(batch)
        rows, text = batch_text(batch, None if typed else self.line, len(self.fields) - 1)
        data = text.encode("utf-8")
        self.csv.write(data)
        excel = plain_excel(text, len(batch), len(self.fields) - 1)
        if excel is None:
            excel = excel_text(rows if rows is not None else texts(batch), text)
        self.excel.write(excel.encode("utf-8"))
        if self.parent is not None:
            self.stream.hierarchies[self.table].extend(batch)
        if self.table == "sources":
            self.stream.archives.extend((row["archive_path"], row["sha256"]) for row in batch if row["archive_path"])
        # Into SQLite and, as JSON, the spools: as this canonical text, which the builder parses
        # back into the same cells (`spools.values_of_text`), cheaper than pickling them here.
        self.stream.db.send("text", self.table, data)

    def typed(self, cells: dict[str, Any]) -> dict[str, Any]:
        """The row with each integer cell as its value (`05` is 5, as in the record)."""
        values = dict(cells)
        for name in self.integers:
            text = values[name]
            if text is not None:
                values[name] = int(text) if _INTEGER(text) else self._validated(cells)[name]
        return values

    def _validated(self, cells: dict[str, Any]) -> dict[str, Any]:
        """The row typed by its model, with the stops held back (Pydantic's core turns a stop
        raised while it builds or serializes into an error of its own: `signals`)."""
        from cbcf_data.check.validators import row_validator

        with signals.held():
            return row_validator(pydantic_model(self.model))(cells).model_dump()  # type: ignore[no-any-return]

    def close(self) -> None:
        if not self.indexed:  # after the rows: an index built at once from sorted keys
            self.indexed = True
            self.stream.db.send("indexes", self.table)
        for file in (self.csv, self.excel):
            if not file.closed:
                file.close()


def _increasing(previous: Any, keys: list[Any]) -> bool:
    """Whether each key is greater than the one before it, the first than `previous` (None: none)."""
    return (previous is None or keys[0] > previous) and all(map(operator.gt, keys[1:], keys))


def canonical_integers(batch: list[Any], names: tuple[Any, ...]) -> bool:
    """Whether every cell of the integer columns `names` (of rows as dicts; or indexes, of rows as
    lists) is empty or in the form its value prints in (`05` is not), so that the cells' text is
    the text of their values; checked a column at a time by one regular expression over its cells
    joined by line feeds."""
    for name in names:
        cells = list(filter(None, map(operator.itemgetter(name), batch)))
        joined = "\n".join(cells) + "\n"  # a cell holding a line feed is not an integer's form
        if cells and (joined.count("\n") != len(cells) or _INTEGERS(joined) is None):
            return False
    return True


def line_of(fields: tuple[str, ...]) -> Callable[[dict[str, Any]], str]:
    """The function that joins a row of text cells (`cells_of`'s: text or None) with commas, an
    empty cell for None, compiled once per table into one f-string (as `csvfiles.cells_of`)."""
    body = ",".join(f"{{row[{name!r}] or ''}}" for name in fields)
    namespace: dict[str, Any] = {}
    exec(f"def line(row):\n    return f{body!r}\n", namespace)  # noqa: S102 - code built from repr()s only
    function: Callable[[dict[str, Any]], str] = namespace["line"]
    return function


def batch_text(batch: list[dict[str, Any]], line: Callable[[dict[str, Any]], str] | None,
               width: int) -> tuple[list[list[str]] | None, str]:
    """A batch's `canonical_text`, and its rows' `texts` when they were needed: a batch of text
    cells is first joined by `line` (`line_of`) and kept whole when no cell needs quoting (the
    common case: each row a line of `width` + 1 cells, no quote, no carriage return)."""
    if line is not None:
        text = "\n".join(map(line, batch)) + "\n" if batch else ""
        if text.count("\n") == len(batch) and text.count(",") == width * len(batch) and '"' not in text \
                and "\r" not in text:
            return None, text
    rows = texts(batch, line is None)
    return rows, canonical_text(rows)


def texts(batch: list[dict[str, Any]], integers: bool = False) -> list[list[str]]:
    """Each row's cells as CSV text (`csvfiles.to_cell`: an empty cell for None)."""
    if integers:
        return [["" if value is None else str(value) for value in row.values()] for row in batch]
    return [[value or "" for value in row.values()] for row in batch]


def canonical_text(rows: list[list[str]]) -> str:
    """Rows as canonical CSV lines (`csvfiles.to_csv_text`'s, without the header): joined with
    commas, and quoted as the csv module quotes (`csvfiles._quoted`) only where a cell needs it."""
    if not rows:
        return ""
    width = len(rows[0]) - 1
    lines = [",".join(row) for row in rows]
    text = "\n".join(lines) + "\n"
    if text.count(",") == width * len(rows) and '"' not in text and "\r" not in text and text.count("\n") == len(rows):
        return text  # no cell holds a comma, a quote or a line break: nothing to quote
    return "".join(line + "\n" if line.count(",") == width and not _QUOTED.search(line)
                   else ",".join(map(csvfiles._quoted, row)) + "\n" for row, line in zip(rows, lines))


def _formula_like(text: str) -> bool:
    """Whether a cell of CSV text without quoted cells begins with one of FORMULA_STARTS (after
    the text's start, a line feed or a comma); each character is looked for alone first."""
    return text.startswith(FORMULA_STARTS) or any(
        start in text and ("\n" + start in text or "," + start in text) for start in FORMULA_STARTS)


def plain_excel(text: str, count: int, width: int) -> str | None:
    """`excel_text` of `count` rows of `width` + 1 cells, when no cell is quoted or formula-like
    (one line a row, the text as it is but for CRLF); else None."""
    if text.count("\n") == count and '"' not in text and not _formula_like(text) and text.count(",") == width * count:
        return text.replace("\n", "\r\n")
    return None


def excel_text(rows: list[list[str]], text: str) -> str:
    """Rows in the spreadsheet flavour (`release.excel_csv`'s lines), given their `canonical_text`:
    CRLF, and any cell starting like a formula (FORMULA_STARTS) prefixed with `'`."""
    plain = plain_excel(text, len(rows), len(rows[0]) - 1 if rows else 0)
    if plain is not None:
        return plain
    return "".join(",".join(map(csvfiles._quoted, ["'" + cell if cell.startswith(FORMULA_STARTS) else cell
                                                   for cell in row])) + "\r\n" for row in rows)
