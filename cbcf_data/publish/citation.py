"""How to cite the dataset: `cite()` in four formats, and the CITATION.cff it agrees with.

One set of facts (title, authors, version, release date, URL, licence, identifier) feeds every
form: the text citation, BibTeX, CSL-JSON (Zotero, Pandoc), RIS (EndNote, Mendeley), the
generated CITATION.cff, the release's README, JSON document and SQLite metadata.
"""

from __future__ import annotations

import json
from typing import Any

from cbcf_data._version import RELEASED, __version__

TITLE = "cbcf-data: U.S.–Canada Cross-Border Crime Forum dataset"
AUTHOR = "cbcf-data contributors"
LICENSE = "CC-BY-4.0"
LICENSE_TITLE = "Creative Commons Attribution 4.0 International"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: Where the dataset is published: its package page (releases, README, the library).
URL = "https://pypi.org/project/cbcf-data/"
#: The dataset's persistent identifier, once one is minted (e.g. a Zenodo DOI "10.5281/zenodo.…");
#: every citation format and CITATION.cff carry it from then on.
DOI: str | None = None
ABSTRACT = ("Meetings of the U.S.–Canada Cross-Border Crime Forum (1997–2024), the people who took part, "
            "the commitments made and what became of them, every fact with its source.")
KEYWORDS = ("Canada", "United States", "cross-border crime", "law enforcement", "Cross-Border Crime Forum")
FORMATS = ("text", "bibtex", "csl-json", "ris")


def facts(version: str = __version__, released: str = RELEASED) -> dict[str, Any]:
    """The facts every citation is made of."""
    return {"title": TITLE, "author": AUTHOR, "version": version, "released": released, "year": int(released[:4]),
            "url": URL, "doi": DOI, "license": LICENSE, "license_url": LICENSE_URL}


def cite(format: str = "text", version: str = __version__, released: str = RELEASED) -> str:
    """A citation of this version of the dataset: `text` (one line), `bibtex`, `csl-json` or `ris`."""
    writers = {"text": _text, "bibtex": _bibtex, "csl-json": _csl_json, "ris": _ris}
    if format not in writers:
        from cbcf_data.errors import NotFoundError

        raise NotFoundError(f"no citation format {format!r}; formats are: {', '.join(FORMATS)}")
    return writers[format](facts(version, released))


START, END = "<!-- generated:citation:start -->", "<!-- generated:citation:end -->"


def readme_block(text: str, version: str = __version__, released: str = RELEASED) -> str:
    """README.md with its generated citation (between the citation markers) brought up to date."""
    if START not in text or END not in text:
        return text
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{cite('text', version, released)}\n{END}{after}"


def _link(f: dict[str, Any]) -> str:
    return f"https://doi.org/{f['doi']}" if f["doi"] else f["url"]


def _text(f: dict[str, Any]) -> str:
    return (f"{f['author']} ({f['year']}). {f['title']} (Version {f['version']}) [Data set]. {_link(f)}. "
            f"Licence {f['license']}.")


def _bibtex(f: dict[str, Any]) -> str:
    key = "cbcf_data_" + f["version"].replace(".", "_")
    title = f["title"].replace("–", "--")  # the en dash as BibTeX writes it
    lines = [f"@misc{{{key},", f"  author = {{{{{f['author']}}}}},", f"  title = {{{{{title}}}}},",
             f"  year = {{{f['year']}}},", f"  version = {{{f['version']}}},",
             f"  howpublished = {{Data set, version {f['version']}}},", f"  url = {{{f['url']}}},"]
    if f["doi"]:
        lines.append(f"  doi = {{{f['doi']}}},")
    lines += [f"  note = {{Licence {f['license']}}},", "}"]
    return "\n".join(lines) + "\n"


def _csl_json(f: dict[str, Any]) -> str:
    year, month, day = (int(part) for part in f["released"].split("-"))
    item: dict[str, Any] = {
        "id": f"cbcf-data-{f['version']}", "type": "dataset", "title": f["title"],
        "author": [{"literal": f["author"]}], "issued": {"date-parts": [[year, month, day]]},
        "version": f["version"], "URL": f["url"], "license": f["license"], "medium": "Data set",
    }
    if f["doi"]:
        item["DOI"] = f["doi"]
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def _ris(f: dict[str, Any]) -> str:
    lines = ["TY  - DATA", f"AU  - {f['author']}", f"TI  - {f['title']}", f"PY  - {f['year']}",
             f"DA  - {f['released'].replace('-', '/')}", f"ET  - {f['version']}", f"UR  - {f['url']}"]
    if f["doi"]:
        lines.append(f"DO  - {f['doi']}")
    lines += [f"N1  - Licence {f['license']}", "ER  - "]
    return "\n".join(lines) + "\n"


def citation_cff(version: str = __version__, released: str = RELEASED) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for a version released on a day (YYYY-MM-DD)."""
    f = facts(version, released)
    lines = [
        "# Generated from cbcf_data/publish/citation.py by `cbcf-data schema`; `cbcf-data bump` sets version",
        "# and date-released.",
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite it as below."',
        "type: dataset",
        f'title: "{f["title"]}"',
        f"version: {version}",
        f"date-released: {released}",
        "authors:",
        f'  - name: "{f["author"]}"',
        f"license: {f['license']}",
        f"url: {f['url']}",
        f"repository-artifact: {f['url']}",
    ]
    if f["doi"]:
        lines += [f"doi: {f['doi']}", "identifiers:", "  - type: doi", f"    value: {f['doi']}"]
    lines += ["keywords:", *(f"  - {keyword}" for keyword in KEYWORDS), "abstract: >-",
              *_folded(ABSTRACT, "  ")]
    return "\n".join(lines) + "\n"


def _folded(text: str, indent: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent)
