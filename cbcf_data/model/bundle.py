"""The meeting bundle: one document holding a meeting with everything that belongs to it.

A bundle is the contribution format and the per-meeting shape of the JSON release. Rows that
name the meeting (attendances, topics, commitments, mentions, sources) leave out `meeting_id`;
commitments carry their topics and assessments inline; people, organizations, topics,
instruments and sources first used by this meeting come under `new_*`, and so do the parties
(signatories, participants, lead bodies) of those instruments, under `new_instrument_parties`.

`split_meeting` and `from_rows` convert between a dataset and (dataset without the meeting,
bundle) losslessly: a bundle's `new_*` rows are exactly those no other meeting uses. They, `to_rows`
and the tables a bundle adds to work without Pydantic, in `model.bundling` (named here too); this
module holds the bundle's models (Pydantic), for its JSON Schema and the JSON release.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cbcf_data.model.bundling import (  # noqa: F401 - named here too: a bundle's rows, without Pydantic
    DEPENDENT,
    NEW_TABLES,
    Rows,
    _picked,
    _references,
    all_bundles,
    from_rows,
    split_meeting,
    to_rows,
)
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
