"""The verdicts kept in the user's cache (check/verdict.py, check/profile.py) are written whole or
not at all, never through a link planted in the cache, and leave nothing behind whatever stops
them; a kept verdict is read only as a bounded regular file.
"""

from __future__ import annotations

import os
import resource
import signal
import time
from pathlib import Path

import pytest
from conftest import ROOT

from cbcf_data.check import profile, verdict
from cbcf_data.io import package

KEY = "ab" * 32


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def keep_both() -> None:
    verdict.keep(KEY, ROOT / package.DESCRIPTOR)
    profile._keep(KEY, ["a problem"])


def test_verdicts_are_kept_and_read_back(cache):
    keep_both()
    assert verdict.vouched(KEY) and profile._kept(KEY) == ["a problem"]
    assert files(cache) == ["profile", f"profile/{KEY}.json", "verdicts", f"verdicts/{KEY}.json"]


def test_a_link_planted_at_the_temporary_name_is_never_written_through(cache, tmp_path):
    """Earlier versions wrote `.<key>.<pid>.tmp` through whatever was there: in a shared cache
    (CBCF_DATA_CACHE_DIR=/tmp/…), another user's link there overwrote a file of the user's."""
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for kind in ("verdicts", "profile"):
        (cache / kind).mkdir(parents=True)
        (cache / kind / f".{KEY}.{os.getpid()}.tmp").symlink_to(victim)
    keep_both()
    assert victim.read_text() == "precious\n"
    assert verdict.vouched(KEY) and profile._kept(KEY) == ["a problem"]


def _in_child(work: object, limit_bytes: int | None = None, stop_after: bool = False) -> int:
    """Run work() in a forked child, with file sizes limited to limit_bytes (a disk that fills up:
    EFBIG) or SIGTERM's default action at the first os.replace (a kill just before the rename)."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            if limit_bytes is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
            if stop_after:
                def stop(*args: object, **kwargs: object) -> None:
                    raise SystemExit(143)  # what cli._stop_cleanly_on_sigterm's handler raises
                os.replace = stop  # type: ignore[assignment]
            work()  # type: ignore[operator]
            status = 0
        except BaseException:
            status = 3
        finally:
            os._exit(status)
    return os.waitpid(pid, 0)[1]


@pytest.mark.parametrize("fault", ["full disk", "sigterm before the rename"])
def test_a_verdict_cut_short_leaves_no_file_behind(cache, fault):
    (cache / "verdicts").mkdir(parents=True)
    (cache / "profile").mkdir(parents=True)
    if fault == "full disk":
        _in_child(keep_both, limit_bytes=10)
    else:
        _in_child(keep_both, stop_after=True)
    assert files(cache) == ["profile", "verdicts"]
    assert not verdict.vouched(KEY) and profile._kept(KEY) is None


def test_a_fifo_in_the_cache_is_no_verdict(cache):
    """profile._kept read the kept verdict with read_text: a FIFO there hung every validate."""
    (cache / "profile").mkdir(parents=True)
    os.mkfifo(cache / "profile" / f"{KEY}.json")
    pid = os.fork()
    if pid == 0:
        os._exit(0 if profile._kept(KEY) is None else 1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("reading a FIFO in the cache hung")
    assert status == 0


def test_pruning_removes_only_verdicts(cache, tmp_path):
    """Earlier versions removed every `*.json` beyond the 64 newest from the verdicts' folder,
    whatever it was: a folder of the user's (a link planted in a shared cache) lost its files."""
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for i in range(70):
        (theirs / f"notes-{i}.json").write_text("{}\n")
    cache.mkdir()
    (cache / "verdicts").symlink_to(theirs)
    old = [f"{i:064x}.json" for i in range(70)]
    for age, name in enumerate(old):
        (theirs / name).write_text("{}\n")
        os.utime(theirs / name, (1000 + age, 1000 + age))
    verdict.keep(KEY, ROOT / package.DESCRIPTOR)
    left = set(os.listdir(theirs))
    assert {f"notes-{i}.json" for i in range(70)} <= left and f"{KEY}.json" in left
    assert sorted(left & {*old, f"{KEY}.json"}) == sorted([*old[-63:], f"{KEY}.json"])
