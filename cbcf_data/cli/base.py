"""What the `cbcf-data` commands share without Typer: the options `validate`, `show`, `import` and
`release` take (one table, from which Typer declares them and the plain-argument path parses
them), how a command finds its dataset, and how it prints.

Importing this module costs no Typer, rich or Pydantic: `validate`, `show`, `import` and `release`
called with plain arguments run from here (see `cbcf_data.cli.main`), and Typer is imported only
for everything else (help, errors in the arguments, every other command).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from cbcf_data.errors import CbcfDataError, InvalidDataError, UnusableInputError
from cbcf_data.io.limits import SITE_RECORDS


class Format(StrEnum):
    """Output formats of reporting commands."""

    text = "text"
    json = "json"


class BadParameter(Exception):
    """A parameter's value the command cannot use: the Typer command reports it as Typer reports
    its own (`typer.BadParameter`, with the usage line; exit status 2)."""

    def __init__(self, message: str, param_hint: str) -> None:
        super().__init__(message)
        self.param_hint = param_hint


class Param(NamedTuple):
    """One parameter of a command: its Python name, its command-line names (none for an
    argument), its help text, how a plain value becomes the parameter's value (None when the
    value is not plain, so Typer has to judge it), and its default (`REQUIRED` for none)."""

    name: str
    decls: tuple[str, ...]
    help: str
    convert: Callable[[str], Any]
    default: Any = None


#: The default of a parameter that has to be given.
REQUIRED = ...


def _path(value: str) -> Path | None:
    return Path(value) if value else None


def _text(value: str) -> str | None:
    return value or None


def _format(value: str) -> Format | None:
    return next((member for member in Format if member.value == value), None)


def _date(value: str) -> str | None:
    """The cut-off of --as-of, when it is a date `Dataset.as_of` takes (else Typer reports it)."""
    from cbcf_data.dataset.asof import cutoff_day

    try:
        cutoff_day(value)
    except ValueError:
        return None
    return value


FORMAT = Param("format", ("--format", "-f"), "text for people, json for programs.", _format, Format.text)
DATASET = Param("dataset", ("--dataset", "-d"), "Dataset folder or datapackage.json (default: the checkout around the "
                "current folder; for commands that write nothing, else the installed copy).", _path)
SOURCE = Param("source", (), "Dataset folder, datapackage.json, one table's .csv, or a meeting bundle (.json/.yaml).",
               _path)
RECORD_ID = Param("record_id", (), "The ID of a meeting (cbcf-2024), person (merrick-garland), topic (fentanyl), "
                  "instrument, organization, source or commitment.", _text, REQUIRED)
AS_OF = Param("as_of", ("--as-of",), "Show the dataset as it stood on this date (YYYY-MM-DD): rows known by then, "
              "each commitment's latest assessment on or before it.", _date)


def _flag(value: str) -> bool:
    """A flag's value: it takes none (`plain_arguments` sets it when it is given)."""
    return True


def _switch(value: str) -> bool:
    """A pair of flags' value (`--site/--no-site`): none taken; True for the first name, False
    for the second (`plain_arguments` sets it)."""
    return True


BUNDLE = Param("bundle", (), "The meeting bundle (.json, .yaml or .yml) to add.", _path, REQUIRED)
DRY_RUN = Param("dry_run", ("--dry-run",), "Show the rows that would be added; write nothing.", _flag, False)
REPLACE = Param("replace", ("--replace",), "Correct a meeting already in the dataset: its rows become exactly the "
                "bundle's.", _flag, False)
REASON = Param("reason", ("--reason",), "Why the IDs this takes out are retired (recorded in records/retired_ids.csv).",
               _text)


def _listed(value: str) -> list[str] | None:
    """A repeatable option's values, given once (`plain_arguments` leaves a repeated one to Typer)."""
    return [value] if value else None


REPLACED_BY = Param("replaced_by", ("--replaced-by",), "OLD=NEW: an ID this retires (for import, with --replace) and "
                    "the ID, in the same table, of the row that took its place (recorded as replaced_by in "
                    "records/retired_ids.csv); once per retired ID.", _listed)
OUT = Param("out", ("--out", "-o"), "Folder to build the release in.", _path, Path("dist"))
SITE = Param("site", ("--site", "--no-site"), "Put the website in as site/, or leave it out. Default: in while the "
             f"tables that get pages hold at most {SITE_RECORDS:,} rows (SITE_RECORDS); above, left out with a note "
             "(`cbcf-data site` builds it).", _switch)

#: The parameters of the commands that run without Typer when their arguments are plain, in the
#: order of the command's signature (the Typer commands declare exactly these: a test holds it).
PLAIN: dict[str, tuple[Param, ...]] = {
    "validate": (SOURCE, FORMAT, DATASET),
    "show": (RECORD_ID, AS_OF, DATASET),
    "import": (BUNDLE, DRY_RUN, REPLACE, REASON, REPLACED_BY, DATASET),
    "release": (OUT, DATASET, SITE),
}


