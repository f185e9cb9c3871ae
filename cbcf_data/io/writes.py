"""Writes to a dataset's files: every change all or nothing, one writer at a time.

    with writes.writing(root):          # the lock, exclusive; an interrupted change finished first
        ...read the tables again, compute the new ones...
        writes.replace_files(root, {path: text, ...})

    with writes.reading(root):          # the lock, shared: no change happens while reading
        ...read the tables...

`root` is the dataset's folder (the one holding `datapackage.json`). How a change is made
durable and how an interrupted one is recovered: `journal`; the lock: `locking`. Nothing is
ever written inside the installed package (its copy of the dataset is read-only).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cbcf_data.errors import RecoveryError, UnusableInputError
from cbcf_data.io import files, journal, locking, package
from cbcf_data.io.journal import Recovery

#: Folders of a dataset searched for temporary files besides those a caller names.
KNOWN_FOLDERS = ("records", "schema", "docs")


#: Called once, before the first message `notify` gives: the command line sets up its stderr
#: handler there, so that a command with nothing to say never imports `logging`.
before_first_notice: Callable[[], None] | None = None


def notify(message: str) -> None:
    """Tell the user what happened to their dataset: a warning of the `cbcf_data` logger (shown
    on stderr when logging is not configured; the command line prefixes it with `cbcf-data:`)."""
    global before_first_notice
    import logging

    if before_first_notice is not None:
        set_up, before_first_notice = before_first_notice, None
        set_up()
    logging.getLogger("cbcf_data").warning(message)


@functools.cache
def _installed_places() -> tuple[str, ...]:
    import site
    import sysconfig

    places = {os.path.realpath(Path(__file__).parent.parent)}  # the cbcf_data package itself
    for key in ("purelib", "platlib"):
        places.add(os.path.realpath(sysconfig.get_paths()[key]))
    for folder in [*getattr(site, "getsitepackages", list)(), site.getusersitepackages()]:
        places.add(os.path.realpath(folder))
    return tuple(sorted(places))


def _inside(root: Path, places: Iterable[str]) -> bool:
    here = os.path.realpath(root)
    return any(here == place or here.startswith(place + os.sep) for place in places)


def installed(root: Path) -> bool:
    """Whether root lies inside the installed package or an environment's site-packages."""
    return package.inside_package(root) or _inside(root, _installed_places())


def refuse_installed(root: Path) -> None:
    """UnusableInputError when root is the copy of the dataset installed with the package."""
    if installed(root):
        raise UnusableInputError(
            f"{root}: this is the copy of the dataset installed with the package, which is read-only; run inside a "
            "checkout of cbcf-data (a folder holding datapackage.json and records/) or pass --dataset")


def _folders(root: Path, folders: Iterable[Path]) -> list[Path]:
    """The folders searched for temporary files: those of the dataset reached through no link (a
    `docs` link to a folder elsewhere is no folder of the dataset's: nothing there is removed)."""
    found = [*(root / name for name in KNOWN_FOLDERS), *folders]
    return [folder for folder in found if files.real_folder(Path(folder), root)]


def _resource_folders(root: Path) -> list[Path]:
    """The folders the descriptor's tables are in (none when it cannot be read: validate says why)."""
    try:
        paths = package.resource_paths(package.read_descriptor(root / package.DESCRIPTOR), root)
    except UnusableInputError:
        return []
    return list(dict.fromkeys(path.parent for path in paths.values()))


def _tell(recovery: Recovery) -> None:
    for line in recovery.done:
        notify(line)
    if recovery.problem:
        notify(recovery.problem)


@contextmanager
def writing(root: Path, folders: Iterable[Path] = (), quiet: bool = False) -> Iterator[Recovery]:
    """Hold the dataset's lock exclusively for the block, after finishing or undoing an
    interrupted change (yielded, and told unless quiet). Re-entrant within a thread.

    Raises UnusableInputError for the installed package's copy, DatasetBusyError when another
    process keeps the lock, RecoveryError when an interrupted change can be neither finished
    nor undone.
    """
    root = Path(root)
    refuse_installed(root)
    with locking.hold(root, exclusive=True, notify=notify) as outermost:
        recovery = Recovery()
        if outermost:  # (a writer looks in every table's folder; a reader only where it is quick to)
            recovery = journal.recover(root, _folders(root, [*folders, *_resource_folders(root)]))
        if not quiet:
            _tell(recovery)
        yield recovery


