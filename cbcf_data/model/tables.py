"""The fourteen tables of the dataset as Pydantic models: one row of a table is one model.

Field names are the CSV headers, in CSV column order. Rules that need only the row itself live
here (`@model_validator`); rules that need another table live in `cbcf_data.check.rules`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from cbcf_data.model import rowrules
from cbcf_data.model.display import Display
from cbcf_data.model.docstrings import read_once
from cbcf_data.model.types import (
    Abbreviation,
    ArchivePath,
    AssessmentStatus,
    AttendanceStatus,
    Basis,
    Capacity,
    Classification,
    CommitmentId,
    Country,
    Date,
    DatePrecision,
    InstrumentKind,
    Jurisdiction,
    Language,
    MeetingId,
    Modality,
    Offset,
    Ordinal,
    Parties,
    PartyRole,
    Phase,
    Relation,
    Reliability,
    RetirableTable,
    Sha256,
    ShortText,
    Slug,
    SourceKind,
    Subdivision,
    Text,
    TitleBasis,
    Url,
    WikidataId,
)

#: The fields' descriptions (their docstrings) read with one parse of this file (`model.docstrings`).
_restore_docstrings = read_once(__name__)


class Record(Display, BaseModel):  # type: ignore[misc]  # Display retires BaseModel's v1 names
    """Base of every table's row: unknown fields are errors, records are immutable; a short repr."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    #: The table's name, which is also its CSV file's stem.
    table: ClassVar[str]
    #: Fields whose values together identify a row.
    primary_key: ClassVar[tuple[str, ...]]
    #: Field -> table whose `id` it references.
    foreign_keys: ClassVar[dict[str, str]] = {}
    #: One valid row, used by docs and tests.
    example: ClassVar[dict[str, Any]]

    @property
    def key(self) -> Any:
        """The row's primary key: a string, or a tuple for composite keys."""
        if len(self.primary_key) == 1:
            return getattr(self, self.primary_key[0])
        return tuple(getattr(self, name) for name in self.primary_key)


def _checked(record: Any) -> Any:
    """Run the row rules of `record`'s table (`model.rowrules`), their error as Pydantic's."""
    try:
        rowrules.RULES[record.table](record)
    except rowrules.RowRuleError as error:
        raise PydanticCustomError(error.code, error.message, error.context) from None
    return record


class Meeting(Record):
    """One ministerial meeting of the forum."""

    table = "meetings"
    primary_key = ("id",)
    example = {
        "id": "cbcf-2012", "phase": "founding", "sequence": 12, "sequence_basis": "stated",
        "existence_basis": "stated", "start_date": "2012-03-02", "date_precision": "day",
        "date_basis": "stated", "city": "Ottawa", "subdivision": "CA-ON", "host_country": "CA",
        "host_basis": "inferred",
        "notes": ("Host country inferred from the venue, Ottawa: the U.S. embassy readout says the U.S. principals "
                 "visited Ottawa; no source here names a host. The MOU on human smuggling and trafficking was "
                 "signed by Napolitano, Holder and Toews (embassy readout); the MOU itself names the U.S. Human "
                 "Smuggling and Trafficking Center and the RCMP as its participants. iPolitics, which reports that "
                 "Toews's office released the MOU, says the four ministers signed it; the readout names three "
                 "signers."),
    }

    id: MeetingId
    """`cbcf-` and the year the meeting began, e.g. `cbcf-2024`."""
    phase: Phase
    """`founding` (1997-2012) or `reestablished` (2022 on)."""
    sequence: Ordinal | None = None
    """Ordinal of the meeting within its phase (1 = first); empty when unknown."""
    sequence_basis: Basis | None = None
    """Whether a source states the ordinal or it is inferred; empty when `sequence` is empty."""
    existence_basis: Basis
    """Whether a source reports the meeting or its existence is only inferred."""
    start_date: Date
    """First day of the meeting (YYYY-MM-DD), or its month (YYYY-MM) or year (YYYY) when only that is known."""
    end_date: Date | None = None
    """Last day for a meeting of several days; empty for a one-day meeting."""
    date_precision: DatePrecision
    """How precisely `start_date` (and `end_date`) are known."""
    date_basis: Basis
    """Whether a source states the date or it is inferred (see `notes`)."""
    city: ShortText | None = None
    """City where the meeting was held; empty when unknown."""
    subdivision: Subdivision | None = None
    """ISO 3166-2 code of the state or province, e.g. `US-DC`, `CA-ON`."""
    host_country: Country | None = None
    """Country that hosted the meeting; empty when unknown."""
    host_basis: Basis | None = None
    """Whether a source says who hosted or it is inferred from the venue; empty when `host_country` is."""
    summary: Text | None = None
    """What the meeting did, in the dataset's own words."""
    notes: Text | None = None
    """How uncertain values were inferred, and anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Meeting:
        return _checked(self)  # type: ignore[no-any-return]


class Person(Record):
    """A person who took part in a meeting."""

    table = "people"
    primary_key = ("id",)
    example = {"id": "merrick-garland", "name": "Merrick B. Garland", "country": "US"}

    id: Slug
    """Kebab-case of the person's usual name, e.g. `merrick-garland`."""
    name: ShortText
    """Full name as sources usually give it."""
    country: Country
    """Country the person served."""
    wikidata_id: WikidataId | None = None
    """Wikidata item (`Q…`), only when known for certain."""
    notes: Text | None = None
    """Anything a reader should know."""


