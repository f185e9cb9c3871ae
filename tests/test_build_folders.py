"""The folders `release` and `site` write: each replaces only an earlier folder of its own kind
(never the user's files, a dataset or the current folder), and whole.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import BIN, run_cli
from test_release import NAME, files_of, unreleased_copy

from cbcf_data.errors import CbcfDataError
from cbcf_data.io import outputs
from cbcf_data.publish import release
from cbcf_data.publish.site.build import build_site, site_names


@pytest.fixture(scope="module")
def unreleased(tmp_path_factory) -> Path:
    return unreleased_copy(tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="module")
def built(tmp_path_factory, unreleased) -> Path:
    return release.build_release(tmp_path_factory.mktemp("dist"), unreleased)


def test_release_names_are_what_a_release_holds(built):
    assert set(os.listdir(built)) == release.release_names(built.name)


def test_a_release_never_replaces_a_checkout_named_like_it(tmp_path):
    """A checkout unpacked as `cbcf-data-<version>` (a source archive), released with `--out ..`:
    the release's folder would be the checkout itself. It is refused before any work."""
    checkout = tmp_path / NAME
    checkout.mkdir()
    unreleased_copy(checkout)
    (checkout / "README.md").write_text("my notes\n")
    before = files_of(checkout)
    result = run_cli("release", "--out", "..", cwd=checkout)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "holds what no release holds (datapackage.json, records)" in result.stderr
    assert files_of(checkout) == before and sorted(os.listdir(tmp_path)) == [NAME]


def test_a_release_replaces_an_earlier_release_and_nothing_else(built, unreleased, tmp_path):
    out = tmp_path / "dist"
    first = release.build_release(out, unreleased)
    assert release.build_release(out, unreleased) == first  # an earlier release: replaced
    assert files_of(first) == files_of(built)
    (first / "notes.txt").write_text("mine\n")
    with pytest.raises(CbcfDataError, match=r"holds what no release holds \(notes.txt\)"):
        release.build_release(out, unreleased)
    assert (first / "notes.txt").read_text() == "mine\n"


