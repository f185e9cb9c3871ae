"""Commands that publish: `schema`, `release`, `bump`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbcf_data.cli.base import OUT, SITE
from cbcf_data.cli.common import DatasetOption, RootOption, _dataset, _repo_root, app, reporting


@app.command()
def schema(
    check: Annotated[bool, typer.Option("--check", help="Only compare; exit 1 and print the difference when stale.")] = False,
    root: RootOption = None,
) -> None:
    """Regenerate schema/ and the generated parts of datapackage.json from the models."""
    from cbcf_data.publish import schema as generated

    top = _repo_root(root)
    if check:
        diffs = generated.check(top)
        from cbcf_data.model.text import escape

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


@app.command()
def release(
    out: Annotated[Path, typer.Option(*OUT.decls, help=OUT.help)] = OUT.default,
    dataset: DatasetOption = None,
    site: Annotated[bool | None, typer.Option("/".join(SITE.decls), show_default=False, help=SITE.help)] = None,
) -> None:
    """Validate the dataset, then build its CSV, JSON, SQLite and Excel-flavoured release with checksums,
    and its website (see --site)."""
    from cbcf_data.cli.releasing import release as build

    raise typer.Exit(build(out, dataset, site))


@app.command()
def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the site into (an earlier website there is replaced; any other folder is refused).")] = Path("dist/site"),
    dataset: DatasetOption = None,
) -> None:
    """Validate the dataset, then build its static bilingual website (offline; open index.html)."""
    from cbcf_data.publish.site.build import build_site

    with reporting():
        folder = build_site(out, _dataset(dataset, writes=False))
    pages = sum(1 for _ in folder.rglob("*.html"))
    typer.echo(f"built {folder}: {pages} pages; open {folder / 'index.html'}")


@app.command()
def cite(
    format: Annotated[str, typer.Option("--format", "-f", help="text, bibtex, csl-json or ris.")] = "text",
) -> None:
    """Print how to cite this version of the dataset (text, BibTeX, CSL-JSON or RIS)."""
    from cbcf_data.publish.citation import cite as citation

    typer.echo(citation(format).rstrip("\n"))


@app.command()
def bump(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the new version and CHANGELOG entry; write nothing.")] = False,
    from_: Annotated[
        Path | None,
        typer.Option("--from", help="The last release (folder, zip or JSON) to compare with (default: found in git)."),
    ] = None,
    root: RootOption = None,
) -> None:
    """Set the next version from the record-level diff since the last release, and write its CHANGELOG entry."""
    from cbcf_data.publish.bump import plan_bump
    from cbcf_data.publish.schema import write_files

    top = _repo_root(root)
    planned = plan_bump(top, from_)
    if planned is None:
        typer.echo("The records are as released: nothing to bump.")
        return
    typer.echo(f"{planned.old} -> {planned.new} ({planned.level}: `cbcf-data diff` since {planned.old})")
    typer.echo(planned.entry, nl=False)
    if dry_run:
        return
    for path in write_files(top, planned.files):
        typer.echo(f"wrote {path.relative_to(top)}")
