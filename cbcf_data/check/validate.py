"""`validate(source)`: check a dataset, one table's CSV, or a meeting bundle, and report every problem.

Layers, in order, each a module of this package working on one shared `Run` (`state`):
1 descriptor and files (`descriptor`), 2 CSV structure (`structure`), 3 rows against the models
and 4 keys (`rows`), 5 cross-table rules (`rules`). A structural failure stops only the layers
that depend on it; everything else is collected. Rows stream through once; records are not kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbcf_data.check import release
from cbcf_data.check.descriptor import check_descriptor, finish_profile
from cbcf_data.check.known import Untrusted
from cbcf_data.check.recovery import reading_dataset, report_leftovers
from cbcf_data.check.report import Report
from cbcf_data.check.rows import check_table
from cbcf_data.check.rules import CHECKS, Rules
from cbcf_data.check.state import Progress, Run, Stop
from cbcf_data.check.structure import csv_feed
from cbcf_data.errors import DatasetBusyError
from cbcf_data.io import package
from cbcf_data.model.declared import MODELS, TABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cbcf_data.check.state import Batch, Row
    #: Wraps one table's rows ((where, key, cells), or a `Batch` of them) and yields them on: see `validate`.
    Tee = Callable[[Any, Iterator[Row | Batch]], Iterator[Row | Batch]]


def validate(source: str | Path | None = None, dataset: str | Path | None = None,
             progress: Progress | None = None, tee: Tee | None = None) -> Report:
    """Validate a dataset folder or datapackage.json (default: the packaged dataset), one table's
    CSV, a meeting bundle (.json/.yaml/.yml) — a bundle also against `dataset` (default: packaged) —
    or a release: its folder, its zip or its JSON document, with the sizes and hashes they carry.

    `progress(table, rows_so_far, finished)` is called as tables are read, for progress bars.
    `tee(model, rows)` wraps each table's stream of rows of a dataset (not of a release or a
    bundle; `model` is the table's `model.declared.Declared`, read without Pydantic) and yields them on unchanged, so that a caller sees the rows of this one parse: each
    row as (where, key, cells), or runs of them as a `check.state.Batch` of their cells' text.
    Never raises for bad input: every problem is an issue in the returned Report. Raises
    DatasetBusyError when another process keeps the dataset locked for longer than we wait.
    """
    return _validate(None if source is None else Path(source), dataset, progress, tee)


def validate_import(bundle: Path, dataset: Path, order: dict[str, list[Any]] | None = None) -> Report:
    """`validate(bundle, dataset=dataset)` for `import`: the same report, but when a verdict kept
    by an earlier check (`check.verdict`) vouches for the dataset's files as they are, its rows
    are read as cells for what the bundle's rows are compared with, not checked again; `order`
    then gets the keys of each table the bundle adds to, in their file's order."""
    try:
        return _validate(bundle, dataset, trusted=True, order=order)
    except Untrusted:  # a bundle's row replaces a dataset row: checked in full
        if order is not None:
            order.clear()
        return _validate(bundle, dataset)


def _validate(source: Path | None, dataset: str | Path | None, progress: Progress | None = None,
              tee: Tee | None = None, trusted: bool = False, order: dict[str, list[Any]] | None = None) -> Report:
    """What `validate` does; `trusted`: a bundle's dataset may be vouched for by a verdict."""
    run = Run(progress)
    clean: list[str] = []  # the digest of a dataset whose files did not change while it was checked
    try:
        try:
            _dispatch(run, source, dataset, tee, trusted, clean if tee is None else None, order)
        finally:
            finish_profile(run)
        if clean and run.report.usable and not run.report.issues and not run.report.omitted:
            from cbcf_data.check import verdict

            verdict.keep(clean[0], package.descriptor_path(None) if source is None else package.descriptor_of(source))
    except Stop:
        pass
    except (DatasetBusyError, Untrusted):  # another process keeps the dataset; or see `validate_import`
        raise
    except Exception as error:  # a bug of ours must still end in a report, never a traceback
        run.unusable("internal-error", f"the validator failed unexpectedly ({type(error).__name__}: {error}); "
                     "please report this with the input", str(source))
    return run.report


