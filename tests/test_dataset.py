"""`load()` and `Dataset`: keyed tables, navigation both ways, parsed once."""

from __future__ import annotations

import pytest

import cbcf_data
from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.model.tables import TABLES


def test_load_packaged_is_cached_per_process():
    assert cbcf_data.load() is cbcf_data.load()


def test_load_accepts_folder_and_descriptor(repo_copy):
    by_folder = cbcf_data.load(repo_copy)
    by_descriptor = cbcf_data.load(repo_copy / "datapackage.json")
    assert by_folder is by_descriptor
    assert by_folder.to_csv_texts() == cbcf_data.load().to_csv_texts()


def test_changed_file_is_reloaded(repo_copy):
    first = cbcf_data.load(repo_copy)
    path = repo_copy / "records" / "people.csv"
    path.write_text(path.read_text().replace("Arif Virani", "Arif Virani (test)"))
    assert cbcf_data.load(repo_copy).people["arif-virani"].name == "Arif Virani (test)"
    assert first.people["arif-virani"].name == "Arif Virani"


def test_tables_are_read_only_mappings():
    ds = cbcf_data.load()
    with pytest.raises(TypeError):
        ds.meetings["x"] = ds.meetings["cbcf-2024"]  # type: ignore[index]
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="frozen"):
        ds.meetings["cbcf-2024"].city = "Ottawa"  # frozen records
    assert ds.attendances[("cbcf-2024", "arif-virani")].capacity == "guest"


def test_navigation_both_ways():
    ds = cbcf_data.load()
    garland = ds.people["merrick-garland"]
    assert [a.meeting_id for a in ds.related(garland, "attendances")] == ["cbcf-2022", "cbcf-2023", "cbcf-2024"]
    assert [m.id for m in ds.related(garland, "meetings")] == ["cbcf-2022", "cbcf-2023", "cbcf-2024"]
    hate = ds.topics["hate-crime"]
    assert [c.id for c in ds.related(hate, "commitments")] == ["cbcf-2024-c07"]
    commitment = ds.commitments["cbcf-2024-c07"]
    assert ds.related(commitment, "meetings") == [ds.meetings["cbcf-2024"]]
    assert [t.id for t in ds.related(commitment, "topics")] == ["hate-crime"]
    assert [t.id for t in ds.table("topics").where("parent_id", "hate-crime")] == ["antisemitism", "islamophobia"]


def test_unrelated_tables_raise():
    ds = cbcf_data.load()
    with pytest.raises(KeyError):
        ds.related(ds.topics["fentanyl"], "people")


def test_missing_dataset_is_unusable(tmp_path):
    with pytest.raises(UnusableInputError):
        cbcf_data.load(tmp_path)


def test_bad_row_names_file_and_line(repo_copy):
    path = repo_copy / "records" / "meetings.csv"
    path.write_text(path.read_text().replace(",US-DC,US,", ",US-DC,XX,", 1))  # cbcf-2010, line 12
    ds = cbcf_data.load(repo_copy)  # rows are typed on access: the bad one is reported then, located
    assert ds.meetings["cbcf-1997"].id == "cbcf-1997"
    with pytest.raises(InvalidDataError, match=r"meetings\.csv:12: host_country"):
        ds.meetings["cbcf-2010"]
    with pytest.raises(InvalidDataError, match=r"meetings\.csv:12: host_country"):
        list(ds.meetings.values())


@pytest.mark.parametrize(("change", "message"), [
    (lambda text: text.replace("\n", "\n" + text.splitlines()[1] + "\n", 1), r"meetings\.csv:3: the key 'cbcf-1997' "
                                                                               r"is also the key of line 2"),
    (lambda text: text.replace(",US-DC,US,", ",US-DC,US,,", 1), r"meetings\.csv:12: 16 cells under a header of 15"),
    (lambda text: text.replace("host_country", "host", 1), r"meetings\.csv:1: header differs"),
])
def test_load_refuses_a_table_it_cannot_key(repo_copy, change, message):
    # What load() checks before any row is typed: the header, each row's width, unique keys.
    path = repo_copy / "records" / "meetings.csv"
    path.write_text(change(path.read_text()))
    with pytest.raises(InvalidDataError, match=message):
        cbcf_data.load(repo_copy)


def test_folder_loads_as_cells_and_types_on_access(repo_copy):
    ds = cbcf_data.load(repo_copy)
    table = ds.commitments
    assert table._records == {}  # nothing typed by load()
    first = next(iter(table))
    assert table[first].id == first and list(table._records) == [first]
    assert ds.tables().keys() == set(TABLES)


def test_version_is_exposed():
    from cbcf_data._version import __version__

    assert cbcf_data.__version__ == __version__


HEAVY = ("pydantic", "frictionless", "jsonschema", "sqlite3", "pandas", "typer", "rich", "yaml", "jinja2", "markupsafe",
         # light, but on every command's start-up for nothing: notebooks' HTML, month lengths, hashes
         # (a checkout's descriptor declares none)
         "html", "calendar", "hashlib")


@pytest.mark.parametrize("code", ["import cbcf_data", "import cbcf_data; cbcf_data.load()"])
def test_import_and_load_leave_heavy_modules_unloaded(code):
    # The import target (DESIGN.md "Performance"): heavy libraries load only in the functions that need them.
    import subprocess
    import sys

    probe = f"{code}; import sys; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == []


def test_first_record_access_loads_pydantic():
    import subprocess
    import sys

    probe = "import cbcf_data, sys; cbcf_data.load().meetings['cbcf-2024']; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_load_pauses_the_garbage_collector_and_restores_it(repo_copy, monkeypatch):
    # Reading tables makes no reference cycles: the collector's passes over a growing heap are skipped.
    import gc

    from cbcf_data.dataset.tables import Table

    seen = []
    original = Table.from_cells.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Table, "from_cells", classmethod(lambda cls, *a: seen.append(gc.isenabled()) or original(cls, *a)))
    assert gc.isenabled()
    cbcf_data.load(repo_copy)
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:
        cbcf_data.load(repo_copy / "records" / ".." / "datapackage.json")  # (cached: nothing read)
        (repo_copy / "records" / "people.csv").write_text((repo_copy / "records" / "people.csv").read_text())
        cbcf_data.load(repo_copy)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_month_lengths_are_the_calendars():
    import calendar

    from cbcf_data.model.dates import _days_in

    assert [_days_in(year, month) for year in range(1, 10_000) for month in range(1, 13)] == \
        [calendar.monthrange(year, month)[1] for year in range(1, 10_000) for month in range(1, 13)]


def test_load_of_a_folder_reads_its_descriptor_once(tmp_path, monkeypatch):
    # Start-up: the descriptor is parsed once per load, not once per step (paths, integrity, tables).
    import shutil

    from conftest import FIXTURES

    from cbcf_data.io import package

    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    calls: list[object] = []
    read = package.read_descriptor
    monkeypatch.setattr(package, "read_descriptor", lambda path: calls.append(path) or read(path))
    ds = cbcf_data.load(tmp_path / "d")
    assert len(calls) == 1 and len(ds.meetings) > 0
