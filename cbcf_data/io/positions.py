"""Where things are in a bundle's text: the line and column of each JSON pointer, and a readable
excerpt of one line with a caret under a column.

Bundle issues are found on parsed documents, which know no lines; the positions are computed
only when there is an issue to place, from YAML's node tree (JSON parses as YAML too).
"""

from __future__ import annotations

from typing import Any

#: The longest excerpt of a line an issue shows.
EXCERPT = 100


def pointer_positions(text: str) -> dict[str, tuple[int, int]]:
    """JSON pointer -> (line, column), both from 1, of every key and item of the document.

    A mapping's key points at the key (`/meeting/id` is where `id:` is written); a list item at
    its first character. Empty when the text cannot be composed (its parse error is reported
    elsewhere).
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return {}
    positions: dict[str, tuple[int, int]] = {}
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{str(key.value).replace('~', '~0').replace('/', '~1')}"
                positions[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{pointer}/{index}"
                positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
                stack.append((child, item))
    return positions


def locate(pointer: str, positions: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The position of `pointer`, or of its nearest ancestor written in the text."""
    while pointer:
        if pointer in positions:
            return positions[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return None


def excerpt(text: str, line: int, column: int | None = None) -> str:
    """Line `line` of `text` (escaped, shortened around the column), and a caret under the column."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    shown = lines[line - 1]
    start = 0
    if column is not None and column > EXCERPT - 20:
        start = column - (EXCERPT - 20)
    shown = shown[start:start + EXCERPT]
    escaped = "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in shown)
    if column is None:
        return escaped
    before = shown[: max(column - 1 - start, 0)]
    offset = len("".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in before))
    return f"{escaped}\n{' ' * offset}^"
