"""The `cbcf-data` command ends its process without tearing it down (`cli.end`): exit handlers run
and every byte of output is flushed first; a thread still at work, or a status that is not a
number, ends the usual way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIN, FIXTURES, ROOT

BASE = FIXTURES / "_base"
#: A finalizer that says so on stderr when the interpreter tears down the module holding it.
TORN = ("import sys\nclass Torn:\n    def __del__(self):\n        sys.stderr.write('torn down\\n')\n"
        "torn = Torn()\n")


def command(entry: str, *args: str, before: str = "", **options) -> subprocess.CompletedProcess[str]:
    """`cbcf-data ARGS` through `cli.<entry>` in a fresh process, after running `before`."""
    code = f"{before}import sys\nsys.argv = ['cbcf-data', *sys.argv[1:]]\nfrom cbcf_data.cli import {entry}\n{entry}()\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, **options)


def test_the_command_skips_the_teardown_that_main_does():
    """The control shows the finalizer runs at an ordinary exit; the command's end never gets there."""
    ordinary = command("main", "show", "cbcf-2024", before=TORN)
    ended = command("run", "show", "cbcf-2024", before=TORN)
    assert ordinary.returncode == ended.returncode == 0
    assert "torn down" in ordinary.stderr
    assert "torn down" not in ended.stderr
    assert ended.stdout == ordinary.stdout and ended.stdout.startswith("cbcf-2024")


def test_exit_handlers_run_and_all_output_arrives(tmp_path: Path):
    """A large JSON report through a pipe arrives whole, and a handler registered before the command
    runs (and what it prints is flushed), with the command's own status."""
    before = "import atexit, sys\natexit.register(lambda: print('handler ran', file=sys.stderr))\n"
    broken = tmp_path / "bad"
    subprocess.run(["cp", "-r", str(BASE), str(broken)], check=True)
    people = broken / "records" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1].split(",")
    people.write_text("\n".join([header, *(",".join([f"bad-{n:05d}", *row[1:]]) for n in range(3000))]) + "\n",
                      encoding="utf-8")
    ordinary = command("main", "validate", "--format", "json", str(broken), before=before)
    ended = command("run", "validate", "--format", "json", str(broken), before=before)
    assert ended.returncode == ordinary.returncode == 1
    assert len(ended.stdout) > 100_000  # more than a pipe holds: written while the reader reads
    assert json.loads(ended.stdout) == json.loads(ordinary.stdout)
    assert ended.stderr.splitlines()[-1] == "handler ran"


def test_a_thread_still_at_work_ends_the_usual_way(tmp_path: Path):
    """A thread that is not a daemon is waited for, as at any exit: what it writes is there."""
    marker = tmp_path / "written"
    before = ("import threading, time, pathlib\n"
              f"threading.Thread(target=lambda: (time.sleep(0.3), pathlib.Path({str(marker)!r}).write_text('x'))).start()\n")
    ended = command("run", "show", "cbcf-2024", before=before)
    assert ended.returncode == 0, ended.stderr
    assert marker.read_text() == "x"


@pytest.mark.parametrize(("error", "status", "said"), [("ENOSPC", 2, "No space left on device"), ("EPIPE", 1, None)])
def test_output_that_cannot_be_flushed_at_the_end(error, status, said):
    """Output left in stdout's buffer once the command is done (here by an exit handler) that cannot
    be written: the reason on stderr and status 2, or status 1 and nothing for a closed pipe."""
    before = ("import atexit, errno, io, os, sys\n"
              "class Failing(io.TextIOWrapper):\n    error = 0\n"
              "    def flush(self):\n        if Failing.error:\n"
              "            raise OSError(Failing.error, os.strerror(Failing.error))\n        super().flush()\n"
              "sys.stdout = Failing(sys.stdout.detach(), encoding='utf-8')\n"
              f"atexit.register(lambda: (sys.stdout.write('left'), setattr(Failing, 'error', errno.{error})))\n")
    ended = command("run", "show", "cbcf-2024", before=before)
    assert ended.returncode == status, ended.stderr
    assert ended.stdout.startswith("cbcf-2024") and "left" not in ended.stdout
    assert "Traceback" not in ended.stderr
    assert (said in ended.stderr) if said else ended.stderr == ""


def test_the_installed_command_and_python_m_use_it():
    """Both ways of running the command go through `run` (the script and `python -m cbcf_data`)."""
    script = (BIN / "cbcf-data").read_text(encoding="utf-8")
    assert "from cbcf_data.cli import run" in script
    main = (ROOT / "cbcf_data" / "__main__.py").read_text(encoding="utf-8")
    assert "run()" in main
    statuses = {tuple(args): subprocess.run([str(BIN / "cbcf-data"), *args], capture_output=True, cwd=ROOT,
                                            timeout=300, env={**os.environ, "COLUMNS": "100"}).returncode
                for args in (["show", "cbcf-2024"], ["show", "nope"], ["nonsense"], ["--help"])}
    assert statuses == {("show", "cbcf-2024"): 0, ("show", "nope"): 2, ("nonsense",): 2, ("--help",): 0}


def test_a_stdout_closed_by_an_exit_handler_ends_quietly():
    before = "import atexit, sys\natexit.register(lambda: sys.stdout.close())\n"
    ended = command("run", "show", "cbcf-2024", before=before)
    assert ended.returncode == 0 and ended.stderr == "" and ended.stdout.startswith("cbcf-2024")
