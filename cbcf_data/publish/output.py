"""A release folder written as it is produced: every file goes to disk when it is made, hashed on
the way, so that nothing holds the whole release in memory; the zip is then built from the files
on disk, streamed, and SHA256SUMS from the hashes taken while writing.

With a `Deflater`, each file is also compressed for the zip as soon as it is finished, in other
threads (zlib and file reads run without Python's lock), while the release goes on; the zip then
only copies those compressed members in, with the bytes `zipfile` gives (a test holds them equal).
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: The date of every zip entry: two builds of the same data are identical.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
#: A zip member larger than this is deflated at level 1, not zlib's default 6: five times faster
#: on a release's files (20-45% larger), so that the zip of a large dataset's release costs about
#: what its tables do. The real dataset's files are all under 1 MiB: its zip is as it always was.
FAST_DEFLATE_BYTES = 4 << 20


#: A member compressed beforehand: CRC-32, size, compressed size, the compressed file, and the
#: SHA-256 of the source when asked for (else "").
Deflated = tuple[int, int, int, Path, str]


def deflate_level(size: int) -> int:
    """The zlib level of a zip member of `size` bytes (see FAST_DEFLATE_BYTES)."""
    return 1 if size > FAST_DEFLATE_BYTES else zlib.Z_DEFAULT_COMPRESSION


class HashingFile:
    """A binary file being written, hashed and counted as bytes go through."""

    def __init__(self, file: IO[bytes], closed: Callable[[HashingFile], None] | None = None,
                 tee: Streamed | None = None) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0
        self._closed = closed
        self.tee = tee

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        if self.tee is not None:
            self.tee.write(data)
        return self.file.write(data)

    @property
    def closed(self) -> bool:
        return self.file.closed

    def close(self) -> None:
        """Close the file (and, for `Output.open_file`, record its hash and size)."""
        self.file.close()
        if self._closed is not None:
            self._closed(self)
            self._closed = None


class Deflater:
    """Files compressed as zip members (raw deflate, as `zipfile` does) in `threads` more threads,
    each into a file under `work`: (CRC-32, size, compressed size, the file) by path. Two, so that
    the last large files (the JSON document, the SQLite file, finished together) are compressed
    side by side on a machine's two cores while the zip waits for them."""

    def __init__(self, work: Path, threads: int = 2) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="deflate")
        self.members: dict[str, Future[Deflated]] = {}

    def add(self, path: str, source: Path, hashed: bool = False) -> Future[Deflated]:
        """Compress `source` as the member `path`; `hashed`: its SHA-256 taken in the same pass."""
        member = self.members[path] = self.pool.submit(deflate, source, self.work / f"{len(self.members)}.deflate",
                                                       hashed)
        return member

    def done(self, path: str, deflated: Deflated) -> None:
        """A member compressed elsewhere (the SQLite file, by its builder's process)."""
        member: Future[Deflated] = Future()
        member.set_result(deflated)
        self.members[path] = member

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Streamed:
    """A member compressed as its file is written (`Output.open(..., streamed=True)`), in a thread
    of its own: the file's first FAST_DEFLATE_BYTES are held until it proves larger (a file no
    larger is compressed from disk once closed, at its own level: `close()` says which); then
    pieces of about a CHUNK go to the thread, at most `depth` of them waiting. The bytes are
    `deflate`'s: zlib's output does not depend on how its input is cut (a test holds it)."""

    def __init__(self, deflater: Deflater, path: str, depth: int = 8) -> None:
        self.deflater, self.path, self.depth = deflater, path, depth
        self.held: list[bytes] = []
        self.size = 0
        self.queue: queue.Queue[bytes | None] | None = None

    def write(self, data: bytes) -> None:
        self.held.append(data)
        self.size += len(data)
        if self.queue is None and self.size > FAST_DEFLATE_BYTES:
            self.queue = queue.Queue(self.depth)
            member: Future[Deflated] = Future()
            target = self.deflater.work / f"{len(self.deflater.members)}.deflate"
            self.deflater.members[self.path] = member
            threading.Thread(target=_deflate_queue, args=(self.queue, target, member), name="deflate stream",
                             daemon=True).start()
        if self.queue is not None and self.size >= CHUNK:
            self.queue.put(b"".join(self.held))
            self.held, self.size = [], 0

    def close(self) -> bool:
        """The end of the file (or of its writing, given up); whether it was compressed here."""
        if self.queue is None:
            return False
        if self.held:
            self.queue.put(b"".join(self.held))
            self.held, self.size = [], 0
        self.queue.put(None)
        return True


