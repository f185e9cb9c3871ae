"""Tools other people validate our files with, fetched through their own registries and cached:
ajv (npm) for JSON Schema in strict mode, and the Data Package v2 profile (shipped in the PyPI
package check-datapackage). Each helper skips its test, saying why, when the tool cannot be had."""

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
    folder = cache_dir(CHECK_DATAPACKAGE.replace("==", "-"))
    wheels = sorted(folder.glob("check_datapackage-*.whl"))
    if not wheels:
        # The package needs Python 3.12; only its profile file is read here, so any wheel will do.
        result = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                                 "--python-version", "3.12", "--dest", str(folder), CHECK_DATAPACKAGE],
                                capture_output=True, text=True, timeout=300)
        wheels = sorted(folder.glob("check_datapackage-*.whl"))
        if result.returncode or not wheels:
            pytest.skip(f"Data Package v2 profile not checked: `pip download {CHECK_DATAPACKAGE}` failed: "
                        f"{result.stderr.strip()[-300:]}")
    with zipfile.ZipFile(wheels[-1]) as archive:
        return json.loads(archive.read(PROFILE_MEMBER))
