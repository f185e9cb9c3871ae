#!/usr/bin/env python3
"""The project's two jobs, each setting itself up first (needs only Python 3.11+):

    python3 dev.py release   # validate the dataset, then build the release into dist/
    python3 dev.py test      # lint (ruff), type-check (mypy), then the whole test suite
                             # (extra arguments go to pytest, and skip the two gates)

Set-up: a virtual environment in .venv with the package (editable) and its test tools,
re-installed whenever pyproject.toml or the version changes; for `test`, also Debian's
`chromium` (the browser the website's tests drive), installed with apt-get when it is missing
and this runs as root (elsewhere those tests are skipped and say why).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
PYTHON = BIN / ("python.exe" if sys.platform == "win32" else "python")
STAMP = VENV / ".installed"


def run(*command: str | Path) -> None:
    """Run a command from the repository root; stop with its exit status if it fails."""
    result = subprocess.run([str(part) for part in command], cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def set_up() -> None:
    """Create .venv and install the package with its test tools, unless already current."""
    wanted = hashlib.sha256(b"".join((ROOT / name).read_bytes()
                                     for name in ("pyproject.toml", "cbcf_data/_version.py"))).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    print("setting up .venv (first run, or pyproject.toml changed)…", flush=True)
    venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[test]")
    STAMP.write_text(wanted)


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def ensure_browser() -> None:
    """Install Debian's chromium for the browser tests when it is missing, if this is root with apt-get."""
    if any(shutil.which(name) for name in BROWSERS):
        return
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium is not installed and cannot be installed here (needs root and apt-get): "
              "the browser tests will be skipped", flush=True)
        return
    print("installing chromium for the browser tests (apt-get)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode:
            print(f"`{' '.join(command)}` failed: the browser tests will be skipped", flush=True)
            return


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py may be started by an older Python: say so)
        sys.exit(f"cbcf-data needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    job = sys.argv[1] if len(sys.argv) > 1 else ""
    if job not in ("release", "test"):
        sys.exit(__doc__)
    set_up()
    cli = BIN / "cbcf-data"
    if job == "release":
        run(cli, "schema", "--check")
        run(cli, "validate")
        run(cli, "release", "--out", "dist")
    else:
        ensure_browser()
        if not sys.argv[2:]:  # the whole suite: the lint and type gates first, as CI runs them
            print("ruff:", end=" ", flush=True)
            run(PYTHON, "-m", "ruff", "check", "--no-cache", "cbcf_data", "tests", "bench", "dev.py")
            print("mypy:", end=" ", flush=True)
            run(PYTHON, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null")
        run(PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *sys.argv[2:])


if __name__ == "__main__":
    main()
