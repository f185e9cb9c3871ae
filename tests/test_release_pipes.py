"""`pipes.Sender`: the release's messages to the SQLite builder's process, written from a thread."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from cbcf_data.publish import pipes

BIG = b"x" * (1 << 20)  # far more than a pipe holds


def test_a_sender_does_not_wait_for_the_reader_and_keeps_the_order():
    """`depth` + 1 messages of a megabyte each are sent while nothing reads (a plain pipe's send
    would wait at the first); then they all arrive, in order, as they were when sent."""
    ours, theirs = multiprocessing.Pipe()
    sender = pipes.Sender(ours, depth=3)
    changing = [BIG]
    sent = threading.Event()

    def send_all() -> None:
        for index in range(4):
            sender.send(("text", index, changing))
        changing.append(b"changed after")  # pickled when sent: not in the messages
        sent.set()

    thread = threading.Thread(target=send_all, daemon=True)
    thread.start()
    thread.join(60)  # a guard against a hang, not a timing: it returns at once or never
    assert sent.is_set(), "the sender waited for the reader"
    assert [theirs.recv() for _ in range(4)] == [("text", index, [BIG]) for index in range(4)]
    sender.close()
    assert not sender.thread.is_alive()
    ours.close()
    theirs.close()


def test_a_sender_whose_reader_is_gone_raises_and_closes():
    ours, theirs = multiprocessing.Pipe()
    theirs.close()
    sender = pipes.Sender(ours, depth=2)
    with pytest.raises(BrokenPipeError):
        for _ in range(100):  # the first sends are queued before the thread finds the pipe broken
            sender.send(BIG)
    with pytest.raises(BrokenPipeError):
        sender.send("more")
    sender.close()
    assert not sender.thread.is_alive()
    ours.close()


def test_closing_a_sender_drops_what_is_queued():
    """A release given up: what is queued is not written (the builder's process is not kept
    reading batches nobody wants)."""
    ours, theirs = multiprocessing.Pipe()
    sender = pipes.Sender(ours, depth=4)
    sender.send(BIG)  # being written: the pipe is full until the reader reads
    for _ in range(3):
        sender.send(("queued", BIG))
    while sender.queue.qsize() > 3:  # until the thread has taken the first
        time.sleep(0.01)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(theirs.recv_bytes()), daemon=True)
    closing = threading.Thread(target=sender.close, daemon=True)
    closing.start()
    reader.start()
    reader.join(60)
    closing.join(60)
    assert not sender.thread.is_alive() and len(received) == 1
    ours.close()
    with pytest.raises(EOFError):  # nothing more came
        theirs.recv_bytes()
