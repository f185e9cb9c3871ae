"""Release input: a release folder, its zip and its JSON document, each checked as the dataset it
holds — and against the sizes and hashes it carries (SHA256SUMS, the descriptor's `bytes` and
`hash`), so a changed or damaged release is reported, never read as if it were the original."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cbcf_data.check.report import Where
from cbcf_data.check.rows import check_table
from cbcf_data.check.rules import CHECKS, Rules
from cbcf_data.check.state import Row, Run, Stop
from cbcf_data.io import limits, package
from cbcf_data.io.files import ReadError

CheckDataset = Callable[[Run, Path], None]
#: Fields a release's reference rows carry beside their table's own (derived from parent_id).
DERIVED = ("ancestors", "descendants")


def is_release_folder(path: Path) -> bool:
    """Whether `path` is a release folder: a data package under csv/, none at the top."""
    return path.is_dir() and not (path / package.DESCRIPTOR).exists() and (path / "csv" / package.DESCRIPTOR).is_file()


def is_release_document(document: Any) -> bool:
    """Whether a JSON document is a release's (all meetings), not a meeting bundle."""
    return isinstance(document, dict) and isinstance(document.get("meetings"), list) and "meeting" not in document


def check_checksums(run: Run, folder: Path, only: set[str] | None = None) -> None:
    """An issue for each file of the folder's SHA256SUMS (or of `only`) that is missing or differs."""
    if not (folder / package.CHECKSUMS).is_file():
        return
    run.report.checks.add("checksums")
    for name in package.verify_checksums(folder, only):
        run.emit("checksum-mismatch", f"{name} is missing or differs from its SHA-256 in {package.CHECKSUMS}",
                 Where(str(folder / package.CHECKSUMS), None), value=name,
                 hint="the release was changed or damaged: download it again")


def check_release_folder(run: Run, folder: Path, check_dataset: CheckDataset) -> None:
    """A release folder: its checksums, then the data package in its csv/ folder."""
    check_checksums(run, folder)
    check_dataset(run, folder / "csv" / package.DESCRIPTOR)


def check_release_zip(run: Run, file: Path, check_dataset: CheckDataset) -> None:
    """A release zip: the data package inside it, checked where it was unpacked; issues name the zip."""
    import tempfile  # here, not at import: every `validate` imports this module

    with tempfile.TemporaryDirectory(prefix="cbcf-validate-") as temp:
        descriptor = _unpack(run, file, Path(temp))
        try:
            check_dataset(run, descriptor)
        finally:
            run.report.issues[:] = [_renamed(issue, temp, file) for issue in run.report.issues]


def _renamed(issue: Any, temp: str, file: Path) -> Any:
    """The issue located in the zip (`release.zip!cbcf-data-1.0.0/csv/people.csv`), not in the temporary folder."""
    from dataclasses import replace

    if issue.path and issue.path.startswith(temp):
        return replace(issue, path=f"{file}!{issue.path[len(temp):].lstrip('/')}")
    return issue


def _unpack(run: Run, file: Path, folder: Path) -> Path:
    """Unpack a release zip safely into folder; the descriptor of its data package (csv/ preferred)."""
    import zipfile

    try:
        with file.open("rb") as handle:
            package.check_zip_directory(handle)  # before zipfile reads the entry list into memory
            with zipfile.ZipFile(handle) as archive:
                left = limits.VALIDATE_BYTES  # decompressed bytes counted as they come, whatever headers say
                for info in (i for i in archive.infolist() if not i.is_dir()):
                    if package.unsafe_reason(info.filename) is None:
                        data = package.member_bytes(archive, info, left)
                        left -= len(data)
                        target = folder / info.filename
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data)
    except ReadError as error:
        run.unusable(error.code, error.message, str(file), hint=error.hint)
        raise Stop from None
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        run.unusable("not-a-zip", f"not a readable zip ({error})", str(file))
        raise Stop from None
    found = sorted(folder.rglob(package.DESCRIPTOR), key=lambda p: (p.parent.name != "csv", str(p)))
    if not found:
        run.unusable("not-a-release", f"the zip holds no {package.DESCRIPTOR}", str(file),
                     hint="give a release zip built by `cbcf-data release`")
        raise Stop
    return found[0]


def check_release_document(run: Run, path: Path, document: dict[str, Any]) -> None:
    """A release's JSON document: its checksum, then every meeting's rows and the reference rows
    through the row, key and cross-table checks (quotes against the archived texts of the release
    folder it sits in, when there is one)."""
    from cbcf_data.model.bundle import NEW_TABLES, to_rows
    from cbcf_data.model.tables import MODELS

    check_checksums(run, path.parent, {path.name})
    if document.get("name") != "cbcf-data":
        run.emit("not-a-release", "the document's name is not `cbcf-data`", Where(str(path), None, None, "/name"),
                 field="name", value=document.get("name"), severity="warning")
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for index, meeting in enumerate(document["meetings"]):
        if not isinstance(meeting, dict):
            run.emit("not-an-object", "each meeting must be a bundle object", Where(str(path), "meetings", None,
                                                                                    f"/meetings/{index}"))
            continue
        table_rows, pointers = to_rows(meeting)
        for table, items in table_rows.items():
            rows.setdefault(table, []).extend((f"/meetings/{index}{pointers[(table, i)]}", row)
                                              for i, row in enumerate(items))
    for table in NEW_TABLES.values():
        listed = document.get(table)
        for index, row in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(row, dict):
                rows.setdefault(table, []).append((f"/{table}/{index}", {k: v for k, v in row.items()
                                                                         if k not in DERIVED}))
    archives = path.parent / "csv"
    run.rules = Rules(run.emit, archives if (archives / "sources").is_dir() else None)
    run.report.checks.update(CHECKS)
    for model in MODELS:
        check_table(run, model, [("bundle", _feed(str(path), model, rows.get(model.table, [])))])
    run.rules.finish(run.keys["sources"])


def _feed(path: str, model: Any, rows: list[tuple[str, dict[str, Any]]]) -> Iterable[Row]:
    from cbcf_data.check.bundle import bundle_key

    for pointer, row in rows:
        yield Where(path, model.table, None, pointer), bundle_key(model, row), row
