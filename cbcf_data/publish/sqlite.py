"""The release's SQLite database: the tables with their keys, an index per foreign key, the
codelists, the closure of every hierarchy, the release's facts, and views for analysts."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from cbcf_data import signals
from cbcf_data.dataset import Dataset
from cbcf_data.errors import CbcfDataError, InvalidDataError
from cbcf_data.model.declared import MODELS, TABLES
from cbcf_data.publish import describe
from cbcf_data.publish.output import deflate
from cbcf_data.publish.pipes import Sender
from cbcf_data.publish.spools import integer_positions, values_of_text

SQLITE_NAME = describe.SQLITE


def _create_table(model: type[Any]) -> str:
    """CREATE TABLE for a model, typed and constrained as its Table Schema says (read without
    Pydantic: `declared.Declared`'s integers and required fields)."""
    declared = TABLES[model.table]
    columns = [f'"{name}" {"INTEGER" if name in declared.integers else "TEXT"}'
               + (" NOT NULL" if name in declared.required else "") for name in declared.model_fields]
    columns.append("PRIMARY KEY (" + ", ".join(f'"{f}"' for f in declared.primary_key) + ")")
    for field, table in declared.foreign_keys.items():
        columns.append(f'FOREIGN KEY ("{field}") REFERENCES "{table}" ("id")')
    return f'CREATE TABLE "{declared.table}" (\n  ' + ",\n  ".join(columns) + "\n)"


def create_table(connection: sqlite3.Connection, model: type[Any], indexes: bool = True) -> None:
    """A model's table and (unless told not to: `create_indexes` after its rows, as the release
    does) an index per foreign key."""
    connection.execute(_create_table(model))
    if indexes:
        create_indexes(connection, model)


def create_indexes(connection: sqlite3.Connection, model: type[Any]) -> None:
    """An index per foreign key of a model's table."""
    for field in model.foreign_keys:
        connection.execute(f'CREATE INDEX "{model.table}_{field}" ON "{model.table}" ("{field}")')


def insert_statement(model: type[Any]) -> str:
    """INSERT of one row given as field -> value (a row's cells, integers typed)."""
    return f'INSERT INTO "{model.table}" VALUES ({", ".join(":" + field for field in model.model_fields)})'


def _add_tables(connection: sqlite3.Connection, ds: Dataset) -> None:
    """Each table, its rows (in the dataset's order: a sorted dataset's is by key), then its
    indexes: as the release streams them, so that the files are the same."""
    for model in MODELS:
        create_table(connection, model, indexes=False)
        fields = list(model.model_fields)
        placeholders = ", ".join("?" for _ in fields)
        connection.executemany(
            f'INSERT INTO "{model.table}" VALUES ({placeholders})',
            ([getattr(record, f) for f in fields] for record in ds.table(model.table).values()),
        )
        create_indexes(connection, model)


def _add_descriptions(connection: sqlite3.Connection, closures: dict[str, list[tuple[str, str, int]]],
                      facts: dict[str, Any]) -> None:
    """The codelists, the status crosswalk, each hierarchy's closure and the release's facts, as tables."""
    from cbcf_data.model import crosswalks

    connection.execute('CREATE TABLE "status_crosswalk" ("status" TEXT PRIMARY KEY, "g7_score" INTEGER, '
                       '"irm_completion" TEXT, "note" TEXT NOT NULL)')
    connection.executemany('INSERT INTO "status_crosswalk" VALUES (:status, :g7_score, :irm_completion, :note)',
                           crosswalks.rows())
    connection.execute('CREATE TABLE "codelists" ("codelist" TEXT NOT NULL, "code" TEXT NOT NULL, "label" TEXT NOT NULL, '
                       '"label_fr" TEXT, "definition" TEXT NOT NULL, PRIMARY KEY ("codelist", "code"))')
    connection.executemany('INSERT INTO "codelists" VALUES (:codelist, :code, :label, :label_fr, :definition)',
                           describe.codelist_rows())
    for table, rows in closures.items():
        name = f"{table}_closure"
        connection.execute(f'CREATE TABLE "{name}" ("ancestor_id" TEXT NOT NULL, "descendant_id" TEXT NOT NULL, '
                           f'"depth" INTEGER NOT NULL, PRIMARY KEY ("ancestor_id", "descendant_id"), '
                           f'FOREIGN KEY ("ancestor_id") REFERENCES "{table}" ("id"), '
                           f'FOREIGN KEY ("descendant_id") REFERENCES "{table}" ("id"))')
        connection.execute(f'CREATE INDEX "{name}_descendant_id" ON "{name}" ("descendant_id")')
        connection.executemany(f'INSERT INTO "{name}" VALUES (?, ?, ?)', rows)
    connection.execute('CREATE TABLE "metadata" ("key" TEXT PRIMARY KEY, "value" TEXT)')
    connection.executemany('INSERT INTO "metadata" VALUES (?, ?)', describe.metadata_rows(facts))


def sqlite_bytes(ds: Dataset, facts: dict[str, Any]) -> bytes:
    """The dataset as an SQLite database file's bytes (`write_sqlite` into a temporary file)."""
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "release.sqlite"
        write_sqlite(path, ds, facts)
        return path.read_bytes()


def write_sqlite(path: Path, ds: Dataset, facts: dict[str, Any]) -> None:
    """Write the dataset as an SQLite database at `path` from its typed records (a new file; the
    release streams the same database from the rows validation reads: `open_database`, `create_table`,
    `insert_statement`, `finish_database`)."""
    connection = open_database(path)
    try:
        _add_tables(connection, ds)
    except BaseException:
        connection.close()
        raise
    finish_database(connection, describe.closures(ds), facts)


def open_database(path: Path) -> sqlite3.Connection:
    """A new database file at `path`, built once: no journal, no waiting for the disk (a failed
    build is thrown away whole); its tables are filled in one transaction."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA page_size = 4096")
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: the keys' indexes of a large table stay in memory
    connection.execute("BEGIN")
    return connection


def finish_database(connection: sqlite3.Connection, closures: dict[str, list[tuple[str, str, int]]],
                    facts: dict[str, Any], checked: Collection[str] = ()) -> None:
    """The descriptions and views after the tables; then the foreign keys checked (of the tables
    not `checked` already: `check_keys` as each was completed), and the file closed: an ordinary
    rollback-journal database (the journal is off only while it is built), not VACUUMed: built in
    one pass, each table's rows in key order and its indexes made after them, it holds no free
    page, its pages in table order (VACUUM would rewrite the whole file for 2% fewer bytes)."""
    try:
        connection.commit()  # the tables; the file counts its write transactions (header bytes 24-27):
        connection.execute("BEGIN")  # tables, then descriptions — two, as every release has
        _add_descriptions(connection, closures, facts)
        for view, query in describe.VIEWS.items():
            connection.execute(f'CREATE VIEW "{view}" AS {query.strip()}')
        connection.commit()
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        check_keys(connection, [name for name in tables if name not in checked] if checked else None)
    finally:
        connection.close()


def check_keys(connection: sqlite3.Connection, tables: list[str] | None = None) -> None:
    """InvalidDataError when a row of `tables` (None: every table) names a row that is not there."""
    if tables is None:
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
    else:
        problems = [row for table in tables for row in connection.execute(f'PRAGMA foreign_key_check("{table}")')]
    if problems:
        raise InvalidDataError(f"the SQLite build found broken foreign keys: {problems[:5]}")


class Builder:
    """The release's database built from messages, in the order they come: ("table", name,
    indexes), ("text", name, canonical CSV bytes) or ("rows", name, rows as field -> value),
    ("indexes", name), then ("finish", closures, facts, member). The rows also go to the JSON
    spools: `sink.add_values(name, values)` (`values_of_text`) or `sink.add(name, rows)`, closed by
    `close_sink()`. The release sends text: bytes cross a pipe without pickling each row.

    With `fork` (Linux), it runs in a process of its own, fed through a pipe (`pipes.Sender`:
    written from a thread, a few messages ahead), so that SQLite's work (inserts, indexes)
    runs on another core while validation goes on; a thread would not do: `executemany` takes
    Python's lock back for every row. There the finished file is also hashed and compressed for
    the zip into `member` (`output.deflate`; `deflated` after `finish()`) while the release writes
    its JSON document. Elsewhere it runs inline (`deflated` stays None)."""

    def __init__(self, path: Path, sink: Any = None, member: Path | None = None) -> None:
        import multiprocessing

        self.connection: sqlite3.Connection | None = None
        self.process: Any = None
        self.closing = False  # the sink's closing told, not yet answered
        self.checked: set[str] = set()  # inline: the tables whose foreign keys were checked
        self.sink = sink
        self.path, self.member, self.deflated = path, member, None  # the file compressed for the zip, by its process
        if "fork" not in multiprocessing.get_all_start_methods():
            self.connection = open_database(path)
            return
        context = multiprocessing.get_context("fork")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, path, self.pipe, sink),
                                       name="cbcf-data sqlite", daemon=True)
        self.sender: Sender | None = None
        try:
            with signals.held():  # forked and kept whole: a stop is raised once it can be waited for
                self.process.start()
                child.close()
                self.sender = Sender(self.pipe)  # after the fork: a thread
        except BaseException:
            self.close()
            raise

    def send(self, *message: Any) -> None:
        if self.connection is not None:
            _handle(self.connection, message, self.sink, self.checked)
        else:
            try:
                self.sender.send(message)  # type: ignore[union-attr]  # set once its process is started
            except OSError:  # its process is gone (killed: out of memory?); not a closed stdout
                raise self._gone() from None

    def _answer(self) -> Any:
        """The process's answer (None, or what went wrong); CbcfDataError when it is gone."""
        try:
            return self.pipe.recv()
        except (EOFError, OSError):
            raise self._gone() from None

    def _gone(self) -> CbcfDataError:
        self.process.join(5)
        code = self.process.exitcode
        how = "still running" if code is None else f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        return CbcfDataError(f"the SQLite file could not be built: its process ended ({how}); no release was built")

    def close_sink(self, wait: bool = True) -> None:
        """Every row sent is in the sink, closed; raises what went wrong so far. Without `wait`,
        its process is only told: `sink_closed()` (or `finish()`) waits for it."""
        if self.process is None:
            if self.sink is not None:
                self.sink.close()
            return
        self.send("close", None)
        self.closing = True
        if wait:
            self.sink_closed()

    def sink_closed(self) -> None:
        """Wait for the sink closed by `close_sink(wait=False)`; raises what went wrong so far."""
        if self.closing:
            self.closing = False
            error = self._answer()
            if error is not None:
                raise InvalidDataError(f"the SQLite file could not be built: {error}")

    def start_finish(self, closures: dict[str, list[tuple[str, str, int]]], facts: dict[str, Any]) -> None:
        """Complete the database (`finish_database`): at once inline, else in its process while the
        caller goes on until `finish()`."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            finish_database(connection, closures, facts, self.checked)
        else:
            self.send("finish", closures, facts, self.member)

    def finish(self) -> None:
        """Wait for the database completed; raises what went wrong while building it."""
        if self.process is None:
            return
        self.sink_closed()
        answer = self._answer()
        self.close()
        if isinstance(answer, str):
            raise InvalidDataError(f"the SQLite file could not be built: {answer}")
        self.deflated = answer

    def close(self) -> None:
        """Stop building (a release given up), or let the finished process go."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None:
            if self.sender is not None:
                self.sender.close()
            self.pipe.close()  # the process ends at the end of its input
            if self.process.pid is not None:  # started
                self.process.join(60)
                if self.process.is_alive():
                    self.process.terminate()
                    self.process.join()
            self.process = None


