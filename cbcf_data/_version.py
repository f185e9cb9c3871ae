"""The dataset's one version: the package, datapackage.json, releases and CITATION.cff read it."""

__version__ = "2.0.2"
#: The day this version was released (YYYY-MM-DD): citations' year and CITATION.cff's date-released.
#: `cbcf-data bump` sets both lines.
RELEASED = "2026-11-29"
