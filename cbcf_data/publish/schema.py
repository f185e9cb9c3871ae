"""Generated files: JSON Schemas in `schema/`, the Table Schemas inside `datapackage.json`, and
the generated documentation (`docs/data-dictionary.md`, the codelist block of CONTRIBUTING.md).

The models are the one source of truth. `generate()` returns every generated file's text by
path; `write()` writes them; `check()` says which committed files differ and how.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from cbcf_data._version import __version__
from cbcf_data.model.table_schema import table_schema
from cbcf_data.model.tables import MODELS, Record
from cbcf_data.publish import citation, coverage, docs
from cbcf_data.publish.describe import codelists_document as codelists_document  # part of this module's interface
from cbcf_data.publish.describe import dumps as dumps  # part of this module's interface

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATA_RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"



def row_schema(model: type[Record]) -> dict[str, Any]:
    """JSON Schema 2020-12 of one table's row."""
    schema = model.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = model.table
    schema["examples"] = [model.model_validate(model.example).model_dump(exclude_none=True)]
    return schema


def bundle_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a meeting bundle."""
    from cbcf_data.model.bundle import Bundle

    schema = Bundle.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = "CBCF meeting bundle"
    schema["properties"]["$schema"] = {"type": "string", "description": "Optional: the bundle schema's address."}
    return schema


def release_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of the JSON release document."""
    from cbcf_data.model.bundle import Release

    schema = Release.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = "cbcf-data JSON release"
    return schema




def resource(model: type[Record]) -> dict[str, Any]:
    """The data package resource describing one table's CSV file."""
    return {
        "$schema": DATA_RESOURCE_PROFILE,
        "name": model.table,
        "path": f"records/{model.table}.csv",
        "type": "table",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": (model.__doc__ or "").strip(),
        "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\n", "quoteChar": '"'},
        "schema": table_schema(model),
    }


def descriptor(current: dict[str, Any]) -> dict[str, Any]:
    """The descriptor with its generated parts (profile, version, resources) brought up to date.

    Everything else (title, licenses, sources, contributors, keywords) is kept as written.
    """
    updated = dict(current)
    updated["$schema"] = DATA_PACKAGE_PROFILE
    updated["version"] = __version__
    updated["resources"] = [resource(model) for model in MODELS]
    return updated


def schema_files() -> dict[str, str]:
    """The files of schema/ by name: each table row's, the bundle's and the release's JSON Schema, the codelists."""
    files = {f"{model.table}.schema.json": dumps(row_schema(model)) for model in MODELS}
    files["bundle.schema.json"] = dumps(bundle_schema())
    files["release.schema.json"] = dumps(release_schema())
    files["codelists.json"] = dumps(codelists_document())
    return files


def generate(root: Path) -> dict[Path, str]:
    """Every generated file's expected text, by path under the repository root."""
    files = {root / "schema" / name: text for name, text in schema_files().items()}
    descriptor_file = root / "datapackage.json"
    current = json.loads(committed(descriptor_file, root) or "{}")
    files[descriptor_file] = dumps(descriptor(current))
    files[root / "docs" / "data-dictionary.md"] = docs.data_dictionary()
    if (root / "CITATION.cff").exists() or (root / "pyproject.toml").exists():
        files[root / "CITATION.cff"] = citation.citation_cff()
    guide = root / "CONTRIBUTING.md"
    if guide.exists():
        files[guide] = docs.contributing(committed(guide, root), root)
    readme = root / "README.md"
    if readme.exists():
        from cbcf_data.dataset import load

        files[readme] = citation.readme_block(coverage.readme(committed(readme, root), load(root)))
    return files


def committed(path: Path, root: Path) -> str:
    """A generated file's committed text ("" when absent): a regular file inside the repository,
    never read through a link (its diff is printed), within the document limit."""
    from cbcf_data.errors import UnusableInputError
    from cbcf_data.io import limits
    from cbcf_data.io.files import ReadError, read_text

    if not os.path.lexists(path):
        return ""
    try:
        return read_text(path, limits.DOCUMENT_BYTES, root)
    except ReadError as error:
        raise UnusableInputError(f"{path}: {error.message}") from None


def write(root: Path) -> list[Path]:
    """Regenerate every generated file under root, all or none, under the dataset's lock; return
    the paths whose text changed."""
    from cbcf_data.io import writes

    with writes.writing(root):
        return writes.replace_files(root, generate(root))


def write_files(root: Path, files: dict[Path, str]) -> list[Path]:
    """Write the given files under `root`, all or none, under the dataset's lock; return the paths
    whose text changed."""
    from cbcf_data.io import writes

    with writes.writing(root):
        return writes.replace_files(root, files)


def check(root: Path) -> list[str]:
    """Unified diffs (committed → expected) of every stale generated file; empty when all agree."""
    from cbcf_data.io import writes

    diffs = []
    with writes.reading(root):  # no half-written change is compared
        for path, text in generate(root).items():
            current = committed(path, root)
            if current != text:
                name = str(path.relative_to(root))
                diffs.append("".join(difflib.unified_diff(
                    current.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"{name} (committed)", tofile=f"{name} (generated)",
                )))
    return diffs
