"""Commands that change records/: `import` (and `--replace`), `remove`, `fmt`, `export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cbcf_data.cli.common import DatasetOption, _dataset, app
from cbcf_data.errors import CbcfDataError, InvalidDataError

#: Why IDs are taken out: the `reason` of their rows in retired_ids.csv.
ReasonOption = Annotated[str | None, typer.Option(
    "--reason", help="Why the IDs this takes out are retired (recorded in records/retired_ids.csv).")]


@app.command("import")
def import_(
    bundle: Annotated[Path, typer.Argument(help="The meeting bundle (.json, .yaml or .yml) to add.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the rows that would be added; write nothing.")] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Correct a meeting already in the dataset: its rows become exactly the bundle's.")
    ] = False,
    reason: ReasonOption = None,
    dataset: DatasetOption = None,
) -> None:
    """Validate a meeting bundle against the dataset, then add its rows to records/ (all or nothing)."""
    from cbcf_data.edit.importing import import_bundle
    from cbcf_data.io import csvfiles
    from cbcf_data.model.tables import TABLES

    if replace:
        from cbcf_data.edit.importing import refuse_non_bundle
        from cbcf_data.edit.replacing import replace_meeting

        refuse_non_bundle(bundle)
        _print_change(lambda: replace_meeting(bundle, _dataset(dataset, writes=not dry_run), dry_run, reason), dry_run)
        return
    try:
        result = import_bundle(bundle, dataset=_dataset(dataset, writes=not dry_run), dry_run=dry_run)
    except InvalidDataError as error:
        if error.report is not None:
            typer.echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
            raise typer.Exit(error.report.exit_status) from None  # type: ignore[attr-defined]
        raise
    for table, ids in result.present.items():
        typer.echo(f"{table}: {len(ids)} row(s) already present, identical")
    for table, rows in result.added.items():
        typer.echo(f"{table}: {len(rows)} row(s) {'would be added' if dry_run else 'added'}")
        if dry_run:
            typer.echo(csvfiles.to_csv_text(TABLES[table], rows), nl=False)
    if not result.added:
        typer.echo("nothing to do: every row of the bundle is already in the dataset.")
    elif not dry_run:
        typer.echo(f"wrote {len(result.written)} file(s); now run `cbcf-data validate` and open a change.")


@app.command()
def remove(
    meeting_id: Annotated[str, typer.Argument(help="The meeting's ID, e.g. cbcf-2008.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the rows that would be removed; write nothing.")] = False,
    reason: ReasonOption = None,
    dataset: DatasetOption = None,
) -> None:
    """Withdraw a meeting: its rows, and the people, sources… only it uses, in one all-or-nothing write."""
    from cbcf_data.edit.replacing import remove_meeting

    _print_change(lambda: remove_meeting(meeting_id, _dataset(dataset, writes=not dry_run), dry_run, reason), dry_run)


def _print_change(work: Any, dry_run: bool) -> None:
    """Run a replace or remove; print its rows by table, or its report when the bundle is invalid."""
    try:
        change = work()
    except InvalidDataError as error:
        if error.report is not None:
            typer.echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
            raise typer.Exit(error.report.exit_status) from None  # type: ignore[attr-defined]
        raise
    if not change:
        typer.echo("nothing to do: the dataset already holds exactly these rows.")
        return
    for line in change.lines():
        typer.echo(f"{line}{' (dry run: nothing written)' if dry_run else ''}")
    if not dry_run:
        typer.echo(f"wrote {len(change.written)} file(s); now run `cbcf-data validate` and open a change.")


@app.command()
def fmt(
    check: Annotated[bool, typer.Option("--check", help="Only compare; exit 1 and print the diff when not canonical.")] = False,
    dataset: DatasetOption = None,
) -> None:
    """Rewrite records/*.csv in canonical form: sorted by primary key, one CSV dialect."""
    from cbcf_data.edit.formatting import fmt as run

    diffs = run(_dataset(dataset, writes=not check), check=check)
    from cbcf_data.model.text import escape

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

    document = export_bundle(meeting_id, _dataset(dataset, writes=False))
    if format == "json":
        from cbcf_data.model.text import escape_json

        typer.echo(escape_json(json.dumps(document, indent=2, ensure_ascii=False)))
    elif format == "yaml":  # reads back as written, by YAML 1.2 (`import`) and YAML 1.1 readers alike
        from cbcf_data.io.documents import dump_yaml

        typer.echo(dump_yaml(document), nl=False)
    else:
        raise CbcfDataError(f"unknown format {format[:20]!r}: use yaml or json")