class Organization(Record):
    """A department, ministry, agency or office."""

    table = "organizations"
    primary_key = ("id",)
    foreign_keys = {"parent_id": "organizations"}
    example = {
        "id": "ca-public-safety", "name": "Public Safety Canada", "name_fr": "Sécurité publique Canada",
        "abbreviation": "PS", "country": "CA", "classification": "ministry",
    }

    id: Slug
    """Country prefix and a short name, e.g. `us-doj`, `ca-public-safety`."""
    name: ShortText
    """English name, as it was called at the time of the meetings it appears in."""
    name_fr: ShortText | None = None
    """French name; filled for every Canadian body."""
    abbreviation: Abbreviation | None = None
    """Usual abbreviation, e.g. `DOJ`, `RCMP`."""
    country: Country
    """Country the body belongs to."""
    classification: Classification
    """What kind of body it is."""
    parent_id: Slug | None = None
    """The body it belongs to, e.g. an agency's department."""
    notes: Text | None = None
    """Names used at other times, and anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Organization:
        return _checked(self)  # type: ignore[no-any-return]


class Attendance(Record):
    """A person's part in a meeting."""

    table = "attendances"
    primary_key = ("meeting_id", "person_id")
    foreign_keys = {
        "meeting_id": "meetings", "person_id": "people", "organization_id": "organizations", "source_id": "sources",
    }
    example = {
        "meeting_id": "cbcf-2012", "person_id": "vic-toews", "role": "Minister of Public Safety",
        "organization_id": "ca-public-safety", "delegation": "CA", "capacity": "host", "capacity_basis": "inferred",
        "status": "attended", "source_id": "ps-2012-03-02-release",
        "notes": "Host or guest inferred from the venue, Ottawa; no source here names a host.",
    }

    meeting_id: MeetingId
    """The meeting."""
    person_id: Slug
    """The person."""
    role: ShortText
    """The person's title exactly as the source states it."""
    organization_id: Slug | None = None
    """The body the person represented."""
    delegation: Country
    """Which country's delegation the person belonged to."""
    capacity: Capacity | None = None
    """The person's part: host, guest, co-chair or participant; empty for someone who did not come."""
    capacity_basis: Basis | None = None
    """Whether a source states the capacity or it is inferred (e.g. host from the venue); empty with `capacity`."""
    status: AttendanceStatus
    """Whether the person is known to have taken part."""
    source_id: Slug
    """The source that names the person at this meeting."""
    notes: Text | None = None
    """Full titles, inferred roles, and anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Attendance:
        return _checked(self)  # type: ignore[no-any-return]


class Topic(Record):
    """An entry of the controlled topic vocabulary."""

    table = "topics"
    primary_key = ("id",)
    foreign_keys = {"parent_id": "topics"}
    example = {
        "id": "fentanyl", "label": "Fentanyl and synthetic opioids", "label_fr": "Fentanyl et opioïdes de synthèse",
        "parent_id": "drug-trafficking",
        "description": "Trafficking in fentanyl and other synthetic opioids, and their supply chains.",
    }

    id: Slug
    """Kebab-case of the English label."""
    label: ShortText
    """English label."""
    label_fr: ShortText
    """French label."""
    parent_id: Slug | None = None
    """The broader topic this one narrows."""
    description: Text
    """What the topic covers."""


class MeetingTopic(Record):
    """A theme discussed at a meeting."""

    table = "meeting_topics"
    primary_key = ("meeting_id", "topic_id")
    foreign_keys = {"meeting_id": "meetings", "topic_id": "topics", "source_id": "sources"}
    example = {"meeting_id": "cbcf-2012", "topic_id": "organized-crime", "source_id": "ps-2012-03-02-release"}

    meeting_id: MeetingId
    """The meeting."""
    topic_id: Slug
    """The theme."""
    source_id: Slug
    """The source that reports the theme."""


class Commitment(Record):
    """One undertaking made at a meeting."""

    table = "commitments"
    primary_key = ("id",)
    foreign_keys = {"meeting_id": "meetings", "source_id": "sources"}
    example = {
        "id": "cbcf-2024-c08", "meeting_id": "cbcf-2024",
        "summary": "Stay in close contact on the forum's issues through further CBCF meetings and bilateral exchanges.",
        "modality": "commit", "parties": "both", "source_id": "cbcf-2024-communique-summary",
    }

    id: CommitmentId
    """The meeting's ID, `-c` and a two-digit number, e.g. `cbcf-2024-c01`."""
    meeting_id: MeetingId
    """The meeting where it was made."""
    summary: Text
    """What was undertaken, in the dataset's own words, specific enough to check later."""
    modality: Modality
    """How firmly it was worded."""
    parties: Parties
    """Who undertook it: `US`, `CA` or `both`."""
    source_id: Slug
    """The source that reports it."""
    quote: Text | None = None
    """The undertaking's words, exactly as in the archived source text."""
    quote_start: Offset | None = None
    """Offset of the quote's first character in the archived text (Unicode code points, from 0)."""
    quote_end: Offset | None = None
    """Offset just past the quote's last character (end exclusive)."""
    notes: Text | None = None
    """Anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Commitment:
        return _checked(self)  # type: ignore[no-any-return]


class CommitmentTopic(Record):
    """A commitment's topic."""

    table = "commitment_topics"
    primary_key = ("commitment_id", "topic_id")
    foreign_keys = {"commitment_id": "commitments", "topic_id": "topics"}
    example = {"commitment_id": "cbcf-2024-c07", "topic_id": "hate-crime"}

    commitment_id: CommitmentId
    """The commitment."""
    topic_id: Slug
    """One of its topics."""


