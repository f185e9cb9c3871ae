"""`PartialDate`: an ISO 8601 date known to the day, the month or only the year.

It is a `str` — `'2024-07-11'`, `'2023-04'`, `'1998'` — so it compares, sorts, prints and is
written to CSV and JSON exactly as the text it is; it also says what it means as calendar dates:

    >>> d = PartialDate("1998")
    >>> d.year, d.precision, d.earliest, d.latest
    (1998, 'year', datetime.date(1998, 1, 1), datetime.date(1998, 12, 31))

Standard library only: the records' date fields hold these, and `import cbcf_data` stays light.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

_PRECISION = {4: "year", 7: "month", 10: "day"}

#: A month and, when given, a day that can exist (31 only in long months, 30 at most in February): the
#: pattern itself refuses `2024-13-45` and `2023-04-31` in every tool; leap years are the calendar check's.
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?"
              r"|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?)")
#: The patterns of the date fields (`model.types`), written here for `dates_of`.
DATE_PATTERN = rf"^[0-9]{{4}}(?:-{_MONTH_DAY})?$"
FULL_DATE_PATTERN = (r"^[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
                     r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|[12][0-9]))$")


def _days_in(year: int, month: int) -> int:
    """The number of days of a month (the calendar module's `monthrange` costs an import of locale)."""
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


class PartialDate(str):
    """An ISO 8601 date of day (`YYYY-MM-DD`), month (`YYYY-MM`) or year (`YYYY`) precision."""

    __slots__ = ()

    def __new__(cls, value: str) -> PartialDate:
        text = str(value)
        if len(text) not in _PRECISION or not _parts_ok(text):
            raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY")
        date = super().__new__(cls, text)
        date.earliest  # noqa: B018 - refuses 2011-02-29 and the like here, once
        return date

    @property
    def precision(self) -> str:
        """`day`, `month` or `year`: how much of the date is known."""
        return _PRECISION[len(self)]

    @property
    def year(self) -> int:
        """The year."""
        return int(self[:4])

    @property
    def month(self) -> int | None:
        """The month (1–12), or None when only the year is known."""
        return int(self[5:7]) if len(self) >= 7 else None

    @property
    def day(self) -> int | None:
        """The day of the month, or None when it is not known."""
        return int(self[8:10]) if len(self) == 10 else None

    @property
    def earliest(self) -> dt.date:
        """The first calendar day the date may mean (1998 → 1998-01-01)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        """The last calendar day the date may mean (2023-02 → 2023-02-28)."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or _days_in(self.year, month))

    def to_date(self) -> dt.date:
        """The `datetime.date` of a date known to the day; ValueError for a month or a year."""
        if self.day is None:
            raise ValueError(f"{self} is known only to the {self.precision}: use .earliest or .latest")
        return self.earliest

    def __reduce__(self) -> tuple[type[PartialDate], tuple[str]]:
        return PartialDate, (str(self),)


def _parts_ok(text: str) -> bool:
    digits = text.replace("-", "")
    dashes = [i for i, c in enumerate(text) if c == "-"]
    return digits.isdigit() and digits.isascii() and dashes == [4, 7][: len(dashes)] and len(dashes) == (len(text) - 4) // 3


def dates_of(values: Sequence[str]) -> list[PartialDate] | None:
    """`PartialDate(value)` of each of `values`, all of which match DATE_PATTERN or FULL_DATE_PATTERN;
    None when one may not be a calendar date, to be judged on its own. Such a text is one unless
    its year is 0000 or it is 29 February of a common year (a test holds this), so a column of
    dates is typed with no Python step per value."""
    joined = "\n" + "\n".join(values)
    if "\n0000" in joined or "-02-29" in joined:
        return None
    return list(map(str.__new__, itertools.repeat(PartialDate), values))  # PartialDate.__new__ without its checks
