"""A dataset's verdict, kept so that `import` need not check again the rows it does not touch.

A verdict says: these exact files — `datapackage.json`, every table it names, and every archived
text the sources table names (`records/sources/<id>.txt`) — checked by this exact code
(`cbcf_data` version, a hash of the package's source, the Python and Pydantic versions) gave no
issue at all, not even a warning. It is named by the SHA-256 of all that (`digest`) and kept in
the user's cache (`$CBCF_DATA_CACHE_DIR/verdicts`, else `$XDG_CACHE_HOME/cbcf-data/verdicts`, else
`~/.cache/cbcf-data/verdicts`; `CBCF_DATA_CACHE_DIR=off` keeps none), beside frictionless's
verdicts (`check.profile`). Any change to a file or to the code names another verdict, which is
not there: the dataset is then checked in full.

Who writes one: `validate()` of a dataset folder (never of a release folder, zip or document, nor
of the installed copy), when its report is empty; and `import`, after a write whose bundle
validated without an issue (named from the bytes it wrote and, for the other files, the hashes
its check's digest read, not a second read). Both read the files under the dataset's lock
(`validate` in a thread beside its check: `Digesting`); `validate` also compares their sizes,
times and inodes before and after (`stamp`) and keeps nothing when they changed while it read
them. A cache that cannot be written is skipped silently. At most `limits.VERDICTS_KEPT` are
kept (the oldest are removed).

Who reads one: only `import` (`check.validate.validate_import`), to skip typing and checking the
dataset's own rows again (`check.known`); it still checks the bundle's rows fully and against the
dataset's keys and cells. `validate` never reads a verdict: it always checks everything.

Why not a file in the dataset's folder: anyone can commit one (a pull request), and a verdict
that names the right files can be written by anyone who has them, so it would let an invalid
dataset import as valid. The user's cache is as trusted as the user's home (as for frictionless's
verdicts): nothing a dataset holds is ever taken as a verdict. A verdict file that is not exactly
what `keep` writes, or larger than `limits.VERDICT_BYTES`, is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

from cbcf_data.io import limits, outputs, package
from cbcf_data.io.files import ReadError, open_file, read_bytes
from cbcf_data.io.readers import csv_records, open_csv

#: Part of every verdict's name and content: raise it when what a verdict means changes.
FORMAT = "1"
#: Bytes read from a file at a time while hashing it.
CHUNK = 1024 * 1024


def cache_folder() -> Path | None:
    """Where verdicts are kept (beside frictionless's); None when the cache is off."""
    from cbcf_data.check.profile import cache_dir

    return cache_dir("verdicts")


@functools.cache
def code_version() -> str:
    """What names the code that checks: versions, and a hash of the package's own source files."""
    from cbcf_data._version import __version__
    from cbcf_data.check.profile import installed_version  # read without importing Pydantic

    here = Path(__file__).resolve().parent.parent  # the cbcf_data package
    digest = hashlib.sha256("\0".join((__version__, str(installed_version("pydantic")),
                                       str(installed_version("pydantic_core")), sys.version)).encode())
    for parts in sorted(_sources(str(here), ())):  # in the order of their paths' parts, as `Path`s sort
        digest.update(f"\0{'/'.join(parts)}\0".encode())
        with open(os.path.join(here, *parts), "rb") as file:
            digest.update(file.read())
    return digest.hexdigest()


def _sources(folder: str, parts: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The parts of the path of every `*.py` file below `folder`, as `Path.rglob("*.py")` finds
    them (through folders, not through links to folders): with `os.scandir`, a few times cheaper
    than `Path`s on every `validate`'s start."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _sources(entry.path, (*parts, entry.name))
            elif entry.name.endswith(".py") and entry.is_file():
                yield (*parts, entry.name)


def digest(descriptor_file: Path, tables: dict[str, Path], tables_root: Path,
           written: Mapping[Path, str | bytes] | None = None, stop: Callable[[], bool] | None = None) -> str | None:
    """The name of the verdict on these files as they are now; None when one cannot be read
    (nothing is then kept or trusted). The archived texts counted are those the sources table
    names: a text added for a new source changes nothing the verdict vouched for (whether a file
    no row names is reported is judged on the folder as it is, with or without a verdict).

    `written` (`import`, under the lock it held since its check): the content it just wrote to
    some of these files; every other file is taken with the hash the last digest of this process
    read of it (the one that vouched for the files the check then read), read again only when
    that digest did not read it. Without `written`, every file is read. `stop`: once it returns
    True, the digest gives up at its next chunk and is None (`Digesting`)."""
    root = descriptor_file.parent
    total = hashlib.sha256(f"{FORMAT}\0{code_version()}".encode())
    budget = [limits.VALIDATE_BYTES + limits.ARCHIVES_BYTES]
    hashes: dict[Path, str] = {}
    previous = dict(_HASHED) if written is not None else {}
    _HASHED.clear()  # a digest that fails leaves none

    def hash_of(path: Path) -> str:
        if written is not None and path in written:
            content = written[path]
            hashes[path] = hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()
        elif path in previous:
            hashes[path] = previous[path]
        else:
            hashes[path] = _file_hash(path, root, budget, stop)
        return hashes[path]

    try:
        for path in [descriptor_file, *sorted(set(tables.values()))]:
            total.update(f"\0file\0{os.path.relpath(path, root)}\0{hash_of(path)}".encode())
        sources = tables.get("sources")
        for name in _archives(sources, root, None if written is None or sources is None else written.get(sources)):
            total.update(f"\0archive\0{name}\0{hash_of(tables_root / name)}".encode())
    except (OSError, ReadError):
        return None
    _HASHED.update(hashes)
    return total.hexdigest()


#: The SHA-256 of each file the last `digest` of this process read, by path (see `digest`'s `written`).
_HASHED: dict[Path, str] = {}


def _archives(sources: Path | None, root: Path, text: str | bytes | None = None) -> list[str]:
    """The archive paths the sources table names, in its order (from `text`, its content, when
    given); ReadError when it cannot be read."""
    if sources is None:
        return []
    file: IO[str]
    if text is not None:
        content = text.decode() if isinstance(text, bytes) else text
        records, file = csv_records(io.StringIO(content, newline=""), sources), io.StringIO()
    else:
        records, file = open_csv(sources, root)
    with file:
        header = next(records, (1, []))[1]
        if "archive_path" not in header:
            return []
        column = header.index("archive_path")
        return [cells[column] for _, cells in records if len(cells) > column and cells[column]]


def stamp(descriptor_file: Path, tables: dict[str, Path], tables_root: Path) -> tuple[Any, ...] | None:
    """What tells, without reading them, whether the files a digest reads changed: each one's
    size, modification time and inode (the archived texts' folder whole). Taken before and after
    a check, so that a verdict is kept only on files that did not change while they were read."""
    archives = tables_root / "sources"
    try:
        found = [descriptor_file, *sorted(set(tables.values()))]
        if archives.is_dir():
            found += sorted(archives.iterdir())
        return tuple((str(path), *_stat(path)) for path in found)
    except OSError:
        return None


def _stat(path: Path) -> tuple[int, int, int, int]:
    status = os.lstat(path)
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def _file_hash(path: Path, root: Path, budget: list[int], stop: Callable[[], bool] | None = None) -> str:
    """The SHA-256 of a regular file below root, read in chunks; ReadError past the budget, or
    once `stop()` is true."""
    digest = hashlib.sha256()
    with open_file(path, root) as file:
        while chunk := file.read(CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ReadError("too-large", "more than a dataset may hold")
            if stop is not None and stop():
                raise ReadError("stopped", "the digest was given up")
            digest.update(chunk)
    return digest.hexdigest()


class Digesting:
    """`digest` of a dataset's files (all read: no `written`) in a thread beside its check, begun
    under the same lock: reading files and hashing them (hashlib, for more than 2 KiB at a time)
    release the interpreter's lock, so that on a second core the digest costs the check nothing.
    `result()` waits for it; it gives up at its next chunk once `give_up()` is true (the check found
    an issue: the dataset keeps no verdict), or once `stop()` is called."""

    def __init__(self, descriptor_file: Path, tables: dict[str, Path], tables_root: Path,
                 give_up: Callable[[], bool] = lambda: False) -> None:
        import threading

        self._stop = threading.Event()
        self._give_up = give_up
        self._found: list[Any] = []  # the digest, or what the thread raised
        self._thread = threading.Thread(target=self._run, args=(descriptor_file, dict(tables), tables_root),
                                        name="cbcf-data verdict digest", daemon=True)
        self._thread.start()

    def _run(self, descriptor_file: Path, tables: dict[str, Path], tables_root: Path) -> None:
        try:
            self._found.append(digest(descriptor_file, tables, tables_root, stop=self._stopped))
        except BaseException as error:  # noqa: BLE001 - raised again by `result`, in the check's thread
            self._found.append(error)

    def _stopped(self) -> bool:
        return self._stop.is_set() or self._give_up()

    def result(self) -> str | None:
        """The digest (None when a file could not be read), once the thread is done; what it raised."""
        self._thread.join()
        found = self._found[0] if self._found else None
        if isinstance(found, BaseException):
            raise found
        return cast("str | None", found)

    def stop(self) -> None:
        """Give the digest up and wait for the thread to end (within one chunk of a file)."""
        self._stop.set()
        self._thread.join()


def _content(key: str) -> bytes:
    """What a verdict file named `key` holds, exactly."""
    return json.dumps({"format": FORMAT, "digest": key, "issues": 0}, sort_keys=True).encode()


def vouched(key: str | None) -> bool:
    """Whether a verdict kept in the cache says the files named by `key` gave no issue."""
    folder = cache_folder()
    if key is None or folder is None:
        return False
    try:
        return read_bytes(folder / f"{key}.json", limits.VERDICT_BYTES) == _content(key)
    except (ReadError, OSError):
        return False


def keep(key: str | None, descriptor_file: Path) -> None:
    """Keep the verdict that the files named by `key` gave no issue (written whole, then renamed);
    nothing for the installed copy, or when the cache cannot be written."""
    folder = cache_folder()
    if key is None or folder is None or package.inside_package(descriptor_file):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        outputs.keep_file(folder / f"{key}.json", _content(key))
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    """Remove the oldest verdicts beyond VERDICTS_KEPT: files named as `keep` names them (a digest),
    never another file that the folder (a shared cache, a link) may hold."""
    names = [name for name in os.listdir(folder) if len(name) == 69 and name.endswith(".json")
             and set(name[:64]) <= set("0123456789abcdef")]
    kept = sorted((folder / name for name in names), key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for path in kept[limits.VERDICTS_KEPT:]:
        path.unlink(missing_ok=True)
