"""What every `cbcf-data` command shares: the Typer app and its options (declared from the table
in `base`, which also holds how a command finds the dataset or repository it works on)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbcf_data.cli.base import DATASET, FORMAT, Format, _dataset, _repo_root, reporting

__all__ = ["DatasetOption", "Format", "FormatOption", "RootOption", "_dataset", "_repo_root", "app", "reporting"]

app = typer.Typer(
    name="cbcf-data",
    help="The U.S.-Canada Cross-Border Crime Forum dataset: validate, import, release, inspect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Repository root holding datapackage.json, records/ and schema/ "
                 "(default: the checkout around the current folder)."),
]

FormatOption = Annotated[Format, typer.Option(*FORMAT.decls, help=FORMAT.help)]

DatasetOption = Annotated[Path | None, typer.Option(*DATASET.decls, help=DATASET.help)]


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
