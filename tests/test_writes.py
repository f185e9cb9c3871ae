"""Writes you can trust (io/writes, io/journal, io/locking): a change to the tables is all or
nothing whatever fails or kills the writer, one writer at a time, nothing written inside the
installed package, OS errors end in one line and exit 2.

The datasets are small copies of this repository's; the kill tests fork the test process (no
interpreter start-up per kill) and slow each file-system step a little so that the kills land
inside the write.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import BIN, ROOT

import cbcf_data
from cbcf_data import cli
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.edit.formatting import fmt
from cbcf_data.edit.importing import import_bundle
from cbcf_data.errors import DatasetBusyError, RecoveryError, UnusableInputError
from cbcf_data.io import csvfiles, journal, limits, locking, package, writes
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES

#: Meetings taken out of the base copy; each one's bundle imports on its own, in any order.
MEETINGS = ("cbcf-2003", "cbcf-2006", "cbcf-2012")  # no archived text, and no reference row only the three share
#: os functions of io/journal that a fault may hit: every step of a write and of its undoing.
STEPS = {"open", "write", "fsync", "fchmod", "fchown", "close", "link", "replace", "unlink"}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a dataset copy (temporary files and the journal included), but the lock."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != locking.LOCK_NAME}


def restore(root: Path, state: dict[str, bytes]) -> None:
    """Put a dataset copy back into a state taken by snapshot() (writing only what differs)."""
    now = snapshot(root)
    for name in now.keys() - state.keys():
        (root / name).unlink()
    for name, data in state.items():
        if now.get(name) != data:
            (root / name).write_bytes(data)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> SimpleNamespace:
    """A dataset copy without MEETINGS, their bundles, and the states before and after importing the first."""
    top = tmp_path_factory.mktemp("writes")
    root = top / "base"
    root.mkdir()
    shutil.copy2(ROOT / "datapackage.json", root)
    shutil.copytree(ROOT / "records", root / "records")
    (root / "records" / "releases.json").unlink(missing_ok=True)  # meetings removed: not a released version
    paths = {}
    for meeting in MEETINGS:
        paths[meeting] = top / f"{meeting}.json"
        paths[meeting].write_text(json.dumps(export_bundle(meeting, root)))
    for meeting in MEETINGS:
        kept, _ = bundles.split_meeting(cbcf_data.load(root).to_rows(), meeting)
        writes.replace_files(root, {root / "records" / f"{t}.csv": csvfiles.to_csv_text(TABLES[t], rows)
                                    for t, rows in kept.items()})
    old = snapshot(root)
    after = top / "after"
    shutil.copytree(root, after)
    import_bundle(paths[MEETINGS[0]], after)
    new = snapshot(after)
    assert cbcf_data.validate(root).valid and cbcf_data.validate(after).valid and old != new
    return SimpleNamespace(root=root, bundles=paths, old=old, new=new)


@pytest.fixture
def dataset(base, tmp_path) -> Iterator[Path]:
    """A fresh copy of the base dataset: in memory (/dev/shm) where there is one, since these
    tests rewrite it hundreds of times and what they test is the order of the steps, not a disk."""
    scratch = Path(tempfile.mkdtemp(dir="/dev/shm")) if os.access("/dev/shm", os.W_OK) else tmp_path
    root = scratch / "dataset"
    shutil.copytree(base.root, root)
    yield root
    if scratch != tmp_path:
        shutil.rmtree(scratch, ignore_errors=True)


def outcome(root: Path, base: SimpleNamespace, leftovers: bool = False) -> str:
    """`old` or `new` when the copy is exactly one of the two states (no temporary file, no
    journal; with `leftovers`, temporary files left beside a finished change do not count), else `torn`."""
    now = snapshot(root)
    if leftovers:
        now = {name: data for name, data in now.items() if not journal.temp_parts(Path(name).name)}
    return "old" if now == base.old else "new" if now == base.new else "torn"


def new_texts(base: SimpleNamespace, root: Path) -> dict[Path, bytes]:
    """The files importing MEETINGS[0] rewrites, as they are afterwards."""
    return {root / name: data for name, data in base.new.items() if base.old.get(name) != data}


class OSWith:
    """An `os` module for io/journal or io/locking with some functions replaced."""

    def __init__(self, **replaced: Any) -> None:
        self.replaced = replaced

    def __getattr__(self, name: str) -> Any:
        return self.replaced[name] if name in self.replaced else getattr(os, name)


class FaultyOS:
    """io/journal's `os`, with each step counted, failing from step `fail_at` on (`once`: at
    that step only; `after`: once the step is done, as a signal's handler raises at the next
    line), or slowed by `delay` seconds; `started` is called at the first step.

    fsync is counted but not made: what it guards against is a power cut, which no test here
    makes, and on a busy disk it costs milliseconds a call.
    """

    def __init__(self, fail_at: int | None = None, error: BaseException | None = None, once: bool = True,
                 delay: float = 0.0, started: Any = None, after: bool = False) -> None:
        self.calls: list[str] = []
        self.fail_at, self.error, self.once, self.delay, self.started = fail_at, error, once, delay, started
        self.after = after

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name not in STEPS:
            return real

        def step(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            if len(self.calls) == 1 and self.started:
                self.started()
            if self.delay:
                time.sleep(self.delay)
            count = len(self.calls)
            failing = self.fail_at is not None and (count == self.fail_at or (not self.once and count > self.fail_at))
            if failing and not self.after:
                assert self.error is not None
                raise self.error
            result = None if name == "fsync" else real(*args, **kwargs)
            if failing:
                assert self.error is not None
                raise self.error
            return result

        return step


# --- the write itself ----------------------------------------------------------------------------


def test_a_change_is_all_new_with_modes_and_owners_kept_and_nothing_left(base, dataset):
    files = new_texts(base, dataset)
    modes = {path: 0o664 if i % 2 else 0o640 for i, path in enumerate(files)}
    for path, mode in modes.items():
        path.chmod(mode)
    first = next(iter(files))
    if os.geteuid() == 0:
        os.chown(first, 4321, 4321)
    assert sorted(writes.replace_files(dataset, files)) == sorted(files)
    assert outcome(dataset, base) == "new"
    for path, mode in modes.items():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    if os.geteuid() == 0:
        assert (first.stat().st_uid, first.stat().st_gid) == (4321, 4321)
    assert writes.replace_files(dataset, files) == []  # nothing to change: nothing written


def test_new_files_get_the_default_mode(dataset):
    umask = os.umask(0o022)
    try:
        writes.replace_files(dataset, {dataset / "extra" / "a.csv": "a\n", dataset / "extra" / "b.csv": "b\n"})
    finally:
        os.umask(umask)
    assert {stat.S_IMODE(p.stat().st_mode) for p in (dataset / "extra").iterdir()} == {0o644}


def test_a_fault_at_every_step_leaves_all_old_or_all_new(base, dataset, monkeypatch):
    """An exception at each os call of the write, once (a passing fault), from there on (a dead
    disk: the undo fails too) or just after the call has done its work (a signal's handler, which
    raises at the next line: SIGTERM, Ctrl-C); after recovery the tables are exactly the old or
    the new ones, and the writer that undid its change itself left them old."""
    files = new_texts(base, dataset)
    counting = FaultyOS()
    monkeypatch.setattr(journal, "os", counting)
    writes.replace_files(dataset, files)
    steps = len(counting.calls)
    assert steps > 3 * len(files) and {"fsync", "link", "replace", "unlink"} <= set(counting.calls)
    results: dict[str, int] = {}
    for fail_at in range(1, steps + 1):
        for once, error, after in ((True, OSError(errno.ENOSPC, "No space left on device"), False),
                                   (False, KeyboardInterrupt(), False), (True, SystemExit(143), True)):
            restore(dataset, base.old)
            monkeypatch.setattr(journal, "os", FaultyOS(fail_at, error, once, after=after))
            try:
                writes.replace_files(dataset, files)
                raised = False
            except (OSError, KeyboardInterrupt, SystemExit):
                raised = True
            monkeypatch.setattr(journal, "os", os)
            before = outcome(dataset, base)
            if once and raised:  # the writer undid its change itself, unless it was stopped once it was made
                made = after and outcome(dataset, base, leftovers=True) == "new"
                assert before == "old" or made, (fail_at, counting.calls[fail_at - 1])
            with writes.writing(dataset):  # what the next command does first
                pass
            after = outcome(dataset, base)
            assert after in ("old", "new"), (fail_at, counting.calls[fail_at - 1], once)
            results[after] = results.get(after, 0) + 1
    print(f"\n{steps} steps x 3 kinds of fault: {results}")
    assert results.get("old") and results.get("new")


def leave_a_journal(base: SimpleNamespace, dataset: Path, monkeypatch) -> None:
    """The disk dies just after the journal is written: every rename fails, and so does the undo."""
    faulty = FaultyOS()
    original = journal._write_journal

    def then_die(root: Path, changes: list[journal.Change]) -> None:
        original(root, changes)
        faulty.fail_at, faulty.error, faulty.once = len(faulty.calls) + 1, OSError(errno.EIO, "I/O error"), False

    with monkeypatch.context() as patch:
        patch.setattr(journal, "os", faulty)
        patch.setattr(journal, "_write_journal", then_die)
        with pytest.raises(OSError, match="I/O error"):
            writes.replace_files(dataset, new_texts(base, dataset))
    assert (dataset / journal.JOURNAL_NAME).exists() and outcome(dataset, base) == "torn"


def test_recovery_finishes_a_journaled_change_and_says_so(base, dataset, monkeypatch):
    leave_a_journal(base, dataset, monkeypatch)
    report = cbcf_data.validate(dataset)
    assert report.valid and [i.code for i in report.issues] == ["write-recovered"]
    assert "finished a change to" in report.issues[0].message
    assert outcome(dataset, base) == "new"


def test_recovery_undoes_a_change_whose_new_file_is_damaged(base, dataset, monkeypatch, caplog):
    files = new_texts(base, dataset)
    monkeypatch.setattr(journal, "_undo", lambda *args: None)  # as if killed: nothing undone
    faulty = FaultyOS()
    original = journal._write_journal

    def then_fail(root: Path, changes: list[journal.Change]) -> None:
        original(root, changes)
        changes[-1].staged.write_bytes(b"damaged")  # a new file that does not match its hash
        os.replace(changes[0].staged, changes[0].path)  # and one target already replaced
        faulty.fail_at, faulty.error = len(faulty.calls) + 1, KeyboardInterrupt()

    monkeypatch.setattr(journal, "os", faulty)
    monkeypatch.setattr(journal, "_write_journal", then_fail)
    with pytest.raises(KeyboardInterrupt):
        writes.replace_files(dataset, files)
    monkeypatch.setattr(journal, "os", os)
    with caplog.at_level("WARNING", logger="cbcf_data"):
        cbcf_data.load(dataset)
    assert "undid a change to" in caplog.text
    assert outcome(dataset, base) == "old"


def test_a_journal_pointing_outside_the_dataset_is_refused(dataset, tmp_path):
    outside = tmp_path / "victim.csv"
    outside.write_text("precious\n")
    entry = {"path": "../victim.csv", "new": ".victim.csv.cbcf-1-00000000.new", "old": None,
             "sha256": "0" * 64, "old_sha256": None}
    (dataset / journal.JOURNAL_NAME).write_text(json.dumps({"files": [entry]}))
    with pytest.raises(RecoveryError, match="cannot be read"):
        with writes.writing(dataset):
            pass
    report = cbcf_data.validate(dataset)
    assert [i.code for i in report.errors] == ["interrupted-write"] and report.exit_status == 1
    assert outside.read_text() == "precious\n"


def test_leftover_temporary_files_are_removed_or_reported(dataset):
    ours = dataset / "records" / ".people.csv.cbcf-99-0123abcd.new"
    ours.write_text("half a file")
    legacy = dataset / "records" / ".meetings.csv.k2j4h_9x"  # what versions before this one left
    legacy.write_text("half a file")
    report = cbcf_data.validate(dataset)
    assert report.valid
    assert [(i.code, Path(i.path or "").name) for i in report.issues] == [
        ("write-recovered", "dataset"), ("leftover-temp-file", ".meetings.csv.k2j4h_9x")]
    assert not ours.exists() and legacy.exists()
    assert "removed 1 temporary file(s)" in report.issues[0].message


def test_a_symlink_is_never_written_through(dataset, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("x\n")
    (dataset / "records" / "people.csv").unlink()
    (dataset / "records" / "people.csv").symlink_to(outside)
    with pytest.raises(UnusableInputError, match="not a regular file"):
        writes.replace_files(dataset, {dataset / "records" / "people.csv": "y\n"})
    with pytest.raises(UnusableInputError, match="outside the dataset"):
        writes.replace_files(dataset, {tmp_path / "elsewhere.csv": "y\n"})
    assert outside.read_text() == "x\n"


def test_temporary_files_are_removed_only_in_the_datasets_own_folders(dataset, tmp_path):
    """A `docs` link to a folder elsewhere: the temporary files of that form there are not the
    dataset's, and recovery (every write command's first step) removed them."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = elsewhere / ".notes.md.cbcf-12-0123abcd.new"
    theirs.write_text("theirs\n")
    (dataset / "docs").symlink_to(elsewhere)
    ours = dataset / "records" / ".people.csv.cbcf-12-0123abcd.new"
    ours.write_text("half a file")
    with writes.writing(dataset):
        pass
    assert theirs.read_text() == "theirs\n" and not ours.exists()


