"""`validate(source)`: check a dataset, one table's CSV, or a meeting bundle, and report every problem.

Layers, in order: 1 descriptor and files, 2 CSV structure, 3 rows (the models), 4 keys,
5 cross-table rules (`cbcf_data.check.rules`). A structural failure stops only the layers that depend
on it; everything else is collected. Rows stream through once; records are not kept.
"""

from __future__ import annotations

import difflib
import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from cbcf_data.io import csvfiles, package
from cbcf_data.model.tables import MODELS, TABLES, Record
from cbcf_data.io.readers import (
    DOCUMENT_LIMIT,
    ReadError,
    open_csv,
    parse_json,
    read_document,
    read_text,
)
from cbcf_data.check.report import Issue, Report, Where, truncate
from cbcf_data.check.rules import CHECKS, Rules

if TYPE_CHECKING:
    from cbcf_data.check.profile import Judgement

#: Hints that need a search (nearest value, next free ID) are computed for this many issues of a code.
HINTED = 50
DATE_FIELDS = {"start_date", "end_date", "date", "published_date", "as_of"}
KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource",
                  "https://datapackage.org/profiles/2.0/datapackage.json",
                  "https://datapackage.org/profiles/2.0/dataresource.json"}
PATTERN_HINTS = {
    "^[a-z0-9]+(?:-[a-z0-9]+)*$": "IDs are lowercase letters and digits joined by single hyphens, e.g. `dominic-leblanc`",
    "^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$": "meeting IDs are `cbcf-` and the year, e.g. `cbcf-2024`",
    "^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$": "commitment IDs are the meeting ID, `-c` and two digits, e.g. `cbcf-2024-c01`",
    "^(?:US|CA)-[A-Z0-9]{1,3}$": "an ISO 3166-2 code such as `US-DC` or `CA-ON`",
    "^Q[1-9][0-9]*$": "a Wikidata item ID such as `Q42`",
    "^[0-9a-f]{64}$": "64 lowercase hexadecimal digits (the output of `sha256sum`)",
    "^https?://[^\\s]+$": "a web address starting with http:// or https://, without spaces",
    "^sources/[a-z0-9]+(?:-[a-z0-9]+)*\\.txt$": "`sources/<source id>.txt`",
}
DATE_HINT = "write the date as YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"


#: One row as the row layers take it: where it is, its key (text, or a tuple for a composite
#: key) and its cells by field.
Row = tuple[Where, Any, dict[str, Any]]
#: Rows between two calls of a progress callback.
PROGRESS_EVERY = 20_000
Progress = Callable[[str, int, bool], None]


def validate(source: str | Path | None = None, dataset: str | Path | None = None,
             progress: Progress | None = None) -> Report:
    """Validate a dataset folder or datapackage.json (default: the packaged dataset), one table's
    CSV, or a meeting bundle (.json/.yaml/.yml) — a bundle also against `dataset` (default: packaged).

    `progress(table, rows_so_far, finished)` is called as tables are read, for progress bars.
    Never raises for bad input: every problem is an issue in the returned Report.
    """
    run = _Run(progress)
    try:
        try:
            path = None if source is None else Path(source)
            if path is None or path.is_dir() or path.name == package.DESCRIPTOR:
                run.dataset(package.descriptor_path(path) if path is None else _descriptor_of(path))
            elif path.suffix.lower() == ".csv":
                run.table(path)
            elif path.suffix.lower() in (".json", ".yaml", ".yml"):
                run.bundle(path, dataset)
            elif not path.exists():
                run.unusable("file-not-found", f"{path} does not exist", str(path))
            else:
                run.unusable("unknown-input", "give a dataset folder, its datapackage.json, a table's .csv, "
                             "or a meeting bundle (.json, .yaml, .yml)", str(path))
        finally:
            run.finish()
    except Stop:
        pass
    except Exception as error:  # a bug of ours must still end in a report, never a traceback
        run.unusable("internal-error", f"the validator failed unexpectedly ({type(error).__name__}: {error}); "
                     "please report this with the input", str(source))
    return run.report


