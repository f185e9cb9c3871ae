"""The meeting bundle: one document holding a meeting with everything that belongs to it.

A bundle is the contribution format and the per-meeting shape of the JSON release. Rows that
name the meeting (attendances, topics, commitments, mentions, sources) leave out `meeting_id`;
commitments carry their topics and assessments inline; people, organizations, topics,
instruments and sources first used by this meeting come under `new_*`, and so do the parties
(signatories, participants, lead bodies) of those instruments, under `new_instrument_parties`.

`split_meeting` and `join_bundle` convert between a dataset and (dataset without the meeting,
bundle) losslessly: a bundle's `new_*` rows are exactly those no other meeting uses.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cbcf_data.model.tables import (
    Assessment,
    Attendance,
    Commitment,
    Instrument,
    InstrumentMention,
    InstrumentParty,
    Meeting,
    MeetingTopic,
    Organization,
    Person,
    Record,
    RetiredId,
    Source,
    Topic,
)
from cbcf_data.model.types import Slug

Rows = dict[str, list[dict[str, Any]]]


def _without(model: type[Record], drop: set[str], name: str, **extra: Any) -> type[BaseModel]:
    fields: dict[str, Any] = {
        field: (info.annotation, info) for field, info in model.model_fields.items() if field not in drop
    }
    fields.update(extra)
    config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
    return create_model(name, __config__=config, __doc__=model.__doc__, **fields)


BundleAttendance = _without(Attendance, {"meeting_id"}, "BundleAttendance")
BundleTopic = _without(MeetingTopic, {"meeting_id"}, "BundleTopic")
BundleAssessment = _without(Assessment, {"commitment_id"}, "BundleAssessment")
BundleCommitment = _without(
    Commitment,
    {"meeting_id"},
    "BundleCommitment",
    topics=(list[Slug], Field(default_factory=list, description="IDs of the commitment's topics.")),
    assessments=(list[BundleAssessment], Field(default_factory=list, description="Judgements of its progress.")),  # type: ignore[valid-type]
)
BundleMention = _without(InstrumentMention, {"meeting_id"}, "BundleMention")

#: Bundle key -> table, for the rows a bundle adds to shared tables.
NEW_TABLES = {
    "new_people": "people",
    "new_organizations": "organizations",
    "new_topics": "topics",
    "new_instruments": "instruments",
    "new_instrument_parties": "instrument_parties",
    "new_sources": "sources",
}
#: Reference tables whose rows hang on a row of another reference table and move with it:
#: table -> (its field naming the parent, the parent's table).
DEPENDENT = {"instrument_parties": ("instrument_id", "instruments")}


class MeetingBundle(BaseModel):
    """A meeting with its attendances, themes, commitments, instrument mentions and sources."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    meeting: Meeting
    """The meeting."""
    attendances: list[BundleAttendance] = []  # type: ignore[valid-type]
    """Who took part, in which role."""
    topics: list[BundleTopic] = []  # type: ignore[valid-type]
    """Themes discussed, each with its source."""
    commitments: list[BundleCommitment] = []  # type: ignore[valid-type]
    """Undertakings, with their topics and assessments."""
    instrument_mentions: list[BundleMention] = []  # type: ignore[valid-type]
    """Instruments signed, released, referenced, announced or established at the meeting."""
    sources: list[Slug] = []
    """IDs of the sources that document the meeting."""


class Bundle(MeetingBundle):
    """A meeting bundle as contributed: the meeting's rows, plus the reference rows it adds."""

    new_people: list[Person] = []
    """People who appear in the dataset for the first time."""
    new_organizations: list[Organization] = []
    """Organizations that appear for the first time."""
    new_topics: list[Topic] = []
    """Topics added to the vocabulary."""
    new_instruments: list[Instrument] = []
    """Instruments that appear for the first time."""
    new_instrument_parties: list[InstrumentParty] = []
    """Organizations that signed, are party to or lead an instrument (new or existing)."""
    new_sources: list[Source] = []
    """Sources that appear for the first time."""


def _with_hierarchy(model: type[Record]) -> type[BaseModel]:
    """A reference table's row in the JSON release: a row of a hierarchy also lists its broader and
    narrower rows (derived from `parent_id`, for readers without a graph library)."""
    if not any(table == model.table for table in model.foreign_keys.values()):
        return model
    extra = {
        "ancestors": (list[Slug], Field(description="IDs of its broader rows, nearest first.")),
        "descendants": (list[Slug], Field(description="IDs of all its narrower rows, in ID order.")),
    }
    return _without(model, set(), f"Release{model.__name__}", **extra)


class License(BaseModel):
    """The licence of the data."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str
    """SPDX identifier, e.g. `CC-BY-4.0`."""
    path: str
    """The licence's address."""
    title: str
    """The licence's full name."""


class Build(BaseModel):
    """Where the release was built from."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    commit: str | None
    """The git commit of the records; null when built outside a git checkout."""
    modified: bool | None
    """Whether the dataset's folder differed from that commit; null without a commit."""


