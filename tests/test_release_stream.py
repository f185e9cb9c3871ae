"""The release's streaming pieces give the bytes of the in-memory forms they replace: the zip built
from files on disk, SHA256SUMS from hashes taken while writing, the canonical, spreadsheet and JSON
files written in pieces, the site as a stream, and the one parse shared with validation."""

from __future__ import annotations

import hashlib
import io
import json
import os

import pytest

import cbcf_data
from cbcf_data.check.validate import validate
from cbcf_data.io import csvfiles, package
from cbcf_data.model.tables import MODELS
from cbcf_data.publish import describe, document, output, release
from cbcf_data.publish.site import render, views


def test_zip_from_disk_equals_the_zip_made_in_memory(tmp_path):
    files = {"a.txt": b"", "b/c.csv": b"x,y\n1,2\n" * 3, "big.bin": os.urandom(1000) * 3000,  # > one CHUNK
             "b/d.json": "{\"é\":1}\n".encode()}
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    target = tmp_path.parent / f"{tmp_path.name}.zip"
    output.zip_files(target, tmp_path, list(files), "pre/")
    assert target.read_bytes() == release.zip_bytes({f"pre/{path}": data for path, data in files.items()})


def test_checksums_are_the_hashes_of_the_files_on_disk(tmp_path):
    out = output.Output(tmp_path)
    out.write("a.txt", b"one")
    with out.open("sub/b.txt") as file:
        for piece in (b"two ", b"", b"pieces"):
            file.write(piece)
    out.copy("sub/c.txt", "sub/b.txt")
    (tmp_path / "d.bin").write_bytes(b"\0" * 10)
    out.add("d.bin")
    lines = out.checksums().decode().splitlines()
    assert [line.split("  ")[1] for line in lines] == ["a.txt", "d.bin", "sub/b.txt", "sub/c.txt"]
    for line in lines:
        digest, path = line.split("  ")
        assert digest == hashlib.sha256((tmp_path / path).read_bytes()).hexdigest()
        assert out.sizes[path] == (tmp_path / path).stat().st_size
    with pytest.raises(ValueError):
        out.write("a.txt", b"again")


def test_the_tee_sees_each_row_once_and_changes_nothing():
    tee = release.RowsTee()
    with_tee, without = validate(None, tee=tee), validate(None)
    assert with_tee.valid and with_tee.to_dict() == without.to_dict()
    ds = tee.dataset(package.packaged_root() / package.RECORDS)
    loaded = cbcf_data.load()
    for model in MODELS:
        path = package.packaged_root() / package.RECORDS / f"{model.table}.csv"
        lines = path.read_text(encoding="utf-8").count("\n") - 1  # valid text holds no line break in a cell
        assert len(ds.table(model.table)) == lines == len(loaded.table(model.table))
        assert list(ds.table(model.table).values()) == list(loaded.table(model.table).values())


def test_the_tee_yields_rows_as_it_reads_them():
    tee = release.RowsTee()
    feed = iter([("where", "a", {"id": "a"}), ("where", "b", {"id": "b"})])
    stream = tee(MODELS[0], feed)
    assert next(stream)[1] == "a" and tee.rows[MODELS[0].table] == [{"id": "a"}]  # lazy: one row in, one out
    assert [row[1] for row in stream] == ["b"]


@pytest.mark.parametrize("batch", [1, 3, 10_000])
def test_tables_are_written_as_the_canonical_text(monkeypatch, batch):
    monkeypatch.setattr(release, "BATCH", batch)
    ds = cbcf_data.load()
    for name, table in ds.tables().items():
        buffer = io.BytesIO()
        release.write_canonical(output.HashingFile(buffer), table)
        text = csvfiles.records_to_csv_text(table.model, table.values())
        assert buffer.getvalue() == text.encode("utf-8"), name
        excel = io.BytesIO()
        release.write_excel(io.StringIO(text, newline=""), output.HashingFile(excel))
        assert excel.getvalue() == release.excel_csv(text), name


def test_the_json_document_is_written_in_pieces_as_one_dumps():
    ds = cbcf_data.load()
    facts = describe.about({}, None)
    buffer = io.BytesIO()
    document.write_document(output.HashingFile(buffer), ds, facts)
    whole = json.dumps(document.release_document(ds, facts), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert buffer.getvalue() == (whole + "\n").encode("utf-8")


def test_the_site_is_a_stream():
    ds = cbcf_data.load()
    stream = render.iter_site_files(ds)
    first = next(stream)  # the data files come first, before anything is rendered
    assert first[0].startswith("data/") and first[0].endswith(".csv")
    rest = dict(stream)
    whole = render.site_files(ds)
    assert {first[0]: first[1], **rest} == whole and len(rest) + 1 == len(whole)
    data = {path: (len(content), hashlib.sha256(content).hexdigest()) for path, content in whole.items()
            if path.startswith("data/")}
    given = dict(render.iter_site_files(ds, data))  # data files already written by the caller
    assert given == {path: content for path, content in whole.items() if not path.startswith("data/")}


def test_meetings_are_sorted_once_per_dataset():
    ds = cbcf_data.load()
    ordered = views.meetings_by_date(ds)
    assert views.meetings_by_date(ds) is ordered
    assert ordered == sorted(ds.meetings.values(), key=lambda m: (m.start_date, m.id))
    assert [views.meeting_rank(ds, m.id) for m in ordered] == list(range(len(ordered)))