def _deflate_queue(pieces: queue.Queue[bytes | None], target: Path, member: Future[Deflated]) -> None:
    """`deflate` of a large file's pieces as they come (None ends them), into `member`; after a
    failure the pieces are still taken, so that the writer never waits on a full queue."""
    crc = size = compressed = 0
    try:
        with target.open("wb") as out:
            compressor = zlib.compressobj(deflate_level(FAST_DEFLATE_BYTES + 1), zlib.DEFLATED, -15)
            while (piece := pieces.get()) is not None:
                crc, size = zlib.crc32(piece, crc), size + len(piece)
                compressed += out.write(compressor.compress(piece))
            compressed += out.write(compressor.flush())
        member.set_result((crc, size, compressed, target, ""))
    except BaseException as error:  # noqa: BLE001 - the release gets it from the member
        while pieces.get() is not None:
            pass
        member.set_exception(error)


def deflate(source: Path, target: Path, hashed: bool = False) -> Deflated:
    """`source` compressed into `target` as `zipfile` compresses a member written in CHUNKs (and
    hashed on the way when asked)."""
    crc = size = compressed = 0
    digest = hashlib.sha256() if hashed else None
    with source.open("rb") as file, target.open("wb") as out:
        compressor = zlib.compressobj(deflate_level(os.fstat(file.fileno()).st_size), zlib.DEFLATED, -15)
        for chunk in iter(lambda: file.read(CHUNK), b""):
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            if digest is not None:
                digest.update(chunk)
            data = compressor.compress(chunk)
            compressed += out.write(data)
        compressed += out.write(compressor.flush())
    return crc, size, compressed, target, "" if digest is None else digest.hexdigest()