class Instrument(Record):
    """An act, bill, MOU, agreement, plan, statement, report, task force, programme or initiative."""

    table = "instruments"
    primary_key = ("id",)
    foreign_keys = {"source_id": "sources"}
    example = {
        "id": "roadmap-2021", "title": "Roadmap for a Renewed U.S.-Canada Partnership", "title_basis": "printed",
        "kind": "plan", "jurisdiction": "bilateral", "date": "2021-02", "date_precision": "month",
        "date_basis": "stated", "source_id": "doj-2022-03-22-readout-repost",
        "notes": "Issued by President Biden and Prime Minister Trudeau; the forum was reestablished under it.",
    }

    id: Slug
    """Jurisdiction prefix and a short name, e.g. `us-fara`, `ca-bill-c-70`."""
    title: ShortText
    """Title as sources give it; a descriptive title when the formal one is unknown (see notes)."""
    title_basis: TitleBasis
    """Whether `title` is the instrument's own title or a description of it."""
    kind: InstrumentKind
    """What sort of instrument it is."""
    jurisdiction: Jurisdiction
    """Whose instrument it is."""
    date: Date | None = None
    """When it was made, signed or enacted; empty when no source here gives it."""
    date_precision: DatePrecision | None = None
    """How precisely `date` is known; empty when `date` is."""
    date_basis: Basis | None = None
    """Whether a source states the date or it is inferred (e.g. from the date of a release); empty with `date`."""
    source_id: Slug | None = None
    """The source for the title and date."""
    notes: Text | None = None
    """Anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Instrument:
        return _checked(self)  # type: ignore[no-any-return]


class InstrumentParty(Record):
    """An organization that signed, is party to or leads an instrument."""

    table = "instrument_parties"
    primary_key = ("instrument_id", "organization_id", "role")
    foreign_keys = {"instrument_id": "instruments", "organization_id": "organizations", "source_id": "sources"}
    example = {
        "instrument_id": "us-ca-mou-forensic-firearms-data-2006", "organization_id": "us-atf", "role": "lead",
        "basis": "stated", "source_id": "doj-2006-release-06-768-scribd",
    }

    instrument_id: Slug
    """The instrument."""
    organization_id: Slug
    """The organization."""
    role: PartyRole
    """Its part: signatory, participant or lead."""
    basis: Basis
    """Whether a source states this organization's part or it is inferred (see notes)."""
    source_id: Slug
    """The source that reports it."""
    notes: Text | None = None
    """Who signed on the organization's behalf, and anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> InstrumentParty:
        return _checked(self)  # type: ignore[no-any-return]


class InstrumentMention(Record):
    """An instrument's part in a meeting."""

    table = "instrument_mentions"
    primary_key = ("meeting_id", "instrument_id", "relation")
    foreign_keys = {
        "meeting_id": "meetings", "instrument_id": "instruments", "commitment_id": "commitments", "source_id": "sources",
    }
    example = {
        "meeting_id": "cbcf-2024", "instrument_id": "us-fara", "relation": "referenced", "relation_basis": "stated",
        "source_id": "cbcf-2024-communique-summary",
    }

    meeting_id: MeetingId
    """The meeting."""
    instrument_id: Slug
    """The instrument."""
    relation: Relation
    """What happened to it at the meeting."""
    relation_basis: Basis
    """Whether a source states what happened to it there, or it is inferred (see notes)."""
    commitment_id: CommitmentId | None = None
    """The commitment it belongs to, if any."""
    source_id: Slug
    """The source that reports it."""
    notes: Text | None = None
    """Anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> InstrumentMention:
        return _checked(self)  # type: ignore[no-any-return]


class Source(Record):
    """A document that reports facts of the dataset."""

    table = "sources"
    primary_key = ("id",)
    example = {
        "id": "doj-2001-06-20-remarks", "title": "Attorney General Prepared Remarks: Cross Border Crime Forum, Ottawa, Ontario",
        "title_basis": "printed", "publisher": "U.S. Department of Justice",
        "url": "https://www.justice.gov/archive/ag/speeches/2001/0620crossborder.htm",
        "published_date": "2001-06-20", "kind": "official", "reliability": "high", "language": "en",
        "notes": "The date is printed on the page.",
    }

    id: Slug
    """Publisher, date and kind, e.g. `doj-2001-06-20-remarks`."""
    title: ShortText
    """Title of the document, as `title_basis` says it was found."""
    title_basis: TitleBasis
    """Whether `title` is printed by the document, read from its address, or descriptive."""
    publisher: ShortText | None = None
    """Who published it; empty when the document does not say."""
    url: Url | None = None
    """Where it can be read."""
    published_date: Date | None = None
    """When it was published; empty when unknown."""
    kind: SourceKind
    """What sort of document it is."""
    reliability: Reliability
    """How far it can be trusted on its own: follows from `kind` by one rule (CONTRIBUTING.md)."""
    archive_path: ArchivePath | None = None
    """Its archived full text, relative to the tables' folder: `sources/<id>.txt`."""
    sha256: Sha256 | None = None
    """SHA-256 of the archived file's bytes, lowercase hex."""
    language: Language
    """Language of the document."""
    notes: Text | None = None
    """Whose text it copies, why a field is empty, and anything a reader should know."""

    @model_validator(mode="after")
    def _check_row(self) -> Source:
        return _checked(self)  # type: ignore[no-any-return]


