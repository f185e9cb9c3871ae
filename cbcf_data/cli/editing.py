"""Commands that change records/: `import` (and `--replace`), `remove`, `fmt`, `export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbcf_data.cli.base import BUNDLE, DRY_RUN, REASON, REPLACE, REPLACED_BY
from cbcf_data.cli.common import DatasetOption, _dataset, app
from cbcf_data.errors import CbcfDataError

#: Why IDs are taken out: the `reason` of their rows in retired_ids.csv.
ReasonOption = Annotated[str | None, typer.Option(*REASON.decls, help=REASON.help)]
#: Which row took a retired ID's place: `replaced_by` in retired_ids.csv.
ReplacedByOption = Annotated[list[str] | None, typer.Option(*REPLACED_BY.decls, help=REPLACED_BY.help)]


@app.command("import")
def import_(
    bundle: Annotated[Path, typer.Argument(help=BUNDLE.help)],
    dry_run: Annotated[bool, typer.Option(*DRY_RUN.decls, help=DRY_RUN.help)] = False,
    replace: Annotated[bool, typer.Option(*REPLACE.decls, help=REPLACE.help)] = False,
    reason: ReasonOption = None,
    replaced_by: ReplacedByOption = None,
    dataset: DatasetOption = None,
) -> None:
    """Validate a meeting bundle against the dataset, then add its rows to records/ (all or nothing)."""
    from cbcf_data.cli.importing import import_ as run

    status = run(bundle, dry_run, replace, reason, replaced_by, dataset)
    if status:
        raise typer.Exit(status)


@app.command()
def remove(
    meeting_id: Annotated[str, typer.Argument(help="The meeting's ID, e.g. cbcf-2008.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the rows that would be removed; write nothing.")] = False,
    reason: ReasonOption = None,
    replaced_by: ReplacedByOption = None,
    dataset: DatasetOption = None,
) -> None:
    """Withdraw a meeting: its rows, and the people, sources… only it uses, in one all-or-nothing write."""
    from cbcf_data.cli.importing import print_change
    from cbcf_data.edit.replacing import remove_meeting

    status = print_change(lambda: remove_meeting(meeting_id, _dataset(dataset, writes=not dry_run), dry_run, reason,
                                                 replaced_by), dry_run)
    if status:
        raise typer.Exit(status)


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
