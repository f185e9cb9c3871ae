"""The U.S.-Canada Cross-Border Crime Forum dataset: meetings, people, commitments and outcomes.

    >>> import cbcf_data
    >>> ds = cbcf_data.load()
    >>> ds.meetings["cbcf-2024"].city
    'Washington'

Importing this package is cheap: it brings the loader (standard library only); models,
validation and release code load on first use.

The package is built in layers, each importing only those below it (ARCHITECTURE.md; a test
holds it): `model` (what a record is) → `io` (files on disk) → `dataset` (the data in memory)
→ `check` (validation) → `publish` (schemas, docs, releases, diff) and `edit` (import, export,
fmt) → `cli` (the command). This module re-exports the public names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset, Table, load
from cbcf_data.dataset.tables import RetiredIdWarning
from cbcf_data.errors import CbcfDataError, InvalidDataError, NotFoundError, UnusableInputError
from cbcf_data.model.dates import PartialDate

if TYPE_CHECKING:
    from cbcf_data.check.report import Issue, Report
    from cbcf_data.check.validate import validate
    from cbcf_data.model.tables import (
        Assessment,
        Attendance,
        Commitment,
        CommitmentTopic,
        Instrument,
        InstrumentMention,
        InstrumentParty,
        Meeting,
        MeetingSource,
        MeetingTopic,
        Organization,
        Person,
        Record,
        RetiredId,
        Source,
        Topic,
    )
    from cbcf_data.publish.citation import cite

_MODELS = ("Assessment", "Attendance", "Commitment", "CommitmentTopic", "Instrument", "InstrumentMention",
           "InstrumentParty", "Meeting", "MeetingSource", "MeetingTopic", "Organization", "Person", "Record",
           "RetiredId", "Source", "Topic")

__all__ = [
    "Assessment",
    "Attendance",
    "CbcfDataError",
    "Commitment",
    "CommitmentTopic",
    "Dataset",
    "Instrument",
    "InstrumentMention",
    "InstrumentParty",
    "InvalidDataError",
    "Issue",
    "Meeting",
    "MeetingSource",
    "MeetingTopic",
    "NotFoundError",
    "Organization",
    "PartialDate",
    "Person",
    "Record",
    "Report",
    "RetiredId",
    "RetiredIdWarning",
    "Source",
    "Table",
    "Topic",
    "UnusableInputError",
    "__version__",
    "cite",
    "load",
    "validate",
]

#: Public names imported on first use, so that `import cbcf_data` does not load Pydantic.
_LAZY = {
    "cite": "cbcf_data.publish.citation",
    "validate": "cbcf_data.check.validate",
    "Issue": "cbcf_data.check.report",
    "Report": "cbcf_data.check.report",
    **{name: "cbcf_data.model.tables" for name in _MODELS},
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cbcf_data' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