def test_a_folder_that_is_a_link_is_never_written_through(dataset, tmp_path):
    """`cbcf-data schema` wrote docs/data-dictionary.md through a `docs` link, outside the dataset
    (and a journal of such a change, cut short, is one `recover` refuses to touch)."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deeper").mkdir(parents=True)
    (elsewhere / "data-dictionary.md").write_text("precious\n")
    (dataset / "docs").symlink_to(elsewhere)
    (dataset / "records" / "more").symlink_to(elsewhere)
    for path in (dataset / "docs" / "data-dictionary.md", dataset / "docs" / "deeper" / "new.md",
                 dataset / "records" / "more" / "people.csv"):
        with pytest.raises(UnusableInputError, match="is a symbolic link or not a folder"):
            writes.replace_files(dataset, {path: "y\n", dataset / "records" / "new.csv": "z\n"})
    assert sorted(os.listdir(elsewhere)) == ["data-dictionary.md", "deeper"] and not os.listdir(elsewhere / "deeper")
    assert (elsewhere / "data-dictionary.md").read_text() == "precious\n"
    assert not (dataset / "records" / "new.csv").exists()


# --- kills ---------------------------------------------------------------------------------------


def _fork_import(bundle: Path, root: Path, delay: float, sigterm: bool = False) -> tuple[int, int]:
    """Fork a child importing bundle into root with each file-system step slowed by delay;
    return (pid, fd that becomes readable when the child starts writing)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: import, and never return into pytest
        status = 1
        try:
            os.close(read_end)
            if sigterm:
                cli._stop_cleanly_on_sigterm()
            journal.os = FaultyOS(delay=delay, started=lambda: os.write(write_end, b"w"))  # type: ignore[assignment]
            import_bundle(bundle, root)
            status = 0
        except BaseException:
            status = 2
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _kill_during_import(base: SimpleNamespace, root: Path, sig: int, window: float, rng: random.Random) -> str:
    restore(root, base.old)
    pid, started = _fork_import(base.bundles[MEETINGS[0]], root, delay=0.001, sigterm=sig == signal.SIGTERM)
    try:
        os.read(started, 1)  # the child has validated the bundle and begins to write
        time.sleep(rng.uniform(0, window))
        os.kill(pid, sig)
    finally:
        os.waitpid(pid, 0)
        os.close(started)
    with writes.writing(root):  # the next command's recovery
        pass
    return outcome(root, base)


