"""The `cbcf-data` command: thin Typer commands over the library.

Exit status: 0 success / valid, 1 invalid data or stale files, 2 unusable input (including an
operating-system error: a read-only folder, a full disk, a path that is a file), 3 the dataset is
being changed by another process (the lock was not released in time).

With no --dataset, a command works on the dataset of the checkout it runs in (the nearest folder
upwards holding datapackage.json and records/); only a command that writes nothing falls back to
the copy installed with the package, and says so on stderr.

`validate`, `show`, `import` and `release` with plain arguments (see `base.plain_arguments`) run
without importing Typer, rich or anything else they do not use: that is most of their start-up time. Anything
else — `--help`, an argument Typer would refuse, every other command — goes through the Typer
app as before, with the same output and exit status either way.

Pydantic's plugins (found through every installed package's entry points) are off in this
command unless `PYDANTIC_DISABLE_PLUGINS` is set: set it empty to have them all, or to the names
of those to leave off.

The command (`run`, and `python -m cbcf_data`) ends its process without tearing it down: once the
exit handlers have run and stdout and stderr are flushed, the memory goes back to the system whole
rather than object by object (`end`).
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from cbcf_data.cli.base import echo, plain_arguments, plain_environment
from cbcf_data.errors import CbcfDataError, DatasetBusyError, InvalidDataError
from cbcf_data.model.text import escape

__all__ = ["app", "main", "run"]

#: The exit status of each kind of error, the most specific first (README, "Command line").
EXIT_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (DatasetBusyError, 3), (InvalidDataError, 1), (CbcfDataError, 2), (OSError, 2),
)


def run() -> None:
    """The `cbcf-data` command: `main`, then the process ends (`end`) with its exit status."""
    try:
        main()
    except SystemExit as done:
        end(done.code)
    end(0)


def end(code: str | int | None) -> NoReturn:
    """End the process with exit status `code` (as `sys.exit` takes it) without tearing it down:
    the exit handlers run and stdout and stderr are flushed, then `os._exit`. Freeing every object
    of a large run one at a time, and the collector's last pass over them, takes about a tenth of a
    second per 100,000 rows validated, reading memory the system takes back at once. A status that
    is not a number, or a thread still running that is not a daemon, ends as `sys.exit` does. Output
    that cannot be flushed: status 1 for a closed pipe (as a plain command's run ends on one), else
    2 with the reason on stderr, where the status was 0."""
    threading = sys.modules.get("threading")  # not imported for it: `show` starts no thread
    running = threading is not None and any(
        thread.is_alive() and not thread.daemon for thread in threading.enumerate() if thread is not threading.main_thread())
    if running or not (code is None or isinstance(code, int)):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter's own exit runs first
    status = code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except OSError as error:  # what is left of the output cannot be written
            if error.errno != errno.EPIPE and stream is sys.stdout:
                _say_on_stderr(f"error: cannot write the output: {escape(os_error_line(error))}")
            status = status or (1 if error.errno == errno.EPIPE else 2)
    os._exit(status)


def _say_on_stderr(line: str) -> None:
    try:
        echo(line, err=True)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr is closed or broken too
        pass


def main() -> None:
    """Entry point (in-process, raising SystemExit; `run` is the command's): run the app, turning library and operating-system errors into one line on
    stderr and an exit status (never a traceback)."""
    _messages_to_stderr()
    _stop_cleanly_on_sigterm()
    # Pydantic's plugins are off in this command, unless the user's environment names which to
    # turn off (empty: none): looking for them reads every installed package's entry points.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        if not _run_plain(sys.argv[1:]):
            _typer_app()()
    except (CbcfDataError, OSError) as error:
        line = os_error_line(error) if isinstance(error, OSError) else str(error)
        echo(f"error: {escape(line)}", err=True)
        sys.exit(next(status for kind, status in EXIT_STATUS if isinstance(error, kind)))


#: Whether `main` may run `validate`, `show`, `import` and `release` without Typer (tests compare both ways).
PLAIN = True


def _run_plain(args: list[str]) -> bool:
    """Run `validate`, `show`, `import` or `release` without Typer when its arguments are plain; False when Typer has to.
    Ends as Typer's own run ends: a SystemExit with the command's status, 130 on Ctrl-C, 1 on a
    closed pipe."""
    values = plain_arguments(args[0], args[1:]) if PLAIN and args and plain_environment() else None
    if values is None:
        return False
    if args[0] == "import":
        from cbcf_data.cli.importing import import_ as command
    elif args[0] == "release":
        from cbcf_data.cli.releasing import release as command  # type: ignore[assignment]
    else:
        from cbcf_data.cli import reading

        command = reading.validate if args[0] == "validate" else reading.show  # type: ignore[assignment]
    try:
        status = command(**values)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        sys.stdout, sys.stderr = _Pacified(sys.stdout), _Pacified(sys.stderr)
        sys.exit(1)
    sys.exit(status or 0)


class _Pacified:
    """A stream whose flush ignores a closed pipe, as Click leaves stdout and stderr after EPIPE."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _typer_app() -> Any:
    """The Typer app, with every command registered (imported only when it is needed)."""
    from cbcf_data.cli import checking, editing, publishing  # noqa: F401 - each module registers its commands
    from cbcf_data.cli.common import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return _typer_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    """What the library tells the user (a recovered write, a wait for the lock): `cbcf-data: …` on
    stderr, set up before its first message (`logging` is imported only by a command that has one)."""
    from cbcf_data.io import writes

    writes.before_first_notice = _stderr_handler


def _stderr_handler() -> None:
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
    journal also survives (the next command finishes or undoes the write).

    A handler that happens to run inside a finalizer (a `__del__`, a generator's `finally` run by
    the garbage collector) raises there, where Python prints "Exception ignored in" with a
    traceback and goes on: the command ignored the SIGTERM (or Ctrl-C) and ran to its end. Such a
    stop is raised again, nothing printed, by SIGALRM a moment later, outside the finalizer."""
    import signal

    previous = sys.unraisablehook

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signum, signal.SIG_DFL)
        raise _Stopped(128 + signum)

    def stop_again(unraisable: Any) -> None:
        error = unraisable.exc_value
        if not isinstance(error, _Stopped | KeyboardInterrupt) or not hasattr(signal, "setitimer"):
            previous(unraisable)
            return

        def again(signum: int, frame: Any) -> None:
            signal.signal(signum, signal.SIG_DFL)
            raise _Stopped(error.code) if isinstance(error, _Stopped) else KeyboardInterrupt

        signal.signal(signal.SIGALRM, again)
        signal.setitimer(signal.ITIMER_REAL, 0.01)

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)
    sys.unraisablehook = stop_again


class _Stopped(SystemExit):
    """What SIGTERM's handler raises: a SystemExit with the status 128 + SIGTERM."""
