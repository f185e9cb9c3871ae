"""Layer 1: the descriptor and its files — `datapackage.json` is a data package whose resources
name this dataset's tables as safe local files; frictionless judges it against the profile.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cbcf_data.check.explain import close_match
from cbcf_data.check.report import Where
from cbcf_data.check.state import Run, Stop
from cbcf_data.io import limits, package
from cbcf_data.io.documents import parse_json
from cbcf_data.io.files import ReadError, read_text, regular_size
from cbcf_data.model.declared import TABLES

KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource",
                  "https://datapackage.org/profiles/2.0/datapackage.json",
                  "https://datapackage.org/profiles/2.0/dataresource.json"}


def check_descriptor(run: Run, descriptor_file: Path) -> dict[str, Path]:
    """The CSV file of each table the descriptor names safely; issues for everything else.

    The descriptor's folder becomes the run's root: every file of the dataset is opened below it,
    never through a link (`cbcf_data.io.files`).
    """
    where = Where(str(descriptor_file), None)
    run.root = descriptor_file.parent
    try:
        text = read_text(descriptor_file, limits.DOCUMENT_BYTES, run.root)
        descriptor = parse_json(text)
    except ReadError as error:
        run.unusable(error.code, error.message, str(descriptor_file), error.line, error.hint)
        raise Stop from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        run.unusable("not-a-data-package", "this is not a data package: it has no `resources` list",
                     str(descriptor_file))
        raise Stop
    run.report.checks.add("descriptor")
    paths: dict[str, Path] = {}
    safe = profile_inputs_safe(run, descriptor, where)
    for index, resource in enumerate(descriptor["resources"]):
        safe = _add_resource(run, resource, Where(str(descriptor_file), None, None, f"/resources/{index}"),
                             descriptor_file.parent, paths) and safe
    for name in TABLES:
        if name not in paths and not any(isinstance(r, dict) and r.get("name") == name for r in descriptor["resources"]):
            run.emit("missing-table", f"the data package has no resource for table {name}", where, value=name,
                     hint=f"add a resource named {name} with path records/{name}.csv (run `cbcf-data schema`)")
    if safe:
        start_profile(run, descriptor, paths, where, text)
    return paths


def _add_resource(run: Run, resource: Any, at: Where, root: Path, paths: dict[str, Path]) -> bool:
    """Add one resource's table file to `paths` when it is usable; False when its path is unsafe."""
    name = resource.get("name") if isinstance(resource, dict) else None
    if name in package.RELEASE_EXTRAS and isinstance(resource, dict):  # a release's codelists: its hash counts
        reason = package.unsafe_reason(resource.get("path"))
        if reason is None and (root / resource["path"]).is_file():
            check_integrity(run, resource, root / resource["path"], at)
        return reason is None
    if name not in TABLES:
        near = close_match(str(name), list(TABLES))
        run.emit("unknown-resource", f"resource {str(name)[:80]!r} is not a table of this dataset", at, value=name,
                 hint=f"did you mean `{near}`?" if near else None)
        return True
    if name in paths:
        run.emit("duplicate-resource", f"table {name} is described twice", at, value=name)
        return True
    reason = package.unsafe_reason(resource.get("path"))
    if reason:
        run.emit("unsafe-path", f"{name}: {reason}", at, field="path", value=resource.get("path"),
                 hint=f"use a relative path inside the dataset, e.g. records/{name}.csv")
        return False
    file = root / resource["path"]
    if not os.path.lexists(file):  # a link or another non-file is refused, located, when it is read
        run.emit("missing-file", f"{name}: the file {resource['path']} does not exist", at, field="path",
                 value=resource["path"])
        return True
    paths[name] = file
    check_integrity(run, resource, file, at)
    return True


def check_integrity(run: Run, resource: dict[str, Any], file: Path, at: Where) -> None:
    """An issue when the file differs from the `bytes` or `hash` the descriptor declares for it."""
    if "bytes" not in resource and "hash" not in resource:
        return
    run.report.checks.update(("size-mismatch", "hash-mismatch"))
    try:
        problem = package.file_integrity(resource, file)
    except OSError as error:
        problem = ("hash-mismatch", f"the file cannot be read to check it ({error})")
    if problem is not None:
        code, message = problem
        run.emit(code, f"{resource.get('name')}: {message}", at, field="hash" if code == "hash-mismatch" else "bytes",
                 value=resource.get("path"), hint="the release was changed or damaged: download it again "
                 "(or, for a dataset you changed on purpose, remove `bytes` and `hash` from the descriptor)")


def profile_inputs_safe(run: Run, descriptor: dict[str, Any], where: Where) -> bool:
    """False (with an issue) when frictionless would have to fetch something to judge the descriptor."""
    safe = True
    for index, item in enumerate([descriptor, *descriptor["resources"]]):
        if not isinstance(item, dict):
            continue
        at = where if index == 0 else Where(where.path, None, None, f"/resources/{index - 1}")
        for key in ("profile", "$schema"):
            if key in item and item[key] not in KNOWN_PROFILES and not str(item[key]).startswith(
                    "https://datapackage.org/profiles/"):
                safe = False
                run.emit("custom-profile", f"the {key} {item[key]!r} is not a standard Data Package profile; "
                         "nothing is fetched", at, field=key, value=item[key])
        for key in ("schema", "dialect"):
            if index and key in item and not isinstance(item[key], dict):
                safe = False
                run.emit("external-schema", f"the resource's {key} must be written inline; nothing is fetched",
                         at, field=key, value=item[key])
    return safe


def start_profile(run: Run, descriptor: dict[str, Any], paths: dict[str, Path], where: Where,
                  text: str | None = None) -> None:
    """The descriptor against the Data Package profile, judged by frictionless (in a child
    process while the rows are checked, when there are many; a verdict on the same descriptor
    `text` kept from an earlier run: see `cbcf_data.check.profile`)."""
    from cbcf_data.check import profile

    run.report.checks.add("data-package-profile")
    table_bytes = sum(regular_size(path) or 0 for path in paths.values())
    run.judgement = (profile.start(descriptor, table_bytes, text), where, len(run.report.issues))


def finish_profile(run: Run) -> None:
    """Collect the verdict still being made; its issues go where the descriptor's are."""
    if run.judgement is None:
        return
    judgement, where, position = run.judgement
    run.judgement = None
    before = len(run.report.issues)
    for problem in judgement.problems():
        run.emit("descriptor-profile", problem, where)
    added = run.report.issues[before:]
    del run.report.issues[before:]
    run.report.issues[position:position] = added
