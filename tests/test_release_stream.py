"""The release's streaming pieces give the bytes of the in-memory forms they replace: the zip built
from files on disk, SHA256SUMS from hashes taken while writing, the canonical, spreadsheet and JSON
files written in pieces, the site as a stream, and the one parse shared with validation."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

import cbcf_data
from cbcf_data.check.validate import validate
from cbcf_data.io import csvfiles
from cbcf_data.model.tables import MODELS
from cbcf_data.publish import describe, document, output, release, sqlite, stream
from cbcf_data.publish.site import render, views

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.mark.parametrize("fast_above", [output.FAST_DEFLATE_BYTES, 100_000])
def test_zip_from_disk_equals_the_zip_made_in_memory(tmp_path, monkeypatch, fast_above):
    monkeypatch.setattr(output, "FAST_DEFLATE_BYTES", fast_above)
    files = {"a.txt": b"", "b/c.csv": b"x,y\n1,2\n" * 3, "big.bin": os.urandom(1000) * 3000,  # > one CHUNK
             "b/d.json": "{\"é\":1}\n".encode()}
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    target = tmp_path.parent / f"{tmp_path.name}.zip"
    output.zip_files(target, tmp_path, list(files), "pre/")
    expected = release.zip_bytes({f"pre/{path}": data for path, data in files.items()})
    assert target.read_bytes() == expected
    deflater = output.Deflater(tmp_path.parent / f"{tmp_path.name}-work")  # compressed beforehand, in a thread
    for path in list(files)[1:]:
        deflater.add(path, tmp_path / path)
    output.zip_files(target, tmp_path, list(files), "pre/", deflater.members)
    deflater.close()
    assert target.read_bytes() == expected
    with zipfile.ZipFile(target) as archive:  # a large member is deflated at level 1, a small one as always
        for path, data in files.items():
            assert archive.read(f"pre/{path}") == data
            level = 1 if len(data) > fast_above else 6
            compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
            assert archive.getinfo(f"pre/{path}").compress_size == len(compressor.compress(data) + compressor.flush())


@pytest.mark.parametrize("fails", [False, True])
def test_a_file_compressed_as_it_is_written_is_the_member_zipfile_makes(tmp_path, monkeypatch, fails):
    """`Output.open(..., streamed=True)`: a file larger than FAST_DEFLATE_BYTES is compressed in
    pieces as it is written, cut anywhere, into the member `zipfile` makes of the whole; a smaller
    one from disk once closed (at its own level). A failure while writing leaves no thread waiting."""
    monkeypatch.setattr(output, "FAST_DEFLATE_BYTES", 50_000)
    folder, work = tmp_path / "out", tmp_path / "work"
    deflater = output.Deflater(work)
    out = output.Output(folder, deflater)
    data = b"".join(b'{"row":%d,"text":"%s"},' % (n, os.urandom(n % 40).hex().encode()) for n in range(40_000))
    cuts = sorted({0, 1, 7, 40_000, 50_001, *range(60_000, len(data), 7_001), len(data)})  # a tail under a CHUNK
    assert len(data) > 2 * output.CHUNK
    with out.open("big.json", streamed=True) as file:
        for start, end in zip(cuts, cuts[1:]):
            file.write(data[start:end])
    with out.open("small.json", streamed=True) as file:
        file.write(data[:30_000])
    assert "small.json" in deflater.members
    if fails:
        with pytest.raises(ZeroDivisionError), out.open("given up.json", streamed=True) as file:
            file.write(data)
            1 / 0  # noqa: B018
        assert "given up.json" not in out.hashes and deflater.members["given up.json"].result()
    target = tmp_path / "out.zip"
    output.zip_files(target, folder, out.settle(), "pre/", deflater.members)
    deflater.close()
    assert target.read_bytes() == release.zip_bytes({"pre/big.json": data, "pre/small.json": data[:30_000]})
    assert [thread.name for thread in threading.enumerate() if thread.name == "deflate stream"] == []


@pytest.mark.parametrize("deflated", [False, True])
def test_checksums_are_the_hashes_of_the_files_on_disk(tmp_path, deflated):
    """With a deflater, a file `add`ed (SQLite's) is hashed in the pass that compresses it."""
    deflater = output.Deflater(tmp_path.parent / f"{tmp_path.name}-work") if deflated else None
    out = output.Output(tmp_path, deflater)
    out.write("a.txt", b"one")
    with out.open("sub/b.txt") as file:
        for piece in (b"two ", b"", b"pieces"):
            file.write(piece)
    out.copy("sub/c.txt", "sub/b.txt")
    (tmp_path / "d.bin").write_bytes(b"\0" * 10 + os.urandom(output.CHUNK))  # more than a chunk
    out.add("d.bin")
    assert ("d.bin" in out.pending) is deflated
    with pytest.raises(ValueError):
        out.add("d.bin")
    assert sorted(out.settle()) == ["a.txt", "d.bin", "sub/b.txt", "sub/c.txt"] and not out.pending
    lines = out.checksums().decode().splitlines()
    assert [line.split("  ")[1] for line in lines] == ["a.txt", "d.bin", "sub/b.txt", "sub/c.txt"]
    for line in lines:
        digest, path = line.split("  ")
        assert digest == hashlib.sha256((tmp_path / path).read_bytes()).hexdigest()
        assert out.sizes[path] == (tmp_path / path).stat().st_size
    with pytest.raises(ValueError):
        out.write("a.txt", b"again")
    if deflater is not None:
        crc, size, _, member, digest = deflater.members["d.bin"].result()
        assert (crc, size, digest) == (zlib.crc32((tmp_path / "d.bin").read_bytes()), out.sizes["d.bin"],
                                       out.hashes["d.bin"])
        assert zlib.decompress(member.read_bytes(), -15) == (tmp_path / "d.bin").read_bytes()
        deflater.close()


def synthetic(folder: Path, n: int = 30) -> Path:
    """A small synthetic dataset whose tables are sorted, with integer cells not in their own form
    (`05`, `+7`, `7.0`: valid, typed 5, 7 and 7) and a cell that a spreadsheet would run as a formula."""
    synth.write(n, folder)
    path = folder / "records" / "commitments.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    start, end = rows[0].index("quote_start"), rows[0].index("quote_end")
    rows[1][start], rows[2][end] = "0" + rows[1][start], "+" + rows[2][end]
    rows[4][end] += ".0"
    rows[3][rows[0].index("notes")] = "=1+1, and a quote \" inside"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)
    return folder


