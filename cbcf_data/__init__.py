"""The U.S.-Canada Cross-Border Crime Forum dataset: meetings, people, commitments and outcomes.

    >>> import cbcf_data
    >>> ds = cbcf_data.load()
    >>> ds.meetings["cbcf-2024"].city
    'Washington'

Importing this package is cheap: it brings the loader (standard library only); models,
validation and release code load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset, Table, load
from cbcf_data.errors import CbcfDataError, InvalidDataError, UnusableInputError

if TYPE_CHECKING:
    from cbcf_data.publish.citation import cite
    from cbcf_data.check.validate import validate

__all__ = [
    "CbcfDataError",
    "Dataset",
    "InvalidDataError",
    "Table",
    "UnusableInputError",
    "__version__",
    "cite",
    "load",
    "validate",
]

_LAZY = {
    "cite": "cbcf_data.publish.citation",
    "validate": "cbcf_data.check.validate",
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
