"""Replacing several files all or none, and finishing or undoing a replacement that was cut short.

How a change is made (`commit`), each step durable before the next begins:

1. each new file is written beside its target (`.<name>.cbcf-<pid>-<random>.new`) with the
   target's mode and owner, and fsynced; each target to be replaced gets a hard link
   (`….old`) so that it can be put back; their folders are fsynced;
2. a journal (`.cbcf-journal.json` beside `datapackage.json`) lists every target with the hash
   of its old and new content; it is written through a temporary file, fsynced and renamed,
   and the folder fsynced: from here on the change is finished rather than undone;
3. each new file is renamed over its target; the folders are fsynced;
4. the journal is removed (and the folder fsynced): the change is complete; then the `.old`
   links are removed.

A single file needs no journal: its rename alone is atomic. If the process fails at any step
(an exception, also one a signal's handler raises just after a step), it undoes what it did. If
it dies (SIGKILL, a power cut), the next command on the dataset calls `recover`: with a journal,
it renames the rest of the new files in when every one is there and matches its hash, and
otherwise puts the old files back; without one, it only removes the temporary files left behind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cbcf_data.errors import RecoveryError
from cbcf_data.io import files, limits
from cbcf_data.io.package import unsafe_reason

JOURNAL_NAME = ".cbcf-journal.json"
#: Temporary files earlier versions wrote beside a table (tempfile.mkstemp): `.<name>.csv.<8 characters>`.
LEGACY_TEMP = r"^\.(?P<name>[^/]+\.csv)\.[a-z0-9_]{8}$"
_HEX = frozenset("0123456789abcdef")
_NO_LINK_NO_WAIT = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
#: sha256_of a file that is not a regular file of the dataset: equal to no hash.
NOT_OURS = "not a regular file"


def temp_parts(name: str) -> tuple[str, str] | None:
    """(target name, `new` or `old`) of a temporary file's name `.<target>.cbcf-<pid>-<8 hex>.<kind>`,
    or None for any other name. (String tests, not a regular expression: load() runs this on every
    name in the dataset's folders, and compiling one costs more than the rest of the check.)"""
    if not name.startswith(".") or not name.endswith((".new", ".old")):
        return None
    target, _, tag = name[1:-4].rpartition(".cbcf-")
    pid, _, random = tag.partition("-")
    if target and pid.isdigit() and len(random) == 8 and set(random) <= _HEX:
        return target, name[-3:]
    return None


def _hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


class Change:
    """One file a change replaces (or creates): its new content, its temporary new file and the
    link to its old content, and what the old file was."""

    __slots__ = ("backup", "data", "old", "old_sha256", "path", "replaced", "staged")

    def __init__(self, path: Path, data: bytes, backup: bool, old: bytes | None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.data, self.replaced = path, data, False
        self.staged = temp_name(path, "new")
        self.backup = temp_name(path, "old") if backup and old is not None else None
        self.old = os.lstat(path) if old is not None else None
        self.old_sha256 = _sha256(old) if old is not None else None

    @property
    def sha256(self) -> str:
        """The SHA-256 of the new content."""
        return _sha256(self.data)


def _sha256(data: bytes) -> str:
    import hashlib  # here: `import cbcf_data` and load() need none of this module's work
    return hashlib.sha256(data).hexdigest()


class Recovery:
    """What a command found and did before it used the dataset."""

    def __init__(self) -> None:
        #: Plain-language lines: each interrupted change finished or undone, temporary files removed.
        self.done: list[str] = []
        #: Temporary files that are still there (they could not be removed).
        self.leftovers: list[Path] = []
        #: Why an interrupted change is still pending, when it is.
        self.problem: str | None = None

    def __repr__(self) -> str:
        return f"Recovery(done={self.done!r}, leftovers={self.leftovers!r}, problem={self.problem!r})"

    def merge(self, other: Recovery) -> None:
        """Add another recovery's findings to these."""
        self.done += other.done
        self.leftovers = other.leftovers
        self.problem = other.problem


def temp_name(target: Path, kind: str) -> Path:
    """A fresh temporary name beside target, of the kind `new` or `old`."""
    return target.with_name(f".{target.name}.cbcf-{os.getpid()}-{os.urandom(4).hex()}.{kind}")


def commit(root: Path, files: Iterable[tuple[Path, bytes, bytes | None]]) -> None:
    """Replace each (path, new bytes, old bytes or None when new) under root: all or none."""
    files = list(files)
    backups = len(files) > 1
    changes = [Change(path, data, backups, old) for path, data, old in files]
    if not changes:
        return
    folders = _folders_of(root, changes)
    journaled, current = False, changes[0].path
    try:
        for change in changes:
            current = change.path
            _stage(change)
        sync_folders(folders)
        if backups:
            current, journaled = root / JOURNAL_NAME, True  # (from its first step: it may exist after a failure)
            _write_journal(root, changes)
        for change in changes:
            current = change.path
            change.replaced = True  # set first: a signal's handler raises after the rename; _undo looks
            os.replace(change.staged, change.path)
        sync_folders(folders)
        if journaled:
            os.unlink(root / JOURNAL_NAME)
            journaled = False
            sync_folders([root])
    except BaseException as error:
        _undo(root, changes, folders, journaled)
        if isinstance(error, OSError):
            _name_target(error, changes, current)
        raise
    for change in changes:  # the change is made; a link left here is a leftover `recover` removes
        if change.backup is not None:
            _remove_quietly(change.backup)


def _name_target(error: OSError, changes: list[Change], current: Path) -> None:
    """Name the file being replaced in an error, rather than its temporary file (or nothing,
    for an error on a file descriptor)."""
    if error.filename is None:
        error.filename = str(current)
    for change in changes:
        if str(error.filename) in (str(change.staged), str(change.backup)):
            error.filename = str(change.path)


def _folders_of(root: Path, changes: list[Change]) -> list[Path]:
    return list(dict.fromkeys([root, *(change.path.parent for change in changes)]))


def _stage(change: Change) -> None:
    """Write the new file beside its target, with the target's mode and owner; link the old one."""
    write_file(change.staged, change.data, change.old)
    if change.backup is not None:
        try:
            os.link(change.path, change.backup)
        except OSError:  # no hard links here (some network and FAT file systems): a copy
            write_file(change.backup, change.path.read_bytes(), change.old)


def write_file(path: Path, data: bytes, like: os.stat_result | None, sync: bool = True) -> None:
    """Create path (it must not exist) holding data, fsynced unless not `sync`; mode and owner those of `like`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o600 if like is not None else 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if like is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(like.st_mode))
            _keep_owner(fd, like)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _keep_owner(fd: int, like: os.stat_result) -> None:
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
        try:
            os.fchown(fd, like.st_uid, like.st_gid)
        except PermissionError:  # only root may give a file away; the group alone, maybe
            try:
                os.fchown(fd, -1, like.st_gid)
            except PermissionError:
                pass


def sync_folders(folders: Iterable[Path]) -> None:
    """fsync each folder, so that the names created, renamed or removed in it are durable."""
    if os.name != "posix":
        return
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_journal(root: Path, changes: list[Change]) -> None:
    entries = [{"path": change.path.relative_to(root).as_posix(), "new": change.staged.name,
                "old": change.backup.name if change.backup else None,
                "sha256": change.sha256, "old_sha256": change.old_sha256} for change in changes]
    text = json.dumps({"cbcf-journal": 1, "pid": os.getpid(), "files": entries}, indent=1) + "\n"
    journal = root / JOURNAL_NAME
    temp = temp_name(journal, "new")
    try:
        write_file(temp, text.encode("utf-8"), None)
        os.replace(temp, journal)
    except BaseException:
        _remove_quietly(temp)
        raise
    sync_folders([root])


def _undo(root: Path, changes: list[Change], folders: list[Path], journaled: bool) -> None:
    """Put back what a failed change replaced; any failure here leaves the journal to `recover`."""
    try:
        for change in reversed(changes):
            change.replaced = change.replaced and not os.path.lexists(change.staged)  # else never renamed
            if change.replaced and change.backup is not None:
                os.replace(change.backup, change.path)
            elif change.replaced and change.old is None:
                os.unlink(change.path)
            change.replaced = False  # (a single file without a journal was whole once renamed: it stays)
        for change in changes:
            for path in (change.staged, change.backup):
                if path is not None and os.path.lexists(path):
                    os.unlink(path)
        sync_folders(folders)
        if journaled and os.path.lexists(root / JOURNAL_NAME):
            os.unlink(root / JOURNAL_NAME)
            sync_folders([root])
    except BaseException:  # noqa: S110 - the first failure is the one raised; recovery finishes this
        pass


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of a file's content; None when it does not exist; NOT_OURS (no hash) for a link or a FIFO."""
    import hashlib

    try:
        descriptor = os.open(path, os.O_RDONLY | _NO_LINK_NO_WAIT)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO):
            return NOT_OURS
        raise
    with open(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return NOT_OURS
        return hashlib.file_digest(file, "sha256").hexdigest()


def leftovers(root: Path, folders: Iterable[Path], legacy: bool = False) -> list[Path]:
    """Temporary files of interrupted writes in root and folders; with `legacy`, also those
    earlier versions may have left beside a table (`.<table>.csv.<8 characters>`), which only
    `validate` reports: they are not surely ours to remove."""
    found = []
    for folder in dict.fromkeys([root, *folders]):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(names):
            old = re.match(LEGACY_TEMP, name) if legacy else None
            if temp_parts(name) or (old and os.path.isfile(folder / old["name"])):
                found.append(folder / name)
    return found


def pending(root: Path, folders: Iterable[Path]) -> bool:
    """Whether an interrupted write left a journal or temporary files."""
    return os.path.lexists(root / JOURNAL_NAME) or bool(leftovers(root, folders))


def recover(root: Path, folders: Iterable[Path]) -> Recovery:
    """Finish or undo an interrupted change (the caller holds the dataset's lock), then remove
    the temporary files left behind. RecoveryError when the change can be neither."""
    result = Recovery()
    journal = root / JOURNAL_NAME
    if os.path.lexists(journal):
        result.done.append(_finish_or_undo(root, journal))
    removed = 0
    for path in leftovers(root, folders):
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            result.leftovers.append(path)
    if removed:
        result.done.append(f"removed {removed} temporary file(s) left by an interrupted write in {root}")
    return result


def _finish_or_undo(root: Path, journal: Path) -> str:
    pid, entries = _read_journal(root, journal)
    names = ", ".join(entry["path"] for entry in entries)
    if all(_complete(root, entry) for entry in entries):
        for entry in entries:
            staged = (root / entry["path"]).with_name(entry["new"])
            if os.path.lexists(staged):
                os.replace(staged, root / entry["path"])
        verb = "finished"
    else:
        for entry in entries:
            _put_back(root, journal, entry)
        verb = "undid"
    sync_folders(_entry_folders(root, entries))
    os.unlink(journal)
    sync_folders([root])
    for entry in entries:
        for name in (entry["new"], entry["old"]):
            if name and os.path.lexists(staged := (root / entry["path"]).with_name(name)):
                os.unlink(staged)
    return f"{verb} a change to {len(entries)} file(s) that process {pid} was making when it stopped: {names}"


def _complete(root: Path, entry: dict[str, Any]) -> bool:
    """Whether an entry's new content is at hand: in its new file, or already renamed in."""
    target = root / entry["path"]
    staged = target.with_name(entry["new"])
    if os.path.lexists(staged):
        return sha256_of(staged) == entry["sha256"]
    return sha256_of(target) == entry["sha256"]


def _put_back(root: Path, journal: Path, entry: dict[str, Any]) -> None:
    target = root / entry["path"]
    now = sha256_of(target)
    if now == entry["old_sha256"]:
        return
    backup = target.with_name(entry["old"]) if entry["old"] else None
    if now == entry["sha256"] and backup is not None and sha256_of(backup) == entry["old_sha256"]:
        os.replace(backup, target)
    elif now == entry["sha256"] and entry["old_sha256"] is None:
        os.unlink(target)
    else:
        raise RecoveryError(
            f"{journal}: an interrupted change can be neither finished nor undone: {entry['path']} holds neither "
            "its old nor its new content. Check the dataset's files by hand (e.g. `git status`), then delete "
            f"{journal.name}")


def _entry_folders(root: Path, entries: list[dict[str, Any]]) -> list[Path]:
    return list(dict.fromkeys((root / entry["path"]).parent for entry in entries))


def _read_journal(root: Path, journal: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The journal's writer and entries, each checked to stay inside root; RecoveryError if not."""
    try:
        try:
            document = json.loads(files.read_bytes(journal, limits.JOURNAL_BYTES, root))
        except files.ReadError as error:  # a link, a FIFO, a file too large…: never read
            raise RecoveryError(f"{journal}: the journal of an interrupted change cannot be read ({error}); check "
                                f"the dataset's files by hand (e.g. `git status`), then delete {journal.name}") from None
        entries = document["files"]
        if not isinstance(entries, list) or not entries or not all(_entry_ok(root, entry) for entry in entries):
            raise ValueError("not a journal of cbcf-data")
        return document.get("pid"), entries
    except (OSError, ValueError, KeyError, TypeError):
        raise RecoveryError(f"{journal}: the journal of an interrupted change cannot be read; check the dataset's "
                            f"files by hand (e.g. `git status`), then delete {journal.name}") from None


def _entry_ok(root: Path, entry: Any) -> bool:
    """Whether a journal entry names a file inside root (through no symbolic link) and our temporary files."""
    if not isinstance(entry, dict) or unsafe_reason(entry.get("path")) is not None:
        return False
    target = root / entry["path"]
    inside = os.path.realpath(target.parent) + os.sep
    if not inside.startswith(os.path.realpath(root) + os.sep) or os.path.islink(target):
        return False
    name = target.name
    new, old = temp_parts(str(entry.get("new"))), temp_parts(str(entry.get("old")))
    return (new == (name, "new") and (entry.get("old") is None or old == (name, "old"))
            and "/" not in str(entry["new"]) + str(entry.get("old"))
            and _hex64(entry.get("sha256")) and (entry.get("old_sha256") is None or _hex64(entry["old_sha256"])))
