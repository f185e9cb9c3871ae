"""Packaging: every import of the package is a declared dependency (and every dependency is
imported), the sdist carries what its own test suite needs, and a wheel installed with its
dependencies alone — no test extras — runs every command."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "cbcf_data"
STDLIB = set(sys.stdlib_module_names)


def imported(paths: list[Path]) -> set[str]:
    """Top-level names of the modules imported anywhere in `paths` (lazy imports included)."""
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - STDLIB - {"__future__"}


def distributions(modules: set[str]) -> set[str]:
    """The distributions (normalized names) that provide `modules`."""
    providers = packages_distributions()
    return {name.lower().replace("_", "-") for module in modules for name in providers.get(module, [module])}


def requirement_names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_import_is_declared_and_every_dependency_imported():
    declared = requirement_names(project()["dependencies"])
    extras = {name: requirement_names(reqs) for name, reqs in project()["optional-dependencies"].items()}
    used = distributions(imported(sorted(PACKAGE.rglob("*.py"))) - {"cbcf_data"})
    optional = extras["pandas"]
    assert used - optional == declared, "declare what the package imports, and only that"
    assert optional <= used


def test_the_tests_import_only_declared_test_tools():
    extras = requirement_names(project()["optional-dependencies"]["test"])
    declared = requirement_names(project()["dependencies"]) | extras
    local = ({path.stem for path in (ROOT / "tests").glob("*.py")} | {path.stem for path in (ROOT / "bench").glob("*.py")}
             | {"external_tools", "cbcf_data"})
    used = distributions(imported(sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "bench").glob("*.py"))) - local)
    optional = {"datasette"}  # used when installed, skipped (saying so) when not
    assert used - optional <= declared, sorted(used - optional - declared)


def _built(kind: str, out: Path) -> Path:
    """The wheel or sdist of the repository, built into `out`."""
    if kind == "wheel":
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                   str(ROOT)]
    else:
        command = [sys.executable, "-c", "import sys; from hatchling.builders.sdist import SdistBuilder; "
                   "list(SdistBuilder(sys.argv[1]).build(directory=sys.argv[2]))", str(ROOT), str(out)]
    subprocess.run(command, check=True, timeout=300, capture_output=True, cwd=ROOT)
    (found,) = out.glob("cbcf_data-*.whl" if kind == "wheel" else "cbcf_data-*.tar.gz")
    return found


def test_the_sdist_carries_everything_its_tests_and_docs_use(tmp_path):
    sdist = _built("sdist", tmp_path)
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: nothing to compare the sdist with")
    wanted = {name for name in tracked if not name.startswith(".github/") and name != ".gitignore"}
    assert wanted - names == set()
    for needed in ("bench/synth.py", "docs/data-dictionary.md", "CITATION.cff", "ARCHITECTURE.md", "CHANGELOG.md",
                   "LICENSE-DATA", "dev.py", "tests/external_tools/ajv_check.js", "records/releases.json"):
        assert needed in names, needed


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and its declared dependencies, nothing else."""
    folder = tmp_path_factory.mktemp("wheel")
    wheel = _built("wheel", folder)
    env_dir = folder / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    result = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
                             "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return env_dir / "bin"


def test_the_installed_wheel_has_no_test_tools(installed):
    for module in ("pytest", "hypothesis", "jsonschema_rs", "pandas"):
        result = subprocess.run([str(installed / "python"), "-c", f"import {module}"], capture_output=True)
        assert result.returncode != 0, f"{module} came with the wheel's dependencies"


def test_every_command_runs_from_the_installed_wheel(installed, tmp_path):
    def run(*args: str, code: int = 0) -> str:
        result = subprocess.run([str(installed / "cbcf-data"), *args], capture_output=True, text=True, cwd=tmp_path,
                                timeout=600, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)})
        assert result.returncode == code, (args, result.stdout[-1500:], result.stderr[-1500:])
        return result.stdout

    packaged = Path(subprocess.run([str(installed / "python"), "-c", "import cbcf_data.io.package as p; "
                                    "print(p.packaged_root())"], capture_output=True, text=True, cwd=tmp_path).stdout.strip())
    assert "site-packages" in str(packaged)
    data = tmp_path / "data"
    shutil.copytree(packaged, data, ignore=shutil.ignore_patterns("releases.json"))
    ran = {
        "validate": run("validate").startswith("valid:"),
        "show": "Fentanyl" in run("show", "fentanyl"),
        "cite": "[Data set]" in run("cite"),
        "export": "meeting:" in (bundle := run("export", "cbcf-2024")),
        "import": (tmp_path / "b.yaml").write_text(bundle) > 0
                  and "nothing to do" in run("import", str(tmp_path / "b.yaml"), "--dry-run", "--dataset", str(data)),
        "remove": "meetings: 1 removed (cbcf-2024)" in run("remove", "cbcf-2024", "--dry-run", "--dataset", str(data)),
        "fmt": "canonical form" in run("fmt", "--check", "--dataset", str(data)),
        "schema": "changed" in run("schema", "--root", str(data)) and "up to date" in run("schema", "--check", "--root", str(data)),
        "release": "built" in run("release", "--out", str(tmp_path / "dist"), "--dataset", str(data)),
        "site": "pages" in run("site", "--out", str(tmp_path / "site"), "--dataset", str(data)),
        "diff": "version bump" in run("diff", "none", str(data)),
        "bump": "->" in run("bump", "--dry-run", "--root", str(packaged), "--from", str(data))
                or "nothing to bump" in run("bump", "--dry-run", "--root", str(packaged), "--from", str(data)),
    }
    assert all(ran.values()), ran
    from cbcf_data.cli import app

    assert set(ran) == {command.name or command.callback.__name__.rstrip("_") for command in app.registered_commands}
    assert run("--version").strip() == subprocess.run([str(installed / "python"), "-m", "cbcf_data", "--version"],
                                                      capture_output=True, text=True, cwd=tmp_path).stdout.strip()
