"""The `cbcf-data` command: thin Typer commands over the library.

Exit status: 0 success / valid, 1 invalid data or stale files, 2 unusable input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

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
    Optional[Path],
    typer.Option("--root", help="Repository root holding datapackage.json, records/ and schema/ (default: this checkout)."),
]


@app.callback()
def _group(
    version: Annotated[bool, typer.Option("--version", help="Print the dataset version and exit.")] = False,
) -> None:
    """The U.S.-Canada Cross-Border Crime Forum dataset: validate, import, release, inspect."""
    if version:
        from cbcf_data._version import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


def _repo_root(root: Path | None) -> Path:
    from cbcf_data.package import DESCRIPTOR, packaged_root

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
    from cbcf_data import schema as generated

    top = _repo_root(root)
    if check:
        diffs = generated.check(top)
        for diff in diffs:
            typer.echo(diff, nl=False)
        if diffs:
            typer.echo(f"{len(diffs)} generated file(s) are stale: run `cbcf-data schema` and commit the result.", err=True)
            raise typer.Exit(1)
        typer.echo("schema/ and datapackage.json are up to date.")
        return
    changed = generated.write(top)
    for path in changed:
        typer.echo(f"wrote {path.relative_to(top)}")
    typer.echo(f"{len(changed)} file(s) changed." if changed else "Nothing to change.")


def main() -> None:
    """Entry point: run the app, turning library errors into a message and an exit status."""
    try:
        app()
    except InvalidDataError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
    except CbcfDataError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