def _descriptor_of(path: Path) -> Path:
    return path / package.DESCRIPTOR if path.is_dir() else path


class Stop(Exception):
    """Raised inside a run when the input is unusable and nothing further can be checked."""


class _Run:
    """One validation: the report, the keys seen so far, and the cross-table rules."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress
        self.report = Report()
        #: Each table's keys seen so far (text, or a tuple for a composite key) -> where it came from.
        self.keys: dict[str, dict[Any, str]] = {name: {} for name in TABLES}
        #: Tables whose structure failed: their rows were not checked.
        self.broken: set[str] = set()
        #: Tables some of whose rows could not be read: references to them are not judged.
        self.incomplete: set[str] = set()
        self.hinted: dict[str, int] = {}
        self.rules: Rules | None = None
        #: The frictionless verdict on the descriptor, where to report it, and at which issue position.
        self.judgement: tuple[Judgement, Where, int] | None = None

    # -- reporting -------------------------------------------------------------------------

    def emit(self, code: str, message: str, where: Where, *, field: str | None = None, record_id: str | None = None,
             value: Any = None, hint: str | None = None, severity: str = "error") -> None:
        pointer = where.pointer
        if pointer is not None and field is not None:
            pointer = _field_pointer(where.table, pointer, field)
        self.report.add(Issue(code=code, message=message, severity=severity, path=where.path,  # type: ignore[arg-type]
                              table=where.table, line=where.line, pointer=pointer, field=field,
                              record_id=record_id, value=truncate(value), hint=hint))

    def unusable(self, code: str, message: str, path: str | None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.report.usable = False
        self.emit(code, message, Where(path, None, line), hint=hint)

    def want_hint(self, code: str) -> bool:
        self.hinted[code] = self.hinted.get(code, 0) + 1
        return self.hinted[code] <= HINTED

    # -- inputs ----------------------------------------------------------------------------

    def dataset(self, descriptor_file: Path) -> None:
        paths = self.descriptor(descriptor_file)
        root = paths["meetings"].parent if "meetings" in paths else descriptor_file.parent
        self.rules = Rules(self.emit, root)
        self.report.checks.update(CHECKS)
        for model in MODELS:
            if model.table in paths:
                self.check_table(model, [("dataset", self.csv_feed(model, paths[model.table]))])
            else:
                self.broken.add(model.table)
        self.rules.finish(self.keys["sources"])

    def table(self, path: Path) -> None:
        model = TABLES.get(path.stem)
        if model is None:
            self.unusable("unknown-table", f"{path.name} is not one of the dataset's tables", str(path),
                          hint=f"name the file after its table: {', '.join(f'{t}.csv' for t in TABLES)}")
            raise Stop
        if not path.is_file():
            self.unusable("file-not-found", f"{path} does not exist", str(path))
            raise Stop
        self.report.checks.add("foreign-key-skipped")
        self.check_table(model, [("dataset", self.csv_feed(model, path))], foreign_keys=False)

    def bundle(self, path: Path, dataset: str | Path | None) -> None:
        from cbcf_data.model import bundle as bundles

        try:
            document = read_document(path)
        except ReadError as error:
            self.unusable(error.code, error.message, str(path), error.line, error.hint)
            raise Stop from None
        if not isinstance(document, dict):
            self.unusable("not-a-bundle", "a bundle is an object with a `meeting` and its rows", str(path),
                          hint="start from records/templates/meeting.yaml")
            raise Stop
        self.bundle_shape(document, str(path))
        rows, pointers = bundles.to_rows(document)
        descriptor_file = package.descriptor_path(dataset) if dataset is None else _descriptor_of(Path(dataset))
        paths = self.descriptor(descriptor_file)
        self.rules = Rules(self.emit, paths["meetings"].parent if "meetings" in paths else None)
        self.report.checks.update(CHECKS)
        for model in MODELS:
            feeds: list[tuple[str, Iterable[Row]]] = []
            if model.table in paths:
                feeds.append(("dataset", self.csv_feed(model, paths[model.table])))
            bundle_rows = rows.get(model.table, [])
            feeds.append(("bundle", ((Where(str(path), model.table, None, pointers[(model.table, i)]), _key(model, row), row)
                                     for i, row in enumerate(bundle_rows))))
            self.check_table(model, feeds)
        self.rules.finish(self.keys["sources"])

    def bundle_shape(self, document: dict[str, Any], path: str) -> None:
        from cbcf_data.model.bundle import Bundle

        allowed = set(Bundle.model_fields) | {"$schema"}
        for key, value in document.items():
            where = Where(path, None, None, f"/{_escape(key)}")
            if key not in allowed:
                near = difflib.get_close_matches(key, sorted(allowed), n=1)
                self.emit("unknown-field", f"{key!r} is not a part of a bundle", where, value=key,
                          hint=f"did you mean `{near[0]}`?" if near else f"bundle keys are: {', '.join(sorted(allowed))}")
            elif key not in ("meeting", "$schema") and not isinstance(value, list):
                self.emit("not-a-list", f"{key} must be a list", where, value=value)
            elif isinstance(value, list) and key != "sources":
                for index, item in enumerate(value):
                    if not isinstance(item, dict):
                        self.emit("not-an-object", f"each entry of {key} must be an object with fields",
                                  Where(path, None, None, f"/{key}/{index}"), value=item)
        if not isinstance(document.get("meeting"), dict):
            self.emit("required", "the bundle needs a `meeting` object", Where(path, "meetings", None, "/meeting"),
                      hint="see records/templates/meeting.yaml")

    # -- layer 1: descriptor and files -----------------------------------------------------

    def descriptor(self, descriptor_file: Path) -> dict[str, Path]:
        where = Where(str(descriptor_file), None)
        try:
            descriptor = parse_json(read_text(descriptor_file, DOCUMENT_LIMIT))
        except ReadError as error:
            self.unusable(error.code, error.message, str(descriptor_file), error.line, error.hint)
            raise Stop from None
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            self.unusable("not-a-data-package", "this is not a data package: it has no `resources` list",
                          str(descriptor_file))
            raise Stop
        self.report.checks.add("descriptor")
        root = descriptor_file.parent
        paths: dict[str, Path] = {}
        safe = self.profile_inputs_safe(descriptor, where)
        for index, resource in enumerate(descriptor["resources"]):
            at = Where(str(descriptor_file), None, None, f"/resources/{index}")
            name = resource.get("name") if isinstance(resource, dict) else None
            if name not in TABLES:
                near = difflib.get_close_matches(str(name), list(TABLES), n=1)
                self.emit("unknown-resource", f"resource {name!r} is not a table of this dataset", at, value=name,
                          hint=f"did you mean `{near[0]}`?" if near else None)
                continue
            if name in paths:
                self.emit("duplicate-resource", f"table {name} is described twice", at, value=name)
                continue
            reason = package.unsafe_reason(resource.get("path"))
            if reason:
                safe = False
                self.emit("unsafe-path", f"{name}: {reason}", at, field="path", value=resource.get("path"),
                          hint=f"use a relative path inside the dataset, e.g. records/{name}.csv")
                continue
            file = root / resource["path"]
            if not file.is_file():
                self.emit("missing-file", f"{name}: the file {resource['path']} does not exist", at, field="path",
                          value=resource["path"])
                continue
            paths[name] = file
        for name in TABLES:
            if name not in paths and not any(isinstance(r, dict) and r.get("name") == name for r in descriptor["resources"]):
                self.emit("missing-table", f"the data package has no resource for table {name}", where, value=name,
                          hint=f"add a resource named {name} with path records/{name}.csv (run `cbcf-data schema`)")
        if safe:
            self.profile(descriptor, descriptor_file, paths, where)
        return paths

    def profile_inputs_safe(self, descriptor: dict[str, Any], where: Where) -> bool:
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
                    self.emit("custom-profile", f"the {key} {item[key]!r} is not a standard Data Package profile; "
                              "nothing is fetched", at, field=key, value=item[key])
            for key in ("schema", "dialect"):
                if index and key in item and not isinstance(item[key], dict):
                    safe = False
                    self.emit("external-schema", f"the resource's {key} must be written inline; nothing is fetched",
                              at, field=key, value=item[key])
        return safe

    def profile(self, descriptor: dict[str, Any], descriptor_file: Path, paths: dict[str, Path], where: Where) -> None:
        """The descriptor against the Data Package profile, judged by frictionless (in a child
        process while the rows are checked, when there are many: see `cbcf_data.check.profile`)."""
        from cbcf_data.check import profile

        self.report.checks.add("data-package-profile")
        try:
            table_bytes = sum(path.stat().st_size for path in paths.values())
        except OSError:
            table_bytes = 0
        self.judgement = (profile.start(descriptor, descriptor_file, table_bytes), where, len(self.report.issues))

    def finish(self) -> None:
        """Collect the verdicts still being made; their issues go where the descriptor's are."""
        if self.judgement is None:
            return
        judgement, where, position = self.judgement
        self.judgement = None
        before = len(self.report.issues)
        for problem in judgement.problems():
            self.emit("descriptor-profile", problem, where)
        added = self.report.issues[before:]
        del self.report.issues[before:]
        self.report.issues[position:position] = added

    # -- layer 2: CSV structure ------------------------------------------------------------

    def csv_feed(self, model: type[Record], path: Path) -> Iterator[Row]:
        """Rows of a table's CSV as (where, key, cells), after checking its structure."""
        self.report.checks.add("csv-structure")
        name, display = model.table, str(path)
        expected = list(model.model_fields)
        try:
            records, file = open_csv(path)
            with file:
                header = next(records, (1, None))[1]
                if header is None:
                    self.emit("empty-file", f"{path.name} is empty: it needs at least the header row",
                              Where(display, name, 1), hint=f"the header is: {','.join(expected)}")
                    self.broken.add(name)
                    return
                if header != expected:
                    self.header_issue(header, expected, Where(display, name, 1))
                    self.broken.add(name)
                    return
                width = len(expected)
                cells_of = csvfiles.cells_of(tuple(expected))
                new_where = tuple.__new__
                key_of = operator.itemgetter(*[expected.index(f) for f in model.primary_key])
                previous: Any = "" if len(model.primary_key) == 1 else ()
                unsorted = False
                for line, cells in records:
                    if len(cells) != width:
                        self.incomplete.add(name)
                        self.emit("row-length", f"the row has {len(cells)} cells; the header has {width}",
                                  Where(display, name, line), value=",".join(cells),
                                  hint="check for a missing or extra comma, or an unquoted comma inside a cell")
                        continue
                    key = key_of(cells)
                    if key < previous and not unsorted:
                        unsorted = True
                        self.emit("not-sorted", f"{path.name} is not sorted by its primary key from this line on",
                                  Where(display, name, line), severity="warning", hint="run `cbcf-data fmt`")
                    previous = key
                    # tuple.__new__ skips the NamedTuple's Python-level constructor: this runs once per row.
                    yield new_where(Where, (display, name, line, None)), key, cells_of(cells)
        except ReadError as error:
            self.fail_table(name, display, error)

    def fail_table(self, name: str, display: str, error: ReadError) -> None:
        self.emit(error.code, error.message, Where(display, name, error.line), hint=error.hint)
        self.broken.add(name)
        self.incomplete.add(name)

    def header_issue(self, header: list[str], expected: list[str], where: Where) -> None:
        missing = [f for f in expected if f not in header]
        extra = [f for f in header if f not in expected]
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(repr(f) for f in extra))
        if not parts:
            parts.append("the columns are out of order")
        hint = f"the header must be exactly: {','.join(expected)}"
        if extra and missing:
            near = difflib.get_close_matches(extra[0], missing, n=1)
            if near:
                hint = f"did you mean `{near[0]}` for {extra[0]!r}? " + hint
        self.emit("header-mismatch", f"the header differs from the {where.table} schema: {'; '.join(parts)}", where,
                  field=(missing or extra)[0] if missing or extra else None, value=",".join(header), hint=hint)

    # -- layers 3 and 4: rows and keys -----------------------------------------------------

    def check_table(self, model: type[Record], feeds: Iterable[tuple[str, Iterable[Row]]],
                    foreign_keys: bool = True) -> None:
        """Check the rows of one table, fed as (origin, rows): "dataset" rows come from its CSV
        file under a checked header; "bundle" rows from a contributed bundle, with any fields."""
        name = model.table
        self.report.checks.update(("row-types", "primary-key"))
        if foreign_keys:
            self.report.checks.add("foreign-key")
        keys = self.keys[name]
        outside = {field: ref for field, ref in model.foreign_keys.items()
                   if ref != name and ref not in self.broken and ref not in self.incomplete}
        inside = [field for field, ref in model.foreign_keys.items() if ref == name]
        deferred: list[tuple[Where, str, str]] = []
        duplicates: list[tuple[str, str, str, Where]] = []
        feed_rules = self.rules.feeder(name) if self.rules is not None else None
        references = tuple((field, ref, self.keys[ref]) for field, ref in outside.items()) if foreign_keys else ()
        inside = inside if foreign_keys else []
        rows = 0
        progress = self.progress
        for row_origin, feed in feeds:
            validate_row = _row_validator(model) if row_origin == "dataset" else model.__pydantic_validator__.validate_python
            for where, key, cells in feed:
                rows += 1
                if progress is not None and not rows % PROGRESS_EVERY:
                    progress(name, rows, False)
                try:
                    record = validate_row(cells)
                except ValidationError as error:
                    record = None
                    self.row_issues(model, error, cells, where, _record_id(key))
                try:
                    first = keys.get(key)
                except TypeError:  # an unhashable key part from a bundle: reported as a row issue
                    first = None
                    key = _record_id(key)
                if first is None:
                    keys[key] = row_origin
                else:
                    duplicates.append((_record_id(key), first, row_origin, where))
                for field, ref, known in references:
                    value = cells.get(field)
                    if value is not None:
                        try:
                            found = value in known
                        except TypeError:  # an unhashable value from a bundle: it names nothing
                            found = False
                        if not found:
                            self.missing_reference(model, field, ref, str(value), where, _record_id(key))
                for field in inside:
                    value = cells.get(field)
                    if value is not None:
                        deferred.append((where, field, str(value)))
                if record is not None and feed_rules is not None:
                    feed_rules(record, where)
        # Reported once the table is read, so that the next free ID is free in the whole table.
        for record_id, first, row_origin, where in duplicates:
            self.duplicate(model, record_id, first, row_origin, where)
        for where, field, value in deferred if name not in self.incomplete else ():
            if value not in keys:
                self.missing_reference(model, field, name, value, where, None)
        if len(model.primary_key) > 1:
            keys.clear()  # nothing references a composite key: free the memory for the next tables
        self.report.rows += rows
        if progress is not None:
            progress(name, rows, True)
        if name not in self.broken:
            self.report.tables += 1

    def duplicate(self, model: type[Record], record_id: str, first: str, origin: str, where: Where) -> None:
        collision = origin == "bundle" and first == "dataset"
        code = "id-collision" if collision else "duplicate-key"
        hint = None
        if len(model.primary_key) == 1 and self.want_hint(code):
            hint = f"the next free ID is `{self.next_free(model.table, record_id)}`"
        message = (f"{model.table} already has {record_id} in the dataset" if collision
                   else f"{record_id} appears more than once in {model.table}")
        self.emit(code, message, where, field=model.primary_key[-1] if len(model.primary_key) == 1 else None,
                  record_id=record_id, value=record_id, hint=hint)

    def next_free(self, table: str, taken: str) -> str:
        keys = self.keys[table]
        match = re.fullmatch(r"(.*-c)(\d+)", taken)
        if match:
            prefix = match.group(1)
            numbers = [int(k[len(prefix):]) for k in keys if k.startswith(prefix) and k[len(prefix):].isdigit()]
            return f"{prefix}{max(numbers, default=0) + 1:02d}"
        suffix = 2
        while f"{taken}-{suffix}" in keys:
            suffix += 1
        return f"{taken}-{suffix}"

    def missing_reference(self, model: type[Record], field: str, ref: str, value: str, where: Where,
                          record_id: str | None) -> None:
        hint = f"add the {ref} row first, or correct {field}"
        if self.want_hint("foreign-key"):
            near = difflib.get_close_matches(value, self.keys[ref].keys(), n=1) if len(self.keys[ref]) < 100_000 else []
            if near:
                hint = f"did you mean `{near[0]}`? " + hint
        self.emit("foreign-key", f"{field} {value!r} is not an id in {ref}", where, field=field,
                  record_id=record_id, value=value, hint=hint)

    def row_issues(self, model: type[Record], error: ValidationError, cells: dict[str, Any], where: Where,
                   record_id: str) -> None:
        properties = _properties(model)
        for problem in error.errors(include_url=False):
            loc = problem["loc"]
            kind = problem["type"]
            context = problem.get("ctx") or {}
            field = str(loc[0]) if loc else context.get("field")
            value = problem.get("input") if loc else cells.get(field) if field else None
            code, message, hint = _explain(model, kind, field, value, problem["msg"], properties.get(field or "", {}))
            if code in ("not-in-codelist", "unknown-field") and not self.want_hint(code):
                hint = None
            self.emit(code, message, where, field=field, record_id=record_id, value=value, hint=hint)


