"""Layer 5: the rules that need more than one table (DESIGN.md "Cross-table rules").

`Rules` is fed valid records table by table, in dependency order, keeping only what later
rules need (dates, countries, offsets), so a million rows never sit in memory as records.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cbcf_data.model import codelists
from cbcf_data.model.tables import (
    Assessment,
    Attendance,
    Commitment,
    CommitmentTopic,
    Instrument,
    InstrumentMention,
    Meeting,
    MeetingSource,
    MeetingTopic,
    Organization,
    Person,
    Source,
    Topic,
)
from cbcf_data.check.report import Where

#: Every check this module runs, by issue code.
CHECKS = (
    "archive-missing", "hash-mismatch", "archive-unlisted", "quote-mismatch", "quote-without-archive",
    "delegation-mismatch", "party-not-at-meeting", "mention-commitment-meeting", "assessment-before-meeting",
    "meeting-without-source", "parent-cycle", "orphan-person", "orphan-topic", "orphan-source",
)

Emit = Callable[..., None]
#: The delegations each value of a commitment's `parties` needs at its meeting.
DELEGATIONS = {code: frozenset(codelists.COUNTRY) if code == "both" else frozenset({code}) for code in codelists.PARTIES}
NOBODY: frozenset[str] = frozenset()


class Rules:
    """Cross-table checks, fed one record at a time; `finish()` runs those that need everything."""

    def __init__(self, emit: Emit, tables_root: Path | None) -> None:
        #: emit(code, message, where, field=..., record_id=..., value=..., hint=..., severity=...)
        self.emit = emit
        self.tables_root = tables_root
        self.texts: dict[str, str | None] = {}
        self.meeting_start: dict[str, str] = {}
        self.meeting_where: dict[str, Any] = {}
        self.delegations: dict[str, set[str]] = defaultdict(set)
        self.org_country: dict[str, str] = {}
        self.commitment_meeting: dict[str, str] = {}
        self.with_source: set[str] = set()
        self.parents: dict[str, dict[str, tuple[str, Any]]] = {"topics": {}, "organizations": {}}
        self.defined: dict[str, dict[str, Any]] = {"people": {}, "topics": {}, "sources": {}}
        self.used: dict[str, set[str]] = {"people": set(), "topics": set(), "sources": set()}
        # Handlers add used IDs to these directly (inline: they run once per row).
        self.sources_used = self.used["sources"]
        self.topics_used = self.used["topics"]

    def feeder(self, table: str) -> Callable[[Any, Any], None]:
        """The function that takes one valid record of `table` (looked up once per table, for speed)."""
        handler: Callable[[Any, Any], None] = getattr(self, "_" + table)
        return handler

    def _sources(self, source: Source, where: Any) -> None:
        self.defined["sources"][source.id] = where
        self.texts[source.id] = None
        if source.archive_path is None or self.tables_root is None:
            return
        path = self.tables_root / source.archive_path
        try:
            data = path.read_bytes()
        except OSError:
            del self.texts[source.id]  # unknown text: quotes of it cannot be judged
            self.emit("archive-missing", f"the archived text {source.archive_path} is not in the dataset", where,
                      field="archive_path", record_id=source.id, value=source.archive_path,
                      hint=f"put the source's text at {source.archive_path} next to the tables, or empty archive_path and sha256")
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest != source.sha256:
            self.emit("hash-mismatch", f"the SHA-256 of {source.archive_path} does not match sha256", where,
                      field="sha256", record_id=source.id, value=source.sha256,
                      hint=f"the file's SHA-256 is {digest}; if the file is right, record that hash")
        self.texts[source.id] = data.decode("utf-8", errors="replace")

    def _meetings(self, meeting: Meeting, where: Any) -> None:
        self.meeting_start[meeting.id] = meeting.start_date
        self.meeting_where[meeting.id] = where

    def _people(self, person: Person, where: Any) -> None:
        self.defined["people"][person.id] = where

    def _organizations(self, organization: Organization, where: Any) -> None:
        self.org_country[organization.id] = organization.country
        if organization.parent_id is not None:
            self.parents["organizations"][organization.id] = (organization.parent_id, where)

    def _topics(self, topic: Topic, where: Any) -> None:
        self.defined["topics"][topic.id] = where
        if topic.parent_id is not None:
            self.parents["topics"][topic.id] = (topic.parent_id, where)
            self.used["topics"].add(topic.parent_id)

    def _attendances(self, attendance: Attendance, where: Any) -> None:
        self.sources_used.add(attendance.source_id)
        self.used["people"].add(attendance.person_id)
        if attendance.status != "absent":
            self.delegations[attendance.meeting_id].add(attendance.delegation)
        country = self.org_country.get(attendance.organization_id or "")
        if country is not None and country != attendance.delegation:
            self.emit("delegation-mismatch",
                      f"delegation is {attendance.delegation} but organization {attendance.organization_id} is in {country}",
                      where, field="delegation", record_id=f"{attendance.meeting_id}/{attendance.person_id}",
                      value=attendance.delegation, hint=f"set delegation to {country}, or correct organization_id")

    def _meeting_topics(self, row: MeetingTopic, where: Any) -> None:
        self.sources_used.add(row.source_id)
        self.topics_used.add(row.topic_id)

    def _commitments(self, commitment: Commitment, where: Any) -> None:
        self.sources_used.add(commitment.source_id)
        self.commitment_meeting[commitment.id] = commitment.meeting_id
        present = self.delegations.get(commitment.meeting_id, NOBODY)
        needed = DELEGATIONS[commitment.parties]
        if not needed <= present:
            missing = ", ".join(sorted(needed - present))
            self.emit("party-not-at-meeting",
                      f"parties is '{commitment.parties}' but no attendance of {commitment.meeting_id} is in the {missing} delegation",
                      where, field="parties", record_id=commitment.id, value=commitment.parties,
                      hint="record the attendances the source names, or set parties to the delegations present")
        quote = commitment.quote
        if quote is not None:
            text = self.texts.get(commitment.source_id)
            if text is None or text[commitment.quote_start:commitment.quote_end] != quote:
                self._check_quote(commitment, text, where)

    def _check_quote(self, commitment: Commitment, text: str | None, where: Any) -> None:
        """Report a quote whose source text is not archived, or that the text does not hold there."""
        if text is None:
            if commitment.source_id in self.texts:
                self.emit("quote-without-archive",
                          f"the commitment quotes source {commitment.source_id}, whose text is not archived",
                          where, field="quote", record_id=commitment.id, value=commitment.quote,
                          hint="quote only archived sources: empty quote, quote_start and quote_end, or archive the text")
            return
        found = text[commitment.quote_start:commitment.quote_end]
        position = text.find(commitment.quote)  # type: ignore[arg-type]
        hint = (f"the quote occurs at quote_start={position}, quote_end={position + len(commitment.quote)}"  # type: ignore[arg-type]
                if position >= 0 else "copy the quote character for character from the archived text")
        self.emit("quote-mismatch",
                  f"the archived text at {commitment.quote_start}:{commitment.quote_end} reads {found[:60]!r}, not the quote",
                  where, field="quote", record_id=commitment.id, value=commitment.quote, hint=hint)

    def _commitment_topics(self, row: CommitmentTopic, where: Any) -> None:
        self.topics_used.add(row.topic_id)

    def _instruments(self, instrument: Instrument, where: Any) -> None:
        if instrument.source_id is not None:
            self.sources_used.add(instrument.source_id)

    def _instrument_mentions(self, mention: InstrumentMention, where: Any) -> None:
        self.sources_used.add(mention.source_id)
        if mention.commitment_id is None:
            return
        meeting = self.commitment_meeting.get(mention.commitment_id)
        if meeting is not None and meeting != mention.meeting_id:
            self.emit("mention-commitment-meeting",
                      f"commitment {mention.commitment_id} belongs to {meeting}, not to {mention.meeting_id}",
                      where, field="commitment_id", record_id=f"{mention.meeting_id}/{mention.instrument_id}",
                      value=mention.commitment_id, hint="link a commitment of the same meeting, or leave commitment_id empty")

    def _meeting_sources(self, row: MeetingSource, where: Any) -> None:
        self.sources_used.add(row.source_id)
        self.with_source.add(row.meeting_id)

    def _assessments(self, assessment: Assessment, where: Any) -> None:
        self.sources_used.add(assessment.source_id)
        meeting = self.commitment_meeting.get(assessment.commitment_id)
        start = self.meeting_start.get(meeting or "")
        if start is None:
            return
        width = min(len(start), len(assessment.as_of))
        if assessment.as_of[:width] < start[:width]:
            self.emit("assessment-before-meeting",
                      f"as_of {assessment.as_of} is before the commitment's meeting ({start})",
                      where, field="as_of", record_id=f"{assessment.commitment_id}/{assessment.party}",
                      value=assessment.as_of, hint=f"an assessment is dated on or after {start}")

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Run the rules that need every table: sources of meetings, cycles, orphans, stray archives.

        `source_ids` are every source row's ID, valid or not, so an invalid row's archive is not
        reported as unlisted too.
        """
        for meeting_id, where in self.meeting_where.items():
            if meeting_id not in self.with_source:
                self.emit("meeting-without-source", f"meeting {meeting_id} has no row in meeting_sources", where,
                          field="id", record_id=meeting_id, value=meeting_id,
                          hint="add a meeting_sources row naming the source that documents the meeting")
        for table, parents in self.parents.items():
            for start, (_, where) in parents.items():
                if _in_cycle(start, parents):
                    self.emit("parent-cycle", f"{table} {start} is its own ancestor through parent_id", where,
                              field="parent_id", record_id=start, value=parents[start][0],
                              hint="break the loop: one entry of the chain must have no parent or another one")
        for table, singular in (("people", "person"), ("topics", "topic"), ("sources", "source")):
            for key, where in self.defined[table].items():
                if key not in self.used[table]:
                    self.emit(f"orphan-{singular}", f"{singular} {key} is not used by any other table", where,
                              severity="warning", field="id", record_id=key, value=key,
                              hint=f"remove the {singular}, or add the rows that use it")
        self._stray_archives(set(source_ids) | set(self.defined["sources"]))

    def _stray_archives(self, source_ids: set[str]) -> None:
        folder = self.tables_root / "sources" if self.tables_root else None
        if folder is None or not folder.is_dir():
            return
        listed = {f"sources/{key}.txt" for key in source_ids}
        for path in sorted(folder.iterdir()):
            if f"sources/{path.name}" not in listed:
                self.emit("archive-unlisted", f"sources/{path.name} is archived but no source row names it",
                          Where(str(path), "sources"), severity="warning", value=path.name,
                          hint="add its row to sources.csv with archive_path and sha256, or remove the file")


def _in_cycle(start: str, parents: dict[str, tuple[str, Any]]) -> bool:
    seen = {start}
    current = parents[start][0]
    while current in parents:
        if current == start:
            return True
        if current in seen:
            return False  # a loop further up: reported at its own members
        seen.add(current)
        current = parents[current][0]
    return current == start
