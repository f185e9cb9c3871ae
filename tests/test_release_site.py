"""A release carries its website only while the site is of a reasonable size (`limits.SITE_RECORDS`
rows of the tables that get pages), unless asked: `--site` puts it in, `--no-site` leaves it out.
Without it, the README and one line on stderr say so and how to build it."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cbcf_data.cli import _typer_app
from cbcf_data.io import limits
from cbcf_data.publish import readme, release

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

PAGE_TABLES = ("meetings", "commitments", "people", "topics", "instruments", "organizations", "sources")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, int]:
    """A small synthetic dataset, and how many of its rows get a page of the site."""
    folder = tmp_path_factory.mktemp("synth")
    counts = synth.write(12, folder)
    return folder, sum(counts[table] for table in PAGE_TABLES)


def has_site(folder: Path) -> bool:
    with zipfile.ZipFile(folder / f"{folder.name}.zip") as archive:
        zipped = any(name.startswith(f"{folder.name}/site/") for name in archive.namelist())
    listed = any(line.split("  ")[1].startswith("site/") for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert (folder / "site").is_dir() == zipped == listed
    return zipped


def test_the_real_dataset_is_far_below_the_limit():
    from cbcf_data.publish.site.views import RECORD_TABLES

    assert set(RECORD_TABLES) == set(PAGE_TABLES)
    import cbcf_data

    ds = cbcf_data.load()
    assert sum(len(ds.table(table)) for table in PAGE_TABLES) * 5 < limits.SITE_RECORDS
    assert sum(len(ds.table(table)) for table in ds.tables()) * 5 < limits.SITE_ROWS


def test_a_release_with_its_site_stays_a_zip_the_tools_read(small, tmp_path):
    """Files per row with pages, measured on a small release, times SITE_RECORDS: under ZIP_MEMBERS."""
    folder, records = small
    built = release.build_release(tmp_path, folder, site=True)
    pages = sum(1 for path in (built / "site").rglob("*") if path.is_file() and "/data/" not in path.as_posix())
    others = sum(1 for path in built.rglob("*") if path.is_file()) - pages
    assert pages / records * limits.SITE_RECORDS + others + 200 < limits.ZIP_MEMBERS


@pytest.mark.parametrize("limit_offset, included", [(0, True), (-1, False)])
def test_the_default_follows_the_limit(small, tmp_path, monkeypatch, limit_offset, included):
    folder, records = small
    monkeypatch.setattr(limits, "SITE_RECORDS", records + limit_offset)
    notes: list[str] = []
    built = release.build_release(tmp_path, folder, note=notes.append)
    assert has_site(built) is included
    text = (built / "README.md").read_text()
    assert (readme.NO_SITE in text) is not included
    assert ("| `site/` |" in text) is included
    assert len(notes) == (0 if included else 1)
    if not included:
        assert "\n" not in notes[0] and "cbcf-data site" in notes[0] and f"{records:,}" in notes[0]
        assert "cbcf-data site --dataset DIR --out DIR" in text


@pytest.mark.parametrize("limit_offset, included", [(0, True), (-1, False)])
def test_rows_without_pages_count_too(small, tmp_path, monkeypatch, limit_offset, included):
    """The link tables (attendances, assessments…) get no page but are kept for the site: all rows
    count against SITE_ROWS, whatever SITE_RECORDS allows."""
    folder, _ = small
    rows = sum(synth.write(12, tmp_path / "counted").values())  # the same dataset (seeded): its row counts
    monkeypatch.setattr(limits, "SITE_RECORDS", 10**9)
    monkeypatch.setattr(limits, "SITE_ROWS", rows + limit_offset)
    notes: list[str] = []
    built = release.build_release(tmp_path / "out", folder, note=notes.append)
    assert has_site(built) is included
    assert len(notes) == (0 if included else 1)
    if not included:
        assert f"{rows:,} rows" in notes[0] and readme.NO_SITE in (built / "README.md").read_text()


@pytest.mark.parametrize("flag, limit, included", [("--site", 0, True), ("--no-site", 10**9, False)])
def test_the_flags_decide_whatever_the_limit(small, tmp_path, monkeypatch, flag, limit, included):
    folder, _ = small
    monkeypatch.setattr(limits, "SITE_RECORDS", limit)
    result = CliRunner().invoke(_typer_app(), ["release", flag, "--out", str(tmp_path), "--dataset", str(folder)])
    assert result.exit_code == 0, result.output
    built = tmp_path / release.release_name()
    assert has_site(built) is included
    assert "leaves the website out" not in result.output  # asked for: no note
    text = (built / "README.md").read_text()
    assert readme.NO_SITE not in text  # not left out for its size: the README gives no false reason
    assert (readme.NO_SITE_ASKED in text) is not included


def test_the_cli_says_so_on_stderr(small, tmp_path, monkeypatch):
    folder, _ = small
    monkeypatch.setattr(limits, "SITE_RECORDS", 1)
    result = CliRunner().invoke(_typer_app(), ["release", "--out", str(tmp_path), "--dataset", str(folder)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if "website" in line] == [
        line for line in result.stderr.splitlines() if line.strip()]
    assert len(result.stderr.strip().splitlines()) == 1
    assert not has_site(tmp_path / release.release_name())
