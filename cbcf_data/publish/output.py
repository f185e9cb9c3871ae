"""A release folder written as it is produced: every file goes to disk when it is made, hashed on
the way, so that nothing holds the whole release in memory; the zip is then built from the files
on disk, streamed, and SHA256SUMS from the hashes taken while writing.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: The date of every zip entry: two builds of the same data are identical.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20


class HashingFile:
    """A binary file being written, hashed and counted as bytes go through."""

    def __init__(self, file: IO[bytes], closed: Callable[[HashingFile], None] | None = None) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0
        self._closed = closed

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
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


class Output:
    """The release's files under `folder`, with the SHA-256 and size of each, by path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hashes: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    def _target(self, path: str) -> Path:
        if path in self.hashes:
            raise ValueError(f"{path} is written twice")
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, path: str, data: bytes) -> None:
        """Write one file's bytes."""
        with self.open(path) as file:
            file.write(data)

    @contextmanager
    def open(self, path: str) -> Iterator[HashingFile]:
        """A file to write in pieces; its hash and size are recorded when it is closed."""
        with self._target(path).open("wb") as raw:
            file = HashingFile(raw)
            yield file
        self.hashes[path], self.sizes[path] = file.digest.hexdigest(), file.size

    def open_file(self, path: str) -> HashingFile:
        """A file to write in pieces, open until its `close()`, which records its hash and size."""
        def closed(file: HashingFile) -> None:
            self.hashes[path], self.sizes[path] = file.digest.hexdigest(), file.size

        return HashingFile(self._target(path).open("wb"), closed)

    def copy(self, path: str, source: str) -> None:
        """Another release file's bytes again at `path` (read back in chunks, hashed as copied)."""
        with (self.folder / source).open("rb") as raw, self.open(path) as file:
            shutil.copyfileobj(raw, file, CHUNK)  # type: ignore[misc]

    def add(self, path: str) -> None:
        """Record a file that something else wrote at `path` (SQLite's), hashing it from disk."""
        digest, size = file_sha256(self.folder / path)
        self.hashes[path], self.sizes[path] = digest, size

    def checksums(self) -> bytes:
        """SHA256SUMS: a line per file written so far, sorted by path."""
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
    return info


def zip_files(target: Path, folder: Path, paths: Iterable[str], prefix: str) -> None:
    """Write a zip at `target` of the files `paths` under `folder`, named `prefix` + path, sorted,
    each streamed from disk in chunks (never a whole file in memory)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(paths):
            source = folder / path
            with source.open("rb") as file, archive.open(zip_entry(prefix + path, source.stat().st_size), "w") as entry:
                shutil.copyfileobj(file, entry, CHUNK)
