"""The descriptor against the Data Package profile, as frictionless judges it.

Importing frictionless and loading its plugins takes about half a second: as long as checking
50,000 rows. When there are rows enough to hide it, and a second CPU to run it on, `start()`
therefore asks a child Python process to judge while this one checks the rows, and
`Judgement.problems()` collects the verdict at the end. Small datasets, single-CPU machines and
processes that have frictionless loaded already (a test suite, a notebook) are judged here and now.
Whatever goes wrong with the child (it cannot start, fails, or answers nonsense), the judgement is
made in this process instead: the verdict never depends on how it was obtained. A stop (Ctrl-C,
SIGTERM) as the child is started or while its verdict is awaited kills it and waits for it: no
judge outlives the command.

A verdict is kept in the user's cache (`$CBCF_DATA_CACHE_DIR`, else `$XDG_CACHE_HOME/cbcf-data`, else
`~/.cache/cbcf-data`; `CBCF_DATA_CACHE_DIR=off` keeps none) under the SHA-256 of the descriptor's
text, the installed frictionless version and `VERDICT_FORMAT`: the same descriptor is not judged
twice, and any change to it (or to frictionless) is judged afresh. The cache is as trusted as the
user's home: a file there that is not a list of sentences is ignored and the descriptor re-judged.

    python -m cbcf_data.check.profile < DATAPACKAGE_JSON    # what the child does: print the problems as JSON
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbcf_data import signals

if TYPE_CHECKING:  # imported by the functions that start a child: a kept verdict needs none
    import subprocess

#: Datasets whose tables are smaller than this in all are judged in-process (about 7,000 rows).
CHILD_FROM_BYTES = 1024 * 1024
#: Seconds to wait for the child's verdict before judging in-process instead.
CHILD_TIMEOUT = 300
#: Part of every cache key: raise it when `judge` changes what it reports.
VERDICT_FORMAT = "1"


def judge(descriptor: dict[str, Any]) -> list[str]:
    """Every problem frictionless finds in the descriptor, as a sentence."""
    from frictionless import Package

    try:
        problems = list(Package.metadata_validate(_as_v1_self_references(descriptor)))  # type: ignore[arg-type]
    except Exception as error:  # frictionless's own failure on odd input is still a finding
        return [f"frictionless could not read the descriptor: {error}"]
    return [f"the descriptor breaks the Data Package profile: {problem.note}" for problem in problems]


def _as_v1_self_references(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor with each self-reference given v1's `"resource": ""`.

    Data Package v2 omits `resource` on a reference to the same table; frictionless 5 judges a
    raw descriptor's foreign keys by v1's rule (resource required) although it reads the omitted
    name as the same table when it opens the package. Only that is filled in, on a copy.
    """
    import copy

    copied = copy.deepcopy(descriptor)
    for resource in copied.get("resources") or []:
        schema = resource.get("schema") if isinstance(resource, dict) else None
        for foreign_key in (schema.get("foreignKeys") if isinstance(schema, dict) else None) or []:
            reference = foreign_key.get("reference") if isinstance(foreign_key, dict) else None
            if isinstance(reference, dict) and "resource" not in reference:
                reference["resource"] = ""
    return copied


