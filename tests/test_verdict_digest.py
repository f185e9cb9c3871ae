"""The verdict's digest read beside the check, in a thread (`verdict.Digesting`): the same digest
as read after it, given up (and its thread ended) when the dataset has an issue, and what goes
wrong in it reported rather than lost."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_fixtures import materialize

from cbcf_data.check import verdict
from cbcf_data.check.validate import validate
from cbcf_data.io import package

THREAD = "cbcf-data verdict digest"


def _paths(dataset: Path) -> tuple[Path, dict[str, Path], Path]:
    descriptor = dataset / "datapackage.json"
    return descriptor, package.resource_paths(package.read_descriptor(descriptor), dataset), dataset / "records"


def _digest_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_digest_in_a_thread_is_the_digest(tmp_path):
    _, _, dataset = materialize("bundle-valid", tmp_path)
    digesting = verdict.Digesting(*_paths(dataset))
    assert digesting.result() == verdict.digest(*_paths(dataset)) is not None
    assert not _digest_threads()


def test_validate_reads_the_digest_in_another_thread_and_keeps_its_verdict(tmp_path, cache, monkeypatch):
    _, _, dataset = materialize("bundle-valid", tmp_path)
    threads = []
    digest = verdict.digest

    def spied(*args, **kwargs):
        threads.append(threading.current_thread())
        return digest(*args, **kwargs)

    monkeypatch.setattr(verdict, "digest", spied)
    assert not validate(dataset).issues
    assert threads and all(thread is not threading.main_thread() for thread in threads)
    monkeypatch.setattr(verdict, "digest", digest)
    assert verdict.vouched(verdict.digest(*_paths(dataset)))
    assert not _digest_threads()


def test_a_stopped_digest_reads_no_further_and_is_none(tmp_path):
    _, _, dataset = materialize("bundle-valid", tmp_path)
    assert verdict.digest(*_paths(dataset), stop=lambda: True) is None


def test_a_dataset_with_an_issue_stops_the_digest(tmp_path, cache, monkeypatch):
    """The thread is given up (stopped and ended) and no verdict is kept."""
    _, _, dataset = materialize("orphan-person", tmp_path)  # a warning only
    stopped = []
    stop = verdict.Digesting.stop

    def spied(self):
        stopped.append(self)
        stop(self)

    monkeypatch.setattr(verdict.Digesting, "stop", spied)
    report = validate(dataset)
    assert report.valid and report.issues
    assert len(stopped) == 1 and not _digest_threads()
    assert not verdict.vouched(verdict.digest(*_paths(dataset)))


def test_what_fails_in_the_thread_is_reported(tmp_path, cache, monkeypatch):
    _, _, dataset = materialize("bundle-valid", tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("the digest broke")

    monkeypatch.setattr(verdict, "digest", broken)
    report = validate(dataset)
    assert [issue.code for issue in report.issues] == ["internal-error"]
    assert "the digest broke" in report.issues[0].message


def test_the_digest_gives_up_once_asked(tmp_path):
    _, _, dataset = materialize("bundle-valid", tmp_path)
    assert verdict.Digesting(*_paths(dataset), give_up=lambda: True).result() is None
    assert not _digest_threads()


def test_validate_gives_the_digest_up_as_soon_as_an_issue_is_found(tmp_path, cache, monkeypatch):
    """The digest is asked to give up while the check runs (a review found it read every file of a
    dataset whose first table had an issue), not only once the check is done."""
    asked = []
    real = verdict.Digesting

    def spy(*args, **kwargs):
        asked.append(kwargs["give_up"])
        return real(*args, **kwargs)

    monkeypatch.setattr(verdict, "Digesting", spy)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, _, clean = materialize("bundle-valid", tmp_path / "a")
    assert not validate(clean).issues and asked[-1]() is False
    _, _, warned = materialize("orphan-person", tmp_path / "b")
    assert validate(warned).issues and asked[-1]() is True
