"""A contributed meeting bundle as validation input: its shape first, then its rows checked
through the same layers as the dataset's, together with the dataset it would join."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cbcf_data.check.descriptor import check_descriptor
from cbcf_data.check.explain import close_match
from cbcf_data.check.known import known_table
from cbcf_data.check.recovery import reading_dataset
from cbcf_data.check.report import Where
from cbcf_data.check.rows import check_table
from cbcf_data.check.rules import CHECKS, Rules
from cbcf_data.check.state import Batch, Row, Run, Stop, escape, record_id
from cbcf_data.check.structure import csv_feed
from cbcf_data.io import csvfiles, limits, package, positions
from cbcf_data.io.readers import ReadError, parse_json, read_document, read_text
from cbcf_data.model import bundling
from cbcf_data.model.accept import value_accepter
from cbcf_data.model.declared import MODELS, pydantic_model

if TYPE_CHECKING:  # the models (Pydantic) are imported only for a bundle's row `model.accept` does not take
    from cbcf_data.model.tables import Record


def check_bundle(run: Run, path: Path, dataset: str | Path | None) -> None:
    """Check a bundle's shape and rows, and its rows against the dataset they would join."""
    check_bundle_document(run, path, read_bundle(run, path), dataset)


def read_bundle(run: Run, path: Path) -> Any:
    """The document of a bundle file (or of a release's JSON); unusable input stops the run."""
    try:
        if path.suffix.lower() == ".json":  # a release's JSON may be as large as the loader takes
            return parse_json(read_text(path, limits.RELEASE_DOCUMENT_BYTES), limits.RELEASE_DOCUMENT_NODES)
        return read_document(path)
    except ReadError as error:
        run.unusable(error.code, error.message, str(path), error.line, error.hint, error.column, error.excerpt)
        raise Stop from None


def check_bundle_document(run: Run, path: Path, document: Any, dataset: str | Path | None,
                          trusted: bool = False, order: dict[str, list[Any]] | None = None) -> None:
    """Check a bundle's document, read from `path`, as `check_bundle` does. `trusted` (import
    only, never `validate`): when a kept verdict vouches for the dataset's files as they are
    (`check.verdict`), its rows are read as cells for what the bundle's rows are compared with,
    not typed and checked again (`check.known`): the same report, at the cost of the bundle; the
    keys of each table the bundle adds to are then put in `order`, in their file's order."""
    if not isinstance(document, dict):
        run.unusable("not-a-bundle", "a bundle is an object with a `meeting` and its rows", str(path),
                     hint="start from records/templates/meeting.yaml")
        raise Stop
    check_shape(run, document, str(path))
    rows, pointers = bundling.to_rows(document)
    check_padding(run, path, rows, pointers)
    descriptor_file = package.descriptor_path(None) if dataset is None else package.descriptor_of(Path(dataset))
    before = len(run.report.issues)
    with reading_dataset(run, descriptor_file):
        paths = check_descriptor(run, descriptor_file)
        run.rules = Rules(run.emit, paths["meetings"].parent if "meetings" in paths else None,
                          descriptor_file.parent)
        run.report.checks.update(CHECKS)
        # Nothing reported about the dataset so far (its descriptor, an interrupted write), and a verdict.
        known = trusted and len(run.report.issues) == before and vouched(descriptor_file, paths)
        quoted = {v for row in rows.get("commitments", []) if isinstance(v := row.get("source_id"), str)}
        for model in MODELS:
            feeds: list[tuple[str, Iterable[Row | Batch]]] = []
            bundle_rows = rows.get(model.table, [])
            if model.table in paths:
                wanted = {record_id(bundle_key(model, row)) for row in bundle_rows}
                if known:
                    by_id: dict[str, list[dict[str, Any]]] = {}
                    for row in bundle_rows:
                        by_id.setdefault(record_id(bundle_key(model, row)), []).append(row)
                    known_table(run, model, paths[model.table], by_id, quoted, order)
                    model = accepted(model, bundle_rows)
                else:
                    feed = csv_feed(run, model, paths[model.table])
                    feeds.append(("dataset", _capture(model, feed, wanted, run.existing.setdefault(model.table, {}))))
            feeds.append(("bundle", ((Where(str(path), model.table, None, pointers[(model.table, i)]),
                                      bundle_key(model, row), row) for i, row in enumerate(bundle_rows))))
            check_table(run, model, feeds)
        run.rules.finish(run.keys["sources"])
    place_issues(run, path)


def vouched(descriptor_file: Path, paths: dict[str, Path]) -> bool:
    """Whether a kept verdict vouches for the dataset's files as they are now."""
    from cbcf_data.check import verdict

    tables_root = paths["meetings"].parent if "meetings" in paths else descriptor_file.parent
    return verdict.vouched(verdict.digest(descriptor_file, paths, tables_root))


