"""`fmt`: rewrite every table in canonical form (sorted by primary key, one CSV dialect)."""

from __future__ import annotations

import difflib
from pathlib import Path

from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, limits, package, writes
from cbcf_data.io.readers import ReadError, csv_rows, read_text
from cbcf_data.model.tables import TABLES, Record


def fmt(dataset: str | Path | None = None, check: bool = False) -> list[str]:
    """Rewrite every table in canonical form (or, with check, only compare); return the diffs.

    Works on the cells as written, without judging them, so it also tidies invalid tables; a
    table whose header differs from its schema is refused (fix it by hand first). The tables
    are read and rewritten under the dataset's lock, to the paths its descriptor names.
    """
    descriptor_file = package.descriptor_path(dataset)
    root = descriptor_file.parent
    with writes.reading(root) if check else writes.writing(root):
        paths = package.resource_paths(package.read_descriptor(descriptor_file), root)
        texts: dict[Path, str] = {}
        diffs: list[str] = []
        for table, model in TABLES.items():
            path = paths.get(table)
            if path is None or not path.is_file():
                raise UnusableInputError(f"{descriptor_file}: no file for table {table}")
            current, text = _canonical(path, model, root)
            if text != current:
                texts[path] = text
                name = path.relative_to(root).as_posix()
                diffs.append("".join(difflib.unified_diff(current.splitlines(keepends=True),
                                                          text.splitlines(keepends=True),
                                                          fromfile=f"{name} (now)", tofile=f"{name} (canonical)")))
        if texts and not check:
            writes.replace_files(root, texts)
    return diffs


def _canonical(path: Path, model: type[Record], root: Path) -> tuple[str, str]:
    """A table file's text as it is, and in canonical form."""
    try:
        rows = list(csv_rows(path, root, limits.LOAD_BYTES))
        current = read_text(path, limits.LOAD_BYTES, root)  # line ends as they are: CRLF is not canonical
    except ReadError as error:
        raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None
    header = rows[0][1] if rows else []
    if header != csvfiles.header(model):
        raise InvalidDataError(f"{path}:1: the header differs from the {model.table} schema; fix it by hand "
                               f"(see `cbcf-data validate`), then run fmt again")
    cells = [{name: cell for name, cell in zip(header, row)} for _, row in rows[1:] if row]
    return current, csvfiles.to_csv_text(model, cells)