@pytest.mark.parametrize("sig, kills", [(signal.SIGKILL, 30), (signal.SIGTERM, 10)])
def test_killed_imports_leave_all_old_or_all_new(base, dataset, sig, kills):
    """SIGKILL (nothing runs after it) and SIGTERM (the command line undoes its write) at random
    points of the write phase of an import: the tables are all old or all new, and valid."""
    pid, started = _fork_import(base.bundles[MEETINGS[0]], dataset, delay=0.001)
    os.read(started, 1)
    begun = time.monotonic()
    os.waitpid(pid, 0)
    window = (time.monotonic() - begun) * 1.1  # how long the write phase lasts, and a little after
    assert outcome(dataset, base) == "new"
    rng = random.Random(11)
    results = {"old": 0, "new": 0, "torn": 0}
    for _ in range(kills):
        results[_kill_during_import(base, dataset, sig, window, rng)] += 1
    print(f"\n{kills} x {signal.Signals(sig).name} over a {window:.2f} s write: {results}")
    # SIGTERM is undone unless it comes after the change was complete: "new" is rare for it.
    assert results["torn"] == 0 and results["old"] and (results["new"] or sig == signal.SIGTERM)
    assert cbcf_data.validate(dataset).valid


def test_sigterm_to_the_command_line_undoes_its_write(base, dataset):
    """The real command, slowed down, stopped by SIGTERM once it has begun writing: exit 143, the
    tables as they were, nothing left behind, no traceback."""
    code = ("import os, sys, time; from cbcf_data.io import journal; from cbcf_data import cli\n"
            "real = os.replace\n"
            "class Slow:\n"
            "    def __getattr__(self, name):\n"
            "        return getattr(os, name)\n"
            "    def replace(self, *a):\n"
            "        sys.stderr.write('writing\\n'); sys.stderr.flush(); time.sleep(0.2); return real(*a)\n"
            "journal.os = Slow()\n"
            "sys.argv = ['cbcf-data', *sys.argv[1:]]; cli.main()\n")
    child = subprocess.Popen([sys.executable, "-c", code, "import", str(base.bundles[MEETINGS[0]]), "--dataset",
                              str(dataset)], stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    assert child.stderr.readline() == "writing\n"
    time.sleep(0.3)  # inside the renames
    child.send_signal(signal.SIGTERM)
    rest = child.stderr.read()
    assert child.wait(timeout=60) == 128 + signal.SIGTERM and "Traceback" not in rest
    assert outcome(dataset, base) == "old"


# --- one writer at a time ------------------------------------------------------------------------


def test_concurrent_imports_all_land(base, dataset):
    """Three processes import three different meetings into one dataset at once, twice. (Without
    the lock, one meeting is lost, or an import fails, in most rounds.)"""
    for _ in range(2):
        restore(dataset, base.old)
        children = [_fork_import(base.bundles[meeting], dataset, delay=0.001) for meeting in MEETINGS]
        statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid, _ in children]
        for _, fd in children:
            os.close(fd)
        assert statuses == [0, 0, 0]
        assert set(MEETINGS) <= set(cbcf_data.load(dataset).meetings)
    assert cbcf_data.validate(dataset).valid


