"""`export_bundle`: one meeting of a dataset as a bundle, the form `import` takes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cbcf_data.dataset import load
from cbcf_data.edit.owned import meeting_rows, taken
from cbcf_data.edit.splicing import split_rows
from cbcf_data.errors import UnusableInputError
from cbcf_data.io import package, writes
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES


def export_bundle(meeting_id: str, dataset: str | Path | None = None) -> dict[str, Any]:
    """The bundle of one meeting: its rows and the reference rows no other meeting uses. The
    tables are streamed (`edit.owned`) and only those rows are typed; a bad one raises
    InvalidDataError naming its file and line."""
    from pydantic import ValidationError

    descriptor_file = package.descriptor_path(dataset)
    with writes.reading(descriptor_file.parent):
        before, after = meeting_rows(descriptor_file, meeting_id, missing="")
    try:
        typed = {name: [TABLES[name].model_validate(row).model_dump() for row in rows]
                 for name, rows in taken(before, after).items()}
    except ValidationError:  # read again to name the bad row's file and line
        return _export_loaded(meeting_id, dataset)
    return bundles.from_rows(meeting_id, typed)


def _export_loaded(meeting_id: str, dataset: str | Path | None) -> dict[str, Any]:
    """`export_bundle` through `load`: its records name their file and line when they are bad."""
    ds = load(dataset)
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}; meetings are: {', '.join(ds.meetings)}")
    _, _, split = split_rows(ds, meeting_id)
    typed = {name: [ds.table(name)[ds.table(name).key_of(row)].model_dump() for row in rows]
             for name, rows in split.items()}
    return bundles.from_rows(meeting_id, typed)
