"""Writes outside a dataset: the folders `release` and `site` build, and the files of the user's cache.

A build writes its folder in a temporary folder beside its place (`building`), then renames it in
whole (`replace_folder`), replacing only an earlier folder of its own kind (`replaceable_folder`): never
a link, a file, the user's own folder or a dataset. A verdict kept in the user's cache is written
whole or not at all (`keep_file`). Writes to a dataset's own files go through `writes`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cbcf_data import signals
from cbcf_data.errors import UnusableInputError
from cbcf_data.io import journal


def replaceable_folder(target: Path, names: Iterable[str], what: str, manifest: str) -> bool:
    """Whether an earlier `what` (a release, a website) is at `target`, for a new one to replace:
    a folder, not a link, holding nothing but `names` (what a build of `what` writes at its top)
    and, below them, nothing but the files its `manifest` (a file at its top, one path a line,
    after a hash and two spaces or alone) lists: what that build wrote. An empty folder is
    replaced too. Anything else there is refused (UnusableInputError): a link, a file, or a folder
    that holds anything else — the user's own files, even under a name a build also writes (a
    `data/` folder), a dataset (say, a checkout unpacked as `cbcf-data-<version>`).
    Called before any work, and again just before the folder is replaced."""
    if os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target)):
        kind = "a symbolic link" if os.path.islink(target) else "not a folder"
        raise UnusableInputError(f"{target} is {kind}: a {what} replaces only a folder of an earlier {what}; "
                                 "remove it, or choose another --out")
    if not os.path.lexists(target):
        return False
    top = os.listdir(target)
    strangers = sorted(set(top) - set(names)) or (_unlisted(target, manifest, what) if top else [])
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise UnusableInputError(f"{target} holds what no {what} holds ({shown}): a {what} replaces only a folder "
                                 f"of an earlier {what}, and nothing was replaced; remove it, or choose another --out")
    return True


#: Files and folders a folder may hold for `replaceable_folder` to walk it (more: refused unread).
WALK_ENTRIES = 1_000_000


def _unlisted(target: Path, manifest: str, what: str) -> list[str]:
    """What the folder holds below its top that its manifest does not list (a link always; the
    manifest itself never); UnusableInputError when the manifest cannot be read."""
    from cbcf_data.io import files, limits

    try:
        text = files.read_text(target / manifest, limits.DOCUMENT_BYTES, target)
    except files.ReadError as error:
        raise UnusableInputError(f"{target}: its {manifest} cannot be read ({error}), so it is not known to hold only "
                                 f"an earlier {what}, and nothing was replaced; remove it, or choose another --out") from None
    listed = {line.split("  ", 1)[-1] for line in text.splitlines()} | {manifest}
    found, seen = [], 0
    for folder, folders, names in os.walk(target):
        seen += len(folders) + len(names)
        if seen > WALK_ENTRIES:
            return [f"more than {WALK_ENTRIES:,} files"]
        here = Path(folder).relative_to(target)
        found += [(here / name).as_posix() for name in folders if os.path.islink(Path(folder) / name)]
        found += [path for name in names if (path := (here / name).as_posix()) not in listed
                  or os.path.islink(Path(folder) / name)]
    return sorted(found)


def replace_folder(staging: Path, target: Path, aside: Path) -> None:
    """Rename the finished folder `staging` to `target` (on the same file system), replacing the
    folder there: that one is first renamed to `aside` (a free name in the caller's temporary
    folder, which removes it afterwards), so that `target` never holds half of either. A failure
    between the two renames (also a signal's handler raising just after the first) puts the earlier
    folder back; a kill -9 there leaves it whole at `aside` (ASIDE in the build's temporary folder),
    from where the next build puts it back (`remove_abandoned`) before anything else."""
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
        journal.write_file(temporary, data, None, sync=False)
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
    the end, whatever ends the build but a kill, with the stops held back (`signals.whole`: a
    Ctrl-C or SIGTERM, also one that ended the build, is raised once it is removed; cut, Python's
    `shutil.rmtree` closes a descriptor twice). The build holds a lock on the folder's BUILDING
    file while it lives (so does a child it forks); a folder of the same prefix whose lock is
    free was left by a build that was killed (kill -9, out of memory), and is removed first."""
    import tempfile  # here: keeping a verdict (every clean `validate`) needs neither it nor shutil

    remove_abandoned(parent, prefix)
    temp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    lock = None
    try:
        lock = _hold(temp)
        yield temp
    finally:
        try:
            signals.whole(lambda: _remove(temp))  # (what a child still writes there: the next build removes)
        finally:
            if lock is not None:
                os.close(lock)


def _remove(temp: Path) -> None:
    """Remove a build's temporary folder, its BUILDING file last: stopped half-way, what is left
    still holds it, and the next build removes the rest."""
    try:
        names = os.listdir(temp)
    except OSError:
        return
    for name in names:
        if name != BUILDING:
            path = temp / name
            if os.path.isdir(path) and not os.path.islink(path):
                import shutil

                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)
    with contextlib.suppress(OSError):
        os.unlink(temp / BUILDING)
        os.rmdir(temp)


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


#: In a build's temporary folder: where `replace_folder` puts the earlier folder it replaces.
ASIDE = "replaced"


def _put_back(temp: Path, target: Path) -> None:
    """The earlier folder a killed build had set aside (ASIDE) but not replaced, renamed back to
    `target` (`.<name>.<random>` builds `<name>`) when nothing took its place."""
    aside = temp / ASIDE
    if os.path.isdir(aside) and not os.path.islink(aside) and not os.path.lexists(target):
        os.rename(aside, target)


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
            with signals.held():
                _put_back(parent / name, parent / prefix[1:-1])
                _remove(parent / name)
        except OSError:  # held: a build at work
            pass
        finally:
            os.close(lock)
