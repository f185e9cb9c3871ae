"""The README at the top of a release: what the dataset is, which version, how many rows, how to
cite it, its licence, and what every file is (generated, so it never disagrees with the files)."""

from __future__ import annotations

from typing import Any

from cbcf_data.publish import citation, describe

#: What a release without its website says in place of `site/`.
NO_SITE = ("The website of this version is not included: the dataset has more records or rows than a "
           "release carries a site for (`SITE_RECORDS`, `SITE_ROWS` in `cbcf_data/io/limits.py`). Build it with "
           "`cbcf-data site --dataset DIR --out DIR`, or put it in with `cbcf-data release --site`.")
#: What a release built with `--no-site` says in place of `site/`.
NO_SITE_ASKED = ("The website of this version is not included: the release was built without it (`--no-site`). "
                 "Build it with `cbcf-data site --dataset DIR --out DIR`.")


def files_table(name: str, site: bool = True) -> list[tuple[str, str]]:
    """(path, what it is) for every file and folder of the release (`site/` only when it has one)."""
    files = [
        ("README.md", "this file"),
        ("LICENSE-DATA", f"the licence of everything in the release: {citation.LICENSE_TITLE} ({citation.LICENSE})"),
        ("CITATION.cff", "how to cite this version (Citation File Format; GitHub and Zenodo read it)"),
        ("data-dictionary.md", "every table, field and code, with its meaning"),
        ("csv/", "every table as canonical CSV (UTF-8, comma, LF, empty cell = null), `codelists.csv`, the archived "
                 "source texts under `sources/`, and `datapackage.json` (Frictionless Data Package v2) with each "
                 "file's size and SHA-256"),
        ("excel/", "the same tables for spreadsheets: UTF-8 with BOM, CRLF, formula-like cells prefixed with `'`"),
        ("schema/", "JSON Schemas (2020-12) of a table row, a meeting bundle and the JSON document"),
        (f"{name}.json", "the whole dataset as one JSON document: release facts, codelists, every meeting as a "
                         "bundle and the reference tables (topics and organizations with their `ancestors` and "
                         "`descendants`); schema in `schema/release.schema.json`"),
        (describe.SQLITE, "the same tables with primary and foreign keys, `codelists`, "
                          + ", ".join(f"`{t}_closure`" for t in describe.hierarchies())
                          + " (each row with each broader row, itself at depth 0), a `metadata` table and the views "
                          + ", ".join(f"`{v}`" for v in describe.VIEW_DESCRIPTIONS)),
        ("metadata.json", f"Datasette metadata: `datasette {describe.SQLITE} --metadata metadata.json` shows every "
                          "table and column with its description, the codes' labels, the licence and the source"),
        ("site/", "the website of this version, in English and French: open `site/index.html` (no server needed)"),
        (f"{name}.zip", "everything above in one file"),
        ("SHA256SUMS", "a checksum of every file: `sha256sum -c SHA256SUMS`"),
    ]
    return files if site else [(path, what) for path, what in files if path != "site/"]


def release_readme(counts: dict[str, int], facts: dict[str, Any], name: str, site: bool = True,
                   asked: bool = False) -> str:
    """The release's README.md, with the rows of each table (`counts`, in the tables' order);
    without `site`, it says the website was left out, why (too many records; `asked`: --no-site)
    and how to build it."""
    from cbcf_data.model.tables import MODELS

    rows = ", ".join(f"{counts.get(model.table, 0):,} {model.table.replace('_', ' ')}" for model in MODELS)
    build = facts["build"]
    provenance = (f"Built from commit `{build['commit']}`" + (" with uncommitted changes" if build["modified"] else "")
                  if build["commit"] else "Built outside a git checkout")
    lines = [
        f"# {facts['title']}, version {facts['version']}", "",
        facts["description"], "",
        f"Released {facts['released']}. {rows}. {provenance}.", "",
        "## Files", "", "| file | what it is |", "|---|---|",
        *(f"| `{path}` | {what} |" for path, what in files_table(name, site)),
        *(() if site else ("", NO_SITE_ASKED if asked else NO_SITE)),
        "", "## Use", "",
        "- **Python**: `pip install cbcf-data`, then `cbcf_data.load(\"" + name + ".zip\")` (or this folder, or the "
        "JSON document); every form is checked against the hashes it carries.",
        f"- **SQL**: `sqlite3 {describe.SQLITE}`; commitments on a topic or a narrower one: "
        "`SELECT DISTINCT c.* FROM commitments c JOIN commitment_topics ct ON ct.commitment_id = c.id "
        "JOIN topics_closure tc ON tc.descendant_id = ct.topic_id WHERE tc.ancestor_id = 'drug-trafficking'`.",
        f"- **Datasette**: `datasette {describe.SQLITE} --metadata metadata.json`.",
        "- **Dates** are ISO 8601 text at the precision known (`2024-07-11`, `2023-04`, `1998`; `date_precision` "
        "says which): read them as text, or use `meetings_detail.earliest_date` / `latest_date` for arithmetic.",
        "- **Frictionless**: `frictionless validate csv/datapackage.json` checks every row, key and hash.",
        "", "## Cite", "", facts["citation"], "",
        "BibTeX, CSL-JSON and RIS: `cbcf-data cite --format bibtex` (`csl-json`, `ris`), or CITATION.cff.",
        "", "## Licence", "",
        f"{citation.LICENSE_TITLE} ({citation.LICENSE}): {citation.LICENSE_URL}. Quoted passages in the archived "
        "source texts remain the work of their authors.", "",
    ]
    return "\n".join(lines)
