"""The `cbcf-data` command: thin Typer commands over the library.

Exit status: 0 success / valid, 1 invalid data or stale files, 2 unusable input.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cbcf_data.errors import CbcfDataError, InvalidDataError

app = typer.Typer(
    name="cbcf-data",
    help="The U.S.-Canada Cross-Border Crime Forum dataset: validate, import, release, inspect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Repository root holding datapackage.json, records/ and schema/ (default: this checkout)."),
]


def _print_version(value: bool) -> None:
    if value:
        from cbcf_data._version import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _group(
    version: Annotated[
        bool, typer.Option("--version", help="Print the dataset version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """The U.S.-Canada Cross-Border Crime Forum dataset: validate, import, release, inspect."""


def _repo_root(root: Path | None) -> Path:
    from cbcf_data.io.package import DESCRIPTOR, packaged_root

    root = root if root is not None else packaged_root()
    if not (root / DESCRIPTOR).is_file():
        raise CbcfDataError(f"{root}: no {DESCRIPTOR} here; run from a cbcf-data checkout or pass --root")
    return root


@app.command()
def schema(
    check: Annotated[bool, typer.Option("--check", help="Only compare; exit 1 and print the difference when stale.")] = False,
    root: RootOption = None,
) -> None:
    """Regenerate schema/ and the generated parts of datapackage.json from the models."""
    from cbcf_data.publish import schema as generated

    top = _repo_root(root)
    if check:
        from cbcf_data.model.text import escape

        diffs = generated.check(top)
        for diff in diffs:
            typer.echo(escape(diff, lines=True), nl=False)
        if diffs:
            typer.echo(f"{len(diffs)} generated file(s) are stale: run `cbcf-data schema` and commit the result.", err=True)
            raise typer.Exit(1)
        typer.echo("schema/ and datapackage.json are up to date.")
        return
    changed = generated.write(top)
    for path in changed:
        typer.echo(f"wrote {path.relative_to(top)}")
    typer.echo(f"{len(changed)} file(s) changed." if changed else "Nothing to change.")


class Format(StrEnum):
    """Output formats of reporting commands."""

    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for programs.")]
DatasetOption = Annotated[
    Path | None,
    typer.Option("--dataset", "-d", help="Dataset folder or datapackage.json (default: the packaged dataset)."),
]


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


@app.command("import")
def import_(
    bundle: Annotated[Path, typer.Argument(help="The meeting bundle (.json, .yaml or .yml) to add.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the rows that would be added; write nothing.")] = False,
    dataset: DatasetOption = None,
) -> None:
    """Validate a meeting bundle against the dataset, then add its rows to records/ (all or nothing)."""
    from cbcf_data.edit.importing import import_bundle
    from cbcf_data.io import csvfiles
    from cbcf_data.model.tables import TABLES

    try:
        result = import_bundle(bundle, dataset=dataset, dry_run=dry_run)
    except InvalidDataError as error:
        if error.report is not None:
            typer.echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
            raise typer.Exit(error.report.exit_status) from None  # type: ignore[attr-defined]
        raise
    for table, rows in result.added.items():
        typer.echo(f"{table}: {len(rows)} row(s) {'would be added' if dry_run else 'added'}")
        if dry_run:
            typer.echo(csvfiles.to_csv_text(TABLES[table], rows), nl=False)
    if not dry_run:
        typer.echo(f"wrote {len(result.written)} file(s); now run `cbcf-data validate` and open a change.")


@app.command()
def fmt(
    check: Annotated[bool, typer.Option("--check", help="Only compare; exit 1 and print the diff when not canonical.")] = False,
    dataset: DatasetOption = None,
) -> None:
    """Rewrite records/*.csv in canonical form: sorted by primary key, one CSV dialect."""
    from cbcf_data.edit.formatting import fmt as run
    from cbcf_data.model.text import escape

    diffs = run(dataset, check=check)
    for diff in diffs:
        typer.echo(escape(diff, lines=True), nl=False)  # a CR shows as \x0d
    if check and diffs:
        typer.echo(f"{len(diffs)} table(s) are not in canonical form: run `cbcf-data fmt`.", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(diffs)} table(s) rewritten." if diffs and not check else "All tables are in canonical form.")


@app.command()
def export(
    meeting_id: Annotated[str, typer.Argument(help="The meeting's ID, e.g. cbcf-2024.")],
    format: Annotated[str, typer.Option("--format", "-f", help="yaml or json.")] = "yaml",
    dataset: DatasetOption = None,
) -> None:
    """Print one meeting as a bundle: the form `import` takes back."""
    import json

    from cbcf_data.edit.exporting import export_bundle
    from cbcf_data.io.documents import dump_yaml
    from cbcf_data.model.text import escape_json

    document = export_bundle(meeting_id, dataset)
    if format == "json":
        typer.echo(escape_json(json.dumps(document, indent=2, ensure_ascii=False)))
    elif format == "yaml":  # reads back as written, by YAML 1.2 (`import`) and YAML 1.1 readers alike
        typer.echo(dump_yaml(document), nl=False)
    else:
        raise CbcfDataError(f"unknown format {format[:20]!r}: use yaml or json")


@app.command()
def show(
    meeting_id: Annotated[str, typer.Argument(help="The meeting's ID, e.g. cbcf-2024.")],
    dataset: DatasetOption = None,
) -> None:
    """Print a one-screen summary of a meeting: date and basis, place, attendees, themes, commitments, sources."""
    from cbcf_data.dataset import load
    from cbcf_data.publish.show import render_meeting

    typer.echo(render_meeting(load(dataset), meeting_id), nl=False)


@app.command()
def release(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to build the release in.")] = Path("dist"),
    dataset: DatasetOption = None,
) -> None:
    """Validate the dataset, then build its CSV, JSON, SQLite and Excel-flavoured release with checksums."""
    from cbcf_data.publish.release import build_release

    try:
        folder = build_release(out, dataset)
    except InvalidDataError as error:
        if error.report is not None:
            typer.echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
        raise
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        typer.echo(f"{path}  ({path.stat().st_size:,} bytes)")
    typer.echo(f"built {folder}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older dataset: folder, datapackage.json, release folder, zip or JSON; `none` for empty.")],
    new: Annotated[str, typer.Argument(help="The newer dataset, in any of the same forms.")],
    format: Annotated[str, typer.Option("--format", "-f", help="md for people and CHANGELOG.md, json for programs.")] = "md",
) -> None:
    """Rows added, removed and changed per table, schema changes, and the version bump they require."""
    import json

    from cbcf_data.model.text import escape_json
    from cbcf_data.publish.diff import diff as run
    from cbcf_data.publish.diff import to_markdown

    if format not in ("md", "json"):
        raise CbcfDataError(f"unknown format {format[:20]!r}: use md or json")
    result = run(old, new)
    typer.echo(escape_json(json.dumps(result, indent=2, ensure_ascii=False)) + "\n" if format == "json"
               else to_markdown(result), nl=False)


def main() -> None:
    """Entry point: run the app, turning library errors into a message and an exit status."""
    from cbcf_data.model.text import escape

    try:
        app()
    except InvalidDataError as error:
        typer.echo(f"error: {escape(str(error))}", err=True)
        sys.exit(1)
    except CbcfDataError as error:
        typer.echo(f"error: {escape(str(error))}", err=True)
        sys.exit(2)
