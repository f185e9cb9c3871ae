"""Entry points of the site: `build_site` (validate, then write the folder) and `site_files`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from cbcf_data.dataset import Dataset, load
from cbcf_data.errors import InvalidDataError


def site_files(ds: Dataset) -> dict[str, bytes]:
    """Every file of the site of `ds`, by path inside the site folder (sorted)."""
    from cbcf_data.publish.site.render import site_files as render

    return render(ds)


def build_site(out: str | Path = "dist/site", dataset: str | Path | None = None) -> Path:
    """Validate the dataset, then write its website into the folder `out` (replaced); return it.

    Raises InvalidDataError (carrying the report) and writes nothing when the dataset is invalid.
    Only an earlier website is replaced: a link, a file or a folder holding anything else at `out`
    (the user's files, a dataset, the current folder) is refused before any work (UnusableInputError).
    """
    from cbcf_data.check.validate import validate
    from cbcf_data.io.outputs import ASIDE, building, replace_folder, replaceable_folder

    out = Path(out)
    replaceable_folder(out, site_names(), "website", MANIFEST)
    report = validate(dataset)
    if not report.valid:
        raise InvalidDataError("the dataset does not validate; no site was built", report)
    from cbcf_data.publish.site.render import iter_site_files

    ds = load(dataset)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with building(out.parent, f".{out.name}.") as temp:
            staging = Path(temp) / "site"
            written: list[str] = []
            write_files(_noted(iter_site_files(ds), written), staging)  # each page written as it is rendered
            (staging / MANIFEST).write_text("".join(f"{path}\n" for path in written), encoding="utf-8")
            replaceable_folder(out, site_names(), "website", MANIFEST)
            replace_folder(staging, out, Path(temp) / ASIDE)
    except OSError as error:
        if error.filename is None:  # a write to a file (a full disk): say where
            error.filename = str(out)
        raise
    return out


#: The list of the files a website built by `site` holds, at its top: a later build replaces
#: only a folder holding nothing else (`io.outputs.replaceable_folder`).
MANIFEST = ".cbcf-site"


def site_names() -> frozenset[str]:
    """What a website's folder holds at its top: the language chooser, its assets and data, a folder
    per language, and the list of its files (MANIFEST)."""
    from cbcf_data.publish.site.i18n import LANGS

    return frozenset({"index.html", "assets", "data", *LANGS, MANIFEST})


def _noted(files: Iterable[tuple[str, bytes]], paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """`files` as they come, each one's path added to `paths`."""
    for path, data in files:
        paths.append(path)
        yield path, data


def write_files(files: dict[str, bytes] | Iterable[tuple[str, bytes]], folder: Path) -> None:
    """Write `files` (path -> bytes, or (path, bytes) pairs as they come) under `folder`."""
    for path, data in files.items() if isinstance(files, dict) else files:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
