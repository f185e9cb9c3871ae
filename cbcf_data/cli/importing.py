"""What `import` does, without Typer: run by the Typer command (`editing.py`) and, when its
arguments are plain, straight from `cbcf_data.cli.main`, which then imports no Typer or Click."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cbcf_data.cli.base import _dataset, echo
from cbcf_data.errors import InvalidDataError, UnusableInputError


def import_(bundle: Path, dry_run: bool, replace: bool, reason: str | None, replaced_by: list[str] | None,
            dataset: Path | None) -> int:
    """Validate a meeting bundle against the dataset, then add its rows (or, with `replace`, make the
    meeting's rows exactly the bundle's, `replaced_by` naming the rows that took retired IDs'
    places); print what changed, or the report when the bundle is invalid; return the exit status."""
    from cbcf_data.edit.importing import import_bundle
    from cbcf_data.io import csvfiles
    from cbcf_data.model.declared import TABLES

    if replace:
        from cbcf_data.edit.importing import refuse_non_bundle
        from cbcf_data.edit.replacing import replace_meeting

        refuse_non_bundle(bundle)
        return print_change(lambda: replace_meeting(bundle, _dataset(dataset, writes=not dry_run), dry_run, reason,
                                                    replaced_by), dry_run)
    if replaced_by:
        raise UnusableInputError("--replaced-by goes with --replace: an import without it adds rows and retires no ID")
    try:
        result = import_bundle(bundle, dataset=_dataset(dataset, writes=not dry_run), dry_run=dry_run)
    except InvalidDataError as error:
        if error.report is not None:
            echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
            return int(error.report.exit_status)  # type: ignore[attr-defined]
        raise
    for table, ids in result.present.items():
        echo(f"{table}: {len(ids)} row(s) already present, identical")
    for table, rows in result.added.items():
        echo(f"{table}: {len(rows)} row(s) {'would be added' if dry_run else 'added'}")
        if dry_run:
            echo(csvfiles.to_csv_text(TABLES[table], rows), nl=False)
    if not result.added:
        echo("nothing to do: every row of the bundle is already in the dataset.")
    elif not dry_run:
        echo(f"wrote {len(result.written)} file(s); now run `cbcf-data validate` and open a change.")
    return 0


def print_change(work: Callable[[], Any], dry_run: bool) -> int:
    """Run a replace or remove; print its rows by table, or its report when the bundle is invalid;
    return the exit status."""
    try:
        change = work()
    except InvalidDataError as error:
        if error.report is not None:
            echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
            return int(error.report.exit_status)  # type: ignore[attr-defined]
        raise
    if not change:
        echo("nothing to do: the dataset already holds exactly these rows.")
        return 0
    for line in change.lines():
        echo(f"{line}{' (dry run: nothing written)' if dry_run else ''}")
    if not dry_run:
        echo(f"wrote {len(change.written)} file(s); now run `cbcf-data validate` and open a change.")
    return 0
