"""The website, without a browser (fast): every page there and linked, every link and anchor
resolves, the charts' numbers equal counts made here from the CSV files, inferred values and
low-reliability sources are marked, two builds are byte-identical, and the release carries it."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import BIN, RECORDS, run_cli

from cbcf_data.dataset import load
from cbcf_data.errors import InvalidDataError
from cbcf_data.publish.site.build import MANIFEST, build_site, site_files
from cbcf_data.publish.site.views import RECORD_TABLES


class Page(HTMLParser):
    """What the tests need of a page: links, ids, `lang`, chart tables and chart marks."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.lang = ""
        self.tables: dict[str, dict[str, list[str]]] = {}  # chart -> row key -> cells
        self.columns: dict[str, list[str]] = {}
        self.marks: dict[str, dict[tuple[str, str], int]] = {}  # svg key -> (row, series) -> value
        self._table: str | None = None
        self._row: str | None = None
        self._svg: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        for name in ("href", "src"):
            if name in a:
                self.links.append(a[name])
        if tag == "table" and "data-chart" in a:
            self._table = a["data-chart"]
            self.tables[self._table], self.columns[self._table] = {}, []
        elif tag == "th" and self._table and "data-col" in a:
            self.columns[self._table].append(a["data-col"])
        elif tag == "tr" and self._table and "data-row" in a:
            self._row = a["data-row"]
            self.tables[self._table][self._row] = []
        elif tag == "td" and self._row:
            self._cell = []
        elif tag == "svg":
            self._svg = a.get("aria-labelledby", "").split()[0].removesuffix("-title").removeprefix("chart-")
            self.marks[self._svg] = {}
        elif self._svg and "data-value" in a and "data-series" in a:
            self.marks[self._svg][(a["data-row"], a["data-series"])] = int(a["data-value"])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table and self._row:
            self.tables[self._table][self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._svg = None


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[path.relative_to(site).as_posix()] = page
    return parsed


def rows(table: str) -> list[dict[str, str]]:
    with open(RECORDS / f"{table}.csv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_every_record_has_a_page_in_both_languages_at_a_url_from_its_id(site):
    for table in RECORD_TABLES:
        for row in rows(table):
            for lang in ("en", "fr"):
                assert (site / lang / table / f"{row['id']}.html").is_file(), (lang, table, row["id"])
    for name in ("index.html", "en/index.html", "fr/index.html", "en/charts.html", "fr/data.html", "en/search.html",
                 "assets/site.css", "assets/site.js", "assets/search-en.js", "data/meetings.csv"):
        assert (site / name).is_file(), name


def test_every_internal_link_and_anchor_resolves_and_every_page_is_linked(site, pages):
    broken, linked = [], {"index.html"}
    for name, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme and not parts.netloc, f"{name}: {link} leaves the site"
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            target = Path(os.path.normpath(target))
            if not target.is_file() or site not in target.parents:
                broken.append(f"{name}: {link}")
                continue
            relative = target.relative_to(site).as_posix()
            linked.add(relative)
            if parts.fragment and relative.endswith(".html") and parts.fragment not in pages[relative].ids:
                broken.append(f"{name}: {link} (no such anchor)")
    assert broken == []
    assert set(pages) - linked == set()


def test_every_page_names_its_language_and_switches_to_its_twin(pages):
    for name, page in pages.items():
        if name == "index.html":
            continue
        lang = name.split("/")[0]
        assert page.lang == lang, name
        twin = ("fr" if lang == "en" else "en") + name[2:]
        assert twin in pages
        assert "../" * name.count("/") + twin in page.links, f"{name} has no link to {twin}"


def latest_status(commitment_id: str) -> str:
    found = [a for a in rows("assessments") if a["commitment_id"] == commitment_id]
    return max(found, key=lambda a: (a["as_of"], a["party"]))["status"] if found else "not-assessed"


def roots() -> dict[str, str]:
    parent = {t["id"]: t["parent_id"] for t in rows("topics")}

    def root(topic: str) -> str:
        while parent[topic]:
            topic = parent[topic]
        return topic

    return {topic: root(topic) for topic in parent}


def expected_charts() -> dict[str, Counter[tuple[str, str]]]:
    """Each chart's counts by (row, column), made from the CSV files without the library."""
    root = roots()
    themes = Counter((root[r["topic_id"]], r["meeting_id"]) for r in rows("meeting_topics"))
    topics_of: dict[str, set[str]] = {}
    for r in rows("commitment_topics"):
        topics_of.setdefault(r["commitment_id"], set()).add(root[r["topic_id"]])
    commitments = rows("commitments")
    return {
        "themes": themes,
        "commitment-topics": Counter((t, c["meeting_id"]) for c in commitments for t in topics_of.get(c["id"], ())),
        "modality": Counter((c["meeting_id"], c["modality"]) for c in commitments),
        "status": Counter((c["meeting_id"], latest_status(c["id"])) for c in commitments),
    }


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_chart_numbers_equal_counts_from_the_csv_files(pages, lang):
    page = pages[f"{lang}/charts.html"]
    for chart, counts in expected_charts().items():
        table, columns = page.tables[chart], page.columns[chart]
        shown = Counter({(row, column): int(value) for row, cells in table.items()
                         for column, value in zip(columns, cells) if column != "total" and int(value)})
        assert shown == counts, chart
        assert Counter(page.marks[chart]) == counts, f"{chart}: the picture differs from its data"
        for row, cells in table.items():  # the total column
            if chart in ("modality", "status", "commitment-topics"):
                assert int(cells[-1]) == sum(int(c) for c in cells[:-1]), (chart, row)
    meetings_per_root = Counter(topic for topic, _ in expected_charts()["themes"])
    assert {row: int(cells[-1]) for row, cells in page.tables["themes"].items()} == meetings_per_root


def test_timeline_shows_every_meeting_with_its_named_attendees(pages):
    attended = Counter(a["meeting_id"] for a in rows("attendances") if a["status"] == "attended")
    table = pages["en/charts.html"].tables["timeline"]
    assert {m["id"]: int(table[m["id"]][-1]) for m in rows("meetings")} == {m["id"]: attended[m["id"]]
                                                                             for m in rows("meetings")}
    for m in rows("meetings"):
        assert ("(inferred)" in table[m["id"]][0]) == ("inferred" in (m["date_basis"], m["existence_basis"]))


def test_inferred_values_and_low_reliability_sources_are_marked_wherever_they_appear(site):
    low = {s["id"] for s in rows("sources") if s["reliability"] == "low"}
    # A meeting's name shows its ordinal: a link to it is marked when its existence or ordinal is inferred.
    unsure = {m["id"] for m in rows("meetings") if "inferred" in (m["existence_basis"], m["sequence_basis"])}
    inferred_dates = {m["id"]: m["start_date"] for m in rows("meetings") if m["date_basis"] == "inferred"}
    assert low and unsure and inferred_dates, "the records no longer exercise the marks"
    source_link = re.compile(r'href="[^"]*sources/([a-z0-9-]+)\.html"[^>]*>[^<]*</a>( <span class="flag flag-low")?')
    meeting_link = re.compile(r'href="[^"]*meetings/([a-z0-9-]+)\.html"[^>]*>[^<]*</a>( ?<span class="flag flag-inferred")?')
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for source_id, flag in source_link.findall(html):
            assert bool(flag) == (source_id in low), f"{path.relative_to(site)}: {source_id}"
        for meeting_id, flag in meeting_link.findall(html):
            assert flag or meeting_id not in unsure, f"{path.relative_to(site)}: {meeting_id}"
    for meeting_id, date in inferred_dates.items():
        for lang in ("en", "fr"):
            html = (site / lang / "meetings" / f"{meeting_id}.html").read_text(encoding="utf-8")
            # a single day, or a span whose mark follows its end
            assert re.search(rf'<time datetime="{date}">[^<]+</time>( – <time datetime="[^"]+">[^<]+</time>)? '
                             r'<span class="flag flag-inferred"', html), meeting_id


def _section(html: str, section: str) -> str:
    """The HTML of a page's `<section aria-labelledby=...>` (empty when the page has none)."""
    found = re.search(rf'<section aria-labelledby="{section}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def test_instrument_and_organization_pages_show_the_instrument_parties_both_ways(site):
    parties = rows("instrument_parties")
    assert parties, "the records no longer exercise the parties"
    roles = {"en": {"signatory": "Signatory", "participant": "Participant", "lead": "Lead"},
             "fr": {"signatory": "Signataire", "participant": "Participant", "lead": "Responsable"}}
    names_fr = {o["id"]: o["name_fr"] for o in rows("organizations")}
    for lang in ("en", "fr"):
        for instrument in rows("instruments"):
            html = (site / lang / "instruments" / f"{instrument['id']}.html").read_text(encoding="utf-8")
            shown = re.findall(r'organizations/([a-z0-9-]+)\.html"[^>]*>[^<]*</a>: ([^<]+?) <span class="by">',
                               _section(html, "parties"))
            expected = [(r["organization_id"], r["role"]) for r in parties if r["instrument_id"] == instrument["id"]]
            assert sorted(org for org, _ in shown) == sorted(org for org, _ in expected), (lang, instrument["id"])
            assert sorted(shown) == sorted((org, roles[lang][role]) for org, role in expected)
            assert f"({len(expected)})</h2>" in html
            if not expected:
                assert ("Aucune." if lang == "fr" else "None recorded.") in _section(html, "parties")
            for org, _ in expected:  # a name shown in English on a French page says so
                tag = re.search(rf'<a href="[^"]*organizations/{org}\.html"([^>]*)>', _section(html, "parties")).group(1)
                assert ('lang="en"' in tag) == (lang == "fr" and not names_fr[org]), (lang, instrument["id"], org)
        for organization in rows("organizations"):
            html = (site / lang / "organizations" / f"{organization['id']}.html").read_text(encoding="utf-8")
            shown = re.findall(r'instruments/([a-z0-9-]+)\.html"', _section(html, "instruments"))
            assert sorted(shown) == sorted({r["instrument_id"] for r in parties
                                            if r["organization_id"] == organization["id"]}), (lang, organization["id"])


def test_an_inferred_instrument_party_is_marked_on_both_pages(repo_copy, tmp_path):
    path = repo_copy / "records" / "instrument_parties.csv"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("shiprider-pilot-projects,ca-rcmp,"))
    second = line.replace(",participant,", ",lead,").rstrip(",") + ",<b>Lead</b> for this test."  # two parts, one instrument
    path.write_text(text.replace(line, line.replace(",participant,stated,", ",participant,inferred,")
                                 .rstrip(",") + ",Inferred for this test.\n" + second), encoding="utf-8")
    result = run_cli("site", "--out", str(tmp_path / "out"), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stderr
    instrument = (tmp_path / "out" / "en" / "instruments" / "shiprider-pilot-projects.html").read_text(encoding="utf-8")
    organization = (tmp_path / "out" / "en" / "organizations" / "ca-rcmp.html").read_text(encoding="utf-8")
    rcmp = re.search(r'organizations/ca-rcmp\.html"[^>]*>[^<]*</a>: Participant( <span class="flag flag-inferred")?',
                     _section(instrument, "parties"))
    uscg = re.search(r'organizations/us-uscg\.html"[^>]*>[^<]*</a>: Participant( <span class="flag flag-inferred")?',
                     _section(instrument, "parties"))
    assert rcmp and rcmp.group(1) and uscg and not uscg.group(1)
    listed = _section(organization, "instruments")
    # One item for the instrument, its two parts in key order (lead, participant), the inferred one marked.
    assert listed.count("shiprider-pilot-projects.html") == 1
    assert re.search(r'shiprider-pilot-projects\.html"[^>]*>[^<]*</a>: Lead <span class="by">.*?; '
                     r'Participant <span class="flag flag-inferred"', listed)
    assert "Inferred for this test." in listed and "&lt;b&gt;Lead&lt;/b&gt; for this test." in listed  # notes, escaped
    n_instruments = len({r.split(",")[0] for r in path.read_text(encoding="utf-8").splitlines()[1:] if ",ca-rcmp," in r})
    assert f"({n_instruments})</h2>" in listed


def test_progress_page_shows_each_assessed_commitment_as_of_each_year_end_as_the_library_does(site):
    ds = load()
    years = sorted({int(str(a.as_of)[:4]) for a in ds.assessments.values()})
    assessed = sorted({a.commitment_id for a in ds.assessments.values()})
    assert len(years) > 1 and assessed, "the records no longer exercise the page"
    for lang in ("en", "fr"):
        html = (site / lang / "progress.html").read_text(encoding="utf-8")
        assert re.findall(r'<th scope="col" data-year="(\d+)">', html) == [str(y) for y in years]
        rows = dict(re.findall(r'<tr data-row="([^"]+)">(.*?)</tr>', html, re.S))
        assert sorted(rows) == assessed
        for year in years:
            known = ds.as_of(str(year))
            for commitment_id, row in rows.items():
                cell = re.search(rf'<td data-year="{year}">(.*?)</td>', row, re.S).group(1)
                shown = set(re.findall(r'<span data-party="([^"]+)">.*?status-([a-z-]+)"', cell))
                expected = {(a.party, a.status) for a in known.assessments.values() if a.commitment_id == commitment_id}
                assert shown == expected, (lang, commitment_id, year)
                made = commitment_id in known.commitments
                if lang == "en":
                    assert ("Not made yet" in cell) == (not made), (commitment_id, year)
                    assert ("Not assessed" in cell) == (made and not expected), (commitment_id, year)
    # A year whose end is after the version's release reads "to date", not as a date that has passed.
    from cbcf_data._version import RELEASED

    html = (site / "en" / "progress.html").read_text(encoding="utf-8")
    for year in years:
        assert (f">{year} to date<" in html) == (year >= int(RELEASED[:4])), year
        assert (f">End of {year}<" in html) == (year < int(RELEASED[:4])), year
    assert "progress.html" in (site / "en" / "index.html").read_text(encoding="utf-8")  # in the menu


def test_progress_page_of_a_dataset_without_assessments_says_so(repo_copy, tmp_path):
    path = repo_copy / "records" / "assessments.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run_cli("site", "--out", str(tmp_path / "out"), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "en" / "progress.html").read_text(encoding="utf-8")
    assert "No commitment has an assessment yet." in html and "data-row=" not in html


def test_search_index_lists_meetings_commitments_and_people(site):
    text = (site / "assets" / "search-en.js").read_text(encoding="utf-8")
    assert text.startswith("window.CBCF_SEARCH = [")
    for url in ("meetings/cbcf-2024.html", "commitments/cbcf-2024-c03.html", "people/merrick-garland.html"):
        assert f'"url":"{url}"' in text


def test_data_page_lists_every_table_with_its_checksum(site):
    import hashlib

    html = (site / "en" / "data.html").read_text(encoding="utf-8")
    for table in (p.stem for p in RECORDS.glob("*.csv")):
        data = (site / "data" / f"{table}.csv").read_bytes()
        assert data == (RECORDS / f"{table}.csv").read_bytes()
        assert hashlib.sha256(data).hexdigest() in html


def test_two_builds_are_byte_identical_whatever_the_hash_seed(tmp_path):
    built = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([str(BIN / "cbcf-data"), "site", "--out", str(out)], check=True, env=env, capture_output=True)
        built.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert built[0] == built[1]
    listed = built[0].pop(MANIFEST).decode("utf-8").splitlines()  # the list of what the build wrote
    assert built[0] == site_files(load()) and sorted(listed) == sorted(built[0])


def test_cli_builds_the_site_of_another_dataset_and_marks_a_new_inferred_value(repo_copy, tmp_path):
    meetings = repo_copy / "records" / "meetings.csv"
    text = meetings.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("cbcf-2012,"))
    meetings.write_text(text.replace(line, line.replace(",day,stated,", ",day,inferred,")), encoding="utf-8")
    result = run_cli("site", "--out", str(tmp_path / "out"), "--dataset", str(repo_copy))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "en" / "meetings" / "cbcf-2012.html").read_text(encoding="utf-8")
    assert '<time datetime="2012-03-02">2 March 2012</time> <span class="flag flag-inferred"' in html


def test_an_invalid_dataset_builds_no_site(repo_copy, tmp_path):
    people = repo_copy / "records" / "people.csv"
    people.write_text(people.read_text(encoding="utf-8") + "Bad Id,Someone,XX,,\n", encoding="utf-8")
    with pytest.raises(InvalidDataError):
        build_site(tmp_path / "out", repo_copy)
    assert not (tmp_path / "out").exists()
    assert run_cli("site", "--out", str(tmp_path / "out"), "--dataset", str(repo_copy)).returncode == 1


def test_templates_and_assets_ship_with_the_package():
    from importlib import resources

    here = resources.files("cbcf_data.publish.site")
    assert (here / "templates" / "base.html").is_file() and (here / "static" / "site.css").is_file()
    assert shutil.which("cbcf-data", path=str(BIN))
