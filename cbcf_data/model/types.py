"""Constrained types shared by every model: IDs, dates, country codes, codelist values.

Each is defined once here so that the models, the generated schemas and the validator agree on
one pattern. Patterns are plain regular expressions that JSON Schema and Table Schema share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from cbcf_data.model import codelists
from cbcf_data.model.dates import DATE_PATTERN, FULL_DATE_PATTERN, PartialDate
from cbcf_data.model.rowrules import date_precision_of as date_precision_of
from cbcf_data.model.text import LINE_PATTERN, TEXT_PATTERN, URL_PATTERN

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MEETING_ID_PATTERN = r"^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$"
COMMITMENT_ID_PATTERN = r"^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$"
SUBDIVISION_PATTERN = r"^(?:US|CA)-[A-Z0-9]{1,3}$"
WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ARCHIVE_PATH_PATTERN = r"^sources/[a-z0-9]+(?:-[a-z0-9]+)*\.txt$"

def _check_calendar(value: str) -> PartialDate:
    # The pattern admits 2011-02-29; the calendar does not. A record's date is a PartialDate: the
    # same text, with .year, .precision, .earliest and .latest.
    try:
        return PartialDate(value)
    except ValueError:
        raise PydanticCustomError(
            "invalid-date", "'{value}' is not a real calendar date", {"value": value}
        ) from None


class Coded(str):
    """Marks a field's type as the codes of the codelist it names (read by `table_schema.codelist_of`)."""

    __slots__ = ()


def _codes(name: str) -> Any:
    # The codelist's name rides along as a marker (for generators and hints) and, for readers of the
    # JSON Schema, as a standard `$comment`: a keyword of its own would break strict validators.
    values = tuple(codelists.CODELISTS[name])
    comment = f"codelist {name}: labels and definitions in codelists.json"
    return Annotated[Literal[values], Coded(name), Field(json_schema_extra={"$comment": comment})]  # type: ignore[valid-type]


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=80)]
MeetingId = Annotated[str, Field(pattern=MEETING_ID_PATTERN, max_length=80)]
CommitmentId = Annotated[str, Field(pattern=COMMITMENT_ID_PATTERN, max_length=90)]
#: Dumps (model_dump, CSV, JSON, YAML) hold the date's plain text.
_AS_TEXT = PlainSerializer(str, return_type=str)
if TYPE_CHECKING:  # a record's date is a PartialDate: the text, with .year, .precision, .earliest, .latest
    Date = PartialDate
    FullDate = PartialDate
else:
    Date = Annotated[
        str,
        Field(pattern=DATE_PATTERN),  # ISO 8601 at day, month or year precision; fields describe themselves
        AfterValidator(_check_calendar),
        _AS_TEXT,
    ]
    FullDate = Annotated[str, Field(pattern=FULL_DATE_PATTERN), AfterValidator(_check_calendar), _AS_TEXT]
Subdivision = Annotated[str, Field(pattern=SUBDIVISION_PATTERN)]  # ISO 3166-2
WikidataId = Annotated[str, Field(pattern=WIKIDATA_PATTERN)]
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN)]
Url = Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)]
ArchivePath = Annotated[str, Field(pattern=ARCHIVE_PATH_PATTERN)]
#: A long text (summary, notes, description, quote): may hold LF and TAB, nothing else outside the
#: text rule of `cbcf_data.model.text` (no CR, control, bidi or invisible character).
Text = Annotated[str, Field(min_length=1, max_length=4000, pattern=TEXT_PATTERN)]
#: A one-line text (name, title, label, role, city): no line break, TAB or other character outside the text rule.
ShortText = Annotated[str, Field(min_length=1, max_length=300, pattern=LINE_PATTERN)]
Abbreviation = Annotated[str, Field(pattern=r"^[A-Za-z0-9&.-]{1,20}$")]
Offset = Annotated[int, Field(ge=0)]
Ordinal = Annotated[int, Field(ge=1, le=99)]

if TYPE_CHECKING:  # to a type checker a codelist value is a str; at run time a Literal of its codes
    Country = str
    Parties = str
    Phase = str
    Basis = str
    DatePrecision = str
    Classification = str
    Capacity = str
    AttendanceStatus = str
    Modality = str
    Relation = str
    InstrumentKind = str
    Jurisdiction = str
    SourceKind = str
    Reliability = str
    AssessmentStatus = str
    Language = str
    TitleBasis = str
    PartyRole = str
    RetirableTable = str
else:
    Country = _codes("country")
    Parties = _codes("parties")
    Phase = _codes("phase")
    Basis = _codes("basis")
    DatePrecision = _codes("date_precision")
    Classification = _codes("classification")
    Capacity = _codes("capacity")
    AttendanceStatus = _codes("attendance_status")
    Modality = _codes("modality")
    Relation = _codes("relation")
    InstrumentKind = _codes("instrument_kind")
    Jurisdiction = _codes("jurisdiction")
    SourceKind = _codes("source_kind")
    Reliability = _codes("reliability")
    AssessmentStatus = _codes("assessment_status")
    Language = _codes("language")
    TitleBasis = _codes("title_basis")
    PartyRole = _codes("party_role")
    RetirableTable = _codes("retirable_table")
