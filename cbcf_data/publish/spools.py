"""Each row's JSON, spooled where the rows go into SQLite (`sqlite.Builder`'s process) for
`document.write_spooled` to join meeting by meeting: `Spools`, and `Latest` (the latest assessments);
and the rows as that process gets them, canonical CSV text parsed back (`values_of_text`).

JSON here is `json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`'s text:
`encode` for values, `json_of` for a row given as its values (a test holds them equal).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from cbcf_data.dataset.hierarchy import parent_field
from cbcf_data.io import limits
from cbcf_data.model.dates import PartialDate
from cbcf_data.model.declared import TABLES

encode_text = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _encoder() -> Callable[[Any], str]:
    """`json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))` without its
    per-call set-up: the C encoder made once (values here are never circular), when there is one."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    encoder = make(None, refuse, encode_text, None, ":", ",", True, False, True)
    return lambda value: "".join(encoder(value, 0))


encode = _encoder()
#: Spools of rows grouped under the meeting (or commitment) they belong to: table -> grouping field.
GROUPED = {"meetings": "id", "attendances": "meeting_id", "meeting_topics": "meeting_id", "commitments": "meeting_id",
           "commitment_topics": "commitment_id", "instrument_mentions": "meeting_id", "meeting_sources": "meeting_id",
           "assessments": "commitment_id"}
#: Link tables whose JSON is one field's value (a bundle lists their IDs).
LISTED = {"commitment_topics": "topic_id", "meeting_sources": "source_id"}


def integer_fields(model: Any) -> tuple[str, ...]:
    """The integer fields of `model`'s table (Table Schema type `integer`), without Pydantic
    (`declared.Declared.integers`)."""
    integers: tuple[str, ...] = TABLES[model.table].integers
    return integers


@functools.cache
def integer_positions(table: str) -> tuple[int, ...]:
    """The positions of a table's integer fields."""
    model = TABLES[table]
    fields, integers = tuple(model.model_fields), integer_fields(model)
    return tuple(index for index, name in enumerate(fields) if name in integers)


def values_of_text(model: type[Any], data: bytes) -> list[list[Any]]:
    """The rows of canonical CSV text without its header (`stream.canonical_text`'s, UTF-8) as
    the values of their fields in order: text as it is ("" for an empty cell), integers (written
    in their own form) as their values, None when empty. `sqlite.values_statement` inserts them. Text
    without a quote is split at line feeds and commas (what `csv.reader` would give, faster)."""
    text = data.decode("utf-8")
    rows: list[list[Any]]
    if '"' not in text and "\r" not in text:  # no quoted cell: each line a row, each comma a separator
        rows = [line.split(",") for line in text.split("\n")[:-1]]
    else:
        csv.field_size_limit(limits.CELL_CHARS)  # as validation read them
        rows = list(csv.reader(io.StringIO(text, newline="")))
    for index in integer_positions(model.table):
        for row in rows:
            row[index] = int(row[index]) if row[index] else None
    return rows


@functools.cache
def json_of(model: Any, drop: str = "") -> Callable[[list[Any]], str]:
    """The function that gives a row's JSON (`encode` of its cells without the empty ones and
    `drop`) from its values in field order (`Spools.add_values`): compiled once per table, a test
    per field (an empty text is "", an empty integer None), its keys already in sorted order."""
    fields, integers = tuple(model.model_fields), integer_fields(model)
    body = []
    for index, name in sorted(enumerate(fields), key=lambda item: item[1]):
        if name == drop:
            continue
        key = repr(encode(name) + ":")
        if name in integers:
            body.append(f"    if row[{index}] is not None:\n        out.append({key} + str(row[{index}]))")
        else:
            body.append(f"    if row[{index}]:\n        out.append({key} + text(row[{index}]))")
    namespace: dict[str, Any] = {"text": encode_text}
    exec("def row_json(row):\n    out = []\n" + "\n".join(body)  # noqa: S102 - code built from repr()s only
         + "\n    return '{' + ','.join(out) + '}'\n", namespace)
    function: Callable[[list[Any]], str] = namespace["row_json"]
    return function