@functools.cache
def _row_validator(model: type[Record]) -> Callable[[dict[str, Any]], Record]:
    """The model's validator for rows whose fields are exactly the model's: CSV rows under a
    checked header. It skips Pydantic's search of every row for unknown fields (a fifth of
    Pydantic's time) and is otherwise the model's own: same types, rules, records and errors
    (tested). Where the installed Pydantic cannot build it, the model's validator is used."""
    schema = dict(model.__pydantic_core_schema__)
    node = schema
    while node.get("type") != "model":  # through the wrappers of the model's own validators
        if not isinstance(node.get("schema"), dict):
            return model.__pydantic_validator__.validate_python
        node["schema"] = node = dict(node["schema"])
    node["config"] = config = {**node.get("config", {}), "extra_fields_behavior": "ignore"}
    try:
        # Without _use_prebuilt=False, pydantic-core would reuse the model's compiled validator.
        validator = SchemaValidator(schema, config, _use_prebuilt=False)  # type: ignore[arg-type, call-arg]
    except TypeError:
        return model.__pydantic_validator__.validate_python
    return validator.validate_python


def _key(model: type[Record], row: dict[str, Any]) -> Any:
    """A bundle row's key as the keys table holds it: a single key's text, a composite key's tuple."""
    if len(model.primary_key) == 1:
        value = row.get(model.primary_key[0])
        return value if type(value) is str else str(value)
    return tuple(row.get(field) for field in model.primary_key)


