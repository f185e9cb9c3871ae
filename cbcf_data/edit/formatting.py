"""`fmt`: rewrite every table in canonical form (sorted by primary key, one CSV dialect)."""

from __future__ import annotations

import difflib
from pathlib import Path

from cbcf_data.errors import InvalidDataError, UnusableInputError
from cbcf_data.io import csvfiles, limits, package
from cbcf_data.io.readers import ReadError, csv_rows, read_text
from cbcf_data.io.writes import write_tables
from cbcf_data.model.tables import TABLES


def fmt(dataset: str | Path | None = None, check: bool = False) -> list[str]:
    """Rewrite every table in canonical form (or, with check, only compare); return the diffs.

    Works on the cells as written, without judging them, so it also tidies invalid tables; a
    table whose header differs from its schema is refused (fix it by hand first).
    """
    descriptor_file = package.descriptor_path(dataset)
    paths = package.resource_paths(package.read_descriptor(descriptor_file), descriptor_file.parent)
    texts: dict[str, str] = {}
    diffs: list[str] = []
    for table, model in TABLES.items():
        path = paths.get(table)
        if path is None or not path.is_file():
            raise UnusableInputError(f"{descriptor_file}: no file for table {table}")
        try:
            rows = list(csv_rows(path, descriptor_file.parent, limits.LOAD_BYTES))
            current = read_text(path, limits.LOAD_BYTES, descriptor_file.parent)  # line ends as they are: CRLF is not canonical
        except ReadError as error:
            raise UnusableInputError(f"{path}:{error.line or 1}: {error.message}") from None
        header = rows[0][1] if rows else []
        if header != csvfiles.header(model):
            raise InvalidDataError(f"{path}:1: the header differs from the {table} schema; fix it by hand "
                                   f"(see `cbcf-data validate`), then run fmt again")
        cells = [{name: cell for name, cell in zip(header, row)} for _, row in rows[1:] if row]
        text = csvfiles.to_csv_text(model, cells)
        if text != current:
            texts[table] = text
            name = str(path.relative_to(descriptor_file.parent))
            diffs.append("".join(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                      fromfile=f"{name} (now)", tofile=f"{name} (canonical)")))
    if texts and not check:
        write_tables(paths["meetings"].parent, texts)
    return diffs
