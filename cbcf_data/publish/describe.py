"""What a release says about itself: its facts (title, version, licence, citation, provenance), the
codelists and topic hierarchy as rows, the status crosswalk as CSV, the licence's text, and the
Datasette metadata that labels every table and column.

Everything here is computed from the models, codelists, citation facts and data, so two builds of
one commit are identical. Only `datasette_metadata` reads the Pydantic models (their Table
Schemas and docstrings): the rest is what the release's SQLite builder needs, without them.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from cbcf_data import signals
from cbcf_data.dataset import Dataset
from cbcf_data.dataset.hierarchy import parent_field
from cbcf_data.io import package
from cbcf_data.model import codelists
from cbcf_data.model.declared import MODELS
from cbcf_data.publish import citation

#: The SQLite file's name: without dots, so that Datasette's links to rows resolve (it would
#: tilde-encode `cbcf-data-1.0.0` in some links and not in others); the version is inside.
SQLITE = "cbcf-data.sqlite"
#: Views of the SQLite file, with what a row of each is.
VIEW_DESCRIPTIONS = {
    "commitments_detail": "Each commitment with its meeting's date and year, and its topics' labels.",
    "attendance_detail": "Each attendance with the person's name and the organization's name.",
    "meetings_detail": "Each meeting with its year and the first and last day its date may mean, for date arithmetic.",
    "assessments_dated": "Each assessment with the first and last day its as_of may mean.",
    "status_as_of": "The latest assessment of each commitment for each party (by latest, then earliest day); "
                    "the README gives the query for a cut-off date.",
}

#: The views' SQL (`sqlite.finish_database` creates them).
VIEWS = {
    "commitments_detail": """
        SELECT c.id, c.meeting_id, m.start_date AS meeting_date, CAST(substr(m.start_date, 1, 4) AS INTEGER)
               AS meeting_year, m.date_basis AS meeting_date_basis, c.summary, c.modality, c.parties,
               (SELECT group_concat(label, '; ') FROM (
                    SELECT t.label FROM commitment_topics ct JOIN topics t ON t.id = ct.topic_id
                    WHERE ct.commitment_id = c.id ORDER BY t.label)) AS topic_labels,
               c.quote, c.source_id
        FROM commitments c JOIN meetings m ON m.id = c.meeting_id""",
    "attendance_detail": """
        SELECT a.meeting_id, m.start_date AS meeting_date, a.person_id, p.name, a.role, a.capacity,
               a.delegation, a.organization_id, o.name AS organization_name, a.status, a.source_id
        FROM attendances a JOIN people p ON p.id = a.person_id JOIN meetings m ON m.id = a.meeting_id
        LEFT JOIN organizations o ON o.id = a.organization_id""",
    "meetings_detail": """
        SELECT m.id, m.phase, m.sequence, CAST(substr(m.start_date, 1, 4) AS INTEGER) AS year, m.start_date,
               m.end_date, m.date_precision, m.date_basis,
               CASE m.date_precision WHEN 'day' THEN m.start_date WHEN 'month' THEN m.start_date || '-01'
                    ELSE m.start_date || '-01-01' END AS earliest_date,
               CASE m.date_precision WHEN 'day' THEN coalesce(m.end_date, m.start_date)
                    WHEN 'month' THEN date(coalesce(m.end_date, m.start_date) || '-01', '+1 month', '-1 day')
                    ELSE coalesce(m.end_date, m.start_date) || '-12-31' END AS latest_date,
               m.city, m.subdivision, m.host_country,
               (SELECT count(*) FROM attendances a WHERE a.meeting_id = m.id) AS attendances,
               (SELECT count(*) FROM commitments c WHERE c.meeting_id = m.id) AS commitments
        FROM meetings m""",
    # Each assessment with the first and last day its as_of may mean (a partial date spans days).
    "assessments_dated": """
        SELECT a.*,
               CASE length(a.as_of) WHEN 10 THEN a.as_of WHEN 7 THEN a.as_of || '-01' ELSE a.as_of || '-01-01' END
                   AS earliest_date,
               CASE length(a.as_of) WHEN 10 THEN a.as_of WHEN 7 THEN date(a.as_of || '-01', '+1 month', '-1 day')
                   ELSE a.as_of || '-12-31' END AS latest_date
        FROM assessments a""",
    # The latest assessment of each commitment for each party (by latest, then earliest day); for a
    # cut-off, the README's query adds `WHERE latest_date <= :date` on both sides.
    "status_as_of": """
        SELECT d.commitment_id, d.party, d.as_of, d.earliest_date, d.latest_date, d.status, d.source_id, d.note
        FROM assessments_dated d
        WHERE NOT EXISTS (SELECT 1 FROM assessments_dated e WHERE e.commitment_id = d.commitment_id
                          AND e.party = d.party AND (e.latest_date > d.latest_date
                              OR (e.latest_date = d.latest_date AND e.earliest_date > d.earliest_date)))""",
}


def about(descriptor: dict[str, Any], folder: Path | None) -> dict[str, Any]:
    """The release's facts: name, title, version, release day, licence, citation, URL, DOI, build."""
    facts = citation.facts()
    return {
        "name": "cbcf-data", "title": facts["title"], "description": descriptor.get("description", citation.ABSTRACT),
        "version": facts["version"], "released": facts["released"], "url": facts["url"], "doi": facts["doi"],
        "license": {"name": citation.LICENSE, "path": citation.LICENSE_URL, "title": citation.LICENSE_TITLE},
        "citation": citation.cite("text"), "build": build(folder),
    }


