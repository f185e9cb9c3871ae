"""One writer at a time: an advisory lock on a dataset, shared by readers, exclusive for a writer.

The lock is `flock(2)` on the file `.cbcf-lock` beside the dataset's `datapackage.json`; the
operating system releases it when the process ends, however it ends, so a killed writer never
leaves the dataset locked. A writer records its process ID in the file, for the message a
waiting process prints. The lock file is opened only as a regular file of its own, never through
a link (a planted `.cbcf-lock` link would otherwise have the writer truncate the file it points
at). Within one process the lock is re-entrant (an import validates and loads
the dataset it holds), and threads take turns on it.

Where `fcntl` is missing (Windows), only the in-process part applies.
"""

from __future__ import annotations

import _thread  # not `threading`: its locks are these, and `show` needs nothing more of it
import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cbcf_data.errors import DatasetBusyError, UnusableInputError

if sys.platform != "win32":
    import fcntl

#: The lock file, beside datapackage.json.
LOCK_NAME = ".cbcf-lock"
#: Seconds a process waits for the lock before giving up (the environment variable
#: CBCF_DATA_LOCK_TIMEOUT overrides it).
LOCK_WAIT = 30.0
POLL = 0.05
#: How the lock file is opened: never through a link, never waiting on a FIFO.
_LOCK_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
#: What is said of a lock file that is not a regular file of its own, and what to do.
UNSAFE_LOCK = "is a link, a hard link, a folder or a device: cbcf-data keeps its lock there and opens no other kind of file"
UNSAFE_LOCK_HINT = "remove it and run the command again (cbcf-data creates it)"
#: What opening gives for a link (ELOOP), a folder (EISDIR) or a FIFO or socket (ENXIO).
_NOT_A_LOCK = {errno.ELOOP, errno.EISDIR, errno.ENXIO}


class _Holding:
    """This process's hold on one dataset's lock."""

    def __init__(self) -> None:
        self.guard = _thread.RLock()
        self.fd: int | None = None
        self.exclusive = False
        self.depth = 0
        self.owner: int | None = None


_holdings: dict[str, _Holding] = {}
_holdings_guard = _thread.allocate_lock()


def _forget_holdings() -> None:
    """In a forked child: the parent's holds are not the child's (it must take the lock itself),
    and its copies of the lock files are closed, so that a child that outlives the parent's hold
    (the release's SQLite builder, once the parent is killed) never keeps the dataset locked.
    (Closing a copy leaves the parent's lock as it is; only unlocking would release it.)"""
    global _holdings_guard
    for holding in _holdings.values():
        if holding.fd is not None:
            try:
                os.close(holding.fd)
            except OSError:
                pass
    _holdings.clear()
    _holdings_guard = _thread.allocate_lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_holdings)


