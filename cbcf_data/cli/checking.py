"""Commands that read and check: `validate`, `show`, `diff`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbcf_data.cli.base import AS_OF, RECORD_ID, SOURCE, BadParameter
from cbcf_data.cli.common import DatasetOption, Format, FormatOption, app
from cbcf_data.cli.reading import show as show_record
from cbcf_data.cli.reading import validate as validate_source
from cbcf_data.errors import CbcfDataError


@app.command()
def validate(
    source: Annotated[Path | None, typer.Argument(help=SOURCE.help)] = None,
    format: FormatOption = Format.text,
    dataset: DatasetOption = None,
) -> None:
    """Check a dataset, a table or a bundle and report every problem with where and how to fix it."""
    raise typer.Exit(validate_source(source, format, dataset))


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help=RECORD_ID.help)],
    as_of: Annotated[str | None, typer.Option(*AS_OF.decls, help=AS_OF.help)] = None,
    dataset: DatasetOption = None,
) -> None:
    """Print a one-screen summary of a meeting, person, topic, instrument or any other row, by its ID."""
    try:
        show_record(record_id, as_of, dataset)
    except BadParameter as error:
        raise typer.BadParameter(str(error), param_hint=error.param_hint) from None


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older dataset: folder, datapackage.json, release folder, zip or JSON; `none` for empty.")],
    new: Annotated[str, typer.Argument(help="The newer dataset, in any of the same forms.")],
    format: Annotated[str, typer.Option("--format", "-f", help="md for people and CHANGELOG.md, json for programs.")] = "md",
) -> None:
    """Rows added, removed and changed per table, schema changes, and the version bump they require."""
    import json

    from cbcf_data.publish.diff import SHOWN, to_markdown
    from cbcf_data.publish.diff import diff as run

    if format not in ("md", "json"):
        raise CbcfDataError(f"unknown format {format[:20]!r}: use md or json")
    result = run(old, new) if format == "json" else run(old, new, keep=SHOWN)  # md: a summary, whose memory stays flat
    from cbcf_data.model.text import escape_json

    typer.echo(escape_json(json.dumps(result, indent=2, ensure_ascii=False)) + "\n" if format == "json"
               else to_markdown(result), nl=False)
