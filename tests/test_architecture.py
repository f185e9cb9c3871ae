"""The package's shape (ARCHITECTURE.md): layers import only downwards, no import cycles, no
function or module that does everything. Read from the source with `ast`, so lazy imports
inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cbcf_data"

#: Each layer's rank: a module may import modules of a lower rank, and of its own subpackage.
#: `publish` and `edit` share a rank and may not import each other.
LAYERS = {
    "cbcf_data._version": 0,
    "cbcf_data.errors": 0,
    "cbcf_data.signals": 0,
    "cbcf_data.model": 1,
    "cbcf_data.io": 2,
    "cbcf_data.dataset": 3,
    "cbcf_data.check": 4,
    "cbcf_data.publish": 5,
    "cbcf_data.edit": 5,
    "cbcf_data.cli": 6,
    "cbcf_data.__main__": 7,
    "cbcf_data": 7,  # the facade re-exporting the public names
}
FUNCTION_LINES = 60
MODULE_LINES = 400
#: Model declarations: long by nature (one class per table, one entry per code), not by doing much.
DECLARATIONS = {"model/tables.py", "model/codelists.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """The longest LAYERS key that is `module` or a package holding it."""
    candidates = [key for key in LAYERS if module == key or module.startswith(key + ".")]
    return max(candidates, key=len)


def imports_of(path: Path) -> set[str]:
    """Modules of the package that `path` imports, anywhere in it (lazy imports included)."""
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            # `from cbcf_data.check import profile` imports the module cbcf_data.check.profile
            found.update(f"{base}.{alias.name}" for alias in node.names if (PACKAGE.parent / f"{base}.{alias.name}".replace(".", "/")).with_suffix(".py").exists())
    return {name for name in found if name == "cbcf_data" or name.startswith("cbcf_data.")}


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def test_every_module_has_a_layer():
    assert all(layer_of(name) for name in MODULES)
    assert {layer_of(name) for name in MODULES} == set(LAYERS), "a layer named in LAYERS has no module, or the reverse"


def upward(module: str, imported: set[str]) -> list[str]:
    """The imports of `module` that reach its own rank or above (outside its own layer)."""
    here = layer_of(module)
    wrong = []
    for name in sorted(imported):
        there = layer_of(name)
        if there == here or name == "cbcf_data" and module.startswith("cbcf_data."):
            continue
        if LAYERS[there] >= LAYERS[here]:
            wrong.append(f"{name} ({there}, rank {LAYERS[there]})")
    return wrong


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_downwards(module):
    wrong = upward(module, GRAPH[module])
    assert not wrong, f"{module} ({layer_of(module)}) imports a layer at or above its own: {wrong}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the modules of `graph`, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt in graph and nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles():
    # The facade imports everything lazily and every submodule's import runs it: leave it out.
    graph = {name: {i for i in deps if i != "cbcf_data"} for name, deps in GRAPH.items() if name != "cbcf_data"}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_a_planted_upward_import_is_caught(tmp_path):
    planted = PACKAGE / "model" / "_planted_for_test.py"
    planted.write_text("from cbcf_data.publish import release\n")
    try:
        found = imports_of(planted)
        assert "cbcf_data.publish.release" in found
        assert upward(module_name(planted), found) == ["cbcf_data.publish (cbcf_data.publish, rank 5)",
                                                       "cbcf_data.publish.release (cbcf_data.publish, rank 5)"]
    finally:
        planted.unlink()


def test_peers_may_not_import_each_other():
    assert upward("cbcf_data.edit.importing", {"cbcf_data.publish.release"})
    assert upward("cbcf_data.publish.release", {"cbcf_data.edit.importing"})
    assert not upward("cbcf_data.edit.importing", {"cbcf_data.check.validate", "cbcf_data.edit.exporting"})



@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_or_module_does_everything(module):
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    relative = path.relative_to(PACKAGE).as_posix()
    if relative not in DECLARATIONS:
        assert len(text.splitlines()) <= MODULE_LINES, f"{relative} is over {MODULE_LINES} lines: split it by concern"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > FUNCTION_LINES]  # type: ignore[operator]
    assert not long, f"{relative}: functions over {FUNCTION_LINES} lines: {long}"
