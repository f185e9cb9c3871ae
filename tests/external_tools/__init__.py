"""Tools other people validate our files with, fetched through their own registries and cached:
ajv (npm) for JSON Schema in strict mode, the Data Package v2 profile (shipped in the PyPI package
check-datapackage) and the Citation File Format 1.2.0 schema (shipped in cffconvert). Each helper
skips its test, saying why, when the tool cannot be had."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
#: Pinned versions: a new release of a tool must not change a verdict silently.
AJV = ("ajv@8.17.1", "ajv-formats@3.0.1")
CHECK_DATAPACKAGE = "check-datapackage==0.37.0"
PROFILE_MEMBER = "check_datapackage/schemas/data-package-2-0.json"
CFFCONVERT = "cffconvert==2.0.0"
CFF_MEMBER = "cffconvert/schemas/1.2.0/schema.json"


def cache_dir(name: str) -> Path:
    """A folder kept between runs for downloaded tools."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "cbcf-data-tests" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _ajv_folder() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("ajv not run: Node.js (node and npm) is not installed on this machine")
    folder = cache_dir("-".join(p.replace("@", "-") for p in AJV))
    if not (folder / "node_modules" / "ajv-formats").is_dir():
        result = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", *AJV],
                                capture_output=True, text=True, timeout=300)
        if result.returncode:
            pytest.skip(f"ajv not run: `npm install {' '.join(AJV)}` failed: {result.stderr.strip()[-300:]}")
    return folder


def ajv(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each case ({"name", "schema", "instances"}) through ajv 8 in strict mode: compiled? valid?"""
    folder = _ajv_folder()
    env = {**os.environ, "NODE_PATH": str(folder / "node_modules")}
    result = subprocess.run(["node", str(HERE / "ajv_check.js")], input=json.dumps(cases), capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return {item["name"]: item for item in json.loads(result.stdout)}


def data_package_v2_profile() -> dict[str, Any]:
    """The Data Package v2 profile (JSON Schema), as check-datapackage ships it."""
    try:
        from importlib.resources import files

        return json.loads((files("check_datapackage") / "schemas" / "data-package-2-0.json").read_text())  # type: ignore[arg-type]
    except (ImportError, OSError, ValueError):
        pass
    # check-datapackage needs Python 3.12; only its profile file is read here, so any wheel will do.
    return wheel_json(CHECK_DATAPACKAGE, PROFILE_MEMBER, "Data Package v2 profile", "3.12")


def citation_file_format_schema() -> dict[str, Any]:
    """The Citation File Format 1.2.0 schema, as cffconvert ships it."""
    return wheel_json(CFFCONVERT, CFF_MEMBER, "CITATION.cff schema")


def wheel_json(requirement: str, member: str, what: str, python: str | None = None) -> dict[str, Any]:
    """A JSON file inside a package's wheel, downloaded once (not installed) into the cache."""
    folder = cache_dir(requirement.replace("==", "-"))
    stem = requirement.split("==")[0].replace("-", "_")
    wheels = sorted(folder.glob(f"{stem}-*.whl"))
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--dest", str(folder), requirement]
        if python:
            command[5:5] = ["--python-version", python]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        wheels = sorted(folder.glob(f"{stem}-*.whl"))
        if result.returncode or not wheels:
            pytest.skip(f"{what} not checked: `pip download {requirement}` failed: {result.stderr.strip()[-300:]}")
    with zipfile.ZipFile(wheels[-1]) as archive:
        return json.loads(archive.read(member))
