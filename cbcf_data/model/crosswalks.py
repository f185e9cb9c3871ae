"""Status crosswalks: each assessment status next to the scales of two trackers researchers use.

- The G7 Research Group's compliance score: +1 when a member fully complied with a commitment
  over the period, 0 when it complied in part or its work was still under way, -1 when it did not
  comply (or did nothing). The dataset's statuses are judged per party, like the G7 scores.
- The OGP Independent Reporting Mechanism's level of completion of a commitment: not started,
  limited, substantial, complete.

A status with no honest equivalent maps to None, and the row says why: `no-evidence` is not a
judgement, `superseded` is not measured by either scale, and `in-progress` or
`partially-fulfilled` do not tell IRM's limited from substantial. Standard library only.

The scales are written as the trackers publish them; the stored pages this project's facts come
from show that both trackers score commitments this way (G7 Research Group compliance reports, the
IRM's Results Reports) but not the methods' own wording, so check the mapping against the G7
Research Group's compliance methodology and an IRM Results Report before relying on it.
"""

from __future__ import annotations

from typing import NamedTuple


class Crosswalk(NamedTuple):
    """Where one assessment status falls on the G7 and IRM scales (None: no equivalent)."""

    status: str
    g7_score: int | None
    irm_completion: str | None
    note: str


FIELDS = ("status", "g7_score", "irm_completion", "note")

CROSSWALK: tuple[Crosswalk, ...] = (
    Crosswalk("not-started", -1, "not started",
              "No sign of action: a G7 score of -1 (no compliance), IRM's 'not started'."),
    Crosswalk("in-progress", 0, None,
              "Work under way counts 0 for the G7 (partial compliance or work in progress). For IRM it is "
              "'limited' or 'substantial' depending on how much was done, which this status does not say."),
    Crosswalk("partially-fulfilled", 0, None,
              "Part done counts 0 for the G7. IRM would need to know whether the part is small ('limited') "
              "or most of it ('substantial'); this status does not say."),
    Crosswalk("fulfilled", 1, "complete", "Done: a G7 score of +1 (full compliance), IRM's 'complete'."),
    Crosswalk("not-fulfilled", -1, None,
              "Lapsed undone: a G7 score of -1. IRM rates what was done, not whether it lapsed: "
              "anything from 'not started' to 'substantial'."),
    Crosswalk("superseded", None, None,
              "Replaced by a later undertaking: neither scale scores a commitment that was replaced."),
    Crosswalk("no-evidence", None, None,
              "No public evidence was found: not a judgement of progress, so neither a score nor a level. "
              "(IRM reports 'no evidence available' apart from its levels, in the same spirit.)"),
)


def rows() -> list[dict[str, object]]:
    """The crosswalk as rows (field -> value), in codelist order."""
    return [entry._asdict() for entry in CROSSWALK]