def _record_id(key: Any) -> str:
    """A record's ID as reports show it: the key, its parts joined by `/` when composite."""
    return key if type(key) is str else "/".join(map(str, key))


_property_cache: dict[str, dict[str, Any]] = {}


def _properties(model: type[Record]) -> dict[str, Any]:
    cached = _property_cache.get(model.table)
    if cached is None:
        from cbcf_data.model.table_schema import field_schema

        schema = model.model_json_schema()
        cached = _property_cache[model.table] = {name: field_schema(name, schema)[0] for name in schema["properties"]}
    return cached


def _explain(model: type[Record], kind: str, field: str | None, value: Any, message: str,
             prop: dict[str, Any]) -> tuple[str, str, str | None]:
    """(code, message, hint) for one Pydantic error, in words a contributor can act on."""
    name = field or "the row"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(field), list(model.model_fields), n=1)
        return ("unknown-field", f"{field!r} is not a field of {model.table}",
                f"did you mean `{close[0]}`?" if close else f"fields are: {', '.join(model.model_fields)}")
    if kind == "missing" or (value is None and kind.endswith("_type")):
        return "required", f"{name} is required but empty", None
    if kind == "literal_error":
        allowed: list[str] = prop.get("enum", [])
        listname = prop.get("codelist", field)
        near = _nearest(str(value), allowed)
        hint = f"did you mean `{near}`? " if near else ""
        return ("not-in-codelist", f"{value!r} is not a {listname} code",
                hint + f"allowed: {', '.join(allowed)} (see schema/codelists.json)")
    if kind == "string_pattern_mismatch" or kind == "invalid-date":
        if field in DATE_FIELDS:
            return "invalid-date", f"{name} {value!r} is not a date", DATE_HINT
        return "pattern", f"{name} {value!r} does not have the expected form", PATTERN_HINTS.get(prop.get("pattern", ""))
    if kind == "string_too_long":
        return "too-long", f"{name} is longer than {prop.get('maxLength')} characters", "shorten it; put detail in notes"
    if kind == "string_too_short":
        return "empty", f"{name} is empty", "leave the field out (or the cell empty) instead"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "not-an-integer", f"{name} {value!r} is not a whole number", "write digits only, e.g. 3"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "out-of-range", f"{name} {value!r} is out of range: {message}", None
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return "wrong-type", f"{name}: {message}", None
    if "-" in kind:  # the models' own row rules carry kebab-case codes
        return kind, message, _ROW_HINTS.get(kind)
    return kind.replace("_", "-"), f"{name}: {message}", None