def test_a_busy_dataset_makes_a_writer_wait_then_fail_with_exit_3(base, dataset):
    env = {**os.environ, "CBCF_DATA_LOCK_TIMEOUT": "0.5"}
    command = [str(BIN / "cbcf-data"), "import", str(base.bundles[MEETINGS[0]]), "--dataset", str(dataset)]
    with writes.writing(dataset):
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 3, result.stderr
    assert f"cbcf-data: the dataset {dataset} is being changed by process {os.getpid()}; waiting up to 0.5 s…" \
        in result.stderr.splitlines()
    assert f"error: the dataset {dataset} is being changed by process {os.getpid()}; try again" in result.stderr
    assert outcome(dataset, base) == "old"


def test_a_command_with_nothing_to_say_imports_no_logging(dataset):
    """The stderr handler of the library's messages is set up before the first one: `show` and
    `validate` of a dataset nobody writes never import `logging` (a sixth of `show`'s start-up)."""
    for command in (["show", "cbcf-2024", "--dataset", str(dataset)], ["validate", str(dataset)]):
        code = ("import atexit, sys; atexit.register(lambda: print('logging' in sys.modules, file=sys.stderr)); "
                f"sys.argv = ['cbcf-data', *{command!r}]; from cbcf_data.cli import main; main()")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and result.stderr.splitlines()[-1] == "False", result.stderr


