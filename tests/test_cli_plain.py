"""`validate`, `show`, `import` and `release` with plain arguments run without Typer (`cli.base.plain_arguments`):
the same parameters, output, exit status and messages as through the Typer app, and none of
the modules they do not use."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli

from cbcf_data import cli
from cbcf_data.cli import base
from cbcf_data.cli.base import PLAIN, REQUIRED, Format, plain_arguments

BASE = FIXTURES / "_base"


def test_typer_declares_exactly_the_plain_table():
    """One table: the Typer commands take the parameters `plain_arguments` parses, with the same
    names, option names, help texts and defaults."""
    import typer.main

    group = typer.main.get_command(cli.app)
    for command, params in PLAIN.items():
        declared = [p for p in group.commands[command].params if p.name != "help"]  # type: ignore[attr-defined]
        assert [p.name for p in declared] == [p.name for p in params]
        for click_param, param in zip(declared, params):
            assert tuple(click_param.opts) + tuple(click_param.secondary_opts) == (param.decls or (param.name,)), param
            assert click_param.required == (param.default is REQUIRED), param
            assert (click_param.param_type_name == "argument") == (not param.decls), param
            assert getattr(click_param, "help", param.help) == param.help
            if param.default is not REQUIRED:
                assert click_param.default == param.default, param


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--format"], ["-f", "xml"], ["--format=xml"], ["-fjson"], ["--format", "json", "-f", "text"],
    ["--", "x"], ["-"], ["a", "b"], ["--dataset", ""], ["--dataset="], ["--dataset", "--format"], ["--nope"],
    [""], ["--format", "-"],
])
def test_validate_arguments_that_are_not_plain(args):
    assert plain_arguments("validate", args) is None


@pytest.mark.parametrize("args", [
    [], ["x", "y"], ["--as-of", "2024-13-01", "x"], ["x", "--as-of", "soon"], ["--as-of", "x"], [""], ["x", "--help"],
])
def test_show_arguments_that_are_not_plain(args):
    assert plain_arguments("show", args) is None


def test_plain_arguments_with_their_defaults():
    assert plain_arguments("validate", []) == {"source": None, "format": Format.text, "dataset": None}
    assert plain_arguments("validate", ["-f", "json", "d/x.yaml", "--dataset=d"]) == {
        "source": Path("d/x.yaml"), "format": Format.json, "dataset": Path("d")}
    assert plain_arguments("show", ["--as-of", "2023-06", "cbcf-2023", "-d", "x"]) == {
        "record_id": "cbcf-2023", "as_of": "2023-06", "dataset": Path("x")}
    assert plain_arguments("diff", ["a", "b"]) is None
    assert plain_arguments("release", []) == {"out": Path("dist"), "dataset": None, "site": None}
    assert plain_arguments("release", ["-o", "x", "--no-site", "-d", "d"]) == {
        "out": Path("x"), "dataset": Path("d"), "site": False}
    assert plain_arguments("release", ["--site", "--out=y"]) == {"out": Path("y"), "dataset": None, "site": True}


@pytest.mark.parametrize("args", [
    ["--site", "--no-site"], ["--site", "--site"], ["--site=yes"], ["--no-site=1"], ["x"], ["--out"], ["--out", ""],
    ["-o", "-d"], ["--help"], ["--sites"],
])
def test_release_arguments_that_are_not_plain(args):
    assert plain_arguments("release", args) is None


def run_main(monkeypatch, capsys, args: list[str], plain: bool) -> tuple[str, str, object]:
    monkeypatch.setattr(cli, "PLAIN", plain)
    monkeypatch.setattr(sys, "argv", ["cbcf-data", *args])
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as ended:
        cli.main()
    out, err = capsys.readouterr()
    return out, err, ended.value.code


def invalid_dataset(tmp_path: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from test_fixtures import materialize

    return materialize("not-in-codelist", tmp_path)[2]


CASES = [
    ["validate"], ["validate", "--format", "json"], ["validate", "-f", "json", "{base}"], ["validate", "--format=text", "{base}"],
    ["validate", "{invalid}"], ["validate", "{invalid}", "-f", "json"], ["validate", "{missing}"],
    ["validate", "{bundle}", "--dataset", "{base}"], ["validate", "{base}/records/people.csv"],
    ["validate", "--format", "xml"], ["validate", "--help"], ["validate", "{base}", "{base}"],
    ["show", "cbcf-2024"], ["show", "merrick-garland", "--dataset", "{root}"], ["show", "us-doj"], ["show", "fentanyl"],
    ["show", "merrick-garlnd"], ["show", "cbcf-2024", "--as-of", "2020-12"], ["show", "cbcf-2023", "--as-of=2023-12-31"],
    ["show", "cbcf-2024", "--as-of", "2020-13"], ["show"], ["show", "--dataset", "{missing}", "cbcf-2024"],
    ["show", "--help"],
    ["release", "--out", "{out}", "--dataset", "{base}", "--no-site"], ["release", "-o", "{out}", "-d", "{invalid}"],
    ["release", "--dataset", "{missing}", "--out", "{out}"], ["release", "--site", "--no-site", "-o", "{out}"],
]


@pytest.mark.parametrize("case", CASES, ids=[" ".join(case) for case in CASES])
def test_plain_and_typer_runs_are_identical(case, tmp_path, monkeypatch, capsys):
    names = {"base": str(BASE), "root": str(ROOT), "missing": str(tmp_path / "nope"),
             "bundle": str(FIXTURES / "bundle-valid" / "bundle.yaml"), "out": str(tmp_path / "dist")}
    if "{invalid}" in case:
        names["invalid"] = str(invalid_dataset(tmp_path))
    args = [arg.format(**names) for arg in case]
    monkeypatch.chdir(tmp_path)  # no checkout around: the installed copy, said on stderr
    typer_run = run_main(monkeypatch, capsys, args, plain=False)
    plain_run = run_main(monkeypatch, capsys, args, plain=True)
    assert plain_run == typer_run
    assert typer_run[0] or typer_run[1]


def test_echo_prints_as_typer_does(monkeypatch):
    import typer

    class Stream(io.StringIO):
        terminal = False

        def isatty(self) -> bool:
            return self.terminal

    for terminal in (False, True):
        for text, nl in (("plain", True), ("\x1b[31mred\x1b[0m and é", False), ("", True), ("", False)):
            printed = []
            for say in (typer.echo, base.echo):
                stream = Stream()
                stream.terminal = terminal
                monkeypatch.setattr(sys, "stdout", stream)
                say(text, nl=nl)
                printed.append(stream.getvalue())
            assert printed[0] == printed[1], (terminal, text)


def modules_after(*args: str) -> set[str]:
    """The top-level modules loaded by the end of a `cbcf-data` run in a fresh process."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr))\n"
            "from cbcf_data.cli import main\nsys.argv = ['cbcf-data', *sys.argv[1:]]\nmain()\n")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    return set(result.stderr.split("\n")[-2].split())


