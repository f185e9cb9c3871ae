"""Stops (Ctrl-C's SIGINT, SIGTERM) held back while a step that must not be cut runs: `held()`.
Standard library only; importable from every layer.

Python runs a signal's handler in the main thread between any two steps of Python code, and the
handler's exception (KeyboardInterrupt; the command's `_Stopped` on SIGTERM) is raised there. In
a few places that leaves things worse than the stop itself:

- inside Pydantic's core (compiled code) while it builds a model's validator or serializer, or
  serializes a record: it turns the exception into one of its own (SchemaError,
  PydanticSerializationError), which is then no longer a stop but an error with a traceback;
- inside `shutil.rmtree`, between its closing a folder's descriptor and its noting it closed: its
  clean-up closes the descriptor again (`OSError: Bad file descriptor`, or another file's, opened
  meanwhile under the same number), and the folder is left half removed;
- between forking a process and keeping what is needed to wait for it (`publish.sqlite.Builder`'s
  `Process.start`, `subprocess.Popen` for git and frictionless's judge): the process is then left
  behind, never waited for.

`held()` runs such a step with the stops held back: a stop that comes meanwhile is noted, and
raised by the handler that was there as the step ends (the first of them, once). Only a handler
that is a Python function is held back: a signal whose action is the system's (SIGTERM's, or
after the command's first SIGTERM: a second one ends the process at once) is left as it is.
Outside the main thread it does nothing: Python runs handlers only there.
A process forked inside `held()` inherits the hold: `forked()` ends it there.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: The signals that stop a command, held back by `held()` (those this platform has).
STOPS: tuple[int, ...] = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


class _Hold:
    """One `held()`: the handlers it replaced, and the stops that came while it held."""

    def __init__(self) -> None:
        self.previous: dict[int, Callable[..., Any]] = {}
        self.caught: list[int] = []
        self.over = False

    def note(self, signum: int, frame: Any) -> None:
        """The handler while held: note the stop (once over — a handler not yet put back —, as
        the one it replaced)."""
        if not self.over:
            self.caught.append(signum)
            return
        handler = self.previous[signum]
        signal.signal(signum, handler)
        handler(signum, frame)

    def start(self) -> None:
        for signum in STOPS:
            handler = signal.getsignal(signum)
            if callable(handler):
                self.previous[signum] = handler
                signal.signal(signum, self.note)

    def end(self) -> None:
        """Put the handlers back, then raise the first stop that came (by its handler)."""
        self.over = True
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        if self.caught:
            signal.raise_signal(self.caught[0])  # its handler runs (and raises) here


#: The holds in force in this process, innermost last.
_HOLDS: list[_Hold] = []


@contextmanager
def held() -> Iterator[None]:
    """Run the block with the stops held back: one that comes meanwhile is raised as it ends
    (see the module). A stop that came just before the block began is raised before it runs:
    a step that must run whatever happens (a clean-up) is `whole`."""
    import threading  # here: `import cbcf_data` stays light

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hold = _Hold()
    _HOLDS.append(hold)
    try:
        hold.start()
        yield
    finally:
        if _HOLDS and _HOLDS[-1] is hold:
            _HOLDS.pop()
        hold.end()


def whole(step: Callable[[], None]) -> None:
    """Run `step` (one that may run again: a removal) to its end with the stops held back, also
    when a stop comes as it begins: it then runs again, held, before the stop is raised."""
    begun = False
    try:
        with held():
            begun = True
            step()
    except BaseException:
        if not begun:
            with held():
                step()
        raise


def forked() -> None:
    """In a process forked inside `held()`: end the holds it inherited (innermost first), so that
    a stop there ends it as it would have ended its parent; a stop that came since is raised here."""
    while _HOLDS:
        _HOLDS.pop().end()
