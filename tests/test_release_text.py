"""The release's rows cross to the SQLite builder as the canonical CSV text the tee writes anyway
(`stream.TableSink.write`), parsed back there (`sqlite.cells_of_text`): the cells that arrive are
the cells (integers typed) that were written, whatever they hold."""

from __future__ import annotations

import pytest

import cbcf_data
from cbcf_data.model.tables import MODELS, TABLES
from cbcf_data.publish import sqlite, stream

ODD = ["plain", "a,b", 'say "x"', "line\nbreak", "carriage\rreturn", "both\r\nends", "=1+1", "+x", "-2", "@a",
       "\tb", " lead", "trail ", "é ü ✓", "'quoted'", '"', ",", "\n"]


def _typed(model, cells):
    integers = stream.integer_fields(model)
    return {name: int(value) if name in integers and value is not None else value for name, value in cells.items()}


def test_every_table_of_the_real_dataset_crosses_as_text_unchanged():
    ds = cbcf_data.load()
    for name, table in ds.tables().items():
        model = table.model
        cells = [dict(row) for row in table.rows()]
        text = stream.canonical_text(stream.texts(cells))
        assert sqlite.cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in cells], name


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
    assert sqlite.cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in rows]


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
    assert sqlite.cells_of_text(model, text.encode("utf-8")) == [_typed(model, row) for row in typed]
    assert typed[1]["sequence"] == int(cells[1]["sequence"])
