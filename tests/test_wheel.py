"""A wheel built from the repository carries the data and loads it offline from anywhere."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_installs_and_loads_outside_the_repo(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("cbcf_data-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"cbcf_data/_data/datapackage.json", "cbcf_data/_data/records/meetings.csv",
            "cbcf_data/_data/records/sources/cbcf-2024-communique-summary.txt",
            "cbcf_data/_data/schema/bundle.schema.json", "cbcf_data/py.typed",
            "cbcf_data/publish/site/templates/base.html", "cbcf_data/publish/site/static/site.css"} <= names

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # The dependencies come from this environment; the repository itself must stay off the path.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    code = (
        "import cbcf_data, pathlib; ds = cbcf_data.load(); "
        "assert 'site-packages' in cbcf_data.__file__, cbcf_data.__file__; "
        "assert str(ds.root).startswith(str(pathlib.Path(cbcf_data.__file__).parent / '_data')), ds.root; "
        "print(ds.meetings['cbcf-2024'].city, len(ds.commitments))"
    )
    result = subprocess.run([str(python), "-c", code], cwd=outside, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Washington ")
