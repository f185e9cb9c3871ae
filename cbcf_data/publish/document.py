"""The release's JSON document (`cbcf-data-<version>.json`): its facts, the codelists, every
meeting as a bundle, the reference tables; written member by member and meeting by meeting."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from cbcf_data.dataset import Dataset
from cbcf_data.model import bundling as bundles
from cbcf_data.model.declared import TABLES
from cbcf_data.publish import describe
from cbcf_data.publish.output import HashingFile

#: Bytes of the commitments' items file written or read at a time: each meeting's run of items is
#: written once and read back once, and a system call for each (4 KB) cost more than the rest.
BUFFER = 1 << 20


def release_document(ds: Dataset, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON release: its facts, the codelists, every meeting as a bundle, the reference tables
    (rows of a hierarchy with their `ancestors`, nearest first, and `descendants`)."""
    return {key: value() for key, value in document_parts(ds, facts).items()}


def document_parts(ds: Dataset, facts: dict[str, Any] | None = None) -> dict[str, Callable[[], Any]]:
    """The JSON release's top-level members, each computed only when asked for."""
    from cbcf_data.dataset.asof import latest_assessments
    from cbcf_data.model import crosswalks
    from cbcf_data.publish.describe import codelists_document

    facts = facts or describe.about({}, None)

    def dumped(table: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in record.model_dump().items() if v is not None} for record in ds.table(table).values()]

    def reference(table: str) -> list[dict[str, Any]]:
        rows = dumped(table)
        if table in describe.hierarchies():
            tree = ds.table(table).tree
            for row in rows:
                row["ancestors"], row["descendants"] = tree.ancestors(row["id"]), tree.descendants(row["id"])
        return rows

    def meetings() -> list[dict[str, Any]]:
        tables = [t for t in TABLES if t not in (*bundles.NEW_TABLES.values(), "retired_ids")]
        return bundles.all_bundles({t: [record.model_dump() for record in ds.table(t).values()] for t in tables})

    def latest() -> list[dict[str, Any]]:
        return latest_assessments(record.model_dump() for record in ds.assessments.values())

    parts: dict[str, Callable[[], Any]] = {key: functools.partial(_same, value) for key, value in facts.items()}
    parts.update({"codelists": codelists_document, "meetings": meetings, "latest_assessments": latest,
                  "status_crosswalk": crosswalks.rows, "retired_ids": functools.partial(dumped, "retired_ids")})
    parts.update({table: functools.partial(reference, table) for table in bundles.NEW_TABLES.values()})
    return parts


def _same(value: Any) -> Any:
    return value


def write_document(file: HashingFile, ds: Dataset, facts: dict[str, Any]) -> None:
    """The JSON release as one compact line (`json.dumps(release_document(...), sort_keys=True,
    separators=(",", ":"))`'s bytes), written member by member and meeting by meeting: the C
    encoder on each piece, never the whole document as one string."""
    def encode(value: Any) -> bytes:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    parts = document_parts(ds, facts)
    for index, key in enumerate(sorted(parts)):
        file.write((b"{" if index == 0 else b",") + encode(key) + b":")
        value = parts[key]()
        if isinstance(value, list):
            file.write(b"[")
            for position, item in enumerate(value):
                file.write((b"," if position else b"") + encode(item))
            file.write(b"]")
        else:
            file.write(encode(value))
        del value
    file.write(b"}\n")


def write_spooled(file: HashingFile, facts: dict[str, Any], work: Path,
                  hierarchies: dict[str, list[dict[str, Any]]]) -> None:
    """The JSON release (`write_document`'s bytes) from the spools `stream.ReleaseStream` wrote
    into `work` while validation read the tables: one meeting's rows at a time, never a table."""
    from cbcf_data.model import crosswalks
    from cbcf_data.publish.describe import codelists_document

    commitments = _commitment_items(work)
    values: dict[str, Callable[[], Iterator[bytes]]] = {
        key: functools.partial(_one, value) for key, value in facts.items()}
    values.update({"codelists": functools.partial(_one, codelists_document()),
                   "status_crosswalk": functools.partial(_listed, map(_encode, crosswalks.rows())),
                   "latest_assessments": functools.partial(_listed, _lines(work / "latest_assessments")),
                   "retired_ids": functools.partial(_listed, _lines(work / "retired_ids")),
                   "meetings": functools.partial(_listed, _meetings(work, commitments))})
    for table in bundles.NEW_TABLES.values():
        rows = hierarchies.get(table)
        values[table] = functools.partial(_listed, _lines(work / table) if rows is None else _with_tree(table, rows))
    for index, key in enumerate(sorted(values)):
        file.write((b"{" if index == 0 else b",") + _encode(key).encode("utf-8") + b":")
        for piece in values[key]():
            file.write(piece)
    file.write(b"}\n")


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _one(value: Any) -> Iterator[bytes]:
    yield _encode(value).encode("utf-8")


