"""Opening untrusted files: regular files only, never through a link, nothing outside the dataset.

The rule, for every file the tools read (a table, an archived text, a descriptor, a bundle, a
release's JSON or zip): it must be a regular file, and it is refused before any byte is read if it
is a symbolic link, a device, a FIFO, a socket or a folder. Links are refused even when they point
inside the dataset: a link can be re-pointed between a check and a read, git carries it into
every clone, and one rule is easier to trust than a rule with exceptions. Below a dataset's folder
(the folder of its `datapackage.json`) no folder on the way may be a link either, so nothing a
dataset names can lie outside it. Folders above the dataset's own are the user's business.

How: each folder below the dataset's is opened relative to the previous one without following
links (`O_NOFOLLOW`, `dir_fd`), the file is `lstat`ed, then opened with `O_NOFOLLOW | O_NONBLOCK`
(a FIFO swapped in after the `lstat` cannot block the open) and `fstat`ed: it must be a regular
file. Where the system lacks `dir_fd` (Windows), each step is `lstat`ed by path instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_DIRECTORY = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_AT = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and os.stat in os.supports_follow_symlinks


class ReadError(Exception):
    """Raised when input cannot be read; `code`, `line`, `column`, `excerpt` and `hint` locate and explain it."""

    def __init__(self, code: str, message: str, line: int | None = None, hint: str | None = None,
                 column: int | None = None, excerpt: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.hint = code, message, line, hint
        self.column, self.excerpt = column, excerpt


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def refusal(name: str, mode: int) -> ReadError:
    """The ReadError for a file (or folder on the way to one) that may not be read."""
    if stat.S_ISLNK(mode):
        return ReadError("symlink", f"{name} is a symbolic link; links are not followed, even inside the dataset",
                         hint="replace the link with the file itself")
    return ReadError("not-a-regular-file", f"{name} is {kind_of(mode)}, not a regular file; nothing was read from it",
                     hint="give a regular file")


def open_file(path: Path, root: Path | None = None) -> BinaryIO:
    """The regular file at path, open for reading in binary; ReadError (nothing read) otherwise.

    With `root` (a dataset's folder), path must lie below it, and no folder between the two may be
    a link. The caller closes the file.
    """
    try:
        if root is not None:
            relative = _relative(path, root)
            descriptor = _open_below(root, relative) if _AT else _open_by_path(path, relative)
        else:
            descriptor = _open_checked(path)
    except OSError as error:
        raise ReadError("file-unreadable", f"cannot read {path.name}: {error.strerror or error}") from None
    return os.fdopen(descriptor, "rb")


def _relative(path: Path, root: Path) -> tuple[str, ...]:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise ReadError("outside-dataset", f"{path} is not inside the dataset's folder {root}") from None
    if not parts or ".." in parts:
        raise ReadError("outside-dataset", f"{path} is not inside the dataset's folder {root}")
    return parts


def _open_checked(path: Path | str, dir_fd: int | None = None) -> int:
    """Open one file (relative to dir_fd, if given) if it is a regular file and not a link."""
    mode = os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode if dir_fd is not None else os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        raise refusal(Path(path).name, mode)
    descriptor = os.open(path, _FLAGS, dir_fd=dir_fd) if dir_fd is not None else os.open(path, _FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # swapped for something else since the lstat
            raise refusal(Path(path).name, mode)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _open_below(root: Path, parts: tuple[str, ...]) -> int:
    """Open root/parts…, each folder on the way opened relative to the last without following links."""
    folder = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            mode = os.stat(part, dir_fd=folder, follow_symlinks=False).st_mode
            if not stat.S_ISDIR(mode):
                raise refusal(part, mode)
            inner = os.open(part, _DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = inner
        return _open_checked(parts[-1], dir_fd=folder)
    finally:
        os.close(folder)


def _open_by_path(path: Path, parts: tuple[str, ...]) -> int:
    """As `_open_below`, for systems without `dir_fd`: each folder on the way is lstat'ed by path."""
    folder = path.parents[len(parts) - 1]
    for part in parts[:-1]:
        folder = folder / part
        mode = os.lstat(folder).st_mode
        if not stat.S_ISDIR(mode):
            raise refusal(part, mode)
    return _open_checked(path)


def real_folder(path: Path, root: Path) -> bool:
    """Whether path is a folder below root (or root itself) reached through no link."""
    try:
        parts = path.relative_to(root).parts
        folder = root
        for part in parts:
            folder = folder / part
            if part == ".." or not stat.S_ISDIR(os.lstat(folder).st_mode):
                return False
    except (ValueError, OSError):
        return False
    return os.path.isdir(root)


def read_bytes(path: Path, limit: int, root: Path | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ReadError otherwise.

    The size is checked before reading and again while reading (a file may grow, and files such
    as those under /proc report a size of 0).
    """
    with open_file(path, root) as file:
        try:
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise too_large(size, limit)
            data = file.read(limit + 1)
        except OSError as error:
            raise ReadError("file-unreadable", f"cannot read {path.name}: {error.strerror or error}") from None
    if len(data) > limit:
        raise too_large(len(data), limit)
    return data


def too_large(size: int, limit: int) -> ReadError:
    """The ReadError for a file over its limit."""
    return ReadError("file-too-large", f"the file is {'over ' if size == limit + 1 else ''}{size:,} bytes; "
                     f"the limit is {limit:,} (see README, Limits)")


def regular_size(path: Path) -> int | None:
    """The size of a regular file (not a link), or None when path is anything else or absent."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def read_text(path: Path, limit: int, root: Path | None = None) -> str:
    """A regular file's text as UTF-8 (line ends as they are), or ReadError naming the line of
    the first bad byte."""
    data = read_bytes(path, limit, root)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise encoding_error(data, error) from None


def encoding_error(data: bytes, error: UnicodeDecodeError) -> ReadError:
    """The located ReadError for bytes that are not UTF-8."""
    line = data.count(b"\n", 0, error.start) + 1
    return ReadError(
        "encoding", f"byte {data[error.start]:#04x} at position {error.start} is not UTF-8", line,
        "save the file as UTF-8 (in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)')",
    )
