"""Citations: one set of facts in text, BibTeX, CSL-JSON, RIS and CITATION.cff, and `cbcf-data cite`."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from conftest import ROOT, run_cli
from external_tools import citation_file_format_schema

import cbcf_data
from cbcf_data._version import RELEASED, __version__
from cbcf_data.publish import citation
from cbcf_data.publish.citation import cite


def test_every_format_names_year_version_url_and_licence():
    year = RELEASED[:4]
    for form in citation.FORMATS:
        text = cite(form)
        assert year in text and __version__ in text and citation.URL in text, form
    assert cite("text") == cbcf_data.cite() == (f"cbcf-data contributors ({year}). {citation.TITLE} (Version "
                                                f"{__version__}) [Data set]. {citation.URL}. Licence CC-BY-4.0.")
    item = json.loads(cite("csl-json"))[0]
    assert item["type"] == "dataset" and item["issued"]["date-parts"][0][0] == int(year)
    assert cite("ris").startswith("TY  - DATA\n") and cite("ris").rstrip().endswith("ER  -")
    assert cite("bibtex").startswith("@misc{cbcf_data_") and "year = {" + year + "}" in cite("bibtex")


def test_a_doi_reaches_every_format(monkeypatch):
    monkeypatch.setattr(citation, "DOI", "10.5281/zenodo.1234567")
    assert "https://doi.org/10.5281/zenodo.1234567" in cite("text")
    assert "doi = {10.5281/zenodo.1234567}" in cite("bibtex")
    assert json.loads(cite("csl-json"))[0]["DOI"] == "10.5281/zenodo.1234567"
    assert "DO  - 10.5281/zenodo.1234567" in cite("ris")
    assert yaml.safe_load(citation.citation_cff())["doi"] == "10.5281/zenodo.1234567"


def test_unknown_format_is_an_error():
    with pytest.raises(cbcf_data.NotFoundError, match="formats are: text, bibtex, csl-json, ris"):
        cite("apa")


def test_citation_cff_is_generated_complete_and_valid():
    text = (ROOT / "CITATION.cff").read_text()
    assert text == citation.citation_cff()
    document = yaml.safe_load(text)
    assert document["version"] == __version__ and str(document["date-released"]) == RELEASED
    assert document["url"] == citation.URL and document["license"] == "CC-BY-4.0"
    assert document["authors"] == [{"name": citation.AUTHOR}] and document["type"] == "dataset"
    document["date-released"] = str(document["date-released"])  # YAML reads a date; the schema wants text
    jsonschema.Draft7Validator(citation_file_format_schema()).validate(document)


@pytest.mark.parametrize("form", citation.FORMATS)
def test_cite_cli_prints_each_format(form):
    result = run_cli("cite", "--format", form)
    assert result.returncode == 0 and result.stdout == cite(form).rstrip("\n") + "\n"


def test_cite_cli_refuses_an_unknown_format():
    result = run_cli("cite", "--format", "apa")
    assert result.returncode == 2 and "formats are" in result.stderr


def test_bump_sets_version_and_release_day_in_every_citation(tmp_path):
    import shutil

    from cbcf_data.publish.bump import _version_files

    for name in ("README.md", "CITATION.cff", "datapackage.json", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "cbcf_data").mkdir()
    shutil.copy2(ROOT / "cbcf_data" / "_version.py", tmp_path / "cbcf_data" / "_version.py")
    files = {path.name: text for path, text in _version_files(tmp_path, "9.9.9", "## 9.9.9\n", "2031-05-06").items()}
    assert files["CITATION.cff"] == citation.citation_cff("9.9.9", "2031-05-06")
    assert cite("text", "9.9.9", "2031-05-06") in files["README.md"] and "(2031)" in files["README.md"]
    assert '__version__ = "9.9.9"' in files["_version.py"] and 'RELEASED = "2031-05-06"' in files["_version.py"]
