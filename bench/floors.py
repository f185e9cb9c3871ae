"""Floors: the least the standard library takes for the work a command does, run as a command.

    python bench/floors.py read DIR          # csv.DictReader over every table (validation's floor)
    python bench/floors.py load DIR          # every table into a dict by primary key (load's floor)
    python bench/floors.py release DIR OUT   # sqlite3 executemany of every table + a zip of the CSVs
    python bench/floors.py checked DIR OUT   # the same, checking primary and foreign keys on the way
    python bench/floors.py merge OLD NEW     # streaming merge of the sorted tables (diff's floor)
    python bench/floors.py dictdiff OLD NEW  # both datasets into dicts by key, then compared

Tables, their files and primary keys come from DIR's datapackage.json. Each prints a count, so
that a run can be checked against the command it stands beside.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

Table = tuple[str, Path, list[str]]


def tables(folder: Path) -> list[Table]:
    """(name, CSV file, primary key) of every table of the dataset in `folder`."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    found = []
    for resource in descriptor["resources"]:
        key = resource.get("schema", {}).get("primaryKey") or []
        found.append((resource["name"], folder / resource["path"], [key] if isinstance(key, str) else list(key)))
    return found


def read(folder: Path) -> int:
    """Rows of every table through csv.DictReader, doing nothing with them."""
    rows = 0
    for _, path, _ in tables(folder):
        with path.open(encoding="utf-8", newline="") as file:
            rows += sum(1 for _ in csv.DictReader(file))
    return rows


def by_key(path: Path, key: list[str]) -> dict[tuple[str, ...], dict[str, str]]:
    """One table's rows (csv.DictReader) by primary key."""
    with path.open(encoding="utf-8", newline="") as file:
        return {tuple(row[k] for k in key): row for row in csv.DictReader(file)}


def load(folder: Path) -> int:
    """Every table into a dict by primary key; the number of rows kept."""
    dataset = {name: by_key(path, key) for name, path, key in tables(folder)}
    return sum(len(rows) for rows in dataset.values())


def release(folder: Path, out: Path) -> int:
    """Every table's rows (csv.reader) into a SQLite file by executemany, and a zip of the CSVs."""
    out.mkdir(parents=True, exist_ok=True)
    found = tables(folder)
    rows = 0
    db = sqlite3.connect(out / "floor.sqlite")
    for name, path, _ in found:
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            columns = ", ".join(f'"{column}"' for column in header)
            db.execute(f'CREATE TABLE "{name}" ({columns})')
            cursor = db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(header))})', reader)
            rows += cursor.rowcount
    db.commit()
    db.close()
    with zipfile.ZipFile(out / "floor.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path, _ in found:
            archive.write(path, f"{name}.csv")
    return rows


def checked(folder: Path, out: Path) -> int:
    """`release`, checking keys as the rows pass, the least a release that validates must hold: a
    set of each `id` key (what foreign keys name), a composite key against the one before it (the
    tables are sorted), and each foreign key looked up. Prints the faults found on stderr."""
    out.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    ids: dict[str, set[str]] = {}
    faults = [0]
    rows = 0
    db = sqlite3.connect(out / "floor.sqlite")
    for resource in descriptor["resources"]:
        name, schema = resource["name"], resource.get("schema", {})
        key = schema.get("primaryKey") or []
        key = [key] if isinstance(key, str) else list(key)
        references = [(fk["fields"][0], fk["reference"].get("resource") or name) for fk in schema.get("foreignKeys", [])]
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            lookups = [(header.index(field), ids.setdefault(table, set())) for field, table in references if table != name]
            seen = ids.setdefault(name, set()) if key == ["id"] else None
            columns = ", ".join(f'"{column}"' for column in header)
            db.execute(f'CREATE TABLE "{name}" ({columns})')
            passing = _keys_checked(reader, [header.index(k) for k in key], seen, lookups, faults)
            rows += db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(header))})', passing).rowcount
    db.commit()
    db.close()
    with zipfile.ZipFile(out / "floor.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for resource in descriptor["resources"]:
            archive.write(folder / resource["path"], f"{resource['name']}.csv")
    print(faults[0], "faults", file=sys.stderr)
    return rows


def _keys_checked(reader: Iterator[list[str]], at: list[int], seen: set[str] | None,
                  lookups: list[tuple[int, set[str]]], faults: list[int]) -> Iterator[list[str]]:
    """The rows of `reader`, each key counted in `faults` when it repeats (kept in `seen`, or by
    adjacency when `seen` is None) and each foreign key when its value is not in its table's IDs."""
    previous: list[str] = []
    for cells in reader:
        if seen is not None:
            faults[0] += cells[at[0]] in seen
            seen.add(cells[at[0]])
        else:
            current = [cells[i] for i in at]
            faults[0] += current <= previous
            previous = current
        faults[0] += sum(1 for i, known in lookups if cells[i] and cells[i] not in known)
        yield cells


def keyed(path: Path, key: list[str]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(key, cells) of one table's rows in file order (csv.reader)."""
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        columns = [header.index(k) for k in key]
        for cells in reader:
            yield tuple(cells[i] for i in columns), cells


def merge(old: Path, new: Path) -> int:
    """Rows added, removed or changed, by a streaming merge of each table's sorted rows; holds
    one row of each side at a time."""
    changes = 0
    newer = {name: path for name, path, _ in tables(new)}
    for name, path, key in tables(old):
        if name not in newer:
            continue
        a, b = keyed(path, key), keyed(newer[name], key)
        x, y = next(a, None), next(b, None)
        while x is not None or y is not None:
            if y is None or (x is not None and x[0] < y[0]):
                changes, x = changes + 1, next(a, None)
            elif x is None or y[0] < x[0]:
                changes, y = changes + 1, next(b, None)
            else:
                changes += x[1] != y[1]
                x, y = next(a, None), next(b, None)
    return changes


def dictdiff(old: Path, new: Path) -> int:
    """Rows added, removed or changed, both datasets held as dicts by primary key."""
    changes = 0
    newer = {name: (path, key) for name, path, key in tables(new)}
    for name, path, key in tables(old):
        if name not in newer:
            continue
        a, b = by_key(path, key), by_key(*newer[name])
        changes += len(a.keys() ^ b.keys()) + sum(a[k] != b[k] for k in a.keys() & b.keys())
    return changes


def main(argv: list[str]) -> None:
    commands = {"read": read, "load": load, "release": release, "checked": checked, "merge": merge, "dictdiff": dictdiff}
    if len(argv) < 2 or argv[0] not in commands:
        sys.exit(__doc__)
    print(commands[argv[0]](*(Path(arg) for arg in argv[1:])))  # type: ignore[operator]


if __name__ == "__main__":
    main(sys.argv[1:])
