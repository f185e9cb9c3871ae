"""`bump`: choose the next version from the record-level diff against the last released one,
set it everywhere it lives (`_version.py`, `datapackage.json`, `CITATION.cff`), record its
content in `records/releases.json` and write its CHANGELOG entry.

The last release's records come from `--from` (any form `load()` takes: a release folder, zip
or JSON, or a dataset folder) or, by default, from git: the first commit whose records match
the content recorded for that version.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cbcf_data.errors import CbcfDataError, UnusableInputError
from cbcf_data.io import package
from cbcf_data.publish import versioning
from cbcf_data.publish.diff import diff

#: Commits searched for the last release's records, newest first.
GIT_SEARCH = 200


@dataclass
class Bump:
    """What `bump` decided: the versions, the level, the changelog entry and the files it writes."""

    old: str
    new: str
    level: str
    entry: str
    files: dict[Path, str] = field(default_factory=dict)


def plan_bump(repository: Path, old_release: str | Path | None = None, today: date | None = None) -> Bump | None:
    """The bump the records need since the last recorded version; None when nothing changed."""
    descriptor_file = repository / package.DESCRIPTOR
    manifest = versioning.read_manifest(descriptor_file)
    if not manifest:
        raise CbcfDataError(f"{repository}: no records/{versioning.MANIFEST}: nothing records what was released")
    last = max(manifest, key=versioning.version_key)
    current = versioning.content_of(descriptor_file)
    if not versioning.differing(manifest[last], current):
        return None
    with _old_dataset(repository, last, manifest[last], old_release) as old:
        result = diff(old, descriptor_file)
    level = result["bump"] if result["bump"] != "none" else "patch"  # bytes changed, rows did not: a correction
    new = versioning.next_version(last, level)
    result["old"], result["new"] = last, new
    entry = changelog_entry(result, last, new, today or date.today())
    files = _version_files(repository, new, entry, (today or date.today()).isoformat())
    manifest = {**manifest, new: current}
    files[versioning.tables_root(descriptor_file) / versioning.MANIFEST] = versioning.manifest_text(manifest)
    return Bump(last, new, level, entry, files)


def _version_files(repository: Path, version: str, entry: str, released: str) -> dict[Path, str]:
    """The new text of every file that names the version (and its release day), and CHANGELOG.md
    with the entry."""
    from cbcf_data.publish.citation import citation_cff, readme_block

    files: dict[Path, str] = {}
    version_file = repository / "cbcf_data" / "_version.py"
    if version_file.is_file():
        text = re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', version_file.read_text(encoding="utf-8"))
        files[version_file] = re.sub(r'^RELEASED = "[^"]*"', f'RELEASED = "{released}"', text, flags=re.M)
    descriptor_file = repository / package.DESCRIPTOR
    files[descriptor_file] = re.sub(r'^  "version": "[^"]*"', f'  "version": "{version}"',
                                    descriptor_file.read_text(encoding="utf-8"), count=1, flags=re.M)
    citation = repository / "CITATION.cff"
    if citation.is_file():
        files[citation] = citation_cff(version, released)
    readme = repository / "README.md"
    if readme.is_file():
        files[readme] = readme_block(readme.read_text(encoding="utf-8"), version, released)
    changelog = repository / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
    first = re.search(r"^## ", text, flags=re.M)
    at = first.start() if first else len(text)
    files[changelog] = text[:at].rstrip("\n") + "\n\n" + entry + ("\n" + text[at:] if first else "")
    return files


def changelog_entry(result: dict[str, Any], old: str, new: str, day: date) -> str:
    """The CHANGELOG section of a bump: what changed, in words, then the diff's own summary."""
    why = {"major": "a breaking change (a field renamed, removed, retyped or tightened, or IDs retired)",
           "minor": "rows or optional fields added", "patch": "corrections only"}[result["bump"] if result["bump"] != "none" else "patch"]
    lines = [f"## {new} ({day.isoformat()})", "", f"Changes since {old}: {why}.", ""]
    for table, entry in result["tables"].items():
        parts = []
        for kind in ("added", "removed"):
            if entry[kind]:
                parts.append(f"{len(entry[kind])} {kind} ({_ids(entry[kind], result, table)})")
        if entry["changed"]:
            changed = [f"{'/'.join(c['key'])} ({', '.join(c['fields'])})" for c in entry["changed"][:8]]
            more = len(entry["changed"]) - 8
            parts.append(f"{len(entry['changed'])} corrected: {'; '.join(changed)}{f'; and {more} more' if more > 0 else ''}")
        for change in entry["schema"]:
            parts.append(f"schema: {change['change']} {change['field'] or ''}".rstrip())
        if parts:
            lines.append(f"- **{table}**: " + "; ".join(parts) + ".")
    return "\n".join(lines) + "\n"


def _ids(rows: list[dict[str, str]], result: dict[str, Any], table: str, limit: int = 8) -> str:
    """The rows' record IDs (their primary keys, parts joined by `/`), the first `limit` of them."""
    from cbcf_data.model.tables import TABLES

    primary_key = TABLES[table].primary_key if table in TABLES else ("id",)
    keys = ["/".join(row.get(name) or "" for name in primary_key) for row in rows]
    shown = ", ".join(keys[:limit])
    return shown + (f", and {len(keys) - limit} more" if len(keys) > limit else "")


@contextmanager
def _old_dataset(repository: Path, version: str, recorded: dict[str, Any],
                 old_release: str | Path | None) -> Iterator[str | Path]:
    """The records of `version`: as given, or extracted from the git commit that holds them."""
    if old_release is not None:
        yield old_release
        return
    with tempfile.TemporaryDirectory(prefix="cbcf-bump-") as temp:
        for commit in _git(repository, "rev-list", f"--max-count={GIT_SEARCH}", "HEAD", "--",
                           "records", package.DESCRIPTOR).split():
            folder = Path(temp) / commit
            if _extract(repository, commit, folder) and not versioning.differing(
                    recorded, versioning.content_of(folder / package.DESCRIPTOR)):
                yield folder
                return
    raise UnusableInputError(f"no commit among the last {GIT_SEARCH} holds the records of version {version}; "
                             "give the released files with --from (a release folder, zip or JSON)")


def _git(repository: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(repository), *args], check=True, capture_output=True,
                              text=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise UnusableInputError(f"git could not read the history of {repository} ({error}); "
                                 "give the last release with --from") from None


def _extract(repository: Path, commit: str, folder: Path) -> bool:
    """The commit's datapackage.json and records/ in `folder` (git archive, read as tar);
    False when the commit does not hold a readable dataset."""
    folder.mkdir(parents=True)
    archive = folder.with_suffix(".tar")
    try:
        with archive.open("wb") as out:
            subprocess.run(["git", "-C", str(repository), "archive", "--format=tar", commit, package.DESCRIPTOR,
                            package.RECORDS], check=True, stdout=out, stderr=subprocess.DEVNULL)
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        versioning.content_of(folder / package.DESCRIPTOR)
    except (OSError, subprocess.CalledProcessError, tarfile.TarError, UnusableInputError):
        return False
    return True
