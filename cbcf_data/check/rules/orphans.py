"""Rules on rows nothing uses: people, topics and sources no other table names (warnings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cbcf_data.model.tables import (
    Assessment,
    Attendance,
    Commitment,
    CommitmentTopic,
    Instrument,
    InstrumentMention,
    InstrumentParty,
    MeetingSource,
    MeetingTopic,
    Person,
    Source,
    Topic,
)


class Orphans:
    """orphan-person, orphan-topic, orphan-source."""

    CHECKS = ("orphan-person", "orphan-topic", "orphan-source")

    def __init__(self, emit: Callable[..., None]) -> None:
        self.emit = emit
        self.defined: dict[str, dict[str, Any]] = {"people": {}, "topics": {}, "sources": {}}
        self.used: dict[str, set[str]] = {"people": set(), "topics": set(), "sources": set()}
        # Handlers add used IDs to these directly (inline: they run once per row).
        self.sources_used = self.used["sources"]
        self.topics_used = self.used["topics"]

    def _sources(self, source: Source, where: Any) -> None:
        self.defined["sources"][source.id] = where

    def _people(self, person: Person, where: Any) -> None:
        self.defined["people"][person.id] = where

    def _topics(self, topic: Topic, where: Any) -> None:
        self.defined["topics"][topic.id] = where
        if topic.parent_id is not None:
            self.topics_used.add(topic.parent_id)

    def _attendances(self, attendance: Attendance, where: Any) -> None:
        self.sources_used.add(attendance.source_id)
        self.used["people"].add(attendance.person_id)

    def _meeting_topics(self, row: MeetingTopic, where: Any) -> None:
        self.sources_used.add(row.source_id)
        self.topics_used.add(row.topic_id)

    def _commitments(self, commitment: Commitment, where: Any) -> None:
        self.sources_used.add(commitment.source_id)

    def _commitment_topics(self, row: CommitmentTopic, where: Any) -> None:
        self.topics_used.add(row.topic_id)

    def _instruments(self, instrument: Instrument, where: Any) -> None:
        if instrument.source_id is not None:
            self.sources_used.add(instrument.source_id)

    def _instrument_parties(self, party: InstrumentParty, where: Any) -> None:
        self.sources_used.add(party.source_id)

    def _instrument_mentions(self, mention: InstrumentMention, where: Any) -> None:
        self.sources_used.add(mention.source_id)

    def _meeting_sources(self, row: MeetingSource, where: Any) -> None:
        self.sources_used.add(row.source_id)

    def _assessments(self, assessment: Assessment, where: Any) -> None:
        if assessment.source_id is not None:
            self.sources_used.add(assessment.source_id)

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Warn about each defined row that no other table uses."""
        for table, singular in (("people", "person"), ("topics", "topic"), ("sources", "source")):
            for key, where in self.defined[table].items():
                if key not in self.used[table]:
                    self.emit(f"orphan-{singular}", f"{singular} {key} is not used by any other table", where,
                              severity="warning", field="id", record_id=key, value=key,
                              hint=f"remove the {singular}, or add the rows that use it")