@contextmanager
def reading(root: Path, folders: Iterable[Path] = (), quiet: bool = False) -> Iterator[Recovery]:
    """Hold the dataset's lock shared for the block, after finishing or undoing an interrupted
    change when there is one (yielded, and told unless quiet). Re-entrant within a thread.

    The installed package's copy is read as it is (nothing writes there). A dataset this process
    may not write to is read as it is too, with the interrupted change as the `problem`.
    """
    root = Path(root)
    if package.inside_package(root):  # the wheel's copy: nothing writes there
        yield Recovery()
        return
    search = _folders(root, folders)
    with locking.hold(root, exclusive=False, notify=notify) as outermost:
        recovery = Recovery()
        for _ in range(3):  # another process may crash between two looks: look again, a few times
            if not outermost or not journal.pending(root, search):
                break
            if not locking.locked(root):  # no lock to keep a live writer out: touch nothing
                recovery.problem = (f"{root}: an interrupted change or temporary files are pending, and this process "
                                    "cannot take the dataset's lock to finish them; run cbcf-data where it can write")
                recovery.leftovers = journal.leftovers(root, search)
                break
            locking.change_mode(root, True, notify)
            try:
                recovery.merge(journal.recover(root, search))
            except OSError as error:  # a dataset we may not write to
                recovery.problem = (f"{root}: an interrupted change is pending and cannot be finished here "
                                    f"({error.strerror or error}); run cbcf-data where the dataset can be written")
                recovery.leftovers = journal.leftovers(root, search)
            except RecoveryError as error:
                recovery.problem = str(error)
                recovery.leftovers = journal.leftovers(root, search)
            finally:
                locking.change_mode(root, False, notify)
            if recovery.problem or recovery.leftovers:  # what could not be cleared stays so: look no more
                break
        if not quiet:
            _tell(recovery)
        yield recovery


def replace_files(root: Path, files: Mapping[Path, str | bytes]) -> list[Path]:
    """Replace (or create) files under root with the given text or bytes, all of them or none;
    return the paths whose content changed. Takes the dataset's lock unless this thread holds it.

    A target that is a symbolic link, a folder or a device, or that lies outside root or below a
    folder that is a link, is refused (UnusableInputError). The mode and owner of each replaced file
    are kept.
    """
    root = Path(root)
    with writing(root):
        changes = []
        for path, content in files.items():
            path = Path(path)
            _refuse_outside(root, path)
            data = content.encode("utf-8") if isinstance(content, str) else content
            old = _current(path)
            if old != data:
                changes.append((path, data, old))
        journal.commit(root, changes)
    return [path for path, _, _ in changes]


def _refuse_outside(root: Path, path: Path) -> None:
    """UnusableInputError unless path lies below root through no link: a folder on the way that is
    a link (`docs/` pointing elsewhere) would have the write land outside the dataset, and the
    journal of a change cut short there would be refused by `recover`."""
    top, target = os.path.abspath(root), os.path.abspath(path)
    if not target.startswith(top + os.sep):
        raise UnusableInputError(f"{path}: outside the dataset {root}; nothing was written")
    folder = top
    for part in Path(target).relative_to(top).parts[:-1]:
        folder = os.path.join(folder, part)
        if os.path.islink(folder) or (os.path.lexists(folder) and not os.path.isdir(folder)):
            raise UnusableInputError(f"{path}: {folder} is a symbolic link or not a folder: cbcf-data writes only "
                                     "through the dataset's own folders; nothing was written")


def _current(path: Path) -> bytes | None:
    """A target's bytes (None when it does not exist yet); refused when it is not a regular file."""
    import stat

    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(status.st_mode):
        raise UnusableInputError(f"{path}: not a regular file (a symbolic link, folder or device); "
                                 "nothing was written")
    return path.read_bytes()

