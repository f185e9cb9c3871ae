"""Commands that read and check: `validate`, `show`, `diff`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cbcf_data.cli.common import DatasetOption, Format, FormatOption, _dataset, app
from cbcf_data.errors import CbcfDataError


@app.command()
def validate(
    source: Annotated[
        Path | None,
        typer.Argument(help="Dataset folder, datapackage.json, one table's .csv, or a meeting bundle (.json/.yaml)."),
    ] = None,
    format: FormatOption = Format.text,
    dataset: DatasetOption = None,
) -> None:
    """Check a dataset, a table or a bundle and report every problem with where and how to fix it."""
    from cbcf_data.check.validate import validate as run

    if source is None:
        source = _dataset(None, writes=False)
    elif dataset is None and source.suffix.lower() in (".json", ".yaml", ".yml") and source.name != "datapackage.json":
        dataset = _dataset(None, writes=False)
    if sys.stderr.isatty():
        report = _with_progress_bar(lambda progress: run(source, dataset=dataset, progress=progress))
    else:  # nothing extra when the output is read by a program or a log
        report = run(source, dataset=dataset)
    typer.echo(report.to_json() if format is Format.json else report.to_text(), nl=False)
    raise typer.Exit(report.exit_status)


def _with_progress_bar(work: Any) -> Any:
    """Run work(progress) under a rich progress bar on stderr: one step per table, rows counted."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from cbcf_data.model.tables import TABLES

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} tables"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("validating", total=len(TABLES))

        def progress(table: str, rows: int, finished: bool) -> None:
            bar.update(task, description=f"{table}: {rows:,} rows", advance=1 if finished else 0)

        return work(progress)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(
        help="The ID of a meeting (cbcf-2024), person (merrick-garland), topic (fentanyl), instrument, "
             "organization, source or commitment.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Show the dataset as it stood on this date (YYYY-MM-DD): rows known by then, "
                        "each commitment's latest assessment on or before it.")] = None,
    dataset: DatasetOption = None,
) -> None:
    """Print a one-screen summary of a meeting, person, topic, instrument or any other row, by its ID."""
    from cbcf_data.dataset import load
    from cbcf_data.publish.show import render

    ds = load(_dataset(dataset, writes=False))
    if as_of is not None:
        try:
            ds = ds.as_of(as_of)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--as-of") from None
    from cbcf_data.model.text import escape

    # Safe on a terminal whatever the data holds: ESC, CR, bidi controls… shown as escapes.
    typer.echo(escape(render(ds, record_id).rstrip("\n"), lines=True))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older dataset: folder, datapackage.json, release folder, zip or JSON; `none` for empty.")],
    new: Annotated[str, typer.Argument(help="The newer dataset, in any of the same forms.")],
    format: Annotated[str, typer.Option("--format", "-f", help="md for people and CHANGELOG.md, json for programs.")] = "md",
) -> None:
    """Rows added, removed and changed per table, schema changes, and the version bump they require."""
    import json

    from cbcf_data.publish.diff import diff as run
    from cbcf_data.publish.diff import to_markdown

    if format not in ("md", "json"):
        raise CbcfDataError(f"unknown format {format[:20]!r}: use md or json")
    result = run(old, new)
    from cbcf_data.model.text import escape_json

    typer.echo(escape_json(json.dumps(result, indent=2, ensure_ascii=False)) + "\n" if format == "json"
               else to_markdown(result), nl=False)
