"""`cbcf_data.signals`: stops held back while a step that must not be cut runs, with real signals
sent to this process (SIGINT: Python's own handler raises KeyboardInterrupt)."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from cbcf_data import signals


def test_a_stop_inside_is_raised_as_the_block_ends_by_the_handler_that_was_there():
    steps = []
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with signals.held():
            os.kill(os.getpid(), signal.SIGINT)
            steps.extend(range(1000))  # the handler would have run at one of these steps
            steps.append("end")
    assert steps[-1] == "end" and signal.getsignal(signal.SIGINT) is before


def test_a_block_without_a_stop_ends_as_it_would_and_puts_the_handlers_back():
    before = {signum: signal.getsignal(signum) for signum in signals.STOPS}
    with pytest.raises(ValueError, match="its own"):
        with signals.held():
            raise ValueError("its own error")
    assert {signum: signal.getsignal(signum) for signum in signals.STOPS} == before


def test_a_stop_held_in_a_block_held_in_another_waits_for_the_outer_one():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with signals.held():
            with signals.held():
                os.kill(os.getpid(), signal.SIGINT)
            steps.append("after the inner block")
    assert steps == ["after the inner block"]


def test_a_signal_whose_action_is_the_systems_is_left_alone():
    """SIGTERM with its default action (a second SIGTERM of the command) still ends the process at once."""
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with signals.held():
            assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
            assert signal.getsignal(signal.SIGINT) != signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_whole_runs_the_step_again_when_a_stop_came_before_it_began(monkeypatch):
    runs = []
    real = signals.held
    calls = []

    def stopped_at_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt  # as the handler would, as the hold begins
        return real(*args, **kwargs)

    monkeypatch.setattr(signals, "held", stopped_at_first)
    with pytest.raises(KeyboardInterrupt):
        signals.whole(lambda: runs.append("removed"))
    assert runs == ["removed"]


def test_whole_does_not_run_again_a_step_that_failed():
    runs = []

    def step() -> None:
        runs.append("ran")
        raise OSError("its own error")

    with pytest.raises(OSError, match="its own"):
        signals.whole(step)
    assert runs == ["ran"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_process_forked_inside_a_hold_ends_it_with_forked():
    """The child holds the stops from the fork (its parent's hold) until `forked()`, which raises
    one that came meanwhile."""
    with signals.held():
        pid = os.fork()
        if pid == 0:  # the child
            status = 0
            try:
                os.kill(os.getpid(), signal.SIGINT)
                status = 1  # held: not raised yet
                signals.forked()
                status = 2
            except KeyboardInterrupt:
                status = 130 if status == 1 else 3
            finally:
                sys.stdout.flush()
                os._exit(status)
    _, code = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(code) == 130