def test_a_reader_holds_writers_off(dataset, monkeypatch):
    monkeypatch.setenv("CBCF_DATA_LOCK_TIMEOUT", "0.2")
    with writes.reading(dataset):  # a long validation, say
        child = os.fork()
        if child == 0:
            try:
                with writes.writing(dataset):
                    os._exit(0)
            except DatasetBusyError as error:
                os._exit(3 if "is being read by another process" in str(error) else 1)
            finally:
                os._exit(1)
        assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 3


def test_a_forked_child_keeps_no_copy_of_the_lock(dataset, monkeypatch):
    """A child forked while the lock is held (the release's SQLite builder) does not hold it:
    once the parent lets go (or is killed), a writer gets the lock at once while the child runs on."""
    monkeypatch.setenv("CBCF_DATA_LOCK_TIMEOUT", "0")
    read_end, write_end = os.pipe()
    started, says_started = os.pipe()
    with writes.reading(dataset):
        child = os.fork()
        if child == 0:  # says it runs (its fork hooks have run), then runs until the test closes the pipe
            os.close(write_end)
            os.write(says_started, b"r")
            os.read(read_end, 1)
            os._exit(0)
        os.read(started, 1)
    os.close(read_end)
    os.close(started)
    os.close(says_started)
    try:
        with writes.writing(dataset):
            assert locking.held(dataset) is True
    finally:
        os.close(write_end)
        os.waitpid(child, 0)


