"""What a text value may hold, and how any text is shown safely on a terminal.

A text value must read back byte for byte from every form of the dataset (CSV, JSON, YAML,
SQLite) and look to every reader as it is stored. So it holds no character that a CSV reader,
a terminal or a bidirectional display acts on instead of showing:

| code | characters |
|---|---|
| `control-character` | C0 controls U+0000–U+001F (a long text may hold LF and TAB: it has paragraphs; CR is never allowed: line breaks are LF), DEL and C1 U+007F–U+009F, the line and paragraph separators U+2028, U+2029 |
| `bidi-control` | U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: they reorder what a reader sees |
| `invisible-character` | U+00AD, U+180E, U+200B–U+200D, U+2060–U+2064, U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB: equal-looking texts would differ |
| `invalid-character` | lone surrogates, U+FDD0–U+FDEF, U+FFFE, U+FFFF: not characters at all |

The rule is a regular expression (`TEXT_PATTERN`, `LINE_PATTERN`) that the models check in
Pydantic's compiled code and that the generated JSON Schemas and Table Schemas carry. It names
characters by escapes that Rust, Python and ECMA-262 regular expressions all read alike, which
is why it stops at U+FFFF (lone surrogates are refused by Pydantic itself). Standard library
only: the loader of `import cbcf_data` may use `escape`.
"""

from __future__ import annotations

import functools
import re

#: Characters no text value holds, besides C0 controls (as escapes inside a regex character class).
NOT_TEXT = (r"\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
             r"\ufdd0-\ufdef\ufeff\ufff9-\ufffb\ufffe\uffff")
#: A long text (summary, notes, description, quote): paragraphs (LF) and TAB allowed.
TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f" + NOT_TEXT + r"]+$"
#: A one-line text (name, title, label, role): no line break, no TAB.
LINE_PATTERN = r"^[^\x00-\x1f" + NOT_TEXT + r"]+$"
#: A web address: no whitespace, and nothing outside the text rule.
URL_PATTERN = r"^https?://[^\s\x00-\x1f" + NOT_TEXT + r"]+$"
#: The characters outside the rule in any value (LF and TAB included; classify them with `problem`).
FORBIDDEN = r"\x00-\x1f" + NOT_TEXT + r"\ud800-\udfff"

# Regular expressions of the rule for Python, compiled on first use (`_regex`): importing the
# models compiles none of them.
_BIDI = r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_INVISIBLE = r"[\xad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]"
_INVALID = r"[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
_IN_LINE = "[" + FORBIDDEN + "]"
_IN_TEXT = r"[\x00-\x08\x0b-\x1f" + NOT_TEXT + r"\ud800-\udfff]"
#: What a terminal must not receive raw: everything above, and tag characters (U+E0000–U+E007F).
_UNSAFE_LINE = "[" + FORBIDDEN + r"\U000e0000-\U000e007f]"
_UNSAFE_BLOCK = r"[\x00-\x08\x0b-\x1f" + NOT_TEXT + r"\ud800-\udfff\U000e0000-\U000e007f]"
_UNSAFE_JSON = "[" + NOT_TEXT + r"\ud800-\udfff\U000e0000-\U000e007f]"


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "LF (line feed)", "\r": "CR (carriage return)", "\x1b": "ESC",
          "\x7f": "DEL", "\x85": "NEL"}
_HINTS = {
    "control-character": "remove it: control characters are not text (they often come from a terminal, a PDF or "
                         "a word processor)",
    "bidi-control": "remove it: bidirectional controls change the order in which text is displayed, so what a "
                    "reader sees differs from what is stored",
    "invisible-character": "remove it: an invisible character makes equal-looking texts differ, so searches and "
                           "quotes fail",
    "invalid-character": "remove it: it is not a character (a broken encoding, or a lone surrogate)",
}


def describe(char: str) -> str:
    """A character as people can read it in a message: `U+202E RIGHT-TO-LEFT OVERRIDE`."""
    import unicodedata

    name = _NAMES.get(char) or unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def code_of(char: str) -> str:
    """The issue code for a character outside the rule."""
    if _regex(_BIDI).match(char):
        return "bidi-control"
    if _regex(_INVISIBLE).match(char):
        return "invisible-character"
    if _regex(_INVALID).match(char):
        return "invalid-character"
    return "control-character"


def problem(value: str, multiline: bool = False) -> tuple[str, int, str, str] | None:
    """(code, position, what, hint) for the first character of value outside the text rule, or None.

    `multiline`: the value is a long text, which may hold LF and TAB.
    """
    found = _regex(_IN_TEXT if multiline else _IN_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    code = code_of(char)
    hint = _HINTS[code]
    if char == "\r":
        hint = "line breaks are LF only: remove the CR (in an editor, save with LF / Unix line endings)"
    elif char in "\n\t":
        hint = "this field is one line: replace the line break or tab with a space"
    return code, found.start(), describe(char), hint


def _escaped(found: re.Match[str]) -> str:
    point = ord(found.group())
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


def escape(text: str, lines: bool = False) -> str:
    """Text safe to print on a terminal: every character outside the text rule (ESC, CR, bidi
    controls, invisible characters…) written as a visible `\\x1b`, `\\u202e` escape.

    `lines`: keep LF and TAB (the text is several lines); otherwise they are escaped too.
    """
    return _regex(_UNSAFE_BLOCK if lines else _UNSAFE_LINE).sub(_escaped, text)


def _json_escaped(found: re.Match[str]) -> str:
    point = ord(found.group())
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xd800 + (point >> 10):04x}\\u{0xdc00 + (point & 0x3ff):04x}"


def escape_json(text: str) -> str:
    """JSON text (from `json.dumps`, which escapes C0 already) with every other character outside
    the text rule written as a `\\uXXXX` escape: the same JSON value, safe on a terminal."""
    return _regex(_UNSAFE_JSON).sub(_json_escaped, text)