class Code(BaseModel):
    """One code of a codelist."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    label: str
    """English label."""
    label_fr: str
    """French label (empty when there is none)."""
    definition: str
    """When the code applies."""


ReleaseOrganization = _with_hierarchy(Organization)
ReleaseTopic = _with_hierarchy(Topic)


class CrosswalkRow(BaseModel):
    """One assessment status on the G7 and OGP IRM scales (null: no equivalent; `note` says why)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    status: str
    """An assessment_status code."""
    g7_score: Literal[-1, 0, 1] | None
    """G7 Research Group compliance score, or null."""
    irm_completion: Literal["not started", "limited", "substantial", "complete"] | None
    """OGP IRM level of completion, or null."""
    note: str
    """Why the status maps as it does, or does not."""


class Release(BaseModel):
    """The whole dataset as one JSON document: the release's facts, the codelists, every meeting as a
    bundle, plus the reference tables."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str
    """Always `cbcf-data`."""
    title: str
    """The dataset's title."""
    description: str
    """What the dataset holds."""
    version: str
    """The dataset version."""
    released: str
    """The day this version was released (YYYY-MM-DD)."""
    url: str
    """Where the dataset is published."""
    doi: str | None
    """The dataset's DOI, once one is minted."""
    license: License
    """The licence of the data."""
    citation: str
    """How to cite this version, in one line."""
    build: Build
    """Where the release was built from."""
    codelists: dict[str, dict[str, Code]]
    """Every codelist: code -> its labels and definition."""
    meetings: list[MeetingBundle]
    """Every meeting with its own rows, in ID order."""
    people: list[Person]
    """The people table."""
    organizations: list[ReleaseOrganization]  # type: ignore[valid-type]
    """The organizations table, each with its broader and narrower organizations."""
    topics: list[ReleaseTopic]  # type: ignore[valid-type]
    """The topic vocabulary, each topic with its broader and narrower topics."""
    instruments: list[Instrument]
    """The instruments table."""
    instrument_parties: list[InstrumentParty]
    """The instrument_parties table."""
    sources: list[Source]
    """The sources table."""
    latest_assessments: list[Assessment] = []
    """Derived: the latest assessment of each commitment for each party (the SQLite view status_as_of)."""
    status_crosswalk: list[CrosswalkRow] = []
    """Each assessment status beside the G7 compliance score and the OGP IRM level of completion."""
    retired_ids: list[RetiredId] = []
    """The retired-ID registry: IDs taken out of the dataset, never to be used again."""

    #: Fields of reference rows derived from the tables (dropped when the document is read back).
    DERIVED: ClassVar[tuple[str, ...]] = ("ancestors", "descendants")


def to_rows(bundle: dict[str, Any]) -> tuple[Rows, dict[tuple[str, int], str]]:
    """Table rows of a bundle (as plain dicts), and the JSON pointer each row came from.

    Works on a plain JSON object so that a malformed bundle still yields rows to check; the
    pointer map is keyed by (table, index in that table's list).
    """
    rows: Rows = {}
    pointers: dict[tuple[str, int], str] = {}

    def add(table: str, row: dict[str, Any], pointer: str) -> None:
        pointers[(table, len(rows.setdefault(table, [])))] = pointer
        rows[table].append(row)

    meeting = bundle.get("meeting")
    meeting_id = meeting.get("id") if isinstance(meeting, dict) else None
    if isinstance(meeting, dict):
        add("meetings", dict(meeting), "/meeting")
    for key, table in (("attendances", "attendances"), ("topics", "meeting_topics"),
                       ("instrument_mentions", "instrument_mentions")):
        for index, item in _objects(bundle, key):
            add(table, {"meeting_id": meeting_id, **item}, f"/{key}/{index}")
    for index, item in _objects(bundle, "commitments"):
        pointer = f"/commitments/{index}"
        add("commitments", {"meeting_id": meeting_id, **{k: v for k, v in item.items()
                                                       if k not in ("topics", "assessments")}}, pointer)
        for position, topic in enumerate(_list(item, "topics")):
            add("commitment_topics", {"commitment_id": item.get("id"), "topic_id": topic},
                f"{pointer}/topics/{position}")
        for position, assessment in _objects(item, "assessments"):
            add("assessments", {"commitment_id": item.get("id"), **assessment},
                f"{pointer}/assessments/{position}")
    for index, source in enumerate(_list(bundle, "sources")):
        add("meeting_sources", {"meeting_id": meeting_id, "source_id": source}, f"/sources/{index}")
    for key, table in NEW_TABLES.items():
        for index, item in _objects(bundle, key):
            add(table, dict(item), f"/{key}/{index}")
    return rows, pointers