def lock_timeout() -> float:
    """Seconds to wait for a busy dataset: CBCF_DATA_LOCK_TIMEOUT, else LOCK_WAIT."""
    try:
        return max(0.0, float(os.environ.get("CBCF_DATA_LOCK_TIMEOUT", LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


def _holding(root: Path) -> _Holding:
    key = os.path.realpath(root)
    with _holdings_guard:
        return _holdings.setdefault(key, _Holding())


def held(root: Path) -> bool | None:
    """How this thread holds the dataset's lock: True exclusive, False shared, None not at all."""
    holding = _holding(root)
    if holding.depth and holding.owner == _thread.get_ident():
        return holding.exclusive
    return None


@contextmanager
def hold(root: Path, exclusive: bool, notify: Callable[[str], None]) -> Iterator[bool]:
    """Hold the dataset's lock (exclusive for a writer, shared for a reader) for the block.

    Yields True for the outermost hold in this process, False for a nested one. Waits up to
    `lock_timeout()` seconds for another process, calling `notify` once with a message, then
    raises DatasetBusyError naming the process. A reader of a dataset it cannot create the lock
    file in (a read-only folder) reads without the lock: nobody can write there either.
    """
    holding = _holding(root)
    with holding.guard:
        if holding.depth:
            if exclusive and not holding.exclusive:
                raise RuntimeError(f"{root}: a write was started while only reading the dataset")
            holding.depth += 1
            try:
                yield False
            finally:
                holding.depth -= 1
            return
        holding.fd = _open_lock_file(root, exclusive)
        try:
            _acquire(holding.fd, root, exclusive, notify)
            holding.exclusive, holding.depth, holding.owner = exclusive, 1, _thread.get_ident()
            yield True
        finally:
            holding.depth, holding.owner = 0, None
            _release(holding)


def locked(root: Path) -> bool:
    """Whether this process's hold on the dataset is a real lock (not a read-only dataset's
    lock-less read; on Windows, where there is no flock, always True)."""
    holding = _holding(root)
    return holding.depth > 0 and (holding.fd is not None or sys.platform == "win32")


def change_mode(root: Path, exclusive: bool, notify: Callable[[str], None]) -> None:
    """Turn this process's outermost hold into an exclusive (or back into a shared) one.

    The change is not atomic: another process may take the lock in between, so the caller looks
    at the dataset again after it.
    """
    holding = _holding(root)
    if holding.depth != 1:
        raise RuntimeError(f"{root}: the lock's mode can change only at its outermost hold")
    if holding.exclusive and not exclusive and holding.fd is not None:
        _write_pid(holding.fd, "")
    _acquire(holding.fd, root, exclusive, notify)
    holding.exclusive = exclusive


def _open_lock_file(root: Path, exclusive: bool) -> int | None:
    """The lock file, opened never through a link and only if it is a regular file of its own
    (a planted link or hard link would let the writer's PID truncate a file outside the dataset;
    a FIFO would hang the reader): anything else is refused with what to do."""
    if sys.platform == "win32":
        return None
    path = root / LOCK_NAME
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | _LOCK_FLAGS, 0o666)
    except OSError as error:
        if error.errno in _NOT_A_LOCK:
            raise _not_a_lock(path) from None
        if exclusive or error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        try:
            descriptor = os.open(path, os.O_RDONLY | _LOCK_FLAGS)
        except OSError as error:
            if error.errno in _NOT_A_LOCK:
                raise _not_a_lock(path) from None
            return None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
        os.close(descriptor)
        raise _not_a_lock(path)
    return descriptor


def _not_a_lock(path: Path) -> UnusableInputError:
    return UnusableInputError(f"{path} {UNSAFE_LOCK}; {UNSAFE_LOCK_HINT}")


def _acquire(fd: int | None, root: Path, exclusive: bool, notify: Callable[[str], None]) -> None:
    if fd is None or sys.platform == "win32":
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline, told = time.monotonic() + lock_timeout(), False
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pid = _writer_pid(fd)
            if time.monotonic() >= deadline:
                raise DatasetBusyError(_busy(root, pid) + "; try again when it has finished", pid) from None
            if not told:
                notify(f"{_busy(root, pid)}; waiting up to {lock_timeout():g} s…")
                told = True
            time.sleep(POLL)
    if exclusive:
        _write_pid(fd, f"{os.getpid()}\n")


def _write_pid(fd: int, text: str) -> None:
    """Say in the lock file who holds it (not possible through a read-only lock file: then unsaid)."""
    try:
        os.ftruncate(fd, 0)
        if text:
            os.pwrite(fd, text.encode(), 0)
    except OSError:
        pass


def _busy(root: Path, pid: int | None) -> str:
    if pid is None:
        return f"the dataset {root} is being read by another process"
    return f"the dataset {root} is being changed by process {pid}"


def _writer_pid(fd: int) -> int | None:
    """The process ID the current writer wrote into the lock file (None when a reader holds it)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _release(holding: _Holding) -> None:
    fd, holding.fd = holding.fd, None
    if fd is None:
        return
    try:
        if holding.exclusive and sys.platform != "win32":
            _write_pid(fd, "")  # no process ID of a writer that has finished
    finally:
        holding.exclusive = False
        os.close(fd)  # closing releases the flock