def check_padding(run: Run, path: Path, rows: dict[str, list[dict[str, Any]]],
                  pointers: dict[tuple[str, int], str]) -> None:
    """A text value that starts or ends with a space or a line break (`padded-value`): a bundle is
    typed by hand, and " Ottawa" would silently differ from "Ottawa" everywhere it is compared."""
    run.report.checks.add("padded-value")
    for table, table_rows in rows.items():
        for index, row in enumerate(table_rows):
            for name, value in row.items():
                if isinstance(value, str) and value and value != value.strip():
                    run.emit("padded-value", f"{name} starts or ends with a space or a line break",
                             Where(str(path), table, None, pointers[(table, index)]), field=name, value=value,
                             hint="remove the spaces or line breaks at its start and end")


def place_issues(run: Run, path: Path) -> None:
    """Give each issue found in the bundle the line and column its JSON pointer names."""
    placed = [i for i, issue in enumerate(run.report.issues) if issue.path == str(path) and issue.pointer]
    if not placed:
        return
    try:
        found = positions.pointer_positions(read_text(path, limits.DOCUMENT_BYTES))
    except ReadError:
        return
    for index in placed:
        issue = run.report.issues[index]
        at = positions.locate(issue.pointer or "", found)
        if at is not None:
            run.report.issues[index] = replace(issue, line=at[0], column=at[1])


def check_shape(run: Run, document: dict[str, Any], path: str) -> None:
    """The bundle's top level: known keys only, lists of objects, and a `meeting` object."""
    allowed = set(bundling.KEYS) | {"$schema"}
    for key, value in document.items():
        where = Where(path, None, None, f"/{escape(key)}")
        if key not in allowed:
            near = close_match(str(key), sorted(allowed))
            run.emit("unknown-field", f"{str(key)[:80]!r} is not a part of a bundle", where, value=key,
                     hint=f"did you mean `{near}`?" if near else f"bundle keys are: {', '.join(sorted(allowed))}")
        elif key not in ("meeting", "$schema") and not isinstance(value, list):
            run.emit("not-a-list", f"{key} must be a list", where, value=value)
        elif isinstance(value, list) and key != "sources":
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    run.emit("not-an-object", f"each entry of {key} must be an object with fields",
                             Where(path, None, None, f"/{key}/{index}"), value=item)
    if not isinstance(document.get("meeting"), dict):
        run.emit("required", "the bundle needs a `meeting` object", Where(path, "meetings", None, "/meeting"),
                 hint="see records/templates/meeting.yaml")


def _capture(model: type[Record], feed: Iterable[Row | Batch], wanted: set[str],
             store: dict[str, dict[str, Any]]) -> Iterator[Row | Batch]:
    """The dataset's rows (and batches of them), keeping the cells of those the bundle also
    holds (to compare them).

    A row's ID (`record_id`) is only built when its key could be one of `wanted`: its key, or a
    composite key's first part, is the start of a wanted ID (or holds a `/` itself)."""
    if not wanted:
        yield from feed
        return
    firsts = {name.split("/", 1)[0] for name in wanted}
    cells_of = csvfiles.cells_of(tuple(model.model_fields))

    def wanted_id(key: Any) -> str | None:
        first = key if type(key) is str else key[0] if key else ""
        return found if (first in firsts or "/" in first) and (found := record_id(key)) in wanted else None

    for item in feed:
        if type(item) is Batch:
            for index, key in enumerate(item.keys):
                if (found := wanted_id(key)) is not None:
                    store[found] = cells_of(item.rows[index])
        elif (found := wanted_id(item[1])) is not None:
            store[found] = cast("Row", item)[2]
        yield item


def bundle_key(model: type[Record], row: dict[str, Any]) -> Any:
    """A bundle row's key as the keys table holds it: a single key's text, a composite key's tuple."""
    if len(model.primary_key) == 1:
        value = row.get(model.primary_key[0])
        return value if type(value) is str else str(value)
    return tuple(row.get(field) for field in model.primary_key)


def accepted(model: Any, rows: list[dict[str, Any]]) -> Any:
    """`model` for `check_table` to judge a bundle's `rows` by: when `model.accept` takes every one
    (`value_accepter`), an `Accepted` model, which judges them without Pydantic; else the table's
    model, whose validator judges them all. The rows' records and issues are the same either way."""
    accept = value_accepter(model.table)
    if accept is None or not all(accept(row) is not None for row in rows):
        return model
    return Accepted(model, accept)


class Accepted:
    """A table's model for `check.rows.check_table` whose validator (`__pydantic_validator__`, as
    `check.rows` calls it for a bundle's rows) is `model.accept`'s: every row it is given was taken
    by it (see `accepted`). What `check.rows` reads of a model besides is the declared model's
    (`model.declared`); anything else, and a row not taken after all, is the Pydantic model's."""

    def __init__(self, declared: Any, accept: Any) -> None:
        self.declared, self.accept = declared, accept
        self.table, self.__name__ = declared.table, declared.__name__
        self.primary_key, self.foreign_keys, self.model_fields = \
            declared.primary_key, declared.foreign_keys, declared.model_fields
        self.__pydantic_validator__ = self

    def validate_python(self, row: dict[str, Any]) -> Any:
        record = self.accept(row)
        return record if record is not None else pydantic_model(self.declared).__pydantic_validator__.validate_python(row)

    def __getattr__(self, name: str) -> Any:
        return getattr(pydantic_model(self.declared), name)
