"""Rules tying rows to their meeting: who was there, what was promised, when it was judged."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from cbcf_data.check.report import Where
from cbcf_data.check.rules.located import Located
from cbcf_data.model import codelists

if TYPE_CHECKING:
    from cbcf_data.model.tables import (
        Assessment,
        Attendance,
        Commitment,
        InstrumentMention,
        Meeting,
        MeetingSource,
        MeetingTopic,
        Organization,
        Source,
    )

#: The delegations each value of a commitment's `parties` needs at its meeting.
DELEGATIONS = {code: frozenset(codelists.COUNTRY) if code == "both" else frozenset({code}) for code in codelists.PARTIES}
NOBODY: frozenset[str] = frozenset()


def meeting_of(commitment_id: str) -> str:
    """The meeting a commitment's ID names: its ID up to its last `-c` (the ID rule: a commitment's
    ID is its meeting's ID, `-c` and a number). A valid commitment's meeting ID is a prefix of its
    own ID, but not always this one (meeting `x`, commitment `x-c1-c02`): those are kept apart."""
    return commitment_id.rpartition("-c")[0]


class Meetings:
    """delegation-mismatch, party-not-at-meeting, mention-commitment-meeting,
    assessment-before-meeting, meeting-without-source, source-not-listed."""

    CHECKS = ("delegation-mismatch", "party-not-at-meeting", "mention-commitment-meeting",
              "assessment-before-meeting", "meeting-without-source", "source-not-listed")

    def __init__(self, emit: Callable[..., None], located: Located) -> None:
        self.emit = emit
        #: The valid meetings and commitments, and where they are (fed by `Rules`).
        self.located = located
        self.meeting_start: dict[str, str] = {}
        #: Each valid meeting's ID as the meetings table gave it: the other tables' copies of it are
        #: replaced by it where they are kept, so that a meeting's ID is kept once.
        self.meeting_ids: dict[str, str] = {}
        #: Each valid source's ID as the sources table gave it, for the same reason.
        self.source_ids: dict[str, str] = {}
        #: The delegations present at each meeting: one of a few shared sets (`_with`).
        self.delegations: dict[str, frozenset[str]] = {}
        self.unions: dict[tuple[frozenset[str], str], frozenset[str]] = {}
        self.org_country: dict[str, str] = {}
        #: The meeting of each valid commitment whose meeting is not the one its ID names (`meeting_of`).
        self.commitment_meeting: dict[str, str] = {}
        self.with_source: set[str] = set()
        #: Each (meeting, source) pair cited or listed, in the order first met: where it was first
        #: cited and by which row, or None once a meeting_sources row lists it (then it is never
        #: reported, and a later citation is not noted). A pair's place is the one it was first
        #: met at, so `finish` reports the pairs never listed in the order they were first cited.
        self.cited: dict[tuple[str, str], tuple[Any, str] | None] = {}

    def _meetings(self, meeting: Meeting, where: Any) -> None:
        self.meeting_start[meeting.id] = meeting.start_date
        self.meeting_ids[meeting.id] = meeting.id

    def _sources(self, source: Source, where: Any) -> None:
        self.source_ids[source.id] = source.id

    def _organizations(self, organization: Organization, where: Any) -> None:
        self.org_country[organization.id] = organization.country

    def _cite(self, meeting_id: str, source_id: str, where: Any, record_id: str, part: str | None = None) -> None:
        """Note where a (meeting, source) pair is first cited, by a row whose ID is `record_id`
        (or `record_id/part`, built only then)."""
        if (meeting_id, source_id) not in self.cited:
            meeting_id = self.meeting_ids.get(meeting_id, meeting_id)
            source_id = self.source_ids.get(source_id, source_id)
            self.cited[meeting_id, source_id] = (where, record_id if part is None else f"{record_id}/{part}")

    # The handlers below test `cited` before calling `_cite`: they run for every row of the largest tables.

    def _meeting_topics(self, row: MeetingTopic, where: Any) -> None:
        if (row.meeting_id, row.source_id) not in self.cited:
            self._cite(row.meeting_id, row.source_id, where, row.meeting_id, row.topic_id)

    def _attendances(self, attendance: Attendance, where: Any) -> None:
        meeting_id = attendance.meeting_id
        if (meeting_id, attendance.source_id) not in self.cited:
            self._cite(meeting_id, attendance.source_id, where, meeting_id, attendance.person_id)
        if attendance.status != "absent":
            present = self.delegations.get(meeting_id, NOBODY)
            if attendance.delegation not in present:
                self.delegations[self.meeting_ids.get(attendance.meeting_id, attendance.meeting_id)] = \
                    self._with(present, attendance.delegation)
        country = self.org_country.get(attendance.organization_id or "")
        if country is not None and country != attendance.delegation:
            self.emit("delegation-mismatch",
                      f"delegation is {attendance.delegation} but organization {attendance.organization_id} is in {country}",
                      where, field="delegation", record_id=f"{attendance.meeting_id}/{attendance.person_id}",
                      value=attendance.delegation, hint=f"set delegation to {country}, or correct organization_id")

    def _with(self, present: frozenset[str], delegation: str) -> frozenset[str]:
        """`present` and `delegation`: the same set object for the same delegations, however many meetings."""
        union = self.unions.get((present, delegation))
        if union is None:
            union = self.unions[present, delegation] = present | {delegation}
        return union

    def _commitments(self, commitment: Commitment, where: Any) -> None:
        commitment_id, meeting_id = commitment.id, commitment.meeting_id
        if commitment_id.rpartition("-c")[0] == meeting_id:  # `meeting_of`, as nearly always: nothing to keep
            if self.commitment_meeting:
                self.commitment_meeting.pop(commitment_id, None)  # a bundle's row replacing the dataset's
        else:
            self.commitment_meeting[commitment_id] = meeting_id
        if (meeting_id, commitment.source_id) not in self.cited:
            self._cite(meeting_id, commitment.source_id, where, commitment_id)
        present = self.delegations.get(meeting_id, NOBODY)
        needed = DELEGATIONS[commitment.parties]
        if not needed <= present:
            missing = ", ".join(sorted(needed - present))
            self.emit("party-not-at-meeting",
                      f"parties is '{commitment.parties}' but no attendance of {commitment.meeting_id} is in the {missing} delegation",
                      where, field="parties", record_id=commitment.id, value=commitment.parties,
                      hint="record the attendances the source names, or set parties to the delegations present")

    def batch_handler(self, table: str) -> Callable[[dict[str, Any], str, Sequence[int]], bool] | None:
        """The handler of a batch of `table`'s records at once, as typed columns (see
        `Rules.batch_feeders`): for meetings, meeting_topics and meeting_sources, which report
        nothing while fed; for attendances and commitments, declined when a row would be reported."""
        handlers = {"meetings": self._meetings_batch, "meeting_topics": self._meeting_topics_batch,
                    "meeting_sources": self._meeting_sources_batch, "attendances": self._attendances_batch,
                    "commitments": self._commitments_batch}
        return handlers.get(table)

    def _meetings_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        self.meeting_start.update(zip(columns["id"], columns["start_date"]))
        self.meeting_ids.update(zip(columns["id"], columns["id"]))
        return True

    def _meeting_topics_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        meetings = columns["meeting_id"]
        self._cite_batch(meetings, columns["source_id"], Where(path, "meeting_topics", 0), lines, meetings,
                         columns["topic_id"])
        return True

    def _meeting_sources_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        meetings: list[Any] = list(map(self.meeting_ids.get, columns["meeting_id"], columns["meeting_id"]))
        self.with_source.update(meetings)
        self.cited.update(zip(zip(meetings, map(self.source_ids.get, columns["source_id"], columns["source_id"])),
                              itertools.repeat(None)))  # listed: see `cited`
        return True

    def _attendances_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        delegations, organizations = columns["delegation"], columns["organization_id"]
        if None in organizations:
            organizations = [organization or "" for organization in organizations]
        countries = map(self.org_country.get, organizations, delegations)  # a delegation where none is known
        if not all(map(operator.eq, countries, delegations)):  # a delegation-mismatch: told row by row
            return False
        meetings = columns["meeting_id"]
        self._cite_batch(meetings, columns["source_id"], Where(path, "attendances", 0), lines, meetings,
                         columns["person_id"])
        present = map(operator.ne, columns["status"], itertools.repeat("absent"))
        for meeting_id, delegation in dict.fromkeys(itertools.compress(zip(meetings, delegations), present)):
            known = self.delegations.get(meeting_id, NOBODY)
            if delegation not in known:
                self.delegations[self.meeting_ids.get(meeting_id, meeting_id)] = self._with(known, delegation)
        return True

    def _commitments_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        ids, meetings = columns["id"], columns["meeting_id"]
        present = map(self.delegations.get, meetings, itertools.repeat(NOBODY))
        if not all(map(operator.le, map(DELEGATIONS.__getitem__, columns["parties"]), present)):
            return False  # a party-not-at-meeting: told row by row
        named = map(operator.itemgetter(0), map(str.rpartition, ids, itertools.repeat("-c")))  # `meeting_of`
        if not all(map(operator.eq, named, meetings)):
            for commitment_id, meeting_id in zip(ids, meetings):  # as `_commitments` keeps them
                if meeting_of(commitment_id) != meeting_id:
                    self.commitment_meeting[commitment_id] = meeting_id
                elif self.commitment_meeting:
                    self.commitment_meeting.pop(commitment_id, None)
        elif self.commitment_meeting:
            for commitment_id in ids:
                self.commitment_meeting.pop(commitment_id, None)
        self._cite_batch(meetings, columns["source_id"], Where(path, "commitments", 0), lines, ids)
        return True

    def _cite_batch(self, meetings: list[str], sources: list[str], where: Where, lines: Sequence[int],
                    record_ids: list[str], parts: list[str] | None = None) -> None:
        """`_cite` for each (meeting, source) pair of a batch not cited before, at the row that cites
        it first (`where` with that row's line), in the order of those rows."""
        pairs = list(zip(meetings, sources))
        new = set(pairs).difference(self.cited)
        if new:
            first = dict(zip(reversed(pairs), range(len(pairs) - 1, -1, -1)))
            for index in sorted(map(first.__getitem__, new)):
                self._cite(meetings[index], sources[index], where._replace(line=lines[index]), record_ids[index],
                           None if parts is None else parts[index])

    def _instrument_mentions(self, mention: InstrumentMention, where: Any) -> None:
        if (mention.meeting_id, mention.source_id) not in self.cited:
            self._cite(mention.meeting_id, mention.source_id, where, mention.meeting_id, mention.instrument_id)
        if mention.commitment_id is None:
            return
        meeting = self._meeting(mention.commitment_id)
        if meeting is not None and meeting != mention.meeting_id:
            self.emit("mention-commitment-meeting",
                      f"commitment {mention.commitment_id} belongs to {meeting}, not to {mention.meeting_id}",
                      where, field="commitment_id", record_id=f"{mention.meeting_id}/{mention.instrument_id}",
                      value=mention.commitment_id, hint="link a commitment of the same meeting, or leave commitment_id empty")

    def _meeting_sources(self, row: MeetingSource, where: Any) -> None:
        meeting_id = self.meeting_ids.get(row.meeting_id, row.meeting_id)
        self.with_source.add(meeting_id)
        self.cited[meeting_id, self.source_ids.get(row.source_id, row.source_id)] = None  # listed: see `cited`

    def _assessments(self, assessment: Assessment, where: Any) -> None:
        meeting = self._meeting(assessment.commitment_id)
        start = self.meeting_start.get(meeting or "")
        if start is None:
            return
        width = min(len(start), len(assessment.as_of))
        if assessment.as_of[:width] < start[:width]:
            self.emit("assessment-before-meeting",
                      f"as_of {assessment.as_of} is before the commitment's meeting ({start})",
                      where, field="as_of", record_id=f"{assessment.commitment_id}/{assessment.party}",
                      value=assessment.as_of, hint=f"an assessment is dated on or after {start}")

    def _meeting(self, commitment_id: str) -> str | None:
        """The meeting of a valid commitment; None if no valid commitment has this ID."""
        if not self.located.has("commitments", commitment_id):
            return None
        return self.commitment_meeting.get(commitment_id) or meeting_of(commitment_id)

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Every meeting has a source, and lists every source its rows cite."""
        for (meeting_id, source_id), cited in self.cited.items():
            # A meeting with no source at all is one problem (meeting-without-source), not one per row.
            if cited is not None and meeting_id in self.with_source:
                where, record_id = cited
                in_bundle = getattr(where, "pointer", None) is not None
                self.emit("source-not-listed", f"source {source_id} is cited for {meeting_id} but is not among the "
                          "meeting's sources", where, field="source_id", record_id=record_id, value=source_id,
                          hint=f"add {source_id} to the bundle's `sources:` list" if in_bundle else
                          f"add the row {meeting_id},{source_id} to meeting_sources.csv")
        for meeting_id, where in self.located.items("meetings"):
            if meeting_id not in self.with_source:
                self.emit("meeting-without-source", f"meeting {meeting_id} has no row in meeting_sources", where,
                          field="id", record_id=meeting_id, value=meeting_id,
                          hint="add a meeting_sources row naming the source that documents the meeting")
