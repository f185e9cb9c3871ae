"""The release's rows cross to the SQLite builder as the canonical CSV text the tee writes anyway
(`stream.TableSink.write`), parsed back there (`spools.values_of_text`): the cells that arrive are
the cells (integers typed) that were written, whatever they hold."""

from __future__ import annotations

import pytest

import cbcf_data
from cbcf_data.model.tables import MODELS, TABLES
from cbcf_data.publish import describe, spools, sqlite, stream

ODD = ["plain", "a,b", 'say "x"', "line\nbreak", "carriage\rreturn", "both\r\nends", "=1+1", "+x", "-2", "@a",
       "\tb", " lead", "trail ", "é ü ✓", "'quoted'", '"', ",", "\n"]


def _cells_of_text(model, data):
    """`spools.values_of_text` as cells: field -> text, None for an empty cell, integers as their values."""
    fields = tuple(model.model_fields)
    return [{name: None if value == "" else value for name, value in zip(fields, row)}
            for row in spools.values_of_text(model, data)]


def _typed(model, cells):
    integers = stream.integer_fields(model)
    return {name: int(value) if name in integers and value is not None else value for name, value in cells.items()}


def test_every_table_of_the_real_dataset_crosses_as_text_unchanged():
    ds = cbcf_data.load()
    for name, table in ds.tables().items():
        model = table.model
        cells = [dict(row) for row in table.rows()]
        text = stream.canonical_text(stream.texts(cells))
        assert _cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in cells], name


@pytest.mark.parametrize("odd", ODD)
def test_odd_cells_cross_as_text_unchanged(odd):
    model = TABLES["commitments"]
    fields = list(model.model_fields)
    rows = []
    for position in range(len(fields)):  # the odd cell in each column, the others plain or empty
        row = {field: (odd if index == position else None if index % 2 else "x") for index, field in enumerate(fields)}
        for integer in stream.integer_fields(model):
            row[integer] = None if row[integer] is None else "12"
        rows.append(row)
    text = stream.canonical_text(stream.texts(rows))
    assert _cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in rows]


@pytest.mark.parametrize(("cells", "canonical"), [
    (["0", "5", "-12", "1000", None], True), ([None, None], True), ([], True),
    (["05"], False), (["-0"], False), (["+5"], False), (["5\n6"], False), (["5 "], False), (["5", "x"], False),
    (["1.0"], False), (["\n"], False)])
def test_integer_cells_are_sent_as_text_only_in_their_values_form(cells, canonical):
    batch = [{"n": cell, "m": "7"} for cell in cells]
    assert stream.canonical_integers(batch, ("n", "m")) is canonical


def test_a_batch_whose_integers_are_not_in_their_form_is_written_typed(tmp_path):
    """`05` is written 5 in the CSV and reaches SQLite and the JSON as 5 (as typing the record does)."""
    model = next(m for m in MODELS if m.table == "meetings")
    ds = cbcf_data.load()
    cells = [dict(row) for row in ds.table("meetings").rows()][:3]
    cells[1]["sequence"] = "0" + cells[1]["sequence"]
    sink = stream.TableSink.__new__(stream.TableSink)
    sink.model, sink.integers = model, stream.integer_fields(model)
    assert not stream.canonical_integers(cells, sink.integers)
    typed = [sink.typed(row) for row in cells]
    text = stream.canonical_text(stream.texts(typed, True))
    assert _cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in typed]
    assert typed[1]["sequence"] == int(cells[1]["sequence"])


def _spooled(tmp_path, name, batches, values):
    folder = tmp_path / ("values" if values else "cells")
    folder.mkdir(parents=True, exist_ok=True)
    spools = stream.Spools(folder)
    for batch in batches:
        (spools.add_values if values else spools.add)(name, batch)
    spools.close()
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _tables_with_odd_cells():
    """Every table of the real dataset, each with rows holding the odd cells in each text column."""
    ds = cbcf_data.load()
    for table in ds.tables().values():
        model = table.model
        cells = [dict(row) for row in table.rows()]
        integers = stream.integer_fields(model)
        if cells:
            for odd in ODD:
                for field in model.model_fields:
                    if field not in integers and field not in model.primary_key:
                        row = {**cells[0], field: odd}
                        first = model.primary_key[0]
                        row[first] = f"{row[first]}-{len(cells)}"  # a key of its own
                        cells.append(row)
        yield model, cells


def test_rows_as_values_give_the_spools_and_database_of_rows_as_cells(tmp_path):
    import sqlite3

    for model, cells in _tables_with_odd_cells():
        name = model.table
        text = stream.canonical_text(stream.texts(cells)).encode("utf-8")
        values = spools.values_of_text(model, text)
        typed = [_typed(model, row) for row in cells]
        assert _spooled(tmp_path / name, name, [values], True) == _spooled(tmp_path / name, name, [typed], False), name
        dumps = []
        for statement, rows in ((sqlite.values_statement(model), values), (sqlite.insert_statement(model), typed)):
            connection = sqlite3.connect(":memory:")
            sqlite.create_table(connection, model)
            connection.executemany(statement, rows)
            dumps.append([(row, [type(v).__name__ for v in row]) for row in connection.execute(f'SELECT * FROM "{name}"')])
        assert dumps[0] == dumps[1], name


