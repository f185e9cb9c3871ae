"""A wheel built from the repository carries the data and loads it offline from anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from conftest import ROOT

import cbcf_data
from cbcf_data.edit.exporting import export_bundle
from cbcf_data.io import csvfiles, writes
from cbcf_data.model import bundle as bundles
from cbcf_data.model.tables import TABLES


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
    commands_use_the_checkout_not_the_installed_copy(python, site / "cbcf_data" / "_data", outside, tmp_path)


def commands_use_the_checkout_not_the_installed_copy(python: Path, installed: Path, outside: Path, tmp_path: Path) -> None:
    """Run inside a clone, the installed command works on the clone; it never writes into site-packages."""
    checkout = tmp_path / "clone"
    checkout.mkdir()
    shutil.copy2(ROOT / "datapackage.json", checkout)
    shutil.copytree(ROOT / "records", checkout / "records")
    bundle = tmp_path / "cbcf-2023.json"
    bundle.write_text(json.dumps(export_bundle("cbcf-2023", checkout)))
    kept, _ = bundles.split_meeting(cbcf_data.load(checkout).to_rows(), "cbcf-2023")
    writes.replace_files(checkout, {checkout / "records" / f"{t}.csv": csvfiles.to_csv_text(TABLES[t], rows)
                                    for t, rows in kept.items()})
    before = {p: p.read_bytes() for p in installed.rglob("*") if p.is_file()}

    def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), "-m", "cbcf_data", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=120, env={"PATH": "/usr/bin:/bin"})

    refused = cli("import", str(bundle), "--dataset", str(installed), cwd=outside)
    assert refused.returncode == 2 and "installed with the package, which is read-only" in refused.stderr
    nowhere = cli("import", str(bundle), cwd=outside)
    assert nowhere.returncode == 2 and "no dataset in" in nowhere.stderr
    fallback = cli("validate", cwd=outside)
    assert fallback.returncode == 0 and "using the copy installed with the package" in fallback.stderr
    imported = cli("import", str(bundle), cwd=checkout / "records")
    assert imported.returncode == 0, imported.stderr
    assert "cbcf-2023" in cbcf_data.load(checkout).meetings
    (checkout / "records" / "people.csv").write_text("broken\n")
    assert cli("validate", cwd=checkout).returncode == 1  # the clone is checked, not the installed copy
    assert {p: p.read_bytes() for p in installed.rglob("*") if p.is_file()} == before