def build(folder: Path | None) -> dict[str, Any]:
    """Where the release was built from: the git commit of the dataset's folder (None outside git),
    and whether anything under that folder differs from the commit. Git runs with the stops held
    back (`signals`): one raised inside `subprocess.run` just after the fork left git unwaited for."""
    if folder is None:
        return {"commit": None, "modified": None}
    try:
        with signals.held():
            commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                                    text=True, timeout=30)
            if commit.returncode:
                return {"commit": None, "modified": None}
            status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no",
                                     "--", "."], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "modified": None}
    return {"commit": commit.stdout.strip(), "modified": bool(status.stdout.strip()) if not status.returncode else None}


def metadata_rows(facts: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The release's facts as (key, value) rows."""
    return [("name", facts["name"]), ("title", facts["title"]), ("version", facts["version"]),
            ("released", facts["released"]), ("description", facts["description"]),
            ("license", facts["license"]["name"]), ("license_url", facts["license"]["path"]),
            ("citation", facts["citation"]), ("url", facts["url"]), ("doi", facts["doi"]),
            ("build_commit", facts["build"]["commit"]),
            ("build_modified", None if facts["build"]["modified"] is None else str(facts["build"]["modified"]).lower())]


def dumps(value: Any) -> str:
    """The one JSON form of generated files: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def codelists_document() -> dict[str, Any]:
    """Every codelist with each code's label, French label and definition."""
    return {
        name: {code: entry._asdict() for code, entry in codelist.items()}
        for name, codelist in codelists.CODELISTS.items()
    }


def codelist_rows() -> list[dict[str, str | None]]:
    """Every code of every codelist, as rows (codelist, code, label, label_fr, definition)."""
    return [{"codelist": name, "code": code, "label": entry.label, "label_fr": entry.label_fr or None,
             "definition": entry.definition}
            for name, codelist in sorted(codelists.CODELISTS.items()) for code, entry in codelist.items()]


def hierarchies() -> list[str]:
    """The tables whose rows form a hierarchy (topics, organizations)."""
    return [model.table for model in MODELS if parent_field(model) is not None]


def closures(ds: Dataset) -> dict[str, list[tuple[str, str, int]]]:
    """(ancestor, descendant, depth) of every table with a hierarchy, each row with itself at depth 0."""
    return {table: ds.table(table).tree.closure(ds.table(table)) for table in hierarchies()}


def column_description(model: Any, field: dict[str, Any]) -> str:
    """A column's description, with its codes and labels when it is coded."""
    from cbcf_data.model.table_schema import codelists_of

    codelist = codelists_of(model).get(field["name"])
    text = field.get("description", "")
    if codelist is not None:
        codes = "; ".join(f"{code} = {entry.label}" for code, entry in codelists.CODELISTS[codelist].items())
        text += f" Codes ({codelist}): {codes}."
    return text


def datasette_metadata(facts: dict[str, Any]) -> dict[str, Any]:
    """Datasette's metadata.json: title, licence, source, and every table's and column's description."""
    from cbcf_data.model.table_schema import codelists_of, table_schema
    from cbcf_data.model.tables import MODELS as RECORD_MODELS

    tables: dict[str, Any] = {}
    for model in RECORD_MODELS:
        entry: dict[str, Any] = {"description": (model.__doc__ or "").strip(),
                                 "columns": {f["name"]: column_description(model, f)
                                             for f in table_schema(model)["fields"]}}
        if "label" in model.model_fields and "name" not in model.model_fields:
            entry["label_column"] = "label"
        facets = [name for name in codelists_of(model) if name not in model.primary_key][:3]
        if facets:
            entry["facets"] = facets
        tables[model.table] = entry
    tables["codelists"] = {"description": "Every code of every coded column, with its English and French "
                                          "labels and its definition.", "label_column": "label"}
    for table in hierarchies():
        tables[f"{table}_closure"] = {"description": f"Each {table} row with each of its broader rows "
                                                     "(ancestor_id), itself at depth 0: join on descendant_id to "
                                                     "include narrower rows."}
    tables["status_crosswalk"] = {"description": "Each assessment status beside the G7 Research Group compliance "
                                                 "score and the OGP IRM level of completion (empty: no equivalent; "
                                                 "note says why).", "label_column": "status"}
    tables["metadata"] = {"description": "The release's facts: version, licence, citation, provenance."}
    tables.update({view: {"description": text} for view, text in VIEW_DESCRIPTIONS.items()})
    return {
        "title": f"{facts['title']} ({facts['version']})", "description": facts["description"],
        "license": facts["license"]["title"], "license_url": facts["license"]["path"],
        "source": "cbcf-data", "source_url": facts["url"],
        "databases": {SQLITE.removesuffix(".sqlite"): {"description": facts["citation"], "tables": tables}},
    }


def crosswalk_csv() -> str:
    """The status crosswalk as canonical CSV, in codelist order."""
    from cbcf_data.model.crosswalks import FIELDS, rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows():
        writer.writerow(["" if row[f] is None else row[f] for f in FIELDS])
    return buffer.getvalue()


def licence_text(source: Path | None) -> bytes:
    """The data licence's text: the dataset's own LICENSE-DATA, else the packaged one."""
    for folder in (source, package.packaged_root()):
        if folder is not None and (folder / "LICENSE-DATA").is_file():
            return (folder / "LICENSE-DATA").read_bytes()
    return f"{citation.LICENSE_TITLE} ({citation.LICENSE}): {citation.LICENSE_URL}\n".encode()