_ROW_HINTS = {
    "date-precision-mismatch": "write the date to the precision date_precision states, or change date_precision",
    "end-before-start": "swap the dates, or correct the one that is wrong",
    "sequence-basis": "fill sequence_basis (stated/inferred) with sequence, or empty both",
    "id-year-mismatch": "a meeting's ID carries the year of its start_date",
    "commitment-id-meeting": "number the commitment under its meeting, e.g. cbcf-2024-c01",
    "quote-incomplete": "fill quote, quote_start and quote_end together, or none of them",
    "quote-length": "quote_end = quote_start + the quote's length in characters",
    "french-name-missing": "give the body's official French name",
    "archive-incomplete": "fill archive_path and sha256 together, or neither",
}


def _nearest(value: str, allowed: list[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if value.lower().strip() in lowered:
        return lowered[value.lower().strip()]
    near = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.5)
    return near[0] if near else None


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _field_pointer(table: str | None, pointer: str, field: str) -> str:
    """The JSON pointer of a field of a bundle row (fields the bundle implies point at their origin)."""
    if field == "meeting_id" and table != "meetings":
        return "/meeting/id"
    if table == "commitment_topics":
        return pointer if field == "topic_id" else pointer.rsplit("/topics/", 1)[0] + "/id"
    if table == "meeting_sources":
        return pointer
    if table == "assessments" and field == "commitment_id":
        return pointer.rsplit("/assessments/", 1)[0] + "/id"
    return f"{pointer}/{_escape(field)}"
