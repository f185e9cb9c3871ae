"""`export_bundle`: one meeting of a dataset as a bundle, the form `import` takes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cbcf_data.dataset import load
from cbcf_data.errors import UnusableInputError
from cbcf_data.model import bundle as bundles


def export_bundle(meeting_id: str, dataset: str | Path | None = None) -> dict[str, Any]:
    """The bundle of one meeting: its rows and the reference rows no other meeting uses."""
    ds = load(dataset)
    if meeting_id not in ds.meetings:
        raise UnusableInputError(f"no meeting {meeting_id!r}; meetings are: {', '.join(ds.meetings)}")
    _, taken = bundles.split_meeting(ds.to_rows(), meeting_id)
    return bundles.from_rows(meeting_id, taken)
