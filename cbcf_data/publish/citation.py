"""How to cite the dataset: `cite()`, in agreement with CITATION.cff (a test holds them together)."""

from __future__ import annotations

from cbcf_data._version import __version__

TITLE = "cbcf-data: U.S.–Canada Cross-Border Crime Forum dataset"
AUTHOR = "cbcf-data contributors"
LICENSE = "CC-BY-4.0"


def cite() -> str:
    """A citation of this version of the dataset, in one line."""
    return f"{AUTHOR}. {TITLE} (version {__version__}) [Data set]. Licence {LICENSE}."
