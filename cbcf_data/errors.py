"""Exceptions that stop work. Problems found in data are issues in a Report, not exceptions."""

from __future__ import annotations


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