def test_a_website_replaces_only_an_earlier_website(repo_copy, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious\n")
    with pytest.raises(CbcfDataError, match=r"holds what no website holds \(thesis.txt\)"):
        build_site(mine, repo_copy)
    assert os.listdir(mine) == ["thesis.txt"]
    (tmp_path / "link").symlink_to(mine)
    with pytest.raises(CbcfDataError, match="is a symbolic link: a website replaces only a folder"):
        build_site(tmp_path / "link", repo_copy)
    before = files_of(repo_copy)
    for out in (".", "records"):  # the dataset itself: it was deleted, and the website written in its place
        result = run_cli("site", "--out", out, cwd=repo_copy)
        assert result.returncode == 2 and "holds what no website holds" in result.stderr, result.stderr
    assert files_of(repo_copy) == before
    site = build_site(tmp_path / "site", repo_copy)
    assert set(os.listdir(site)) == site_names()
    assert build_site(site, repo_copy) == site and set(os.listdir(site)) == site_names()


def state(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """`old` or `new` when the folder holds exactly one of them, else `torn` (with what it lacks)."""
    now = files_of(folder) if folder.exists() else {}
    return "old" if now == old else "new" if now == new else f"torn: {len(now)} files, {len(old)} before"


class StopAfter:
    """os.rename, os.unlink and os.rmdir, the `k`th call of which, once armed, does its work and then
    raises SystemExit, as SIGTERM's handler does (`cli._stop_cleanly_on_sigterm`) at the next line."""

    def __init__(self, monkeypatch, k: int) -> None:
        self.k, self.calls, self.armed = k, 0, False
        for name in ("rename", "unlink", "rmdir"):
            monkeypatch.setattr(os, name, self.wrap(getattr(os, name)))

    def wrap(self, real: Any) -> Any:
        def step(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if self.armed:
                self.calls += 1
                if self.calls == self.k:
                    raise SystemExit(143)
            return result
        return step


def arm_before_the_replacement(monkeypatch, stop: StopAfter) -> None:
    """Arm `stop` when the build checks its folder the second time: just before it replaces it."""
    checked = outputs.replaceable_folder

    def check(*args: Any) -> bool:
        stop.armed = check.calls == 1  # type: ignore[attr-defined]
        check.calls += 1  # type: ignore[attr-defined]
        return checked(*args)

    check.calls = 0  # type: ignore[attr-defined]
    monkeypatch.setattr(outputs, "replaceable_folder", check)


@pytest.mark.parametrize("k", [1, 2])
def test_a_sigterm_while_a_release_replaces_the_last_leaves_one_or_the_other_whole(built, unreleased, tmp_path,
                                                                                   monkeypatch, k):
    """Before: the earlier release was removed file by file (rmtree), then the new one renamed in;
    a SIGTERM there left a part of the earlier release, or none at all."""
    out = tmp_path / "dist"
    old = release.build_release(out, unreleased)
    (old / "README.md").write_text("the earlier release\n")
    before = files_of(old)
    with monkeypatch.context() as patch:
        arm_before_the_replacement(patch, StopAfter(patch, k))
        with pytest.raises(SystemExit):
            release.build_release(out, unreleased)
    assert state(old, before, files_of(built)) in ("old", "new")
    assert [name for name in os.listdir(out) if not name.startswith(".")] == [old.name]  # (a stop while the
    # temporary folder is removed leaves the rest of it: `.cbcf-data-<version>.<random>`)


@pytest.mark.parametrize("k", [1, 2])
def test_a_sigterm_while_a_website_replaces_the_last_leaves_one_or_the_other_whole(repo_copy, tmp_path,
                                                                                   monkeypatch, k):
    site = build_site(tmp_path / "site", repo_copy)
    new = files_of(site)
    (site / "index.html").write_text("the earlier website\n")
    before = files_of(site)
    with monkeypatch.context() as patch:
        arm_before_the_replacement(patch, StopAfter(patch, k))
        with pytest.raises(SystemExit):
            build_site(site, repo_copy)
    assert state(site, before, new) in ("old", "new")
    assert sorted(name for name in os.listdir(tmp_path) if not name.startswith(".")) == ["repo", "site"]


def _files_limited_to(size: int) -> None:
    """In the child: a write past `size` bytes fails (EFBIG), as on a full disk (ENOSPC)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize("command", ["release", "site"])
def test_a_full_disk_ends_in_one_line_naming_the_folder(repo_copy, tmp_path, command):
    """Before: `error: File too large` (or `No space left on device`), naming nothing."""
    out = tmp_path / "out" / ("dist" if command == "release" else "site")
    run = subprocess.run([str(BIN / "cbcf-data"), command, "--out", str(out), "--dataset", str(repo_copy)],
                         capture_output=True, text=True, timeout=300, preexec_fn=lambda: _files_limited_to(20_000))
    folder = out / NAME if command == "release" else out
    assert (run.returncode, run.stderr) == (2, f"error: {folder}: File too large\n")
    assert not out.exists()


def test_a_killed_release_leaves_a_folder_the_next_one_removes(unreleased, tmp_path):
    """A release killed (kill -9, the out-of-memory killer; here its process group, the SQLite
    builder with it) left its temporary folder, the release so far, in --out for good; at a
    million rows, gigabytes. The next release removes it; a live build's folder, and any other, stays."""
    out = tmp_path / "dist"
    out.mkdir()
    child = subprocess.Popen([str(BIN / "cbcf-data"), "release", "--out", str(out), "--dataset", str(unreleased)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(f".{NAME}.*/{NAME}/csv/*.csv")) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    while time.monotonic() < deadline:  # the SQLite builder too: until it is gone, it holds the folder's lock
        try:
            os.killpg(child.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    abandoned = [path.name for path in out.iterdir()]
    assert len(abandoned) == 1 and abandoned[0].startswith(f".{NAME}."), abandoned
    other = out / f".{NAME}.abcdefgh"  # a folder of that form that no build holds a lock in: not ours to remove
    other.mkdir()
    with outputs.building(out, f".{NAME}.") as live:
        (live / "work").write_text("at work\n")
        release.build_release(out, unreleased)
        assert (live / "work").read_text() == "at work\n"
    assert sorted(os.listdir(out)) == sorted([NAME, other.name])


def test_a_folder_holding_only_a_builds_top_names_is_still_the_users(repo_copy, built, unreleased, tmp_path):
    """A folder whose top names are ones a website or a release writes (`data/`, `csv/`) but whose
    files that build did not write (its manifest does not list them) is refused, untouched: a
    second reader saw `site --out proj` delete `proj/data/notes.csv`."""
    project = tmp_path / "proj"
    (project / "data").mkdir(parents=True)
    (project / "data" / "notes.csv").write_text("precious\n")
    with pytest.raises(CbcfDataError, match=r"cannot be read .*nothing was replaced"):
        build_site(project, repo_copy)
    assert (project / "data" / "notes.csv").read_text() == "precious\n"
    site = build_site(tmp_path / "site", repo_copy)
    (site / "data" / "notes.csv").write_text("mine\n")  # a file of the user's inside an earlier website
    with pytest.raises(CbcfDataError, match=r"holds what no website holds \(data/notes.csv\)"):
        build_site(site, repo_copy)
    assert (site / "data" / "notes.csv").read_text() == "mine\n"
    out = tmp_path / "dist"
    first = release.build_release(out, unreleased)
    (first / "csv" / "mine.csv").write_text("mine\n")
    with pytest.raises(CbcfDataError, match=r"holds what no release holds \(csv/mine.csv\)"):
        release.build_release(out, unreleased)
    assert (first / "csv" / "mine.csv").read_text() == "mine\n"


def test_an_earlier_release_set_aside_by_a_killed_build_is_put_back(built, tmp_path):
    """Killed between its two renames, a build leaves the earlier release in its temporary folder
    and nothing in its place: the next build puts it back before anything else (it removed it)."""
    out = tmp_path / "dist"
    out.mkdir()
    with outputs.building(out, f".{NAME}.") as temp:
        shutil.copytree(built, temp / outputs.ASIDE)
        before = files_of(temp / outputs.ASIDE)
        child = os.fork()
        if child == 0:  # the killed build: it holds the folder's lock no more
            os._exit(0)
        os.waitpid(child, 0)
        abandoned = temp.name
        os.rename(temp, out / "kept")  # what `building` removes at its end: kept for the next build
    os.rename(out / "kept", out / abandoned)
    outputs.remove_abandoned(out, f".{NAME}.")
    assert sorted(os.listdir(out)) == [NAME] and files_of(out / NAME) == before


def test_a_stop_while_a_build_cleans_up_leaves_what_the_next_build_removes(tmp_path, monkeypatch):
    """The BUILDING file is removed last: a stop half-way through the clean-up leaves it with what
    remains, so the next build knows the folder for an abandoned one and removes it."""
    real = shutil.rmtree

    def stop(path: Any, *args: Any, **kwargs: Any) -> None:
        real(path, *args, **kwargs)
        raise SystemExit(143)

    with pytest.raises(SystemExit):
        with outputs.building(tmp_path, ".x.") as temp:
            for name in ("a", "b"):
                (temp / name).mkdir()
                (temp / name / "f").write_text("x\n")
            monkeypatch.setattr(shutil, "rmtree", stop)
    monkeypatch.setattr(shutil, "rmtree", real)
    left = [path for path in tmp_path.iterdir()]
    assert len(left) == 1 and (left[0] / outputs.BUILDING).exists()
    outputs.remove_abandoned(tmp_path, ".x.")
    assert list(tmp_path.iterdir()) == []
