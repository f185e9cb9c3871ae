"""What `release` does, without Typer: run by the Typer command (`publishing.py`) and, when its
arguments are plain, straight from `cbcf_data.cli.main`, which then imports no Typer or Click; the
release imports Pydantic's models only once the dataset is validated, while its SQLite builder
catches up with the rows (the check itself imports them for a row its plain checks refuse)."""

from __future__ import annotations

from pathlib import Path

from cbcf_data.cli.base import _dataset, echo, reporting


def release(out: Path, dataset: Path | None, site: bool | None) -> int:
    """Validate the dataset, build its release folder under `out` (`publish.release.build_release`),
    print the folder's files and sizes; return the exit status (0: an invalid dataset raises
    InvalidDataError, its report printed first)."""
    from cbcf_data.publish.release import build_release

    with reporting():
        folder = build_release(out, _dataset(dataset, writes=False), site=site,
                               note=lambda text: echo(text, err=True))
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        echo(f"{path}  ({path.stat().st_size:,} bytes)")
    echo(f"built {folder}")
    return 0
