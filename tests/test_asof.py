"""`Dataset.as_of(date)`: the dataset as it stood on a day (partial dates by their latest day)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from conftest import dataset, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from cbcf_data.dataset.asof import latest_assessments
from cbcf_data.model.dates import PartialDate


def test_before_the_first_meeting_nothing_was_known():
    ds = dataset()
    first = min(PartialDate(m.start_date).earliest for m in ds.meetings.values())
    then = ds.as_of(first - dt.timedelta(days=1))
    assert all(len(table) == 0 for name, table in then.tables().items() if name != "retired_ids")
    assert len(then.retired_ids) == len(ds.retired_ids)


def test_today_is_the_latest_state():
    ds = dataset()
    now = ds.as_of(dt.date.today())
    for name, table in ds.tables().items():
        if name != "assessments":
            assert set(now.table(name)) == set(table), name
    assert [a.model_dump() for a in now.assessments.values()] == \
        latest_assessments(a.model_dump() for a in ds.assessments.values())


@settings(max_examples=40, deadline=None)
@given(st.dates(dt.date(1996, 1, 1), dt.date(2027, 12, 31)), st.dates(dt.date(1996, 1, 1), dt.date(2027, 12, 31)))
def test_as_of_keeps_only_what_was_known_and_grows_with_time(a, b):
    early, late = sorted((a, b))
    ds = dataset()
    before, after = ds.as_of(early), ds.as_of(late)
    for meeting in before.meetings.values():
        assert PartialDate(meeting.end_date or meeting.start_date).latest <= early
    for assessment in before.assessments.values():
        assert PartialDate(assessment.as_of).latest <= early and assessment.commitment_id in before.commitments
    assert set(before.meetings) <= set(after.meetings) and set(before.commitments) <= set(after.commitments)
    pairs = [(x.commitment_id, x.party) for x in before.assessments.values()]
    assert len(pairs) == len(set(pairs))  # one per commitment and party
    for name, table in before.tables().items():  # every reference the kept rows make is kept
        for record in table.values():
            for field, target in record.foreign_keys.items():
                value = getattr(record, field)
                assert value is None or value in before.table(target), (name, field, value)


def test_a_partial_date_counts_when_its_latest_day_has_passed():
    assert PartialDate("2023").latest > dt.date(2023, 6, 30)
    rows = [{"commitment_id": "c", "party": "US", "as_of": d} for d in ("2023", "2023-12-31", "2023-06")]
    assert latest_assessments(rows)[0]["as_of"] == "2023-12-31"  # same latest day: the more precise wins


def test_show_as_of(tmp_path):
    ds = dataset()
    meeting = min(ds.meetings)
    day = PartialDate(ds.meetings[meeting].end_date or ds.meetings[meeting].start_date).latest
    shown = run_cli("show", meeting, "--as-of", day.isoformat())
    assert shown.returncode == 0 and meeting in shown.stdout
    early = run_cli("show", meeting, "--as-of", (day - dt.timedelta(days=1)).isoformat())
    assert early.returncode != 0
    bad = run_cli("show", meeting, "--as-of", "2023-02-30")
    assert bad.returncode != 0 and "--as-of" in bad.stderr


def test_sqlite_status_as_of_is_the_latest_assessment(tmp_path):
    from cbcf_data.publish import describe
    from cbcf_data.publish.sqlite import sqlite_bytes

    ds = dataset()
    path = tmp_path / "db.sqlite"
    path.write_bytes(sqlite_bytes(ds, describe.about({}, None)))
    with sqlite3.connect(path) as db:
        got = sorted(db.execute("SELECT commitment_id, party, as_of FROM status_as_of"))
        crosswalk = db.execute("SELECT count(*) FROM status_crosswalk").fetchone()[0]
    want = sorted((r["commitment_id"], r["party"], r["as_of"])
                  for r in latest_assessments(a.model_dump() for a in ds.assessments.values()))
    assert got == want and crosswalk == 7
