"""Version discipline: what each released version contained, and the bump a change requires.

`records/releases.json` holds, for every released version, a SHA-256 of each table file, each
archived text and the tables' schemas. `release` refuses to build a version whose content differs
from what was recorded under it (`check_release`); `bump` compares the records with the last
released version (`diff`), sets the next version everywhere it lives and writes the CHANGELOG
entry (CONTRIBUTING.md "Versions and releases" states the rule).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from cbcf_data.errors import CbcfDataError, InvalidDataError, UnusableInputError
from cbcf_data.io import package

MANIFEST = "releases.json"
LEVELS = ("none", "patch", "minor", "major")


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def content_of(descriptor_file: Path) -> dict[str, Any]:
    """The dataset's content fingerprint: each table file, archived text and the schemas."""
    descriptor = package.read_descriptor(descriptor_file)
    paths = package.resource_paths(descriptor, descriptor_file.parent)
    tables = {name: _digest(path.read_bytes()) for name, path in sorted(paths.items())}
    root = tables_root(descriptor_file)
    archives = {f"sources/{p.name}": _digest(p.read_bytes()) for p in sorted((root / "sources").glob("*.txt"))}
    schemas = {r.get("name"): r.get("schema") for r in descriptor["resources"] if isinstance(r, dict)}
    return {"tables": tables, "archives": archives,
            "schemas": _digest(json.dumps(schemas, sort_keys=True).encode("utf-8"))}


def tables_root(descriptor_file: Path) -> Path:
    """The folder of the tables (records/), where the manifest lives."""
    descriptor = package.read_descriptor(descriptor_file)
    paths = package.resource_paths(descriptor, descriptor_file.parent)
    return paths["meetings"].parent if "meetings" in paths else descriptor_file.parent / package.RECORDS


def read_manifest(descriptor_file: Path) -> dict[str, Any] | None:
    """Version -> content of every released version, or None when the dataset keeps no manifest."""
    path = tables_root(descriptor_file) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnusableInputError(f"{path}: not a readable release manifest ({error})") from None
    if not isinstance(manifest, dict):
        raise UnusableInputError(f"{path}: the release manifest must be an object of versions")
    return manifest


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest's one JSON form: versions in order, 2-space indent, trailing newline."""
    ordered = {version: manifest[version] for version in sorted(manifest, key=version_key)}
    return json.dumps(ordered, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def version_key(version: str) -> tuple[int, ...]:
    """A version's sort key; UnusableInputError when it is not MAJOR.MINOR.PATCH."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise UnusableInputError(f"{version!r} is not a version of the form MAJOR.MINOR.PATCH")
    return tuple(int(part) for part in version.split("."))


def differing(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What differs between two contents, in words: table files, archives, schemas."""
    found = []
    for part in ("tables", "archives"):
        for name in sorted(recorded.get(part, {}).keys() | current.get(part, {}).keys()):
            if recorded.get(part, {}).get(name) != current.get(part, {}).get(name):
                found.append(name)
    if recorded.get("schemas") != current.get("schemas"):
        found.append("schemas")
    return found


def check_release(descriptor_file: Path) -> None:
    """Refuse (InvalidDataError) to release a version whose recorded content differs from the
    dataset's, or that was never recorded; datasets without a manifest are not checked."""
    manifest = read_manifest(descriptor_file)
    if manifest is None:
        return
    version = str(package.read_descriptor(descriptor_file).get("version"))
    if version not in manifest:
        raise InvalidDataError(f"version {version} is not recorded in {MANIFEST}: run `cbcf-data bump` to "
                               "record the next version, then release")
    changed = differing(manifest[version], content_of(descriptor_file))
    if changed:
        raise InvalidDataError(
            f"version {version} was released with other content ({', '.join(changed[:6])}"
            f"{' …' if len(changed) > 6 else ''} differ): run `cbcf-data bump` to choose the next version "
            "from `cbcf-data diff`, then release")


def next_version(version: str, level: str) -> str:
    """`version` raised by `level` (major, minor or patch)."""
    major, minor, patch = version_key(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise CbcfDataError(f"no version bump for level {level!r}")
