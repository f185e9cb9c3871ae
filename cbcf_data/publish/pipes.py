"""Messages to another process through a pipe without waiting for it to read each one: `Sender`
pickles a message in the caller's thread and writes it from a thread of its own, up to `depth`
messages ahead. The release's validation goes on while `sqlite.Builder`'s process inserts the
rows before: with the pipe alone, each batch's send waited for the process to finish the batch
before (a pipe holds far less than a batch), and both sides waited in turn.
"""

from __future__ import annotations

import queue
import threading
from multiprocessing.reduction import ForkingPickler
from typing import Any

#: Messages written ahead at most (a release's batch of rows is a few megabytes).
DEPTH = 8


class Sender:
    """Writes messages to `pipe` (a `multiprocessing` connection) in order, from a thread. A pipe
    found broken (the other process gone) makes the next `send` raise BrokenPipeError; what is
    still queued then is dropped."""

    def __init__(self, pipe: Any, depth: int = DEPTH) -> None:
        self.pipe = pipe
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)  # pickled messages, None to stop
        self.broken = False
        self.thread = threading.Thread(target=self._write, name="cbcf-data send", daemon=True)
        self.thread.start()

    def send(self, message: Any) -> None:
        """Queue `message` (pickled now: what it holds may change after), waiting while `depth`
        messages are queued."""
        if self.broken:
            raise BrokenPipeError("the pipe's reader is gone")
        self.queue.put(ForkingPickler.dumps(message))
        if self.broken:
            raise BrokenPipeError("the pipe's reader is gone")

    def _write(self) -> None:
        while True:
            data = self.queue.get()
            if data is None:
                return
            if not self.broken:
                try:
                    self.pipe.send_bytes(data)
                except OSError:
                    self.broken = True

    def close(self, timeout: float = 60) -> None:
        """Stop: what is queued is dropped, what is being written finishes (within `timeout`)."""
        if not self.thread.is_alive():
            return
        try:
            while True:
                self.queue.get_nowait()
        except queue.Empty:
            pass
        self.queue.put(None)
        self.thread.join(timeout)
