"""The attribute docstrings of a module's models, from one parse of its source.

The models take their fields' descriptions from the docstring under each field (Pydantic's
`use_attribute_docstrings`). Before Python 3.13, Pydantic finds a class's source by walking the
interpreter's frames and tokenizing the class in pure Python: nearly half the time of building
the models, at the start of every command that validates. `read_once(module)` hands Pydantic, while
that module's classes are built, the same docstrings from one `ast.parse` of the module, found by
Pydantic's own visitor; `restore()` puts Pydantic's function back. Classes of other modules, and
any Pydantic without the function, go Pydantic's own way. A test holds the descriptions equal to
Pydantic's own extraction.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from typing import Any


def read_once(module: str) -> Callable[[], None]:
    """Give Pydantic the docstrings of `module`'s top-level classes from one parse; return `restore`."""
    try:
        from pydantic._internal import _docs_extraction, _fields
    except ImportError:  # pragma: no cover - another Pydantic: its own way
        return lambda: None
    original = getattr(_fields, "extract_docstrings_from_cls", None)
    visitor_class = getattr(_docs_extraction, "DocstringVisitor", None)
    spec = importlib.util.find_spec(module)
    source = spec.loader.get_source(module) if spec and spec.loader and hasattr(spec.loader, "get_source") else None
    if original is None or visitor_class is None or source is None:
        return lambda: None
    nodes = [node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]
    names = [node.name for node in nodes]
    # A name defined twice goes Pydantic's own way (which finds the class being built).
    classes = {node.name: node for node in nodes if names.count(node.name) == 1}

    def extract(cls: type[Any], *args: Any, **kwargs: Any) -> dict[str, str]:
        node = classes.get(cls.__name__) if cls.__module__ == module and cls.__qualname__ == cls.__name__ else None
        if node is None:
            return original(cls, *args, **kwargs)  # type: ignore[no-any-return]
        visitor = visitor_class()
        visitor.generic_visit(node)
        return visitor.attrs  # type: ignore[no-any-return]

    _fields.extract_docstrings_from_cls = extract

    def restore() -> None:
        _fields.extract_docstrings_from_cls = original

    return restore