def plain_arguments(command: str, args: list[str]) -> dict[str, Any] | None:
    """The values of `command`'s parameters from `args` when every one is plain: known options,
    each once, with a value that does not start with `-` (a flag with none), and as many arguments as the command
    takes; None for anything else (help, an unknown or repeated option, `--`, a value Typer
    would refuse), which Typer then handles as it always did."""
    params = PLAIN.get(command)
    if params is None:
        return None
    options = {decl: param for param in params for decl in param.decls}
    arguments = [param for param in params if not param.decls]
    values: dict[str, Any] = {}
    given: list[str] = []
    rest = iter(args)
    for token in rest:
        if not token.startswith("-"):
            given.append(token)
            continue
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        param = options.get(name)
        if param is not None and param.convert in (_flag, _switch):  # a flag, given once, without a value
            if equals or param.name in values:
                return None
            values[param.name] = param.convert is _flag or name == param.decls[0]
            continue
        if not equals:
            value = next(rest, "-")
        if param is None or param.name in values or value.startswith("-"):
            return None
        values[param.name] = param.convert(value)
        if values[param.name] is None:
            return None
    if len(given) > len(arguments) or any(param.default is REQUIRED for param in arguments[len(given):]):
        return None
    for param, token in zip(arguments, given):
        values[param.name] = param.convert(token)
        if values[param.name] is None:
            return None
    return {param.name: values.get(param.name, param.default) for param in params}


def plain_environment() -> bool:
    """Whether the environment is one where printing needs nothing of Click's: a POSIX system,
    standard streams in an encoding other than ASCII, no shell-completion request."""
    if os.name == "nt" or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return False
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            if codecs.lookup(encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


#: ANSI escape sequences, which Click's `echo` takes out of what does not go to a terminal.
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def echo(message: str = "", nl: bool = True, err: bool = False) -> None:
    """Print as `typer.echo` does (its output, byte for byte, in a `plain_environment`): to stdout
    or stderr, flushed, ANSI escapes taken out when the stream is not a terminal."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # as Click: a closed stream (`>&-`) takes nothing, and is no error
        return
    out = message + "\n" if nl else message
    if out:
        try:
            terminal = stream.isatty()
        except Exception:  # as Click: a stream that cannot say is not a terminal
            terminal = False
        # Without ESC there is nothing to take out: a report's 44 MB of JSON is not scanned by the regex.
        _write(stream, out if terminal or "\x1b" not in out else _ANSI.sub("", out))
    stream.flush()


def echo_parts(parts: Iterable[str]) -> None:
    """`echo("".join(parts), nl=False)`, byte for byte, writing each part as it comes when stdout
    encodes UTF-8 (a 44 MB JSON report is then never held whole, nor its encoding); on any other
    encoding the parts are joined first, as a part that did not encode would go out as UTF-8 and
    the others not. Each part is taken through `echo`, so parts must not split an ANSI escape
    (a report's JSON parts hold no ESC at all: `Report.json_parts`)."""
    stream = sys.stdout
    if stream is None:
        return
    if not _utf8(stream):
        echo("".join(parts), nl=False)
        return
    for part in parts:
        echo(part, nl=False)


def _utf8(stream: Any) -> bool:
    """Whether `stream` encodes text as UTF-8: each character's bytes, the text around it aside."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return False


def _write(stream: Any, text: str) -> None:
    """Write text; a stream whose encoding cannot hold it (ASCII under `LC_ALL=C`) gets it as
    UTF-8, as Click rewraps such a stream (nothing of it was written when encoding failed)."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise
        stream.flush()
        buffer.write(text.encode("utf-8", "replace"))


def _repo_root(root: Path | None) -> Path:
    from cbcf_data.io.package import DESCRIPTOR, enclosing_dataset

    found = root if root is not None else enclosing_dataset(Path.cwd())
    if found is None or not (found / DESCRIPTOR).is_file():
        raise CbcfDataError(f"{found or Path.cwd()}: no {DESCRIPTOR} here; run from a cbcf-data checkout or pass --root")
    return found


def _dataset(given: Path | None, writes: bool) -> Path:
    """The dataset a command works on: the one given, else the checkout around the current
    folder; else, for a command that writes nothing, the installed copy (said on stderr)."""
    from cbcf_data.io.package import enclosing_dataset, packaged_root

    if given is not None:
        return given
    found = enclosing_dataset(Path.cwd())
    if found is not None:
        return found
    if writes:
        raise UnusableInputError(
            f"no dataset in {Path.cwd()} or above (a folder holding datapackage.json and records/): run inside a "
            "checkout of cbcf-data or pass --dataset; the copy installed with the package is read-only")
    root = packaged_root()
    echo(f"cbcf-data: no dataset in this folder or above; using the copy installed with the package ({root})",
         err=True)
    return root


@contextmanager
def reporting() -> Iterator[None]:
    """Print the validation report an InvalidDataError carries before it ends the command."""
    try:
        yield
    except InvalidDataError as error:
        if error.report is not None:
            echo(error.report.to_text(), nl=False)  # type: ignore[attr-defined]
        raise
