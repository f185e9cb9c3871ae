"""What `validate` and `show` do, without Typer: run by the Typer commands (`checking.py`) and,
when their arguments are plain, straight from `cbcf_data.cli.main`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cbcf_data.cli.base import BadParameter, Format, _dataset, echo, echo_parts


def validate(source: Path | None, format: Format, dataset: Path | None) -> int:
    """Print the report of `source` (default: the dataset of `_dataset`) and return the exit status."""
    from cbcf_data.check.validate import validate as run

    if source is None:
        source = _dataset(None, writes=False)
    elif dataset is None and source.suffix.lower() in (".json", ".yaml", ".yml") and source.name != "datapackage.json":
        dataset = _dataset(None, writes=False)
    if sys.stderr is not None and sys.stderr.isatty():  # no bar on a closed stderr (`2>&-`)
        report = _with_progress_bar(lambda progress: run(source, dataset=dataset, progress=progress))
    else:  # nothing extra when the output is read by a program or a log
        report = run(source, dataset=dataset)
    if format is Format.json:
        echo_parts(report.json_parts())  # written as it is made: 44 MB for 100,000 issues
    else:
        echo(report.to_text(), nl=False)
    return int(report.exit_status)


def _with_progress_bar(work: Any) -> Any:
    """Run work(progress) under a rich progress bar on stderr: one step per table, rows counted."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from cbcf_data.model.declared import TABLES

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} tables"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("validating", total=len(TABLES))

        def progress(table: str, rows: int, finished: bool) -> None:
            bar.update(task, description=f"{table}: {rows:,} rows", advance=1 if finished else 0)

        return work(progress)


def show(record_id: str, as_of: str | None, dataset: Path | None) -> None:
    """Print the summary of `record_id`; BadParameter when `as_of` is not a date `Dataset.as_of` takes."""
    from cbcf_data.dataset import load
    from cbcf_data.io.package import descriptor_path, inside_package
    from cbcf_data.model.text import escape
    from cbcf_data.publish.show import render

    path = _dataset(dataset, writes=False)
    ds = load(path)
    # The installed copy was validated before it shipped: printed from its cells. Any other dataset
    # may hold a bad row: each row shown is judged first (the models' rules, without Pydantic unless
    # a row fails them), so such a row is an error naming its file and line, never printed as data.
    installed = inside_package(descriptor_path(path))
    if as_of is not None:
        try:
            ds = ds.as_of(as_of)
        except ValueError as error:
            raise BadParameter(str(error), "--as-of") from None
    # Safe on a terminal whatever the data holds: ESC, CR, bidi controls… shown as escapes.
    echo(escape(render(ds, record_id, checked=not installed).rstrip("\n"), lines=True))