class Output:
    """The release's files under `folder`, with the SHA-256 and size of each, by path; each also
    compressed for the zip as it is finished when given a `Deflater`."""

    def __init__(self, folder: Path, deflater: Deflater | None = None) -> None:
        self.folder = folder
        self.hashes: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.deflater = deflater
        #: Files `add`ed with a deflater, hashed in its pass: in `hashes` once `settle()`d.
        self.pending: dict[str, Future[Deflated]] = {}

    def _done(self, path: str, digest: str, size: int, deflated: bool = False) -> None:
        self.hashes[path], self.sizes[path] = digest, size
        if self.deflater is not None and not deflated:
            self.deflater.add(path, self.folder / path)

    def _target(self, path: str) -> Path:
        if path in self.hashes or path in self.pending:
            raise ValueError(f"{path} is written twice")
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, path: str, data: bytes) -> None:
        """Write one file's bytes."""
        with self.open(path) as file:
            file.write(data)

    @contextmanager
    def open(self, path: str, streamed: bool = False) -> Iterator[HashingFile]:
        """A file to write in pieces; its hash and size are recorded when it is closed. `streamed`:
        compressed for the zip as it is written (`Streamed`: a large file, written last)."""
        stream = Streamed(self.deflater, path) if streamed and self.deflater is not None else None
        deflated = False
        with self._target(path).open("wb") as raw:
            file = HashingFile(raw, tee=stream)
            try:
                yield file
            finally:
                deflated = stream is not None and stream.close()
        self._done(path, file.digest.hexdigest(), file.size, deflated)

    def open_file(self, path: str) -> HashingFile:
        """A file to write in pieces, open until its `close()`, which records its hash and size."""
        def closed(file: HashingFile) -> None:
            self._done(path, file.digest.hexdigest(), file.size)

        return HashingFile(self._target(path).open("wb"), closed)

    def copy(self, path: str, source: str) -> None:
        """Another release file's bytes again at `path` (read back in chunks, hashed as copied)."""
        with (self.folder / source).open("rb") as raw, self.open(path) as file:
            shutil.copyfileobj(raw, file, CHUNK)  # type: ignore[misc]

    def add(self, path: str, deflated: Deflated | None = None) -> None:
        """Record a file that something else wrote at `path` (SQLite's), hashing it from disk: in
        the pass that compresses it, in the deflater's thread, when there is one (`settle()`);
        or `deflated` already, hash included (`deflate(..., hashed=True)`)."""
        if path in self.hashes or path in self.pending:
            raise ValueError(f"{path} is written twice")
        if deflated is not None:
            _, self.sizes[path], _, _, self.hashes[path] = deflated
            if self.deflater is not None:
                self.deflater.done(path, deflated)
        elif self.deflater is None:
            self._done(path, *file_sha256(self.folder / path))
        else:
            self.pending[path] = self.deflater.add(path, self.folder / path, hashed=True)

    def settle(self) -> list[str]:
        """Every file's hash and size recorded (waiting for those being hashed); return every path."""
        for path, member in self.pending.items():
            _, self.sizes[path], _, _, self.hashes[path] = member.result()
        self.pending.clear()
        return list(self.hashes)

    def checksums(self) -> bytes:
        """SHA256SUMS: a line per file written so far, sorted by path."""
        self.settle()
        return "".join(f"{digest}  {path}\n" for path, digest in sorted(self.hashes.items())).encode("utf-8")


def file_sha256(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def zip_entry(name: str, size: int) -> zipfile.ZipInfo:
    """A zip entry with the fixed date and permissions every entry of a release has."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.file_size = size  # as `writestr` sets it before writing: it decides whether zip64 is needed
    info._compresslevel = deflate_level(size)  # type: ignore[attr-defined]  # zipfile's own (3.13: compress_level)
    return info


def zip_files(target: Path, folder: Path, paths: Iterable[str], prefix: str,
              deflated: dict[str, Future[Deflated]] | None = None) -> None:
    """Write a zip at `target` of the files `paths` under `folder`, named `prefix` + path, sorted,
    each streamed from disk in chunks (never a whole file in memory); a member `deflated` already
    (`Deflater`) is copied in compressed, with the same bytes."""
    deflated = deflated or {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(paths):
            source = folder / path
            if path in deflated:
                _add_deflated(archive, prefix + path, *deflated[path].result())
                continue
            with source.open("rb") as file, archive.open(zip_entry(prefix + path, source.stat().st_size), "w") as entry:
                shutil.copyfileobj(file, entry, CHUNK)


def _add_deflated(archive: zipfile.ZipFile, name: str, crc: int, size: int, compressed: int, member: Path,
                  _digest: str = "") -> None:
    """A member compressed beforehand, written as `ZipFile.open(info, "w")` writes one to a
    seekable file (header with CRC and sizes, data; listed for the central directory)."""
    info = zip_entry(name, size)
    info.flag_bits, info.CRC, info.compress_size = 0, crc, compressed
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    fp = archive.fp
    assert fp is not None
    fp.seek(archive.start_dir)
    info.header_offset = fp.tell()
    archive._writecheck(info)  # type: ignore[attr-defined]
    archive._didModify = True  # type: ignore[attr-defined]
    fp.write(info.FileHeader(zip64))
    with member.open("rb") as file:
        shutil.copyfileobj(file, fp, CHUNK)
    archive.start_dir = fp.tell()
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    member.unlink()
