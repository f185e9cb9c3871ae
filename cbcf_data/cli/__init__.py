"""The `cbcf-data` command: thin Typer commands over the library.

Exit status: 0 success / valid, 1 invalid data or stale files, 2 unusable input (including an
operating-system error: a read-only folder, a full disk, a path that is a file), 3 the dataset is
being changed by another process (the lock was not released in time).

With no --dataset, a command works on the dataset of the checkout it runs in (the nearest folder
upwards holding datapackage.json and records/); only a command that writes nothing falls back to
the copy installed with the package, and says so on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from cbcf_data.cli import checking, editing, publishing  # noqa: F401 - each module registers its commands
from cbcf_data.cli.common import app
from cbcf_data.errors import CbcfDataError, DatasetBusyError, InvalidDataError
from cbcf_data.model.text import escape

__all__ = ["app", "main"]

#: The exit status of each kind of error, the most specific first (README, "Command line").
EXIT_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (DatasetBusyError, 3), (InvalidDataError, 1), (CbcfDataError, 2), (OSError, 2),
)


def main() -> None:
    """Entry point: run the app, turning library and operating-system errors into one line on
    stderr and an exit status (never a traceback)."""
    _messages_to_stderr()
    _stop_cleanly_on_sigterm()
    try:
        app()
    except (CbcfDataError, OSError) as error:
        line = os_error_line(error) if isinstance(error, OSError) else str(error)
        typer.echo(f"error: {escape(line)}", err=True)
        sys.exit(next(status for kind, status in EXIT_STATUS if isinstance(error, kind)))


def os_error_line(error: OSError) -> str:
    """An operating-system error as one line naming the path and the cause."""
    cause = error.strerror or str(error) or type(error).__name__
    if error.filename is None:
        return cause
    if isinstance(error, FileExistsError | NotADirectoryError) and Path(error.filename).is_file():
        cause += " (it is a file; a folder is needed here)"
    where = str(error.filename) + (f" -> {error.filename2}" if error.filename2 is not None else "")
    return f"{where}: {cause}"


def _messages_to_stderr() -> None:
    """What the library tells the user (a recovered write, a wait for the lock): `cbcf-data: …` on stderr."""
    import logging

    logger = logging.getLogger("cbcf_data")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("cbcf-data: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM (what `timeout`, CI cancellation and service managers send) ends the command as an
    exception would: a write in progress is undone. A second SIGTERM ends it at once, which the
    journal also survives (the next command finishes or undoes the write)."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signum, signal.SIG_DFL)
        raise SystemExit(128 + signum)

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)