def test_the_lock_is_reentrant_and_kept_by_the_process_that_holds_it(dataset):
    with writes.writing(dataset):
        assert locking.held(dataset) is True
        with writes.reading(dataset), writes.writing(dataset):
            assert (dataset / locking.LOCK_NAME).read_text().strip() == str(os.getpid())
    assert locking.held(dataset) is None and (dataset / locking.LOCK_NAME).read_text() == ""
    with writes.reading(dataset):
        assert locking.held(dataset) is False
        with pytest.raises(RuntimeError, match="while only reading"):
            with writes.writing(dataset):
                pass


def test_a_killed_writer_leaves_no_lock(base, dataset, monkeypatch):
    pid, started = _fork_import(base.bundles[MEETINGS[0]], dataset, delay=0.05)
    os.read(started, 1)
    time.sleep(0.12)  # two steps in: a new file is being written
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(started)
    monkeypatch.setenv("CBCF_DATA_LOCK_TIMEOUT", "0")
    with writes.writing(dataset) as recovery:  # at once: the OS released the dead writer's lock
        assert recovery.done
    assert outcome(dataset, base) in ("old", "new")


def test_busy_error_names_the_process(dataset, monkeypatch):
    import fcntl

    monkeypatch.setenv("CBCF_DATA_LOCK_TIMEOUT", "0")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # another writer: holds the lock, says so, and waits to be killed
        fd = os.open(dataset / locking.LOCK_NAME, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, b"4242\n", 0)
        os.write(write_end, b"x")
        time.sleep(30)
        os._exit(0)
    try:
        os.read(read_end, 1)
        with pytest.raises(DatasetBusyError, match="being changed by process 4242") as caught:
            with writes.writing(dataset):
                pass
        assert caught.value.pid == 4242
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(read_end)
        os.close(write_end)


# --- the dataset a command works on --------------------------------------------------------------


def test_nothing_is_written_inside_the_installed_package(base, dataset, monkeypatch):
    """(The real wheel: tests/test_wheel.py.) Here a dataset copy plays the installed one."""
    inside = os.path.realpath(dataset)
    monkeypatch.setattr(package, "inside_package", lambda path: os.path.realpath(path).startswith(inside))
    (dataset / locking.LOCK_NAME).unlink()
    before = snapshot(dataset)
    with pytest.raises(UnusableInputError, match="installed with the package, which is read-only"):
        import_bundle(base.bundles[MEETINGS[0]], dataset)
    with pytest.raises(UnusableInputError, match="read-only"):
        fmt(dataset)
    assert cbcf_data.validate(dataset).valid  # reading it is fine, and takes no lock there
    assert snapshot(dataset) == before and not (dataset / locking.LOCK_NAME).exists()