def _dispatch(run: Run, path: Path | None, dataset: str | Path | None, tee: Tee | None = None,
              trusted: bool = False, clean: list[str] | None = None, order: dict[str, list[Any]] | None = None) -> None:
    """Check `path` as what it is: a dataset, a table's CSV, a bundle, or a release (folder, zip, JSON).
    A dataset's digest goes in `clean` when its files stayed the same while they were checked."""
    if path is not None and release.is_release_folder(path):
        release.check_release_folder(run, path, check_dataset)
    elif path is None or path.is_dir() or path.name == package.DESCRIPTOR:
        check_dataset(run, package.descriptor_path(None) if path is None else package.descriptor_of(path), tee, clean)
    elif path.suffix.lower() == ".csv":
        check_table_file(run, path)
    elif path.suffix.lower() == ".zip" and path.is_file():
        release.check_release_zip(run, path, check_dataset)
    elif path.suffix.lower() in (".json", ".yaml", ".yml"):
        from cbcf_data.check.bundle import check_bundle_document, read_bundle  # Pydantic: only for a bundle

        document = read_bundle(run, path)
        if path.suffix.lower() == ".json" and release.is_release_document(document):
            release.check_release_document(run, path, document)
        else:
            check_bundle_document(run, path, document, dataset, trusted, order)
    elif not path.exists():
        run.unusable("file-not-found", f"{path} does not exist", str(path))
    else:
        run.unusable("unknown-input", "give a dataset folder, its datapackage.json, a table's .csv, "
                     "a meeting bundle (.json, .yaml, .yml), or a release (its folder, .zip or .json)", str(path))


def check_dataset(run: Run, descriptor_file: Path, tee: Tee | None = None, clean: list[str] | None = None) -> None:
    """Every layer over the tables the descriptor names, read under the dataset's lock; `tee`
    (see `validate`) sees each table's rows as they are checked. With `clean`, the files' digest
    (`check.verdict`) is put there when they did not change while they were checked (`stamp`)."""
    with reading_dataset(run, descriptor_file):
        paths = check_descriptor(run, descriptor_file)
        report_leftovers(run, descriptor_file.parent, paths.values())
        root = paths["meetings"].parent if "meetings" in paths else descriptor_file.parent
        before = _stamp(descriptor_file, paths, root) if clean is not None and not run.report.issues else None
        digesting = None
        if before is not None:  # the verdict's digest, read beside the check (`verdict.Digesting`)
            from cbcf_data.check import verdict

            digesting = verdict.Digesting(descriptor_file, paths, root, give_up=lambda: bool(run.report.issues))
        try:
            _check_tables(run, descriptor_file, paths, root, tee)
            if digesting is not None and clean is not None and not run.report.issues:
                key = digesting.result()
                if key is not None and verdict.stamp(descriptor_file, paths, root) == before:
                    clean.append(key)
        finally:
            if digesting is not None:
                digesting.stop()


def _check_tables(run: Run, descriptor_file: Path, paths: dict[str, Path], root: Path, tee: Tee | None) -> None:
    """Layers 2 to 5 over every table the descriptor names, in the models' order."""
    run.rules = Rules(run.emit, root, descriptor_file.parent)
    run.report.checks.update(CHECKS)
    for model in MODELS:
        if model.table in paths:
            feed = csv_feed(run, model, paths[model.table])
            check_table(run, model, [("dataset", feed if tee is None else tee(model, feed))])
        else:
            run.broken.add(model.table)
    run.rules.finish(run.keys["sources"])


def _stamp(descriptor_file: Path, paths: dict[str, Path], root: Path) -> tuple[Any, ...] | None:
    """The files' stamp (`check.verdict`); None for the installed copy, which keeps no verdict."""
    from cbcf_data.check import verdict

    if package.inside_package(descriptor_file) or verdict.cache_folder() is None:
        return None
    return verdict.stamp(descriptor_file, paths, root)


def check_table_file(run: Run, path: Path) -> None:
    """Layers 2–4 over one table's CSV on its own (its foreign keys cannot be judged)."""
    model = TABLES.get(path.stem)
    if model is None:
        run.unusable("unknown-table", f"{path.name} is not one of the dataset's tables", str(path),
                     hint=f"name the file after its table: {', '.join(f'{t}.csv' for t in TABLES)}")
        raise Stop
    if not os.path.lexists(path):  # a link or a FIFO is there: refused, located, by its reader
        run.unusable("file-not-found", f"{path} does not exist", str(path))
        raise Stop
    run.report.checks.add("foreign-key-skipped")
    check_table(run, model, [("dataset", csv_feed(run, model, path))], foreign_keys=False)
