"""What the cross-table rules keep, kept small (`check/rules/located.py`, `Meetings`): each valid
record's ID once, a CSV row's place as its line, and a commitment's meeting only when its ID
does not name it. The issues are those a plain dict of every record and its Where gives."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from cbcf_data.check.report import Where
from cbcf_data.check.rules import Rules
from cbcf_data.check.rules.located import Located
from cbcf_data.check.rules.meetings import meeting_of
from cbcf_data.check.validate import validate

MEETINGS = ["cbcf-2024", "cbcf-2024-c01", "cbcf-2024-c01-c02", "cbcf-2025-ottawa"]
NUMBERS = ["-c01", "-c02", "-c01-c02"]


def test_a_row_s_place_comes_back_as_it_was_given():
    located = Located(["people", "meetings"], ["people", "meetings"])
    feed = located.handler("people")
    assert located.handler("commitments_topics") is None
    places = {"a": Where("d/people.csv", "people", 2), "b": Where("bundle.yaml", "people", None, "/people/0"),
              "c": Where("other/people.csv", "people", 7), "d": Where("d/people.csv", "people", 9)}
    for key, where in places.items():
        feed(SimpleNamespace(id=key), where)
    assert list(located.items("people")) == list(places.items())
    assert type(located.ids["people"]["a"]) is int and type(located.ids["people"]["d"]) is int
    assert located.where("people", "zz") is None and list(located.items("meetings")) == []


def test_meeting_of_names_the_meeting_of_the_id_rule():
    assert meeting_of("cbcf-2024-c08") == "cbcf-2024"
    assert meeting_of("cbcf-2022-s0000000-c01") == "cbcf-2022-s0000000"
    assert meeting_of("cbcf-2024-c01-c02") == "cbcf-2024-c01"  # a valid commitment of cbcf-2024 too: kept apart


commitments = st.lists(st.tuples(st.sampled_from(MEETINGS), st.sampled_from(NUMBERS), st.sampled_from(MEETINGS)),
                       max_size=12)
mentions = st.lists(st.tuples(st.sampled_from(MEETINGS), st.sampled_from(MEETINGS), st.sampled_from(NUMBERS)),
                    max_size=12)


@settings(max_examples=200, deadline=None)
@given(commitments=commitments, mentions=mentions)
def test_a_commitment_s_meeting_is_the_one_its_row_gave(commitments, mentions):
    issues: list[tuple] = []
    rules = Rules(lambda code, message, where, **kw: issues.append((code, message, where, kw)), None)
    expected: dict[str, str] = {}  # the reference: every valid commitment's meeting, as a dict kept it
    feed = rules.feeder("commitments")
    for line, (meeting, number, owner) in enumerate(commitments, 2):
        commitment_id = meeting + number
        if not commitment_id.startswith(owner + "-c"):
            owner = meeting  # a valid commitment's ID starts with its meeting's ID
        feed(SimpleNamespace(id=commitment_id, meeting_id=owner, source_id="s", parties="CA", quote=None),
             Where("commitments.csv", "commitments", line))
        expected[commitment_id] = owner
    issues.clear()  # party-not-at-meeting: not this test's business
    feed = rules.feeder("instrument_mentions")
    wanted = []
    for line, (meeting, owner, number) in enumerate(mentions, 2):
        commitment_id = owner + number
        feed(SimpleNamespace(meeting_id=meeting, instrument_id="i", source_id="s", commitment_id=commitment_id),
             Where("instrument_mentions.csv", "instrument_mentions", line))
        if commitment_id in expected and expected[commitment_id] != meeting:
            wanted.append((line, f"commitment {commitment_id} belongs to {expected[commitment_id]}, not to {meeting}"))
    found = [(where.line, message) for code, message, where, _ in issues if code == "mention-commitment-meeting"]
    assert found == wanted


@pytest.mark.parametrize("invalid_first", [False, True])
def test_a_reused_commitment_id_is_located_at_its_valid_row_read_again(tmp_path, invalid_first):
    # Commitments keep only their IDs (`Located`, unplaced): the row of a retired ID used again is
    # found by reading commitments.csv again, at the row that was valid, as a dict of places said.
    shutil.copytree(FIXTURES / "_base", tmp_path / "d")
    records = tmp_path / "d" / "records"
    path = records / "commitments.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    invalid = lines[2].replace(",continue,", ",comit,")
    assert invalid != lines[2]
    path.write_text("".join(lines[:2] + ([invalid, lines[2]] if invalid_first else [lines[2], invalid]) + lines[3:]),
                    encoding="utf-8")
    reused = lines[2].split(",")[0]
    (records / "retired_ids.csv").write_text("table_name,id,retired_in,reason,replaced_by\n"
                                             f"commitments,{reused},1.0.0,Test.,\n", encoding="utf-8")
    issues = [i for i in validate(tmp_path / "d").issues if i.code == "retired-id-reused"]
    assert [(i.path, i.table, i.line, i.record_id) for i in issues] == [(str(path), "commitments", 4 if invalid_first else 3, reused)]


def test_a_feeder_calls_every_handler_of_its_table_once_in_group_order():
    rules = Rules(lambda *args, **kwargs: None, None)
    calls: list[str] = []

    class Group:
        def __init__(self, name: str) -> None:
            self.name = name

        def handler(self, table: str):
            return (lambda record, where: calls.append(self.name)) if table != "topics" else None

    rules.groups = tuple(Group(str(i)) for i in range(5))
    rules.feeder("commitments")(SimpleNamespace(id="cbcf-2024-c01"), Where("c.csv", "commitments", 2))
    assert calls == ["0", "1", "2", "3", "4"] and "cbcf-2024-c01" in rules.located.ids["commitments"]
    calls.clear()
    rules.feeder("topics")(SimpleNamespace(id="t"), Where("t.csv", "topics", 2))
    assert calls == [] and list(rules.located.ids["topics"]) == ["t"]


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["commitment", "topic", "listed", "listed-batch"]),
                                st.sampled_from(["m1", "m2", "m3"]), st.sampled_from(["s1", "s2", "s3"])),
                      max_size=30))
def test_the_pairs_cited_and_not_listed_are_reported_as_a_set_of_listed_pairs_says(steps):
    """`Meetings.cited` marks a pair listed in place (no set of listed pairs beside it): what `finish`
    reports is what the first citation of each pair and a set of every pair listed give, in any
    order of citations and listings, one row or a batch at a time."""
    issues: list[tuple] = []
    rules = Rules(lambda code, message, where, **kw: issues.append((code, where, kw)), None)
    meetings = rules.groups[0]
    first: dict[tuple[str, str], tuple[Where, str]] = {}  # the reference
    listed: set[tuple[str, str]] = set()
    for line, (kind, meeting, source) in enumerate(steps, 2):
        where = Where("t.csv", kind, line)
        if kind == "commitment":
            meetings._commitments(SimpleNamespace(id=f"{meeting}-c{line:02d}", meeting_id=meeting, source_id=source,
                                                  parties="US"), where)
            first.setdefault((meeting, source), (where, f"{meeting}-c{line:02d}"))
        elif kind == "topic":
            meetings._meeting_topics(SimpleNamespace(meeting_id=meeting, source_id=source, topic_id="t"), where)
            first.setdefault((meeting, source), (where, f"{meeting}/t"))
        elif kind == "listed":
            meetings._meeting_sources(SimpleNamespace(meeting_id=meeting, source_id=source), where)
            listed.add((meeting, source))
        else:
            meetings._meeting_sources_batch({"meeting_id": [meeting, "m1"], "source_id": [source, "s1"]}, "t.csv",
                                            [line, line])
            listed.update({(meeting, source), ("m1", "s1")})
    issues.clear()
    rules.finish()
    with_source = {meeting for meeting, _ in listed}
    assert [(where, kw["record_id"], kw["value"]) for code, where, kw in issues if code == "source-not-listed"] == \
        [(where, record_id, source) for (meeting, source), (where, record_id) in first.items()
         if (meeting, source) not in listed and meeting in with_source]
