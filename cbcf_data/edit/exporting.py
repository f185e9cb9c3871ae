"""`export_bundle`: one meeting of a dataset as a bundle, the form `import` takes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cbcf_data.dataset import load
from cbcf_data.edit.splicing import split_rows
from cbcf_data.errors import UnusableInputError
from cbcf_data.model import bundle as bundles


def export_bundle(meeting_id: str, dataset: str | Path | None = None) -> dict[str, Any]:
    """The bundle of one meeting: its rows and the reference rows no other meeting uses. Only
    those rows are typed; the rest of the dataset is read as cells."""
    ds = load(dataset)
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}; meetings are: {', '.join(ds.meetings)}")
    _, _, taken = split_rows(ds, meeting_id)
    # Only the meeting's rows are typed (a bad one raises InvalidDataError naming its file and line).
    typed = {name: [ds.table(name)[ds.table(name).key_of(row)].model_dump() for row in rows]
             for name, rows in taken.items()}
    return bundles.from_rows(meeting_id, typed)
