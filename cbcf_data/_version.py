"""The dataset's one version: the package, datapackage.json, releases and CITATION.cff read it."""

__version__ = "1.0.0"