def _handle(connection: sqlite3.Connection, message: tuple[Any, ...], sink: Any, checked: set[str]) -> None:
    """One message; a table's foreign keys are checked once its rows and indexes are in (the
    tables come in dependency order), while the release goes on, and it is added to `checked`."""
    kind, name = message[0], message[1]
    if kind == "table":
        create_table(connection, TABLES[name], indexes=message[2])
    elif kind == "rows":
        connection.executemany(insert_statement(TABLES[name]), message[2])
        if sink is not None:
            sink.add(name, message[2])
    elif kind == "text":
        values = values_of_text(TABLES[name], message[2])
        connection.executemany(values_statement(TABLES[name]), values)
        if sink is not None:
            sink.add_values(name, values)
    elif kind == "indexes":
        create_indexes(connection, TABLES[name])
        check_keys(connection, [name])
        checked.add(name)


def values_statement(model: type[Any]) -> str:
    """INSERT of one row given as `values_of_text` gives it: an empty text ("") inserted as NULL,
    as `insert_statement` inserts None."""
    integers = integer_positions(model.table)
    return (f'INSERT INTO "{model.table}" VALUES ('
            + ", ".join("?" if index in integers else "nullif(?, '')" for index in range(len(model.model_fields)))
            + ")")


def _serve(pipe: Any, path: Path, other_end: Any, sink: Any) -> None:
    """The builder's process: the database built at `path` from messages until "finish" (answered
    with what went wrong, else None, or the file compressed into the message's member:
    `output.Deflated`) or the end of its input; after an error, it reads on without building, to
    answer at "finish".
    It ends quietly, without a traceback, on Ctrl-C (it reaches the whole process group: the
    release gives up too) and when the release is gone before its answer. Forked while the release
    holds the stops back (`Builder`), it holds them until here: one that came meanwhile is raised
    inside the `try` (`signals.forked`)."""
    other_end.close()  # the release's end: its input ends when the release closes it
    connection: sqlite3.Connection | None = None
    error: str | None = None
    try:
        signals.forked()
        try:
            connection = open_database(path)
        except sqlite3.Error as failure:  # answered at the first question
            error = f"{type(failure).__name__}: {failure}"
        _serve_messages(pipe, connection, sink, error, path)
    except (KeyboardInterrupt, OSError):  # OSError: the pipe; nobody is left to answer
        pass
    finally:
        if connection is not None:
            connection.close()
        pipe.close()


def _serve_messages(pipe: Any, connection: sqlite3.Connection | None, sink: Any, error: str | None,
                    path: Path) -> None:
    checked: set[str] = set()
    while True:
        try:
            message = pipe.recv()
        except EOFError:
            return
        if message[0] == "finish":
            deflated = None
            if error is None and connection is not None:
                try:
                    finish_database(connection, message[1], message[2], checked)
                    member = message[3] if len(message) > 3 else None
                    if member is not None:  # compressed here, on this core
                        deflated = deflate(path, member, hashed=True)
                except Exception as failure:  # noqa: BLE001 - answered to the release
                    error = f"{type(failure).__name__}: {failure}"
            pipe.send(error or deflated)
            return
        if message[0] == "close":
            if error is None and sink is not None:
                try:
                    sink.close()
                except Exception as failure:  # noqa: BLE001
                    error = f"{type(failure).__name__}: {failure}"
            pipe.send(error)
        elif error is None and connection is not None:
            try:
                _handle(connection, message, sink, checked)
            except Exception as failure:  # noqa: BLE001
                error = f"{type(failure).__name__}: {failure}"
