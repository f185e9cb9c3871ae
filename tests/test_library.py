"""The library as an analyst meets it: lookups that say what was meant, queries that refuse typos,
topics that include their narrower topics, short reprs, dates as dates, pandas frames ready to use."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

import cbcf_data
from cbcf_data import NotFoundError, PartialDate
from cbcf_data.model.display import RETIRED


@pytest.fixture(scope="module")
def ds():
    return cbcf_data.load()


@pytest.mark.parametrize(("lookup", "message"), [
    (lambda ds: ds.meetings["cbcf-2025"], "no row 'cbcf-2025' in meetings; did you mean 'cbcf-2024'?"),
    (lambda ds: ds.attendances[("cbcf-2024", "arif-viranni")], "did you mean ('cbcf-2024', 'arif-virani')?"),
    (lambda ds: ds.related(ds.meetings["cbcf-2024"], "comitments"), "no table 'comitments'; did you mean 'commitments'?"),
    (lambda ds: ds.meetings.where("phase", "reestablishd"), "no phase code 'reestablishd'; did you mean 'reestablished'?"),
    (lambda ds: ds.meetings.where("phaze", "founding"), "no field 'phaze' in meetings; did you mean 'phase'?"),
    (lambda ds: ds.related(ds.topics["fentanyl"], "people"), "people is not related to topics; tables related to"),
    (lambda ds: ds.table("meeting"), "did you mean 'meetings'?"),
    (lambda ds: ds.label("capacity", "hots"), "did you mean 'host'?"),
    (lambda ds: ds.people.ancestors("merrick-garland"), "people has no hierarchy"),
])
def test_lookups_fail_with_the_nearest_match(ds, lookup, message):
    with pytest.raises(NotFoundError) as error:
        lookup(ds)
    assert message in str(error.value)
    assert isinstance(error.value, KeyError) and isinstance(error.value, cbcf_data.CbcfDataError)


def test_membership_and_get_do_not_raise(ds):
    assert "nope" not in ds.meetings and ds.meetings.get("nope") is None and ["x"] not in ds.meetings  # type: ignore[comparison-overlap]
    assert ds.attendances.get(("cbcf-2024", "arif-virani")).capacity == "guest"
    with pytest.raises(AttributeError, match="did you mean 'meetings'"):
        ds.meeting  # noqa: B018
    assert ds.meetings.where("phase", "reestablished") and ds.meetings.where("city", "Nowhere") == []


def test_topic_relations_include_narrower_topics(ds):
    smuggling = ds.topics["cross-border-smuggling"]
    direct = ds.related(smuggling, "commitments", direct=True)
    closure = ds.related(smuggling, "commitments")
    narrower = {t.id for t in ds.descendants(smuggling)}
    assert set(direct) < set(closure)
    expected = {ct.commitment_id for ct in ds.commitment_topics.values() if ct.topic_id in narrower | {smuggling.id}}
    assert [c.id for c in closure] == sorted(expected)
    drugs = [c.id for c in ds.related(ds.topics["drug-trafficking"], "commitments")]
    fentanyl = [c.id for c in ds.related(ds.topics["fentanyl"], "commitments")]
    assert set(fentanyl) <= set(drugs) and any(i.startswith(("cbcf-2023", "cbcf-2024")) for i in fentanyl)
    meetings = ds.related(ds.topics["drug-trafficking"], "meetings")
    assert {"cbcf-2023", "cbcf-2024"} <= {m.id for m in meetings}


def test_a_topic_is_not_its_own_relation(ds):
    fentanyl = ds.topics["fentanyl"]
    assert fentanyl not in ds.related(fentanyl, "topics")
    assert [t.id for t in ds.related(ds.topics["hate-crime"], "topics")] == ["antisemitism", "islamophobia"]
    assert [t.id for t in ds.ancestors(fentanyl)] == ["drug-trafficking", "cross-border-smuggling"]
    assert ds.topics.ancestors("fentanyl") == ds.ancestors(fentanyl)
    assert [t.id for t in ds.descendants(ds.topics["drug-trafficking"], direct=True)] == \
        sorted(t.id for t in ds.topics.where("parent_id", "drug-trafficking"))


def test_organization_relations_include_their_agencies(ds):
    doj = ds.organizations["us-doj"]
    below = {o.id for o in ds.organizations.values() if o.parent_id == "us-doj"}
    assert below >= {"us-atf"} and {o.id for o in ds.descendants(doj)} >= below
    assert set(ds.related(doj, "attendances", direct=True)) <= set(ds.related(doj, "attendances"))


def test_reprs_are_short_and_readable(ds):
    for table in ds.tables().values():
        for record in table.values():
            text = repr(record)
            assert text.startswith(f"<{type(record).__name__} ") and len(text) <= 100, text
    assert repr(ds.meetings["cbcf-2024"]) == "<Meeting cbcf-2024: 2024-07-11, Washington>"
    assert repr(ds.people["merrick-garland"]) == "<Person merrick-garland: Merrick B. Garland>"
    assert "<table>" in ds.meetings["cbcf-2024"]._repr_html_() and "Washington" in ds.meetings["cbcf-2024"]._repr_html_()
    assert "<strong>meetings</strong>" in ds.meetings._repr_html_() and "commitments" in ds._repr_html_()


def test_no_pydantic_v1_names_on_records(ds):
    meeting = ds.meetings["cbcf-2024"]
    assert not set(dir(meeting)) & set(RETIRED)
    for name in RETIRED:
        assert not hasattr(meeting, name), name
    with pytest.raises(AttributeError, match=r"use model_dump\(\)"):
        meeting.dict()
    assert meeting.model_dump()["id"] == "cbcf-2024" and pickle.loads(pickle.dumps(meeting)) == meeting


def test_dates_are_partial_dates(ds):
    year, month, day = ds.meetings["cbcf-1998"].start_date, ds.meetings["cbcf-1997"].start_date, \
        ds.meetings["cbcf-2024"].start_date
    assert isinstance(year, PartialDate) and year == "1998" and year.precision == "year" and year.year == 1998
    assert (year.earliest, year.latest) == (dt.date(1998, 1, 1), dt.date(1998, 12, 31))
    assert month.precision == "month" and month.latest == dt.date(1997, 9, 30)
    assert day.to_date() == dt.date(2024, 7, 11) == day.earliest == day.latest
    assert PartialDate("2024-02").latest == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="known only to the year"):
        year.to_date()
    for bad in ("2011-02-29", "2024-13", "24", "2024-1-01", "abcd"):
        with pytest.raises(ValueError):
            PartialDate(bad)
    dumped = ds.meetings["cbcf-1998"].model_dump()
    assert type(dumped["start_date"]) is str  # CSV, JSON and YAML get the text as it was


def test_to_pandas_indexes_and_categoricals(ds):
    pd = pytest.importorskip("pandas")
    meetings = ds.to_pandas("meetings")
    assert meetings.index.name == "id" and meetings.loc["cbcf-2024", "city"] == "Washington"
    assert isinstance(meetings["phase"].dtype, pd.CategoricalDtype)
    assert list(meetings["phase"].cat.categories) == ["founding", "reestablished"]
    attendances = ds.attendances.to_pandas()
    assert list(attendances.index.names) == ["meeting_id", "person_id"]
    assert attendances.loc[("cbcf-2024", "arif-virani"), "capacity"] == "guest"
    frames = ds.to_pandas()
    assert set(frames) == set(ds.tables()) and len(frames["commitments"]) == len(ds.commitments)
    assert "id" in ds.to_pandas("meetings", index=False).columns
    earliest = meetings["start_date"].map(lambda d: PartialDate(d).earliest)
    assert earliest.loc["cbcf-1998"] == dt.date(1998, 1, 1)


def test_labels_by_language(ds):
    assert ds.label("capacity", "host") == "Host" and ds.label("capacity", "host", lang="fr") == "Hôte"
    assert ds.label("modality", "commit", "fr") == "S'engager"
    with pytest.raises(NotFoundError, match="no language 'de'"):
        ds.label("capacity", "host", lang="de")
    with pytest.raises(NotFoundError, match="no codelist 'capacities'; did you mean 'capacity'"):
        ds.label("capacities", "host")