def _listed(items: Iterable[str]) -> Iterator[bytes]:
    """A JSON list of encoded items, written in pieces of about a megabyte."""
    yield b"["
    pieces: list[str] = []
    size = first = 0
    for item in items:
        pieces.append(item)
        size += len(item)
        if size > 1 << 20:
            yield ((b"," if first else b"") + ",".join(pieces).encode("utf-8"))
            pieces, size, first = [], 0, 1
    if pieces:
        yield ((b"," if first else b"") + ",".join(pieces).encode("utf-8"))
    yield b"]"


def _lines(path: Path) -> Iterator[str]:
    """The lines of a spool without their line ends (none when the table was not read)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="\n") as file:
        for line in file:
            yield line[:-1]


class _Groups:
    """A spool of `key<TAB>value` lines in key order, taken group by group."""

    def __init__(self, path: Path, parts: int = 2) -> None:
        self.lines = (line.split("\t", parts - 1) for line in _lines(path))
        self.line = next(self.lines, None)

    def take(self, key: str) -> list[str]:
        found = []
        while self.line is not None and self.line[0] == key:
            found.append(self.line[-1])
            self.line = next(self.lines, None)
        return found

    def done(self) -> None:
        if self.line is not None:  # a row whose meeting or commitment was not met in order
            raise RuntimeError(f"the release's spooled rows do not follow their tables' order at {self.line[0]!r}")


def _commitment_items(work: Path) -> dict[str, list[tuple[int, int]]]:
    """Each commitment as its bundle item (with its topics and assessments) into `work/items`, in
    commitment order; return where each meeting's items are: (start, end) byte runs by meeting."""
    fields = sorted(name for name in TABLES["commitments"].model_fields if name != "meeting_id")
    if not "assessments" < fields[0] or not fields[-1] < "topics":  # the item's keys stay sorted (see below)
        raise RuntimeError("a commitment field sorts outside 'assessments'..'topics'; update document._commitment_items")
    topics, assessments = _Groups(work / "commitment_topics"), _Groups(work / "assessments")
    runs: dict[str, list[tuple[int, int]]] = {}
    offset, meeting = 0, None
    run: list[str] = []
    with (work / "items").open("wb", buffering=BUFFER) as items:
        for meeting_id, commitment_id, fields_json in (line.split("\t", 2) for line in _lines(work / "commitments")):
            if meeting_id != meeting:  # a meeting's run of items written at once
                offset = _write_run(items, run, offset, runs, meeting)
                meeting, run = meeting_id, []
            line = assessments.line  # most commitments have no assessment: no call for them
            listed = ",".join(assessments.take(commitment_id)) if line is not None and line[0] == commitment_id else ""
            run.append(f'{{"assessments":[{listed}],{fields_json},"topics":[{",".join(topics.take(commitment_id))}]}}')
        _write_run(items, run, offset, runs, meeting)
    topics.done()
    assessments.done()
    return runs


def _write_run(items: IO[bytes], run: list[str], offset: int, runs: dict[str, list[tuple[int, int]]],
               meeting: str | None) -> int:
    """A meeting's run of items written at `offset`, a line each, and noted in `runs`; the offset after."""
    if meeting is None or not run:
        return offset
    data = ("\n".join(run) + "\n").encode("utf-8")
    items.write(data)
    runs.setdefault(meeting, []).append((offset, offset + len(data)))
    return offset + len(data)


def _meetings(work: Path, runs: dict[str, list[tuple[int, int]]]) -> Iterator[str]:
    """Each meeting's bundle (`bundle.all_bundles`' keys and order), from the spools."""
    attendances, topics = _Groups(work / "attendances"), _Groups(work / "meeting_topics")
    mentions, sources = _Groups(work / "instrument_mentions"), _Groups(work / "meeting_sources")
    with (work / "items").open("rb", buffering=BUFFER) as items:
        for meeting_id, meeting in (line.split("\t", 1) for line in _lines(work / "meetings")):
            commitments = []
            for start, end in runs.pop(meeting_id, ()):
                items.seek(start)
                commitments.append(items.read(end - start).decode("utf-8")[:-1].replace("\n", ","))
            yield (f'{{"attendances":[{",".join(attendances.take(meeting_id))}],'
                   f'"commitments":[{",".join(commitments)}],'
                   f'"instrument_mentions":[{",".join(mentions.take(meeting_id))}],"meeting":{meeting},'
                   f'"sources":[{",".join(sources.take(meeting_id))}],"topics":[{",".join(topics.take(meeting_id))}]}}')
    for groups in (attendances, topics, mentions, sources):
        groups.done()
    if runs:
        raise RuntimeError(f"the release's commitments name meetings not met in order: {sorted(runs)[:3]}")


def _with_tree(table: str, rows: list[dict[str, Any]]) -> Iterator[str]:
    """A hierarchy's rows with their `ancestors` and `descendants` (as `document_parts`)."""
    from cbcf_data.dataset.hierarchy import Tree

    tree = Tree.of(rows, "id", "parent_id")
    for row in rows:
        item = {k: v for k, v in row.items() if v is not None}
        item["ancestors"], item["descendants"] = tree.ancestors(row["id"]), tree.descendants(row["id"])
        yield _encode(item)
