"""Writes outside a dataset: the folders `release` and `site` build, and the files of the user's cache.

A build writes its folder in a temporary folder beside its place (`building`), then renames it in
whole (`replace_folder`), replacing only an earlier folder of its own kind (`replaceable_folder`): never
a link, a file, the user's own folder or a dataset. A verdict kept in the user's cache is written
whole or not at all (`keep_file`). Writes to a dataset's own files go through `writes`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cbcf_data.errors import UnusableInputError
from cbcf_data.io import journal


def replaceable_folder(target: Path, names: Iterable[str], what: str) -> bool:
    """Whether an earlier `what` (a release, a website) is at `target`, for a new one to replace:
    a folder, not a link, holding nothing but `names` (what a build of `what` writes at its top).
    Anything else there is refused (UnusableInputError): a link, a file, or a folder that holds
    anything else — the user's own files, a dataset (say, a checkout unpacked as `cbcf-data-<version>`).
    Called before any work, and again just before the folder is replaced."""
    if os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target)):
        kind = "a symbolic link" if os.path.islink(target) else "not a folder"
        raise UnusableInputError(f"{target} is {kind}: a {what} replaces only a folder of an earlier {what}; "
                                 "remove it, or choose another --out")
    if not os.path.lexists(target):
        return False
    strangers = sorted(set(os.listdir(target)) - set(names))
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise UnusableInputError(f"{target} holds what no {what} holds ({shown}): a {what} replaces only a folder "
                                 f"of an earlier {what}, and nothing was replaced; remove it, or choose another --out")
    return True


def replace_folder(staging: Path, target: Path, aside: Path) -> None:
    """Rename the finished folder `staging` to `target` (on the same file system), replacing the
    folder there: that one is first renamed to `aside` (a free name in the caller's temporary
    folder, which removes it afterwards), so that `target` never holds half of either. A failure
    between the two renames (also a signal's handler raising just after the first) puts the earlier
    folder back; a kill -9 there leaves it whole at `aside`."""
    try:
        if os.path.lexists(target):
            os.rename(target, aside)
        os.rename(staging, target)
    except BaseException:
        if not os.path.lexists(target) and os.path.lexists(aside):
            os.rename(aside, target)
        raise


def keep_file(path: Path, data: bytes) -> None:
    """Write a file of a cache (outside any dataset) whole or not at all: a temporary file of a
    fresh name beside it (created, never opened through a link or over another file), renamed
    over it; the temporary file removed whatever stops the write (a full disk, a signal's handler).
    No lock and no fsync: two processes keep the same content, and an entry lost or torn by a
    power cut is one its reader takes for none."""
    temporary = journal.temp_name(path, "new")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise


#: In a build's temporary folder: the file whose lock the build holds while it lives.
BUILDING = ".cbcf-building"
#: Characters of the random part of a temporary folder's name (tempfile.mkdtemp's).
RANDOM_CHARS = 8


@contextmanager
def building(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder in `parent`, named `<prefix><random>`, to build an output in; removed at
    the end, whatever ends the build but a kill. The build holds a lock on the folder's BUILDING
    file while it lives (so does a child it forks); a folder of the same prefix whose lock is
    free was left by a build that was killed (kill -9, out of memory), and is removed first."""
    remove_abandoned(parent, prefix)
    temp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    lock = None
    try:
        lock = _hold(temp)
        yield temp
    finally:
        shutil.rmtree(temp, ignore_errors=True)  # (what a child still writes there: the next build removes)
        if lock is not None:
            os.close(lock)


def _hold(folder: Path) -> int | None:
    """Lock a new BUILDING file in folder, then give it its name: a BUILDING file is always held."""
    if sys.platform == "win32":
        return None
    import fcntl

    new = folder / f"{BUILDING}.new"
    lock = os.open(new, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.rename(new, folder / BUILDING)
    except BaseException:
        os.close(lock)
        raise
    return lock


def remove_abandoned(parent: Path, prefix: str) -> None:
    """Remove the temporary folders `<prefix><random>` in parent that killed builds left: those
    holding a BUILDING file nobody holds. Any other folder, and any other name, is left alone."""
    if sys.platform == "win32":
        return
    import fcntl

    try:
        names = [name for name in os.listdir(parent) if name.startswith(prefix)
                 and len(name) == len(prefix) + RANDOM_CHARS and os.path.isdir(parent / name)
                 and not os.path.islink(parent / name)]
    except OSError:
        return
    for name in names:
        try:
            lock = os.open(parent / name / BUILDING, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(parent / name, ignore_errors=True)
        except OSError:  # held: a build at work
            pass
        finally:
            os.close(lock)