class MeetingSource(Record):
    """A source that documents a meeting."""

    table = "meeting_sources"
    primary_key = ("meeting_id", "source_id")
    foreign_keys = {"meeting_id": "meetings", "source_id": "sources"}
    example = {"meeting_id": "cbcf-2024", "source_id": "cbcf-2024-communique-summary"}

    meeting_id: MeetingId
    """The meeting."""
    source_id: Slug
    """A source that reports it."""


class Assessment(Record):
    """A dated judgement of a commitment's progress: added to, never rewritten unless no source ever supported it."""

    table = "assessments"
    primary_key = ("commitment_id", "party", "as_of")
    foreign_keys = {"commitment_id": "commitments", "source_id": "sources"}
    example = {
        "commitment_id": "cbcf-2022-c06", "party": "CA", "as_of": "2023-04-28", "status": "fulfilled",
        "source_id": "doj-2023-04-28-remarks", "note": "Canada hosted the second meeting since reestablishment in Ottawa on 28 April 2023.",
    }

    commitment_id: CommitmentId
    """The commitment judged."""
    party: Parties
    """Whose progress: `US`, `CA` or `both`."""
    as_of: Date
    """Date the judgement holds for: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known."""
    status: AssessmentStatus
    """Progress at that date."""
    source_id: Slug | None = None
    """The source that shows it; empty only for `no-evidence`, where the note lists what was searched."""
    note: Text
    """What the source shows, in the dataset's own words; for `no-evidence`, what was searched."""

    @model_validator(mode="after")
    def _check_row(self) -> Assessment:
        return _checked(self)  # type: ignore[no-any-return]