def test_a_batch_is_joined_as_canonical_text_by_its_line_function():
    for model, cells in _tables_with_odd_cells():
        fields = tuple(model.model_fields)
        typed = bool(stream.integer_fields(model))
        for batch in (cells, cells[:1], []):
            rows, text = stream.batch_text(batch, None if typed else stream.line_of(fields), len(fields) - 1)
            assert text == stream.canonical_text(stream.texts(batch, typed)), model.table
            assert rows is None or rows == stream.texts(batch, typed)
            plain = stream.plain_excel(text, len(batch), len(fields) - 1)
            assert plain is None or plain == stream.excel_text(stream.texts(batch, typed), text)


class _FailingSpools:
    def add_values(self, name, values):
        pass

    def close(self):
        raise OSError("No space left on device")


@pytest.mark.parametrize("closing", ["answered", "left to finish"])
def test_spools_closed_without_waiting_report_their_failure_once(tmp_path, closing):
    """The release tells the builder to close its spools and goes on (`finish(wait=False)`); a
    failure to close them (a full disk) is raised when it waits: at `sink_closed()`, or at
    `finish()` when nothing waited before, never taken for the database's answer."""
    from cbcf_data.errors import InvalidDataError

    builder = sqlite.Builder(tmp_path / "db.sqlite", _FailingSpools())
    if builder.process is None:
        pytest.skip("no fork here: the spools close inline")
    for model in MODELS:
        builder.send("table", model.table, True)
    builder.close_sink(wait=False)
    builder.start_finish({}, describe.about({}, None))
    with pytest.raises(InvalidDataError, match="No space left on device"):
        if closing == "answered":
            builder.sink_closed()
        builder.finish()
    builder.close()
    assert builder.process is None


def test_the_database_answer_is_not_taken_from_the_spools_answer(tmp_path):
    """Spools closed well without waiting, the database broken: `finish()` reads both answers in
    turn and raises the database's."""
    from cbcf_data.errors import InvalidDataError

    ds = cbcf_data.load()
    builder = sqlite.Builder(tmp_path / "db.sqlite", stream.Spools(tmp_path / "work"))
    if builder.process is None:
        pytest.skip("no fork here")
    (tmp_path / "work").mkdir()
    for model in MODELS:
        builder.send("table", model.table, True)
    row = dict(next(iter(ds.meeting_topics.values())).model_dump(), meeting_id="cbcf-1900")
    builder.send("rows", "meeting_topics", [row])
    builder.close_sink(wait=False)
    builder.start_finish({}, describe.about({}, None))
    with pytest.raises(InvalidDataError, match="foreign keys"):
        builder.finish()
    builder.close()


@pytest.mark.parametrize("inline", [False, True])
def test_a_tables_foreign_keys_are_checked_once_it_is_complete(tmp_path, monkeypatch, inline):
    """The builder checks a table's foreign keys when its indexes are made (its rows all in, the
    tables it names before it), so that the release's last step checks only what came after:
    a broken key is told at the spools' closing, before the database is finished."""
    import multiprocessing

    from cbcf_data.errors import InvalidDataError

    if inline:
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    ds = cbcf_data.load()
    builder = sqlite.Builder(tmp_path / "db.sqlite")
    for model in MODELS[:MODELS.index(TABLES["meeting_topics"])]:
        builder.send("table", model.table, False)
        builder.send("rows", model.table, [record.model_dump() for record in ds.table(model.table).values()])
        builder.send("indexes", model.table)
    row = dict(next(iter(ds.meeting_topics.values())).model_dump(), meeting_id="cbcf-1900")
    builder.send("table", "meeting_topics", False)
    with pytest.raises(InvalidDataError, match="foreign keys.*meeting_topics"):
        builder.send("rows", "meeting_topics", [row])
        builder.send("indexes", "meeting_topics")
        builder.close_sink()
    builder.close()


def test_what_the_release_reads_without_pydantic_is_what_the_table_schemas_say():
    """The release's SQLite builder and tee read each table's integer and required fields from
    `model.declared` (no Pydantic before validation ends): equal to the Table Schema's, and each
    CREATE TABLE (in the SQLite file's bytes) the one written from the Table Schema."""
    from cbcf_data.model.declared import TABLES as DECLARED
    from cbcf_data.model.table_schema import table_schema

    for model in MODELS:
        fields = table_schema(model)["fields"]
        integers = tuple(f["name"] for f in fields if f["type"] == "integer")
        required = tuple(f["name"] for f in fields if f.get("constraints", {}).get("required", False))
        assert (DECLARED[model.table].integers, DECLARED[model.table].required) == (integers, required), model.table
        assert spools.integer_fields(model) == spools.integer_fields(DECLARED[model.table]) == integers
        columns = [f'"{f["name"]}" {"INTEGER" if f["type"] == "integer" else "TEXT"}'
                   + (" NOT NULL" if f["name"] in required else "") for f in fields]
        columns.append("PRIMARY KEY (" + ", ".join(f'"{f}"' for f in model.primary_key) + ")")
        columns += [f'FOREIGN KEY ("{field}") REFERENCES "{table}" ("id")' for field, table in model.foreign_keys.items()]
        expected = f'CREATE TABLE "{model.table}" (\n  ' + ",\n  ".join(columns) + "\n)"
        assert sqlite._create_table(model) == sqlite._create_table(DECLARED[model.table]) == expected
    assert any(DECLARED[table].integers for table in TABLES) and all(DECLARED[table].required for table in TABLES)