def _list(container: dict[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    return value if isinstance(value, list) else []


def _objects(container: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) of the objects in a list; other entries are the validator's to report."""
    return [(index, item) for index, item in enumerate(_list(container, key)) if isinstance(item, dict)]


def from_rows(meeting_id: str, rows: Rows) -> dict[str, Any]:
    """The bundle of one meeting from table rows that hold that meeting's rows and its new rows.

    Null fields are left out, so the bundle reads as a contributor would write it. Reference
    tables present in `rows` become the bundle's `new_*` lists.
    """
    return all_bundles(rows, only=meeting_id)[0]


def all_bundles(rows: Rows, only: str | None = None) -> list[dict[str, Any]]:
    """The bundle of every meeting in `rows` (or of `only`), in one pass over each table."""

    def clean(row: dict[str, Any], *drop: str) -> dict[str, Any]:
        return {k: v for k, v in row.items() if v is not None and k not in drop}

    def grouped(table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows.get(table, []):
            if only is None or table not in ("attendances", "meeting_topics", "commitments", "instrument_mentions",
                                             "meeting_sources") or row[key] == only:
                groups.setdefault(row[key], []).append(row)
        return groups

    attendances = grouped("attendances", "meeting_id")
    topics = grouped("meeting_topics", "meeting_id")
    commitments = grouped("commitments", "meeting_id")
    mentions = grouped("instrument_mentions", "meeting_id")
    sources = grouped("meeting_sources", "meeting_id")
    commitment_topics = grouped("commitment_topics", "commitment_id")
    assessments = grouped("assessments", "commitment_id")
    bundles = []
    for meeting in rows["meetings"]:
        meeting_id = meeting["id"]
        if only is not None and meeting_id != only:
            continue
        items = []
        for row in commitments.get(meeting_id, []):
            item = clean(row, "meeting_id")
            item["topics"] = [t["topic_id"] for t in commitment_topics.get(row["id"], [])]
            item["assessments"] = [clean(a, "commitment_id") for a in assessments.get(row["id"], [])]
            items.append(item)
        bundle: dict[str, Any] = {
            "meeting": clean(meeting),
            "attendances": [clean(r, "meeting_id") for r in attendances.get(meeting_id, [])],
            "topics": [clean(r, "meeting_id") for r in topics.get(meeting_id, [])],
            "commitments": items,
            "instrument_mentions": [clean(r, "meeting_id") for r in mentions.get(meeting_id, [])],
            "sources": [r["source_id"] for r in sources.get(meeting_id, [])],
        }
        if only is not None:
            for key, table in NEW_TABLES.items():
                if table in rows:
                    bundle[key] = [clean(row) for row in rows[table]]
        bundles.append(bundle)
    return bundles


References = set[tuple[str, str]]


def _references(source: Rows) -> References:
    """(table, id) of every shared reference row that rows of `source` point at."""
    from cbcf_data.model.tables import TABLES

    shared = set(NEW_TABLES.values()) - set(DEPENDENT)
    found: References = set()
    for table, table_rows in source.items():
        for field, target in TABLES[table].foreign_keys.items():
            if target in shared:
                found.update((target, r[field]) for r in table_rows if r.get(field) is not None)
    return found


def _picked(kept: Rows, refs: References, inside: bool) -> Rows:
    """The shared reference rows of `kept` that are (inside=True) or are not in `refs`, with the
    rows hanging on them (an instrument's parties go where the instrument goes)."""
    picked = {t: [r for r in kept[t] if ((t, r["id"]) in refs) == inside]
              for t in NEW_TABLES.values() if t not in DEPENDENT}
    picked.update({t: [r for r in kept[t] if ((parent, r[field]) in refs) == inside]
                   for t, (field, parent) in DEPENDENT.items()})
    return picked


def split_meeting(rows: Rows, meeting_id: str) -> tuple[Rows, Rows]:
    """(rows without the meeting, the meeting's own rows) from every table's rows.

    The meeting's own rows are its meeting, attendances, topics, commitments (with their topics
    and assessments), mentions and sources, plus every person, organization, topic, instrument and
    source that they use and nothing else in the dataset uses; an instrument's parties move with it.
    """
    from cbcf_data.model.tables import TABLES

    commitments = {r["id"] for r in rows.get("commitments", []) if r["meeting_id"] == meeting_id}

    def own(table: str, row: dict[str, Any]) -> bool:
        if table == "meetings":
            return row["id"] == meeting_id
        if "meeting_id" in row:
            return row["meeting_id"] == meeting_id
        if "commitment_id" in row and table in ("commitment_topics", "assessments"):
            return row["commitment_id"] in commitments
        return False

    taken: Rows = {t: [r for r in rows.get(t, []) if own(t, r)] for t in TABLES}
    kept: Rows = {t: [r for r in rows.get(t, []) if not own(t, r)] for t in TABLES}
    meeting_tables = {t: r for t, r in kept.items() if t not in NEW_TABLES.values()}
    # Reference rows used by the meeting's rows, transitively (parents, an instrument's source).
    wanted = _references(taken)
    while (closure := wanted | _references(_picked(kept, wanted, True))) != wanted:
        wanted = closure
    # Of those, the ones nothing else uses, until no kept row uses a moved one.
    moving = set(wanted)
    while still_used := moving & _references({**meeting_tables, **_picked(kept, moving, False)}):
        moving -= still_used
    taken.update(_picked(kept, moving, True))
    staying = {**meeting_tables, **_picked(kept, moving, False)}
    return {t: staying[t] for t in TABLES}, taken
