"""Exceptions that stop work. Problems found in data are issues in a Report, not exceptions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


class CbcfDataError(Exception):
    """Raised when a cbcf_data operation cannot go on; the message says what to do."""


class UnusableInputError(CbcfDataError):
    """Raised when input cannot be read as a dataset, table or bundle at all (exit status 2)."""


class InvalidDataError(CbcfDataError):
    """Raised when data was read but breaks the dataset's rules (exit status 1)."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        #: The validation Report behind the error, when there is one.
        self.report = report


class DatasetBusyError(CbcfDataError):
    """Raised when another process holds the dataset's lock for longer than we wait (exit status 3)."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        #: The process changing the dataset, when it is known.
        self.pid = pid


class RecoveryError(CbcfDataError):
    """Raised when an interrupted write can be neither finished nor undone (exit status 2)."""



class NotFoundError(CbcfDataError, KeyError):
    """Raised when a record, table, field, relation or code asked for does not exist; the message
    names the nearest one that does (it is a KeyError, so `dict`-style handling still works)."""

    def __str__(self) -> str:  # a KeyError would print its message in quotes
        return str(self.args[0]) if self.args else ""


def nearest(value: T, choices: Iterable[T], cutoff: float = 0.6) -> T | None:
    """The choice closest to `value` (case and surrounding spaces aside); None when none is close.
    The validator's hints and the library's lookup errors both use it."""
    import difflib

    texts = {_text(choice): choice for choice in choices}
    wanted = _text(value).lower().strip()
    folded = {text.lower().strip(): choice for text, choice in texts.items()}
    if wanted in folded:
        return folded[wanted]
    found = difflib.get_close_matches(wanted, list(texts), n=1, cutoff=cutoff)
    return texts[found[0]] if found else None


def _text(key: object) -> str:
    """A key as people write it: composite keys joined by `/`."""
    return "/".join(map(str, key)) if isinstance(key, tuple) else str(key)


def not_found(what: str, value: object, choices: Iterable[object], cutoff: float = 0.6,
              within: str | None = None) -> NotFoundError:
    """A NotFoundError for `value` (a `what`, `within` a table), with "did you mean" the nearest of
    `choices`, or a short list of them."""
    choices = list(choices)
    near = nearest(value, choices, cutoff)
    if near is not None:
        hint = f"did you mean {near!r}?"
    else:
        listed = sorted(_text(c) for c in choices)
        hint = f"{what}s are: {', '.join(listed[:12])}{', …' if len(listed) > 12 else ''}" if listed else ""
    place = f" in {within}" if within else ""
    return NotFoundError(f"no {what} {_text(value)!r}{place}" + (f"; {hint}" if hint else ""))