class RetiredId(Record):
    """An ID taken out of the dataset, never to be used again; lookups lead to its successor."""

    table = "retired_ids"
    primary_key = ("table_name", "id")
    example = {
        "table_name": "commitments", "id": "cbcf-2022-c13", "retired_in": "1.0.0",
        "reason": "Removed by `cbcf-data import --replace` of cbcf-2022: the corrected communique counts 12 commitments.",
        "replaced_by": "cbcf-2022-c12",
    }

    table_name: RetirableTable
    """The table whose row it identified (only tables keyed by one `id` field)."""
    id: ShortText
    """The retired ID."""
    retired_in: ShortText
    """The dataset version when the ID was taken out: the last version whose records held it."""
    reason: Text
    """Why the ID was taken out (the command that removed it, and why, in the dataset's words)."""
    replaced_by: ShortText | None = None
    """The ID, in the same table, of the row that took its place; empty when none did."""

_restore_docstrings()

#: Every table in dependency order: a table references only tables before it (or itself).
MODELS: tuple[type[Record], ...] = (
    Source,
    Meeting,
    Person,
    Organization,
    Topic,
    Attendance,
    MeetingTopic,
    Commitment,
    CommitmentTopic,
    Instrument,
    InstrumentParty,
    InstrumentMention,
    MeetingSource,
    Assessment,
    RetiredId,
)
TABLES: dict[str, type[Record]] = {model.table: model for model in MODELS}