def run_main(monkeypatch, capsys, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """cbcf-data's main() in this process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["cbcf-data", *args])
    monkeypatch.setattr(cli, "_stop_cleanly_on_sigterm", lambda: None)
    monkeypatch.setattr(cli, "_messages_to_stderr", lambda: None)
    if cwd is not None:
        monkeypatch.chdir(cwd)
    try:
        cli.main()
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    out = capsys.readouterr()
    return status, out.out, out.err


def test_commands_use_the_checkout_they_run_in(base, dataset, monkeypatch, capsys):
    (dataset / "records" / "meetings.csv").write_text("broken\n")
    status, out, _ = run_main(monkeypatch, capsys, "validate", cwd=dataset / "records")
    assert status == 1 and "header-mismatch" in out and str(dataset) in out
    elsewhere = dataset.parent / "elsewhere"
    elsewhere.mkdir()
    status, out, err = run_main(monkeypatch, capsys, "import", str(base.bundles[MEETINGS[0]]), cwd=elsewhere)
    assert status == 2 and "no dataset in" in err and "pass --dataset" in err
    status, out, err = run_main(monkeypatch, capsys, "show", "cbcf-2022", cwd=elsewhere)
    assert status == 0 and "using the copy installed with the package" in err and "cbcf-2022" in out


@pytest.mark.parametrize("target", ["datapackage.json", ".", "records/meetings.csv"])
def test_import_refuses_what_is_not_a_bundle(dataset, monkeypatch, capsys, target):
    before = snapshot(dataset)
    status, _, err = run_main(monkeypatch, capsys, "import", str(dataset / target), "--dataset", str(dataset))
    assert status == 2 and "not a meeting bundle" in err and len(err.splitlines()) == 1
    assert snapshot(dataset) == before


def test_import_and_fmt_write_where_the_descriptor_says(base, dataset):
    descriptor = json.loads((dataset / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] in ("commitments", "attendances"):
            resource["path"] = f"tables/{resource['name']}.csv"
            (dataset / "tables").mkdir(exist_ok=True)
            (dataset / "records" / f"{resource['name']}.csv").rename(dataset / resource["path"])
    (dataset / "datapackage.json").write_text(json.dumps(descriptor))
    leftover = dataset / "tables" / ".commitments.csv.cbcf-1-0123abcd.new"
    leftover.write_text("half")
    import_bundle(base.bundles[MEETINGS[0]], dataset)
    assert not leftover.exists()  # a writer looks for leftovers in every table's folder
    assert not (dataset / "records" / "commitments.csv").exists()
    assert (dataset / "tables" / "commitments.csv").read_bytes() == base.new["records/commitments.csv"]
    attendances = dataset / "tables" / "attendances.csv"
    lines = attendances.read_text().splitlines(keepends=True)
    attendances.write_text("".join([lines[0], *reversed(lines[1:])]))
    assert fmt(dataset) and attendances.read_bytes() == base.new["records/attendances.csv"]
    assert not (dataset / "records" / "attendances.csv").exists()


# --- operating-system errors ---------------------------------------------------------------------


@pytest.mark.parametrize("code, cause", [(errno.ENOSPC, "No space left on device"),
                                         (errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")])
def test_os_errors_end_in_one_line_and_exit_2(base, dataset, monkeypatch, capsys, code, cause):
    monkeypatch.setattr(journal, "os", FaultyOS(2, OSError(code, os.strerror(code)), once=False))  # at a write()
    status, _, err = run_main(monkeypatch, capsys, "import", str(base.bundles[MEETINGS[0]]), "--dataset", str(dataset))
    assert status == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {dataset / 'records'}/") and err.endswith(f".csv: {cause}\n")
    monkeypatch.setattr(journal, "os", os)
    with writes.writing(dataset):
        pass
    assert outcome(dataset, base) == "old"


def test_a_full_disk_under_fmt_names_the_table(dataset, monkeypatch, capsys):
    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    people = dataset / "records" / "people.csv"
    people.write_text(people.read_text() + "\n")  # not canonical: one table to rewrite
    before = snapshot(dataset)
    monkeypatch.setattr(journal, "os", OSWith(write=full))
    status, _, err = run_main(monkeypatch, capsys, "fmt", "--dataset", str(dataset))
    assert (status, err) == (2, f"error: {people}: No space left on device\n")
    assert snapshot(dataset) == before


def test_a_read_only_dataset_and_release_onto_a_file(base, dataset, monkeypatch, capsys):
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args)

    def refused(*args: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(args[0]))

    leave_a_journal(base, dataset, monkeypatch)
    monkeypatch.setattr(locking, "os", OSWith(open=read_only))
    monkeypatch.setattr(journal, "os", OSWith(open=read_only, replace=refused, unlink=refused, link=refused))
    status, _, err = run_main(monkeypatch, capsys, "import", str(base.bundles[MEETINGS[0]]), "--dataset", str(dataset))
    assert status == 2 and err == f"error: {dataset / locking.LOCK_NAME}: Read-only file system\n"
    # Reading needs no lock file; the pending change is reported, and left alone without a lock.
    status, out, err = run_main(monkeypatch, capsys, "validate", str(dataset), "--format", "json")
    codes = [i["code"] for i in json.loads(out)["issues"]]
    assert status == 1 and codes[0] == "interrupted-write" and set(codes[1:]) == {"leftover-temp-file"}, out + err
    assert outcome(dataset, base) == "torn"
    monkeypatch.setattr(locking, "os", os)
    monkeypatch.setattr(journal, "os", os)
    assert run_main(monkeypatch, capsys, "validate", str(dataset))[0] == 0
    assert outcome(dataset, base) == "new"
    (dataset / "dist").write_text("a file")
    status, _, err = run_main(monkeypatch, capsys, "release", "--dataset", str(dataset), "--out", str(dataset / "dist"))
    assert status == 2 and err == f"error: {dataset / 'dist'}: File exists (it is a file; a folder is needed here)\n"


def test_site_packages_and_the_package_count_as_installed(tmp_path):
    import sysconfig

    assert writes.installed(Path(sysconfig.get_paths()["purelib"]) / "some" / "dataset")
    assert writes.installed(Path(cbcf_data.__file__).parent / "_data")
    assert not writes.installed(tmp_path) and not writes.installed(ROOT)


@pytest.mark.parametrize("kind", ["link", "dangling link", "hard link", "fifo", "folder"])
def test_a_lock_file_that_is_not_a_file_of_its_own_stops_every_command(dataset, kind, monkeypatch, capsys):
    """A planted `.cbcf-lock` (a pull request's link to a file outside, a FIFO…) is never opened
    through: the writer's PID would otherwise truncate the file it points at, a FIFO hang the reader."""
    lock, outside = dataset / locking.LOCK_NAME, dataset.parent / "outside.txt"  # on the dataset's file system
    lock.unlink(missing_ok=True)
    if kind != "dangling link":
        outside.write_text("precious\n")
    if kind in ("link", "dangling link"):
        lock.symlink_to(outside)
    elif kind == "hard link":
        os.link(outside, lock)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    before = snapshot(dataset)

    def hung(*_: Any) -> None:
        raise TimeoutError("a command blocked on the lock file")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)  # a FIFO opened the old way would block here for ever
    try:
        status, _, err = run_main(monkeypatch, capsys, "fmt", "--dataset", str(dataset))
        assert (status, err) == (2, f"error: {lock} {locking.UNSAFE_LOCK}; {locking.UNSAFE_LOCK_HINT}\n")
        status, out, _ = run_main(monkeypatch, capsys, "validate", str(dataset), "--format", "json")
        issues = json.loads(out)["issues"]
        assert status == 2 and [(i["code"], i["path"]) for i in issues] == [("unsafe-lock-file", str(lock))]
        with pytest.raises(UnusableInputError, match="opens no other kind of file"):
            cbcf_data.load(dataset)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert snapshot(dataset) == before
    if kind == "dangling link":
        assert not outside.exists()
    else:
        assert outside.read_text() == "precious\n"


def test_a_journal_is_read_bounded_and_never_through_a_link(base, dataset, monkeypatch):
    """A journal that is a link (to /dev/zero: an endless read), a FIFO or too large is not read;
    the interrupted write it stands for is reported, and the tables are left alone."""
    name = dataset / journal.JOURNAL_NAME
    before = snapshot(dataset)
    for make, says in ((lambda: name.symlink_to("/dev/zero"), "is a symbolic link"),
                       (lambda: os.mkfifo(name), "is a FIFO"),
                       (lambda: name.write_bytes(b" " * 65), "the limit is 64")):
        make()
        monkeypatch.setattr(limits, "JOURNAL_BYTES", 64)
        issues = cbcf_data.validate(dataset).issues
        assert [i.code for i in issues] == ["interrupted-write"] and says in issues[0].message, issues
        assert issues[0].path == str(name) and not issues[0].message.startswith(str(name))  # its place, said once
        with pytest.raises(RecoveryError, match=says):
            fmt(dataset)
        name.unlink()
        assert snapshot(dataset) == before


def test_recovery_never_renames_a_link_into_the_dataset(base, dataset, tmp_path, monkeypatch):
    """Staged files swapped for links to files outside (with the right content) are not ours:
    the change is undone, the links removed, and the files they point at left as they were."""
    leave_a_journal(base, dataset, monkeypatch)
    staged = [p for p in dataset.rglob("*") if journal.temp_parts(p.name) and p.is_file()]
    assert staged
    outside = {}
    for path in staged:
        outside[path] = tmp_path / path.name
        shutil.move(path, outside[path])
        path.symlink_to(outside[path])
    copies = {path: path.read_bytes() for path in outside.values()}
    report = cbcf_data.validate(dataset)
    assert report.valid and "undid a change" in report.issues[0].message, report.issues
    assert outcome(dataset, base) == "old" and not any(p.is_symlink() for p in dataset.rglob("*"))
    assert {path: path.read_bytes() for path in outside.values()} == copies


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_whose_handler_runs_in_a_finalizer_still_stops_the_command(signum):
    """A signal's handler runs at whatever line the main thread is on, a finalizer's too (a
    `__del__`, a generator's `finally` closed by the garbage collector), where Python prints
    "Exception ignored in" with a traceback and goes on: a release under SIGTERM was seen to run
    to its end, exit 0, and print a traceback."""
    code = f"""if True:
        import os, sys, time
        from cbcf_data import cli
        cli._stop_cleanly_on_sigterm()

        class Finalized:
            def __del__(self):
                os.kill(os.getpid(), {int(signum)})
                for _ in range(10000):  # the handler runs at one of these lines, inside __del__
                    pass

        try:
            Finalized()
            time.sleep(5)
            print("went on")
        except KeyboardInterrupt:
            sys.exit(130)
        finally:
            print("stopped cleanly")
    """
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (128 + signum, "stopped cleanly\n", "")
