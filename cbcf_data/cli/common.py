"""What every `cbcf-data` command shares: the Typer app, its options, and how a command finds
the dataset or repository it works on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cbcf_data.errors import CbcfDataError, InvalidDataError, UnusableInputError

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



class Format(StrEnum):
    """Output formats of reporting commands."""

    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for programs.")]

DatasetOption = Annotated[
    Path | None,
    typer.Option("--dataset", "-d", help="Dataset folder or datapackage.json (default: the checkout around the "
                 "current folder; for commands that write nothing, else the installed copy)."),
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
    from cbcf_data.io.package import DESCRIPTOR, enclosing_dataset

    found = root if root is not None else enclosing_dataset(Path.cwd())
    if found is None or not (found / DESCRIPTOR).is_file():
        raise CbcfDataError(f"{found or Path.cwd()}: no {DESCRIPTOR} here; run from a cbcf-data checkout or pass --root")
    return found


def _dataset(given: Path | None, writes: bool) -> Path:
    """The dataset a command works on: the one given, else the checkout around the current
    folder; else, for a command that writes nothing, the installed copy (said on stderr)."""
    from cbcf_data.io.package import enclosing_dataset, packaged_root

    if given is not None:
        return given
    found = enclosing_dataset(Path.cwd())
    if found is not None:
        return found
    if writes:
        raise UnusableInputError(
            f"no dataset in {Path.cwd()} or above (a folder holding datapackage.json and records/): run inside a "
            "checkout of cbcf-data or pass --dataset; the copy installed with the package is read-only")
    root = packaged_root()
    typer.echo(f"cbcf-data: no dataset in this folder or above; using the copy installed with the package ({root})",
               err=True)
    return root


@contextmanager
def reporting() -> Iterator[None]:
    """Print the validation report an InvalidDataError carries before it ends the command."""
    try:
        yield
    except InvalidDataError as error:
        if error.report is not None:
            typer.echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
        raise