def test_plain_runs_import_no_typer_rich_or_click():
    run_cli("validate")  # the descriptor's verdict is cached from here on
    for args in (["validate"], ["show", "cbcf-2024"], ["validate", "--format", "json"]):
        loaded = modules_after(*args)
        assert not loaded & {"typer", "rich", "click", "frictionless", "yaml", "jsonschema", "html"}, (args, loaded)
    assert "typer" in modules_after("show", "cbcf-2024", "--help")


def test_a_release_validates_before_it_imports_pydantic(tmp_path):
    """Start-up (issue 16): `release` with plain arguments imports no Typer, and neither Pydantic nor
    the models until the dataset is validated (the SQLite builder's process never does); the
    release is then whole."""
    code = ("import os, sys\n"
            "from cbcf_data.check import validate as check\n"
            "from cbcf_data.publish import sqlite\n"
            "def seen(where):\n"
            "    found = sorted(m for m in ('pydantic', 'cbcf_data.model.tables', 'typer') if m in sys.modules)\n"
            "    print(where, os.getpid(), *found, file=sys.stderr, flush=True)\n"
            "validate, serve = check.validate, sqlite._serve_messages\n"
            "def validating(*args, **kwargs):\n"
            "    report = validate(*args, **kwargs)\n"
            "    seen('validated')\n"
            "    return report\n"
            "def serving(*args, **kwargs):\n"
            "    serve(*args, **kwargs)\n"
            "    seen('built')\n"
            "check.validate, sqlite._serve_messages = validating, serving\n"
            "from cbcf_data.cli import main\nsys.argv = ['cbcf-data', *sys.argv[1:]]\nmain()\n")
    result = subprocess.run([sys.executable, "-c", code, "release", "-o", str(tmp_path), "-d", str(BASE)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    said = [line.split() for line in result.stderr.splitlines() if line.startswith(("validated", "built"))]
    assert sorted(line[0] for line in said) == ["built", "validated"], result.stderr
    assert all(len(line) == 2 for line in said), said  # nothing of the three loaded at either point
    assert len({line[1] for line in said}) == 2  # the release's process and its builder's
    from cbcf_data.publish.release import verify_checksums

    folder = next(tmp_path.glob("cbcf-data-*"))
    assert verify_checksums(folder) == [] and (folder / "schema").is_dir() and (folder / "data-dictionary.md").is_file()


def test_plain_runs_import_only_what_they_use():
    """Start-up (issue 16): `show` hashes nothing and starts no thread; a `validate` whose descriptor
    verdict is kept starts no child, builds no folder and searches no hint."""
    run_cli("validate")  # the descriptor's verdict is cached from here on
    builds = {"subprocess", "shutil", "tempfile", "difflib"}
    assert not modules_after("show", "cbcf-2024") & {"hashlib", "threading", *builds}
    assert not modules_after("validate") & builds


CLI = [sys.executable, "-m", "cbcf_data"]


@pytest.mark.parametrize(("args", "status"), [(["show", "cbcf-2024"], 0), (["validate"], 0), (["show", "nope"], 2)])
@pytest.mark.parametrize("closed", [1, 2])
def test_a_closed_output_is_no_error(args, status, closed):
    """`cbcf-data show … >&-` (and `2>&-`): the stream takes nothing, the status is the command's."""
    import os

    run = subprocess.run([*CLI, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=lambda: os.close(closed))
    assert run.returncode == status


@pytest.mark.parametrize("args", [["show", "cbcf-2024"], ["show", "cbcf-2024", "--as-of", "2024-12-31"]])
def test_an_ascii_output_gets_utf8(args):
    """As Click does for a stream that cannot hold the text (ASCII under LC_ALL=C): UTF-8, no traceback."""
    import os

    run = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert run.returncode == 0 and run.stderr == b""
    assert "—".encode() in run.stdout and run.stdout.decode("utf-8").startswith("cbcf-2024")


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "latin-1", "ascii"])
def test_echo_parts_writes_what_echo_writes_of_the_whole(monkeypatch, encoding):
    """Part by part on a UTF-8 stream, each part written before the next is made; joined first on
    any other, where a part the stream cannot encode goes out as UTF-8 (and so would the others)."""
    parts = ["{\n  \"a\": \"é\"", ", \"b\": \"€ and \\u001b\"", "", "\n}\n"]
    streams = []

    def made():
        for number, part in enumerate(parts):
            if encoding.lower().startswith("utf"):  # the parts before this one are written already
                assert streams[-1].buffer.getvalue().decode() == "".join(parts[:number])
            yield part

    for say in (lambda: base.echo("".join(parts), nl=False), lambda: base.echo_parts(made())):
        streams.append(io.TextIOWrapper(io.BytesIO(), encoding=encoding, write_through=True))
        monkeypatch.setattr(sys, "stdout", streams[-1])
        say()
    assert streams[0].buffer.getvalue() == streams[1].buffer.getvalue()


def test_echo_parts_on_a_closed_stream_writes_nothing(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    base.echo_parts(iter(["x"]))
