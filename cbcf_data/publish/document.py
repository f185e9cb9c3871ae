"""The release's JSON document (`cbcf-data-<version>.json`): its facts, the codelists, every
meeting as a bundle, the reference tables; written member by member and meeting by meeting."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from cbcf_data.dataset import Dataset
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES
from cbcf_data.publish import describe
from cbcf_data.publish.output import HashingFile


def release_document(ds: Dataset, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON release: its facts, the codelists, every meeting as a bundle, the reference tables
    (rows of a hierarchy with their `ancestors`, nearest first, and `descendants`)."""
    return {key: value() for key, value in document_parts(ds, facts).items()}


def document_parts(ds: Dataset, facts: dict[str, Any] | None = None) -> dict[str, Callable[[], Any]]:
    """The JSON release's top-level members, each computed only when asked for."""
    from cbcf_data.dataset.asof import latest_assessments
    from cbcf_data.model import crosswalks
    from cbcf_data.publish.schema import codelists_document

    facts = facts or describe.about({}, None)

    def dumped(table: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in record.model_dump().items() if v is not None} for record in ds.table(table).values()]

    def reference(table: str) -> list[dict[str, Any]]:
        rows = dumped(table)
        if table in describe.hierarchies():
            tree = ds.table(table).tree
            for row in rows:
                row["ancestors"], row["descendants"] = tree.ancestors(row["id"]), tree.descendants(row["id"])
        return rows

    def meetings() -> list[dict[str, Any]]:
        tables = [t for t in TABLES if t not in (*bundles.NEW_TABLES.values(), "retired_ids")]
        return bundles.all_bundles({t: [record.model_dump() for record in ds.table(t).values()] for t in tables})

    def latest() -> list[dict[str, Any]]:
        return latest_assessments(record.model_dump() for record in ds.assessments.values())

    parts: dict[str, Callable[[], Any]] = {key: functools.partial(_same, value) for key, value in facts.items()}
    parts.update({"codelists": codelists_document, "meetings": meetings, "latest_assessments": latest,
                  "status_crosswalk": crosswalks.rows, "retired_ids": functools.partial(dumped, "retired_ids")})
    parts.update({table: functools.partial(reference, table) for table in bundles.NEW_TABLES.values()})
    return parts


def _same(value: Any) -> Any:
    return value


def write_document(file: HashingFile, ds: Dataset, facts: dict[str, Any]) -> None:
    """The JSON release as one compact line (`json.dumps(release_document(...), sort_keys=True,
    separators=(",", ":"))`'s bytes), written member by member and meeting by meeting: the C
    encoder on each piece, never the whole document as one string."""
    def encode(value: Any) -> bytes:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    parts = document_parts(ds, facts)
    for index, key in enumerate(sorted(parts)):
        file.write((b"{" if index == 0 else b",") + encode(key) + b":")
        value = parts[key]()
        if isinstance(value, list):
            file.write(b"[")
            for position, item in enumerate(value):
                file.write((b"," if position else b"") + encode(item))
            file.write(b"]")
        else:
            file.write(encode(value))
        del value
    file.write(b"}\n")