class Judgement:
    """A verdict on one descriptor: made already, or being made by a child process."""

    def __init__(self, descriptor: dict[str, Any], child: subprocess.Popen[bytes] | None = None,
                 cached: list[str] | None = None, key: str | None = None) -> None:
        self.descriptor = descriptor
        self.child = child
        #: Where the verdict is kept once made (None: not kept).
        self.key = key
        self.cached = cached is not None
        self._problems: list[str] | None = cached if cached is not None else None if child is not None else judge(descriptor)
        if child is None and not self.cached:
            _keep(key, self._problems)

    @property
    def in_child(self) -> bool:
        """Whether a child process was asked for the verdict."""
        return self.child is not None

    def problems(self) -> list[str]:
        """The verdict, waiting for the child if it is still judging."""
        if self._problems is None:
            self._problems = self._from_child()
            _keep(self.key, self._problems)
        return self._problems

    def _from_child(self) -> list[str]:
        import subprocess

        assert self.child is not None
        try:
            out, _ = self.child.communicate(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.communicate()
            return judge(self.descriptor)
        except BaseException:  # a stop (communicate waits for the child on a KeyboardInterrupt only, briefly)
            self.child.kill()
            self.child.wait()
            raise
        try:
            answer = json.loads(out) if self.child.returncode == 0 else None
        except ValueError:
            answer = None
        if isinstance(answer, list) and all(isinstance(item, str) for item in answer):
            return answer
        return judge(self.descriptor)


def start(descriptor: dict[str, Any], table_bytes: int, text: str | None = None) -> Judgement:
    """Begin judging the descriptor (read as `text`): the verdict kept for
    this text if there is one, else in a child when that pays off, else here."""
    key = cache_key(text) if text is not None else None
    cached = _kept(key)
    if cached is not None:
        return Judgement(descriptor, cached=cached, key=key)
    if table_bytes < CHILD_FROM_BYTES or _frictionless_loaded() or not sys.executable or _cpus() < 2:
        return Judgement(descriptor, key=key)
    try:
        return _spawned(descriptor, key)
    except OSError:
        return Judgement(descriptor, key=key)


def _spawned(descriptor: dict[str, Any], key: str | None) -> Judgement:
    """A judgement by a child, started with the stops held back (`signals`: one raised inside
    `subprocess.Popen` just after the fork left the child unwaited for); a stop that came
    meanwhile is raised once the child is killed and waited for."""
    judgement = None
    try:
        with signals.held():
            judgement = Judgement(descriptor, spawn(descriptor), key=key)
    except BaseException:
        if judgement is not None and judgement.child is not None:
            judgement.child.kill()
            judgement.child.wait()
        raise
    return judgement


def cache_dir(kind: str = "profile") -> Path | None:
    """Where cbcf-data keeps verdicts of `kind` (frictionless's on descriptors: "profile"; kept
    datasets': "verdicts"); None when caching is off (CBCF_DATA_CACHE_DIR=off)."""
    given = os.environ.get("CBCF_DATA_CACHE_DIR")
    if given:
        return None if given == "off" else Path(given) / kind
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cbcf-data" / kind


def judge_version() -> str | None:
    """The installed frictionless's version (None when it is not installed): `installed_version`."""
    return installed_version("frictionless")


def installed_version(name: str) -> str | None:
    """The version of the installed distribution whose module is `name` (None when it is not
    installed), as `importlib.metadata` gives it: read from the `.dist-info` beside the module when
    there is exactly one, which spares every run the import of `importlib.metadata` (a tenth of
    `validate`'s start-up) and of the module itself; else from `importlib.metadata`."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None:
        return None
    for folder in spec.submodule_search_locations or ():
        site = os.path.dirname(folder)
        try:
            infos = [entry.path for entry in os.scandir(site)
                     if entry.name.startswith(f"{name}-") and entry.name.endswith(".dist-info")]
            if len(infos) == 1:
                with open(os.path.join(infos[0], "METADATA"), encoding="utf-8") as metadata:
                    for line in metadata:
                        if line.startswith("Version:"):
                            return line[len("Version:"):].strip()
                        if not line.strip():
                            break
        except OSError:
            pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def cache_key(text: str) -> str | None:
    """The SHA-256 naming the verdict on this descriptor text by this frictionless; None without one."""
    judge = judge_version()
    if judge is None:
        return None
    digest = hashlib.sha256(f"{VERDICT_FORMAT}\0{judge}\0".encode())
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _kept(key: str | None) -> list[str] | None:
    """The verdict kept under key, if there is a readable one: a regular file (not a link, not a
    FIFO, which would hang the read) of at most `limits.DOCUMENT_BYTES`."""
    from cbcf_data.io import limits
    from cbcf_data.io.files import ReadError, read_bytes

    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        answer = json.loads(read_bytes(folder / f"{key}.json", limits.DOCUMENT_BYTES))
    except (ReadError, OSError, ValueError):
        return None
    if isinstance(answer, list) and all(isinstance(item, str) for item in answer):
        return answer
    return None


def _keep(key: str | None, problems: list[str] | None) -> None:
    """Keep a verdict under key (written whole, then renamed); a cache that cannot be written is skipped."""
    from cbcf_data.io import outputs

    folder = cache_dir()
    if key is None or folder is None or problems is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        outputs.keep_file(folder / f"{key}.json", json.dumps(problems).encode("utf-8"))
    except OSError:
        pass


#: The child's program: this file, loaded by its path (no sys.path games), then `main()`.
CHILD = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('cbcf_data_profile', sys.argv[1]); "
         "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
         "sys.exit(module.main(sys.argv[2:]))")


def spawn(descriptor: dict[str, Any]) -> subprocess.Popen[bytes]:
    """A child process judging the descriptor and printing its problems as JSON.

    The descriptor already read (and checked) is handed over on the child's stdin: the child
    reads no file, so it cannot read one that changed or was swapped for a link since.
    """
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, __file__],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert child.stdin is not None
    try:
        child.stdin.write(json.dumps(descriptor).encode("utf-8"))
        child.stdin.close()
        child.stdin = None  # handed over: communicate() has nothing more to send
    except OSError:  # the child died at once: judged here instead
        child.kill()
        child.wait()
        raise
    return child


def _frictionless_loaded() -> bool:
    """Whether this process has imported frictionless already (judging here is then quick)."""
    return "frictionless" in sys.modules


def _cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def main(argv: list[str]) -> int:
    """The child's side: judge the descriptor read from stdin, print the problems as JSON."""
    descriptor = json.loads(sys.stdin.buffer.read())
    print(json.dumps(judge(descriptor)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
