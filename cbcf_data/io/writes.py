"""Writes to a dataset's files: every change all or nothing, never half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_tables(tables_root: Path, texts: dict[str, str]) -> list[Path]:
    """Write `<table>.csv` files under tables_root, all or none; return the paths that changed.

    Every new text is first written beside its target; the targets are then replaced one by
    one, and if any step fails the ones already replaced are put back as they were.
    """
    targets = {tables_root / f"{table}.csv": text for table, text in texts.items()}
    changed = {path: text for path, text in targets.items()
               if not path.exists() or path.read_bytes() != text.encode("utf-8")}  # CRLF differs from LF
    originals = {path: path.read_bytes() if path.exists() else None for path in changed}
    staged: dict[Path, str] = {}
    replaced: list[Path] = []
    try:
        for path, text in changed.items():
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged[path] = temp
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(text)
        for path, temp in staged.items():
            os.replace(temp, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            original = originals[path]
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)
        for path, temp in staged.items():
            if path not in replaced:
                Path(temp).unlink(missing_ok=True)
        raise
    return list(changed)