def test_the_streamed_release_equals_the_typed_forms(tmp_path):
    """CSV, spreadsheet CSV, JSON document and SQLite file, written from the cells validation
    reads, are byte for byte what the typed records give (`records_to_csv_text`, `excel_csv`,
    `release_document`, `sqlite_bytes`)."""
    folder = synthetic(tmp_path / "synth")
    built = release.build_release(tmp_path / "dist", folder, site=False)
    ds = cbcf_data.load(folder)
    for name, table in ds.tables().items():
        text = csvfiles.records_to_csv_text(table.model, table.values())
        assert (built / "csv" / f"{name}.csv").read_bytes() == text.encode("utf-8"), name
        assert (built / "excel" / f"{name}.csv").read_bytes() == release.excel_csv(text), name
    commitments = (built / "csv" / "commitments.csv").read_text()
    assert ",0" not in commitments and ",+" not in commitments and ".0," not in commitments  # integers as such
    assert "'=1+1" in (built / "excel" / "commitments.csv").read_text(encoding="utf-8-sig")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    facts = describe.about(descriptor, folder)
    whole = json.dumps(document.release_document(ds, facts), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert (built / f"{built.name}.json").read_bytes() == (whole + "\n").encode("utf-8")
    assert (built / describe.SQLITE).read_bytes() == sqlite.sqlite_bytes(ds, facts)


def test_sqlite_columns_are_typed_as_the_table_schema_says(tmp_path):
    folder = synthetic(tmp_path / "synth", 12)
    built = release.build_release(tmp_path / "dist", folder, site=False)
    ds = cbcf_data.load(folder)
    connection = sqlite3.connect(built / describe.SQLITE)
    for model in MODELS:
        fields = list(model.model_fields)
        rows = connection.execute(f'SELECT {", ".join(fields)} FROM "{model.table}" ORDER BY rowid').fetchall()
        assert rows == [tuple(getattr(record, f) for f in fields) for record in ds.table(model.table).values()]
        integers = stream.integer_fields(model)
        for field in fields:
            kinds = {kind for (kind,) in connection.execute(f'SELECT DISTINCT typeof("{field}") FROM "{model.table}"')}
            assert kinds <= ({"integer", "null"} if field in integers else {"text", "null"}), (model.table, field)


def test_an_unsorted_dataset_is_released_as_its_sorted_form(tmp_path):
    folder = synthetic(tmp_path / "sorted", 12)
    unsorted = tmp_path / "unsorted"
    shutil.copytree(folder, unsorted)
    for table in ("commitments", "attendances"):
        path = unsorted / "records" / f"{table}.csv"
        header, *rows = path.read_text().splitlines(keepends=True)
        path.write_text(header + "".join(reversed(rows)))
    assert validate(unsorted).valid and "not-sorted" in {issue.code for issue in validate(unsorted).issues}
    one = release.build_release(tmp_path / "one", folder, site=False)
    two = release.build_release(tmp_path / "two", unsorted, site=False)
    for path in sorted(one.rglob("*")):
        if path.is_file() and path.name not in (f"{one.name}.zip", "SHA256SUMS"):
            assert (two / path.relative_to(one)).read_bytes() == path.read_bytes(), path


def test_a_sorted_dataset_is_released_without_loading_it(tmp_path, monkeypatch):
    """The release is made from the rows validation streams: `load()` is never called."""
    import cbcf_data.dataset as dataset_package

    folder = synthetic(tmp_path / "synth", 12)

    def refuse(*args, **kwargs):
        raise AssertionError("load() called")

    monkeypatch.setattr(dataset_package, "load", refuse)
    monkeypatch.setattr(cbcf_data, "load", refuse)
    release.build_release(tmp_path / "dist", folder, site=False)


def test_the_tee_yields_rows_as_it_reads_them_and_keeps_none(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "BATCH", 2)
    tee = stream.ReleaseStream(tmp_path / "out", tmp_path / "work", keep_site=False)
    pulled = []
    people = sorted((dict(row) for row in cbcf_data.load().people.rows()), key=lambda row: row["id"])[:7]
    rows = [("where", row["id"], row) for row in people]
    model = next(m for m in MODELS if m.table == "people")

    def feed():
        for row in rows:
            pulled.append(row[1])
            yield row

    flow = tee(model, feed())
    assert next(flow)[1] == rows[0][1] and pulled == [rows[0][1]]  # lazy: one row in, one out
    for _ in range(4):
        next(flow)
    sink = tee.sinks[0]
    assert sink.csv.size > len(",".join(model.model_fields)) + 1  # written in batches as rows pass
    assert tee.kept is None and not hasattr(sink, "rows")
    assert [row[1] for row in flow] == [row[1] for row in rows[5:]]
    assert tee.counts["people"] == 7 and not tee.unsorted
    tee.close()


@pytest.mark.parametrize("batch", [1, 3, 10_000])
def test_batches_write_the_canonical_and_spreadsheet_text(monkeypatch, batch):
    ds = cbcf_data.load()
    for name, table in ds.tables().items():
        model = table.model
        fields = tuple(model.model_fields)
        cells = [dict(row) for row in table.rows()]
        text = csvfiles.records_to_csv_text(model, table.values())
        pieces = [cells[i:i + batch] for i in range(0, len(cells), batch)]
        lists = [stream.texts(piece, bool(stream.integer_fields(model))) for piece in pieces]
        canonical = [stream.canonical_text(rows) for rows in lists]
        assert ",".join(fields) + "\n" + "".join(canonical) == text, name
        excel = "".join(stream.excel_text(rows, c) for c, rows in zip(canonical, lists))
        assert ("\ufeff" + ",".join(fields) + "\r\n" + excel).encode("utf-8") == release.excel_csv(text), name


def test_every_field_is_text_or_an_integer():
    """The stream writes cells as they are but for integer columns: this holds for every field
    of every model (a new type of field must be typed in `stream.TableSink.typed` too)."""
    from cbcf_data.model.dates import PartialDate

    for model in MODELS:
        integers = stream.integer_fields(model)
        example = model.model_validate(model.example)
        for field in model.model_fields:
            value = getattr(example, field)
            if field in integers:
                assert value is None or type(value) is int, (model.table, field)
            else:
                assert value is None or type(value) in (str, PartialDate), (model.table, field, type(value))
                if value is not None:
                    assert str(value) == model.example[field]


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


@pytest.mark.parametrize("cells", [
    ["plain", "text", ""], ["a,b", "c", "d"], ['say "x"', "", "e"], ["line\nbreak", "f", "g"], ["carriage\rreturn", "h", "i"],
    ["=1+1", "+x", "-2"], ["@a", "\tb", "c"], ["x", "y,=z", "w"], ["", "", ""]])
def test_cells_are_quoted_and_neutralized_as_the_csv_module_does(cells):
    model = next(m for m in MODELS if m.table == "meeting_topics")
    fields = list(model.model_fields)[:3]
    plain = ["p", "q", "r"]
    for rows in ([cells], [plain, cells], [cells, plain, plain]):
        dumps = [{field: cell or None for field, cell in zip(fields, row)} for row in rows]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
        if "\r" in text:
            text = "".join(",".join(csvfiles._quoted(cell) for cell in row) + "\n" for row in rows)
        assert stream.canonical_text(stream.texts(dumps)) == text
        header = "\ufeffa,b,c\r\n"
        assert (header + stream.excel_text(rows, text)).encode("utf-8") == release.excel_csv("a,b,c\n" + text)


@pytest.mark.parametrize("inline", [False, True])
def test_the_sqlite_builder_builds_in_its_process_or_inline_and_reports_failures(tmp_path, monkeypatch, inline):
    import multiprocessing

    from cbcf_data.errors import InvalidDataError

    if inline:
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    ds = cbcf_data.load()
    facts = describe.about({}, None)
    path = tmp_path / "built.sqlite"
    builder = sqlite.Builder(path, member=tmp_path.parent / f"{tmp_path.name}.deflate")
    assert (builder.process is None) is inline
    for model in MODELS:
        builder.send("table", model.table, False)
        builder.send("rows", model.table, [dict(record.model_dump()) for record in ds.table(model.table).values()])
        builder.send("indexes", model.table)
    builder.start_finish(describe.closures(ds), facts)
    builder.finish()
    assert path.read_bytes() == sqlite.sqlite_bytes(ds, facts)
    assert sorted(tmp_path.iterdir()) == [path]
    with sqlite3.connect(path) as connection:  # built in one pass, in order: nothing to compact
        assert connection.execute("PRAGMA freelist_count").fetchone() == (0,)
    if inline:  # compressed by the release's deflater instead
        assert builder.deflated is None
    else:  # hashed and compressed for the zip by its process
        crc, size, _, member, digest = builder.deflated
        data = path.read_bytes()
        assert (crc, size, digest) == (zlib.crc32(data), len(data), hashlib.sha256(data).hexdigest())
        assert zlib.decompress(member.read_bytes(), -15) == data
    broken = sqlite.Builder(tmp_path / "broken.sqlite")
    for model in MODELS:
        broken.send("table", model.table, True)
    row = dict(next(iter(ds.meeting_topics.values())).model_dump(), meeting_id="cbcf-1900")
    broken.send("rows", "meeting_topics", [row])
    with pytest.raises(InvalidDataError, match="foreign keys"):
        broken.start_finish({}, facts)
        broken.finish()
    broken.close()


def test_meetings_whose_commitments_sort_apart_get_their_own(tmp_path):
    """A meeting ID that begins another's (`cbcf-2000`, `cbcf-2000-b`): the commitments of the
    second sort before the first's (`cbcf-2000-b-c01` < `cbcf-2000-c01`), yet each bundle gets its own."""
    from cbcf_data.model import bundle

    meetings = [{"id": "cbcf-2000", "city": "Ottawa"}, {"id": "cbcf-2000-b", "city": None}]
    commitments = sorted(({"id": f"{m}-c0{i}", "meeting_id": m, "summary": f"{m} {i}", "quote_start": i}
                          for m in ("cbcf-2000", "cbcf-2000-b") for i in (1, 2)), key=lambda row: row["id"])
    topics = [{"commitment_id": c["id"], "topic_id": t} for c in commitments for t in ("a", "b")]
    assessments = [{"commitment_id": commitments[0]["id"], "party": "CA", "as_of": "2001", "status": "fulfilled"}]
    sources = [{"meeting_id": "cbcf-2000-b", "source_id": "s"}]
    rows = {"meetings": meetings, "commitments": commitments, "commitment_topics": topics,
            "assessments": assessments, "meeting_sources": sources}
    spools = stream.Spools(tmp_path)
    for table, table_rows in rows.items():
        spools.add(table, table_rows)
    spools.close()
    assert commitments[0]["meeting_id"] == "cbcf-2000-b"  # the order this test is about
    runs = document._commitment_items(tmp_path)
    assert [json.loads(item) for item in document._meetings(tmp_path, runs)] == bundle.all_bundles(rows)


def test_the_sqlite_builder_ends_quietly_when_interrupted_or_left(tmp_path):
    """Its process ends without a traceback on Ctrl-C (the whole process group gets it) and when
    the release is gone before the answer (a broken pipe); it answers a database it cannot open."""
    import multiprocessing

    class Other:
        def close(self) -> None:
            pass

    class Interrupting:
        def add(self, name, rows):
            raise KeyboardInterrupt

    ours, theirs = multiprocessing.Pipe()
    ours.send(("close", None))
    ours.close()  # the release is gone: the answer finds a broken pipe
    sqlite._serve(theirs, tmp_path / "left.sqlite", Other(), None)
    ours, theirs = multiprocessing.Pipe()
    ours.send(("table", "sources", True))
    ours.send(("rows", "sources", []))
    sqlite._serve(theirs, tmp_path / "interrupted.sqlite", Other(), Interrupting())
    ours, theirs = multiprocessing.Pipe()
    ours.send(("close", None))
    ours.send(("finish", {}, {}))
    sqlite._serve(theirs, tmp_path / "missing" / "folder.sqlite", Other(), None)
    assert "unable to open" in ours.recv() and "unable to open" in ours.recv()


def test_a_sqlite_builder_that_dies_is_one_clear_error(tmp_path):
    """Its process killed (out of memory, say): the release stops with one line, not a broken pipe
    (which the command line takes for a closed stdout and ends silently)."""
    import os
    import signal

    from cbcf_data.errors import CbcfDataError

    builder = sqlite.Builder(tmp_path / "killed.sqlite")
    if builder.process is None:
        pytest.skip("no fork here: the database is built inline")
    os.kill(builder.process.pid, signal.SIGKILL)
    builder.process.join()
    with pytest.raises(CbcfDataError, match=r"its process ended \(killed by signal 9\)"):
        for _ in range(100):  # the pipe's buffer takes the first messages
            builder.send("rows", "sources", [{"id": "x" * 100_000}])
    with pytest.raises(CbcfDataError, match="process ended"):
        builder.close_sink()
    builder.close()


@pytest.mark.parametrize("kind", ["link to a folder", "dangling link", "file"])
def test_a_release_replaces_only_a_folder_and_says_so_before_any_work(tmp_path, monkeypatch, kind):
    """`release --out D` where D/cbcf-data-<version> is a link or a file: one clear line naming it,
    before the dataset is read; a linked folder is left as it is (was "Cannot call rmtree on a
    symbolic link", after the whole build)."""
    from cbcf_data.errors import CbcfDataError

    folder = synthetic(tmp_path / "synth", 12)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("keep")
    target = tmp_path / "out" / release.release_name()
    target.parent.mkdir()
    if kind == "file":
        target.write_text("x")
    else:
        target.symlink_to(victim if kind == "link to a folder" else tmp_path / "nowhere")
    monkeypatch.setattr(release, "_build", lambda *args: pytest.fail("the release was built"))
    with pytest.raises(CbcfDataError, match="is (a symbolic link|not a folder): a release replaces only a folder"):
        release.build_release(tmp_path / "out", folder)
    assert (victim / "precious").read_text() == "keep" and os.path.lexists(target)


def test_a_release_is_the_same_whether_its_rows_come_in_batches_or_one_by_one(tmp_path, monkeypatch):
    """The tee writes a `Batch`'s text rows as they are (`TableSink.write_texts`) and a row on its
    own from its cells: every file of the release is byte for byte the same either way, on a
    dataset with quoted cells, formulas and integers."""
    from cbcf_data.check import structure

    folder = synthetic(tmp_path / "synth")
    path = folder / "records" / "people.csv"  # a quoted cell among canonical rows
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    rows[2][rows[0].index("notes")] = 'named, with a "quote" and\na line feed'
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)
    ds = cbcf_data.load(folder)
    files = {}
    for batch in (0, 3, 1_000):
        monkeypatch.setattr(structure, "BATCH", batch)
        built = release.build_release(tmp_path / f"dist-{batch}", folder, site=False)
        files[batch] = {path.relative_to(built): path.read_bytes() for path in sorted(built.rglob("*")) if path.is_file()}
    assert len(files[0]) > 20 and b'"quote""' in files[0][Path("csv") / "people.csv"]
    assert files[3] == files[0] and files[1_000] == files[0]
    for name, table in ds.tables().items():
        text = csvfiles.records_to_csv_text(table.model, table.values())
        assert files[0][Path("csv") / f"{name}.csv"] == text.encode("utf-8"), name
        assert files[0][Path("excel") / f"{name}.csv"] == release.excel_csv(text), name


def test_the_items_file_goes_through_a_large_buffer(tmp_path, monkeypatch):
    """Structural: each meeting's run of items (a few KB) is written once and read back once; with
    the default buffer each was a system call (about 20,000 at 100k commitments), with BUFFER a
    few dozen. The document is the same either way (the test above)."""
    opened = []
    real = Path.open

    def spy(self, mode="r", buffering=-1, *args, **kwargs):
        if self.name == "items":
            opened.append((mode, buffering))
        return real(self, mode, buffering, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    spools = stream.Spools(tmp_path)
    spools.add("meetings", [{"id": "cbcf-2000"}])
    spools.add("commitments", [{"id": "cbcf-2000-c01", "meeting_id": "cbcf-2000", "summary": "s"}])
    spools.close()
    bundles = list(document._meetings(tmp_path, document._commitment_items(tmp_path)))
    assert len(bundles) == 1 and "cbcf-2000-c01" in bundles[0]
    assert opened == [("wb", document.BUFFER), ("rb", document.BUFFER)] and document.BUFFER >= 1 << 20
