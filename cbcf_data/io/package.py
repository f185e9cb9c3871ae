"""The data package on disk: where it is, its descriptor, and which file holds which table."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from cbcf_data.errors import UnusableInputError

DESCRIPTOR = "datapackage.json"
#: Folder of the tables inside the repository and the installed package.
RECORDS = "records"


def packaged_root() -> Path:
    """The folder holding the packaged `datapackage.json`: inside the wheel, or the checkout."""
    here = Path(__file__).resolve().parent.parent  # the cbcf_data package folder
    for root in (here / "_data", here.parent):
        if (root / DESCRIPTOR).is_file():
            return root
    raise UnusableInputError(f"the packaged dataset is missing: no {DESCRIPTOR} in {here / '_data'}")


def inside_package(path: Path) -> bool:
    """Whether path lies inside the installed cbcf_data package (the wheel's copy of the dataset)."""
    here, package = os.path.realpath(path), os.path.realpath(Path(__file__).parent.parent)
    return here == package or here.startswith(package + os.sep)


def enclosing_dataset(start: Path) -> Path | None:
    """The nearest folder from start upwards holding `datapackage.json` and `records/` (a
    checkout of the dataset), or None."""
    for folder in (start, *start.parents):
        if (folder / DESCRIPTOR).is_file() and (folder / RECORDS).is_dir():
            return folder
    return None


def descriptor_path(path: str | Path | None) -> Path:
    """The `datapackage.json` for a dataset folder or descriptor path (None: the packaged one)."""
    if path is None:
        return packaged_root() / DESCRIPTOR
    path = Path(path)
    if path.is_dir():
        path = path / DESCRIPTOR
    if not path.is_file():
        raise UnusableInputError(f"{path}: no such file; give a dataset folder or its {DESCRIPTOR}")
    return path


def descriptor_of(path: Path) -> Path:
    """The descriptor file a dataset path means: `datapackage.json` inside a folder, else the path."""
    return path / DESCRIPTOR if path.is_dir() else path


def classify(path: str | Path) -> tuple[str, Path]:
    """What a dataset path is: ("zip", file), ("json", release document) or ("package", folder or
    descriptor) — a release folder is resolved to the data package in its csv/ folder."""
    file = Path(path)
    if file.is_file() and file.suffix.lower() == ".zip":
        return "zip", file
    if file.is_file() and file.suffix.lower() == ".json" and file.name != DESCRIPTOR:
        return "json", file
    if file.is_dir() and not (file / DESCRIPTOR).exists() and (file / "csv" / DESCRIPTOR).exists():
        return "package", file / "csv"
    return "package", file


def read_descriptor(path: Path) -> dict[str, Any]:
    """The descriptor's JSON object, or UnusableInputError naming what is wrong with it."""
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise UnusableInputError(f"{path}: not a readable JSON data package descriptor ({error})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UnusableInputError(f"{path}: not a data package: it has no 'resources' list")
    return descriptor


def unsafe_reason(resource_path: object) -> str | None:
    """Why a resource path may not be followed (nothing is fetched, nothing outside the dataset)."""
    if not isinstance(resource_path, str) or not resource_path:
        return "the path is not a non-empty string"
    if "://" in resource_path:
        return "URLs are not followed: data must be local to the dataset"
    posix = PurePosixPath(resource_path)
    if posix.is_absolute() or "\\" in resource_path or (len(resource_path) > 1 and resource_path[1] == ":"):
        return "the path is absolute: give it relative to datapackage.json"
    if ".." in posix.parts:
        return "the path leaves the dataset folder ('..')"
    return None


def resource_paths(descriptor: dict[str, Any], root: Path) -> dict[str, Path]:
    """Table name -> CSV path for every resource that names a safe local file."""
    paths: dict[str, Path] = {}
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict):
            continue
        name, path = resource.get("name"), resource.get("path")
        if isinstance(name, str) and unsafe_reason(path) is None:
            paths[name] = root / str(path)
    return paths


def read_release_zip(file: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(descriptor, table name -> CSV text) of the data package inside a release zip.

    The package under a `csv/` folder is preferred; every resource must name a safe member.
    """
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            found = sorted((n for n in names if n.endswith(DESCRIPTOR)), key=lambda n: ("/csv/" not in n, n))
            if not found:
                raise UnusableInputError(f"{file}: the zip holds no {DESCRIPTOR}")
            base = found[0][: -len(DESCRIPTOR)]
            descriptor = json.loads(archive.read(found[0]))
            texts = {}
            for resource in descriptor.get("resources", []):
                member = resource.get("path") if isinstance(resource, dict) else None
                if not isinstance(member, str) or unsafe_reason(member) or base + member not in names:
                    raise UnusableInputError(f"{file}: no file for resource {resource!r:.60}")
                texts[resource["name"]] = archive.read(base + member).decode("utf-8")
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError, KeyError) as error:
        raise UnusableInputError(f"{file}: not a readable release zip ({error})") from None
    return descriptor, texts
