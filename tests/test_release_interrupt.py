"""A release stopped by a real SIGINT (Ctrl-C) or SIGTERM at the moments a review's sweep of
random stops found bad endings, each reached on purpose: the command runs in a child Python
(`python -c`) in a session of its own, with one function wrapped to send the signal to itself (or
its process group) at that moment. Every ending must be the usual one: exit status 130 or 143,
nothing on stderr (no traceback, no error line), no temporary folder left, the release folder
complete or absent, and no process of the command's group left once it has exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_release import NAME, unreleased_copy

from cbcf_data.publish import release

#: The child: the wrapping (`{prelude}`), then the command as `cbcf-data` runs it.
CHILD = """if True:
    import os, signal, sys
    SIGNUM = {signum}
{prelude}
    from cbcf_data import cli
    sys.argv = ["cbcf-data", "release", "--out", {out!r}, "--dataset", {dataset!r}, "--no-site"]
    cli.run()
"""

#: Ctrl-C inside Pydantic's core while it serializes (the JSON Schemas' examples): it turned the
#: KeyboardInterrupt into "PydanticSerializationError: Error calling function `str`".
IN_SERIALIZER = """
    from cbcf_data.model.dates import PartialDate
    def text(self):
        if not text.sent and sys._getframe(1).f_code.co_name == "model_dump":  # called by pydantic-core
            text.sent = True
            os.kill(os.getpid(), SIGNUM)
        return str.__str__(self)
    text.sent = False
    PartialDate.__str__ = text
"""

#: Ctrl-C as Pydantic builds the first model, once validation is over (compiled validators and
#: serializers, whose building pydantic-core turns a KeyboardInterrupt into a SchemaError in).
IN_MODEL_BUILD = """
    import pydantic._internal._model_construction as construction
    real = construction.complete_model_class
    def complete(cls, *args, **kwargs):
        if complete.sent or cls.__module__ != "cbcf_data.model.tables":
            return real(cls, *args, **kwargs)
        complete.sent = True
        os.kill(os.getpid(), SIGNUM)
        done = real(cls, *args, **kwargs)
        print("built whole", file=sys.stderr)
        return done
    complete.sent = False
    construction.complete_model_class = complete
"""

#: Ctrl-C inside shutil.rmtree, just after it closed a folder's descriptor (before it notes it
#: closed): it closed it again, "OSError: Bad file descriptor", and left the temporary folder.
IN_RMTREE = """
    real = os.close
    def close(fd):
        real(fd)
        if not close.sent and sys._getframe(1).f_code.co_filename.endswith("shutil.py"):
            close.sent = True
            os.kill(os.getpid(), SIGNUM)
    close.sent = False
    os.close = close
"""

#: Ctrl-C reaching the release just after it forked its SQLite builder (not the builder: sent
#: before it was forked); the builder, busy, takes a second to end once told.
AFTER_FORK = """
    from multiprocessing import popen_fork
    from cbcf_data.publish import sqlite
    real = popen_fork.Popen._launch
    def launch(self, process):
        real(self, process)  # in the child, this never returns
        os.kill(os.getpid(), SIGNUM)
    popen_fork.Popen._launch = launch
    serve = sqlite._serve
    def busy(*args):
        try:
            serve(*args)
        finally:
            import time
            time.sleep(1)
    sqlite._serve = busy
"""

#: Ctrl-C reaching the release just after it started frictionless's judgement of the descriptor
#: in a child Python (as for a dataset of a megabyte or more, no verdict kept; not the child:
#: sent before it was started), which takes seconds to judge.
AFTER_SPAWN = """
    import subprocess
    from cbcf_data.check import profile
    profile.CHILD_FROM_BYTES = 0
    profile.CHILD = "import time; time.sleep(3); " + profile.CHILD
    real = subprocess.Popen.__init__
    def popen(self, args, *rest, **kwargs):
        real(self, args, *rest, **kwargs)
        if profile.CHILD in args:
            os.kill(os.getpid(), SIGNUM)
    subprocess.Popen.__init__ = popen
"""

#: The same judge, the stop reaching the release (not the judge) while it waits for its verdict.
WHILE_JUDGED = """
    import subprocess, threading
    from cbcf_data.check import profile
    profile.CHILD_FROM_BYTES = 0
    profile.CHILD = "import time; time.sleep(5); " + profile.CHILD
    real = subprocess.Popen.communicate
    def communicate(self, *args, **kwargs):
        if profile.CHILD in self.args:  # the judge sleeps 5 seconds: the stop comes while this waits
            threading.Timer(1, os.kill, (os.getpid(), SIGNUM)).start()
        return real(self, *args, **kwargs)
    subprocess.Popen.communicate = communicate
