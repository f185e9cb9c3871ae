"""A contributed meeting bundle as validation input: its shape first, then its rows checked
through the same layers as the dataset's, together with the dataset it would join."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cbcf_data.check.descriptor import check_descriptor
from cbcf_data.check.explain import close_match
from cbcf_data.check.report import Where
from cbcf_data.check.rows import check_table
from cbcf_data.check.rules import CHECKS, Rules
from cbcf_data.check.state import Row, Run, Stop, escape
from cbcf_data.check.structure import csv_feed
from cbcf_data.io import package
from cbcf_data.io.readers import ReadError, read_document
from cbcf_data.model.tables import MODELS, Record


def check_bundle(run: Run, path: Path, dataset: str | Path | None) -> None:
    """Check a bundle's shape and rows, and its rows against the dataset they would join."""
    from cbcf_data.model import bundle as bundles

    try:
        document = read_document(path)
    except ReadError as error:
        run.unusable(error.code, error.message, str(path), error.line, error.hint)
        raise Stop from None
    if not isinstance(document, dict):
        run.unusable("not-a-bundle", "a bundle is an object with a `meeting` and its rows", str(path),
                     hint="start from records/templates/meeting.yaml")
        raise Stop
    check_shape(run, document, str(path))
    rows, pointers = bundles.to_rows(document)
    descriptor_file = package.descriptor_path(None) if dataset is None else package.descriptor_of(Path(dataset))
    paths = check_descriptor(run, descriptor_file)
    run.rules = Rules(run.emit, paths["meetings"].parent if "meetings" in paths else None, descriptor_file.parent)
    run.report.checks.update(CHECKS)
    for model in MODELS:
        feeds: list[tuple[str, Iterable[Row]]] = []
        if model.table in paths:
            feeds.append(("dataset", csv_feed(run, model, paths[model.table])))
        bundle_rows = rows.get(model.table, [])
        feeds.append(("bundle", ((Where(str(path), model.table, None, pointers[(model.table, i)]), bundle_key(model, row), row)
                                 for i, row in enumerate(bundle_rows))))
        check_table(run, model, feeds)
    run.rules.finish(run.keys["sources"])


def check_shape(run: Run, document: dict[str, Any], path: str) -> None:
    """The bundle's top level: known keys only, lists of objects, and a `meeting` object."""
    from cbcf_data.model.bundle import Bundle

    allowed = set(Bundle.model_fields) | {"$schema"}
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


def bundle_key(model: type[Record], row: dict[str, Any]) -> Any:
    """A bundle row's key as the keys table holds it: a single key's text, a composite key's tuple."""
    if len(model.primary_key) == 1:
        value = row.get(model.primary_key[0])
        return value if type(value) is str else str(value)
    return tuple(row.get(field) for field in model.primary_key)