class Spools:
    """Each row's JSON, into a spool file per table under `work` (`document.write_spooled` reads
    them): `key<TAB>JSON` lines for the rows of a meeting or commitment, JSON lines for the rest.
    Run where the rows go into SQLite (`sqlite.Builder`): in its process when it has one."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.files: dict[str, IO[str]] = {}
        self.latest: Latest | None = None

    def _spool(self, table: str) -> IO[str]:
        spool = self.files.get(table)
        if spool is None:
            spool = self.files[table] = (self.work / table).open("w", encoding="utf-8", newline="\n")
        return spool

    def add(self, table: str, batch: list[dict[str, Any]]) -> None:
        """A batch of rows given as field -> value (text, None, integers)."""
        if parent_field(TABLES[table]) is not None:  # hierarchies: kept by the release, for their trees
            return
        spool = self._spool(table)
        if table == "assessments":
            if self.latest is None:
                self.latest = Latest(self.work / "latest_assessments")
            self.latest.add(batch)
        group = GROUPED.get(table)
        lines: list[str]
        if table in LISTED:
            value = LISTED[table]
            lines = [f"{row[group]}\t{encode_text(row[value])}\n" for row in batch]  # type: ignore[index]
        elif table == "commitments":  # the item's topics and assessments join it later (write_spooled)
            lines = [f"{row['meeting_id']}\t{row['id']}\t"
                     f"{encode({k: v for k, v in row.items() if v is not None and k != 'meeting_id'})[1:-1]}\n"
                     for row in batch]
        elif group is not None:
            drop = "" if table == "meetings" else group
            lines = [f"{row[group]}\t{encode({k: v for k, v in row.items() if v is not None and k != drop})}\n"
                     for row in batch]
        else:
            lines = [encode({k: v for k, v in row.items() if v is not None}) + "\n" for row in batch]
        spool.write("".join(lines))

    def add_values(self, table: str, batch: list[list[Any]]) -> None:
        """A batch of rows given as their values in the model's field order, as `spools.values_of_text`
        gives them (an empty text cell is "", an empty integer None): the lines `add` writes, with
        each row's JSON made by a function compiled for its table (`json_of`), without a dict."""
        model = TABLES[table]
        fields = tuple(model.model_fields)
        if parent_field(model) is not None:
            return
        if table == "assessments":  # its latest assessments compare rows: given as cells
            self.add(table, [dict(zip(fields, [None if value == "" else value for value in row])) for row in batch])
            return
        group = GROUPED.get(table)
        at = fields.index(group) if group is not None else 0
        lines: list[str]
        if table in LISTED:
            value = fields.index(LISTED[table])
            lines = [f"{row[at]}\t{encode_text(row[value])}\n" for row in batch]
        elif table == "commitments":
            json = json_of(model, "meeting_id")
            key = fields.index("id")
            lines = [f"{row[at]}\t{row[key]}\t{json(row)[1:-1]}\n" for row in batch]
        elif group is not None:
            json = json_of(model, "" if table == "meetings" else group)
            lines = [f"{row[at]}\t{json(row)}\n" for row in batch]
        else:
            json = json_of(model)
            lines = [json(row) + "\n" for row in batch]
        self._spool(table).write("".join(lines))

    def close(self) -> None:
        for spool in self.files.values():
            spool.close()
        if self.latest is not None:
            self.latest.close()


class Latest:
    """The latest assessment of each commitment for each party (as `dataset.asof.latest_assessments`
    picks it), from the assessments streaming past in key order: one group held at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("w", encoding="utf-8", newline="\n")
        self.group: tuple[str, str] | None = None
        self.best: tuple[Any, dict[str, Any]] | None = None

    def add(self, batch: list[dict[str, Any]]) -> None:
        for row in batch:
            group = (row["commitment_id"], row["party"])
            date = PartialDate(str(row["as_of"]))
            rank = (date.latest, date.earliest)
            if group != self.group:
                self._flush()
                self.group, self.best = group, (rank, row)
            elif self.best is not None and rank > self.best[0]:
                self.best = (rank, row)

    def _flush(self) -> None:
        if self.best is not None:
            self.file.write(encode(self.best[1]) + "\n")
        self.best = None

    def close(self) -> None:
        if not self.file.closed:
            self._flush()
            self.file.close()
