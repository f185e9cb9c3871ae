"""The Data Package profile check: the same verdict whether a child process or this one judges."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT
from test_fixtures import flat, materialize

from cbcf_data.check import profile
from cbcf_data.check.validate import validate

BROKEN = FIXTURES / "descriptor-profile" / "datapackage.json"


def descriptor_of(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [ROOT / "datapackage.json", BROKEN], ids=["valid", "broken"])
def test_child_and_in_process_verdicts_agree(path):
    here = profile.Judgement(descriptor_of(path))
    child = profile.Judgement(descriptor_of(path), profile.spawn(descriptor_of(path)))
    assert not here.in_child and child.in_child
    assert child.problems() == here.problems()
    assert bool(here.problems()) == (path == BROKEN)


def test_the_broken_licenses_are_named():
    assert profile.judge(descriptor_of(BROKEN)) == [
        "the descriptor breaks the Data Package profile: 'CC-BY-4.0' is not of type 'array' at property 'licenses'"]


@pytest.mark.parametrize("program", [
    "import sys; sys.exit(3)",                  # the child fails
    "print('not json')",                        # the child answers nonsense
    "print('[1, 2]')",                          # the child answers JSON of the wrong shape
], ids=["fails", "nonsense", "wrong-shape"])
def test_a_failing_child_falls_back_to_judging_here(program):
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert profile.Judgement(descriptor_of(BROKEN), child).problems() == profile.judge(descriptor_of(BROKEN))


def test_a_child_that_hangs_is_killed_and_the_verdict_made_here(monkeypatch):
    monkeypatch.setattr(profile, "CHILD_TIMEOUT", 0.5)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE)
    assert profile.Judgement(descriptor_of(BROKEN), child).problems() == profile.judge(descriptor_of(BROKEN))
    assert child.returncode is not None


def test_frictionless_counts_as_loaded_once_imported():
    import frictionless  # noqa: F401

    assert profile._frictionless_loaded() and profile._cpus() >= 1


@pytest.mark.parametrize("table_bytes, cpus, loaded, in_child", [
    (10**9, 2, False, True),      # many rows, a spare CPU, frictionless not loaded: the child judges
    (10, 2, False, False),        # few rows: not worth a process
    (10**9, 1, False, False),     # one CPU: the child would only take turns with this process
    (10**9, 2, True, False),      # frictionless already loaded here: judging is quick
])
def test_when_a_child_judges(monkeypatch, table_bytes, cpus, loaded, in_child):
    monkeypatch.setattr(profile, "_cpus", lambda: cpus)
    monkeypatch.setattr(profile, "_frictionless_loaded", lambda: loaded)
    judgement = profile.start(descriptor_of(BROKEN), table_bytes)
    assert judgement.in_child == in_child
    assert judgement.problems() == profile.judge(descriptor_of(BROKEN))


def test_validate_reports_the_childs_verdict_in_the_descriptors_place(monkeypatch, tmp_path):
    # A broken profile and a broken row: the profile issue still comes first, as when judged in-process.
    _, source, dataset = materialize("descriptor-profile", tmp_path)
    people = dataset / "records" / "people.csv"
    lines = people.read_text().splitlines(keepends=True)
    people.write_text("".join(lines[:1] + [lines[1].replace(",US,", ",XX,").replace(",CA,", ",XX,")] + lines[2:]))
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", "off")  # else the second run takes the first one's verdict
    in_process = flat(validate(source))
    monkeypatch.setattr(profile, "CHILD_FROM_BYTES", 0)
    monkeypatch.setattr(profile, "_cpus", lambda: 2)
    monkeypatch.setattr(profile, "_frictionless_loaded", lambda: False)
    spawned = []
    monkeypatch.setattr(profile, "spawn", lambda path, spawn=profile.spawn: spawned.append(path) or spawn(path))
    assert flat(validate(source)) == in_process
    assert spawned and in_process[0][0] == "descriptor-profile" and in_process[1][0] == "not-in-codelist"


def test_cached_verdict_equals_the_fresh_one_and_a_changed_descriptor_is_rejudged(tmp_path, monkeypatch):
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))
    judged = []
    real = profile.judge
    monkeypatch.setattr(profile, "judge", lambda descriptor: judged.append(1) or real(descriptor))
    for path in (ROOT / "datapackage.json", BROKEN):
        text = path.read_text(encoding="utf-8")
        fresh = profile.start(descriptor_of(path), 0, text)
        again = profile.start(descriptor_of(path), 0, text)
        assert not fresh.cached and again.cached and again.problems() == fresh.problems()
    assert len(judged) == 2
    changed = BROKEN.read_text(encoding="utf-8").replace("{", '{"x-changed": 1, ', 1)
    rejudged = profile.start(json.loads(changed), 0, changed)
    assert not rejudged.cached and len(judged) == 3


def test_a_tampered_or_unreadable_cache_entry_is_rejudged(tmp_path, monkeypatch):
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))
    text = BROKEN.read_text(encoding="utf-8")
    fresh = profile.start(descriptor_of(BROKEN), 0, text).problems()
    entry = tmp_path / "cache" / "profile" / f"{profile.cache_key(text)}.json"
    entry.write_text('{"not": "a verdict"}', encoding="utf-8")
    judgement = profile.start(descriptor_of(BROKEN), 0, text)
    assert not judgement.cached and judgement.problems() == fresh


def test_validate_reports_the_same_with_and_without_the_cache(tmp_path, monkeypatch):
    expected, source, dataset = materialize("descriptor-profile", tmp_path / "data")
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", "off")
    off = validate(source, dataset=dataset).flatten(("code", "message"))
    monkeypatch.setenv("CBCF_DATA_CACHE_DIR", str(tmp_path / "cache"))
    first, second = (validate(source, dataset=dataset).flatten(("code", "message")) for _ in range(2))
    assert off == first == second and ("descriptor-profile" in {code for code, _ in off})


def test_the_judges_version_is_the_one_importlib_metadata_gives(monkeypatch):
    """Read from the .dist-info beside frictionless (sparing the import of importlib.metadata), or,
    when that cannot be read, from importlib.metadata itself: the same version either way."""
    from importlib.metadata import version

    assert profile.judge_version() == version("frictionless")

    def unreadable(path):
        raise OSError("unreadable")

    monkeypatch.setattr(profile.os, "scandir", unreadable)
    assert profile.judge_version() == version("frictionless")


def test_the_verdicts_code_version_names_pydantics_versions_without_importing_it():
    """check/verdict.py keys a kept verdict by Pydantic's and pydantic-core's versions, read from
    their .dist-info: the versions the modules themselves give, and a validate that needs no
    Pydantic does not import it for the key."""
    import subprocess
    import sys

    import pydantic
    import pydantic_core

    assert profile.installed_version("pydantic") == pydantic.VERSION
    assert profile.installed_version("pydantic_core") == pydantic_core.__version__
    assert profile.installed_version("no_such_module_here") is None
    code = ("import sys; from cbcf_data.check.verdict import code_version; code_version(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_the_verdicts_code_version_hashes_every_source_file_of_the_package(tmp_path, monkeypatch):
    """`code_version` reads the package's `*.py` files with `os.scandir`: the digest `Path.rglob`'s
    reading gives (each file's path and bytes, in the order of sorted paths), so that a change to
    any source file (and only to those) names other verdicts."""
    import hashlib
    import sys
    from pathlib import Path

    from cbcf_data._version import __version__
    from cbcf_data.check import verdict

    def by_rglob(here: Path) -> str:
        digest = hashlib.sha256("\0".join((__version__, str(profile.installed_version("pydantic")),
                                           str(profile.installed_version("pydantic_core")), sys.version)).encode())
        for path in sorted(here.rglob("*.py")):
            digest.update(f"\0{path.relative_to(here).as_posix()}\0".encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    verdict.code_version.cache_clear()
    try:
        package = Path(verdict.__file__).resolve().parent.parent
        assert verdict.code_version() == by_rglob(package)
        # A tree of the same shape, with names whose order as text and as parts differ (`a.py`,
        # `a/b.py`, `a-b.py`), a link to a folder (not followed) and files that are not sources.
        tree = tmp_path / "cbcf_data"
        for name in ("check/verdict.py", "a.py", "a/b.py", "a-b.py", "a/c/d.py", "z.txt", "a/__pycache__/x.pyc"):
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_text(name)
        (tree / "link").symlink_to(tree / "a", target_is_directory=True)
        monkeypatch.setattr(verdict, "__file__", str(tree / "check" / "verdict.py"))
        verdict.code_version.cache_clear()
        assert verdict.code_version() == by_rglob(tree)
        before = verdict.code_version()
        (tree / "a" / "c" / "d.py").write_text("changed")
        verdict.code_version.cache_clear()
        assert verdict.code_version() != before
    finally:
        verdict.code_version.cache_clear()