"""

STOPS = [signal.SIGINT, signal.SIGTERM]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return unreleased_copy(tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="module")
def unsorted(tmp_path_factory) -> Path:
    """The dataset with a table's rows out of key order (valid, `not-sorted`): the release is begun
    again, sorted, after removing what it wrote."""
    folder = unreleased_copy(tmp_path_factory.mktemp("unsorted"))
    table = folder / "records" / "meetings.csv"
    header, *rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    table.write_text(header + "".join(reversed(rows)), encoding="utf-8")
    return folder


def stopped(prelude: str, signum: int, dataset: Path, out: Path) -> tuple[int, str, bool]:
    """Run the release with `prelude` (keeping no verdict); its exit status, its stderr, and
    whether a process of its group outlived it."""
    code = CHILD.format(signum=int(signum), prelude=prelude, out=str(out), dataset=str(dataset))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, start_new_session=True, env={**os.environ, "CBCF_DATA_CACHE_DIR": "off"})
    try:
        _, stderr = child.communicate(timeout=120)
        try:
            os.killpg(child.pid, 0)
            outlived = True
        except ProcessLookupError:
            outlived = False
    finally:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return child.returncode, stderr, outlived


def ends_cleanly(out: Path, status: int, stderr: str, outlived: bool, signum: int, expected: str = "") -> list[str]:
    """What `out` holds after the stop: nothing, or the complete release (which it then checks)."""
    assert (status, stderr, outlived) == (128 + signum, expected, False)
    left = sorted(os.listdir(out)) if out.exists() else []
    assert left in ([], [NAME]), left  # no `.cbcf-data-<version>.<random>`
    if left:
        assert release.verify_checksums(out / NAME) == []
    return left


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_inside_pydantics_serializer_ends_as_a_stop(dataset, tmp_path, signum):
    """Before: `PydanticSerializationError: Error calling function str: KeyboardInterrupt`, a
    traceback and exit status 1 (the review saw it 1 run in 234)."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(IN_SERIALIZER, signum, dataset, out), signum) == []


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_while_pydantic_builds_the_models_waits_for_them(dataset, tmp_path, signum):
    """The stop comes as the first model is built: it is raised once they are all built, never in
    the middle of pydantic-core's building a validator (where it became a SchemaError: "Error
    building literal validator: KeyboardInterrupt", a traceback, exit 1 in the review)."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(IN_MODEL_BUILD, signum, dataset, out), signum, "built whole\n") == []


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_while_the_temporary_folder_is_removed_leaves_none(dataset, tmp_path, signum):
    """The stop comes inside shutil.rmtree of the build's temporary folder, once the release is in
    place. Before: `error: .../cbcf-data-<version>: Bad file descriptor`, exit 2, the temporary
    folder left beside the release."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(IN_RMTREE, signum, dataset, out), signum) == [NAME]


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_while_an_unsorted_release_starts_again_leaves_nothing(unsorted, tmp_path, signum):
    """The same inside the removal of what the first pass wrote, before the sorted one."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(IN_RMTREE, signum, unsorted, out), signum) == []


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_just_after_the_builder_is_forked_waits_for_it(dataset, tmp_path, signum):
    """Before: the stop was raised inside `Process.start`, the stream never made, so never closed,
    and the release exited while its builder's process lived on."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(AFTER_FORK, signum, dataset, out), signum) == []


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_just_after_the_profiles_judge_is_started_waits_for_it(dataset, tmp_path, signum):
    """Before: the stop was raised inside `subprocess.Popen`, the child never kept, so never waited
    for, and the release exited while frictionless's judge lived on."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(AFTER_SPAWN, signum, dataset, out), signum) == []


@pytest.mark.parametrize("signum", STOPS)
def test_a_stop_while_the_release_waits_for_the_profiles_judge_ends_it(dataset, tmp_path, signum):
    """Before: `Popen.communicate` waits a moment for the child on a KeyboardInterrupt, not at all
    on SIGTERM's exit: the judge lived on (the sweep saw it, killed by the same SIGTERM, unreaped)."""
    out = tmp_path / "dist"
    assert ends_cleanly(out, *stopped(WHILE_JUDGED, signum, dataset, out), signum) == []
