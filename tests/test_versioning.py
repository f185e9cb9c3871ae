"""Version discipline: records/releases.json says what each version contained; `release` refuses
a version whose content differs; `bump` picks the next version from the diff and writes it
everywhere, with its CHANGELOG entry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from cbcf_data.errors import InvalidDataError
from cbcf_data.publish import release, versioning
from cbcf_data.publish.bump import plan_bump
from cbcf_data.publish.schema import write_files

DAY = date(2026, 11, 28)
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the dataset as released, with the files that name the version."""
    target = tmp_path / "repo"
    target.mkdir()
    for name in ("datapackage.json", "CHANGELOG.md", "CITATION.cff"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "records", target / "records")
    (target / "cbcf_data").mkdir()
    shutil.copy2(ROOT / "cbcf_data" / "_version.py", target / "cbcf_data" / "_version.py")
    # "As released": the copy records its own content under its version, so that these tests hold
    # while the repository's schemas have changed and await their `cbcf-data bump`.
    manifest = versioning.read_manifest(target / "datapackage.json") or {}
    manifest[released_version()] = versioning.content_of(target / "datapackage.json")
    (target / "records" / versioning.MANIFEST).write_text(versioning.manifest_text(manifest))
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "as released")
    return target


def released_version() -> str:
    return json.loads((ROOT / "datapackage.json").read_text())["version"]


def edit(repo: Path, table: str, old: str, new: str) -> None:
    path = repo / "records" / f"{table}.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def add_person(repo: Path) -> None:
    path = repo / "records" / "people.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + "".join(sorted([*lines[1:], "zz-new-person,Zz New Person,CA,,\n"])))


def test_the_repository_records_its_current_version():
    manifest = versioning.read_manifest(ROOT / "datapackage.json")
    assert manifest is not None and released_version() in manifest
    changed = versioning.differing(manifest[released_version()], versioning.content_of(ROOT / "datapackage.json"))
    assert changed == []


def test_unchanged_records_need_no_bump(repo):
    assert plan_bump(repo, today=DAY) is None
    result = run_cli("bump", "--root", str(repo))
    assert result.returncode == 0 and "nothing to bump" in result.stdout


def test_an_added_row_is_a_minor_bump_written_everywhere(repo):
    add_person(repo)
    git(repo, "commit", "-qam", "a contribution")
    planned = plan_bump(repo, today=DAY)
    assert planned is not None and planned.level == "minor"
    major, minor, _ = versioning.version_key(released_version())
    assert planned.new == f"{major}.{minor + 1}.0"
    assert f"## {planned.new} (2026-11-28)" in planned.entry and "**people**: 1 added (zz-new-person)" in planned.entry
    write_files(repo, planned.files)
    assert f'__version__ = "{planned.new}"' in (repo / "cbcf_data" / "_version.py").read_text()
    assert json.loads((repo / "datapackage.json").read_text())["version"] == planned.new
    assert f"version: {planned.new}\n" in (repo / "CITATION.cff").read_text()
    changelog = (repo / "CHANGELOG.md").read_text()
    assert changelog.index(f"## {planned.new}") < changelog.index(f"## {released_version()}")
    manifest = versioning.read_manifest(repo / "datapackage.json")
    recorded = versioning.read_manifest(ROOT / "datapackage.json") or {}
    assert manifest is not None and set(manifest) == {*recorded, planned.new} and released_version() in manifest
    versioning.check_release(repo / "datapackage.json")  # the new version is now recorded as it is
    assert plan_bump(repo, today=DAY) is None


def test_a_corrected_value_is_a_patch_and_a_removed_row_a_major(repo):
    edit(repo, "people", "Arif Virani", "Arif Virani Jr")
    planned = plan_bump(repo, today=DAY)
    assert planned is not None and planned.level == "patch" and "1 corrected: arif-virani (name)" in planned.entry
    path = repo / "records" / "meeting_sources.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    planned = plan_bump(repo, today=DAY)
    assert planned is not None and planned.level == "major" and planned.new.endswith(".0.0")


def test_release_refuses_a_version_whose_content_changed(repo, tmp_path):
    add_person(repo)
    with pytest.raises(InvalidDataError, match=r"released with other content \(people.*cbcf-data bump"):
        release.build_release(tmp_path / "dist", repo)
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
    result = run_cli("release", "--out", str(tmp_path / "dist"), "--dataset", str(repo))
    assert result.returncode == 1 and "cbcf-data bump" in result.stderr


def test_release_refuses_a_version_never_recorded(repo, tmp_path):
    path = repo / "records" / "releases.json"
    path.write_text(path.read_text().replace(f'"{released_version()}"', '"0.0.1"'))
    with pytest.raises(InvalidDataError, match="not recorded"):
        release.build_release(tmp_path / "dist", repo)


def test_bump_finds_the_release_in_older_commits_or_takes_it_from_a_release(repo, tmp_path):
    released = tmp_path / "released"  # the released version, as users download it (built without the manifest)
    shutil.copytree(repo, released, ignore=shutil.ignore_patterns(".git", versioning.MANIFEST))
    edit(repo, "people", "Arif Virani", "Arif Virani Jr")
    git(repo, "commit", "-qam", "one correction")
    add_person(repo)
    git(repo, "commit", "-qam", "and a contribution")
    planned = plan_bump(repo, today=DAY)
    assert planned is not None and planned.level == "minor" and "arif-virani (name)" in planned.entry
    built = release.build_release(tmp_path / "dist", released)
    shutil.rmtree(repo / ".git")
    from_release = plan_bump(repo, built / f"{built.name}.zip", today=DAY)
    assert from_release is not None and from_release.entry == planned.entry
    with pytest.raises(Exception, match="--from"):
        plan_bump(repo, today=DAY)


def test_bump_dry_run_writes_nothing(repo):
    add_person(repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    result = run_cli("bump", "--dry-run", "--root", str(repo))
    assert result.returncode == 0 and "-> " in result.stdout and "people" in result.stdout
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == before
