"""The cross-table rules' handlers that run for every row, written for speed (`Orphans.handler`
compiled per table; `Meetings` testing `cited` before citing): what they keep is what the plain
code keeps, record by record."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from cbcf_data.check.report import Where
from cbcf_data.check.rules.located import Located
from cbcf_data.check.rules.meetings import Meetings
from cbcf_data.check.rules.orphans import REFERENCED, Orphans
from cbcf_data.model.declared import TABLES

VALUES = ["a", "b", "cbcf-2024", "x-1", None]


def test_orphans_notes_every_referenced_value_of_every_table_and_no_empty_one():
    chance = random.Random(16)
    for table, model in TABLES.items():
        orphans = Orphans(lambda *a, **k: None, Located([], []))
        feed = orphans.handler(table)
        uses = {f: target for f, target in model.foreign_keys.items() if target in REFERENCED}
        assert (feed is None) == (not uses), table
        if feed is None:
            continue
        expected: dict[str, set[str]] = {target: set() for target in REFERENCED}
        for line in range(50):
            fields = {f: chance.choice(VALUES) for f in model.foreign_keys}
            feed(SimpleNamespace(**fields), Where("t.csv", table, line + 2))
            for f, target in uses.items():
                if fields[f] is not None:
                    expected[target].add(fields[f])
        assert orphans.used == expected, table
        assert any(expected.values()), table


def test_meetings_cites_each_pair_once_at_its_first_row_whatever_the_table():
    issues: list[tuple] = []
    meetings = Meetings(lambda *a, **k: issues.append(a), Located(["commitments"], []))
    rows = [("m1", "s1"), ("m1", "s2"), ("m1", "s1"), ("m2", "s1"), ("m1", "s2")]
    for line, (meeting, source) in enumerate(rows, 2):
        where = Where("t.csv", "meeting_topics", line)
        meetings._meeting_topics(SimpleNamespace(meeting_id=meeting, source_id=source, topic_id=f"t{line}"), where)
        meetings._commitments(SimpleNamespace(id=f"{meeting}-c{line:02d}", meeting_id=meeting, source_id=source,
                                              parties="US"), where)
    assert {pair: (where.line, rid) for pair, (where, rid) in meetings.cited.items()} == {
        ("m1", "s1"): (2, "m1/t2"), ("m1", "s2"): (3, "m1/t3"), ("m2", "s1"): (5, "m2/t5")}
    assert len(issues) == 5 and meetings.commitment_meeting == {}


def test_a_batch_handler_keeps_what_the_record_handler_keeps_record_by_record():
    """`Located` and `Orphans` fed a batch at once (`Rules.batch_feeders`) keep the same IDs, lines,
    order and used values as when fed each record; a batch from another file than the table's
    first rows is declined, and noted as the record handler notes it."""
    from cbcf_data.check.rules import Rules

    chance = random.Random(28)
    kept_ids = kept_used = False
    for table, model in TABLES.items():
        by_record, by_batch = Rules(lambda *a, **k: None, None), Rules(lambda *a, **k: None, None)
        by_batch.groups = (by_batch.groups[2],)  # Orphans alone, besides Located
        handlers = [by_record.located.handler(table), by_record.groups[2].handler(table)]
        names = ["id", *model.foreign_keys]
        for path in ("t.csv", "t.csv", "other.csv"):
            lines = sorted(chance.sample(range(2, 500), 20))
            records = [SimpleNamespace(**{name: chance.choice(VALUES) or f"id-{line}" if name == "id"
                                          else chance.choice(VALUES) for name in names}) for line in lines]
            for record, line in zip(records, lines):
                for handler in handlers:
                    if handler is not None:
                        handler(record, Where(path, table, line))
            fed_as_a_batch(by_batch, table, records, path, lines)
        for kept in ("ids", "elsewhere", "paths"):
            mine, theirs = getattr(by_batch.located, kept), getattr(by_record.located, kept)
            assert mine == theirs and [list(v) for v in mine.values() if isinstance(v, dict)] == \
                [list(v) for v in theirs.values() if isinstance(v, dict)], (table, kept)
        assert by_batch.groups[0].used == by_record.groups[2].used, table
        kept_ids |= any(by_batch.located.ids.values())
        kept_used |= any(by_batch.groups[0].used.values())
    assert kept_ids and kept_used


def fed_as_a_batch(rules: Any, table: str, records: list[Any], path: str, lines: list[int]) -> int:
    """Feed `records` as `check.batches` feeds a batch's valid records: as columns to each group's
    batch handler, then each record, in order, to the groups that declined it or have none; the
    number of groups that declined."""
    names = list(vars(records[0]))
    columns = {name: [getattr(record, name) for record in records] for name in names}
    declined = [row for batch, row in rules.batch_feeders(table) if batch is None or not batch(columns, path, lines)]
    for record, line in zip(records, lines):
        for row in declined:
            row(record, Where(path, table, line))
    return sum(batch is not None for batch, row in rules.batch_feeders(table) if row in declined)


def _both_ways(tmp_path: Any) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Two sets of rules, to be fed "record" by record and by "batch", and the issues each reports."""
    from cbcf_data.check.rules import Rules

    issues: dict[str, list[Any]] = {"record": [], "batch": []}
    return issues, {way: Rules(lambda *a, way=way, **k: issues[way].append((a, k)), tmp_path) for way in issues}


def test_the_commitment_rules_fed_a_batch_report_and_keep_what_they_do_record_by_record(tmp_path):
    """`Meetings` and `Archives` take a batch of commitments at once only when none of them is
    reported; else they decline it and are fed each record: the issues, their order, and what the
    groups keep (the meeting of each commitment, where each pair is first cited) are the same as
    when fed record by record."""
    text = "Both countries agree to share data."
    chance = random.Random(16)
    taken = declined = 0
    for _ in range(200):
        issues, both = _both_ways(tmp_path)
        for rules in both.values():
            meetings, archives = rules.groups[0], rules.groups[3]
            meetings.delegations.update({"cbcf-2024": frozenset({"US", "CA"}), "cbcf-2023": frozenset({"US"})})
            archives.texts.update({"s-1": text, "s-2": None})
        records, good = [], chance.random() < 0.5  # good: none of the rows is reported
        for line in range(2, 2 + chance.randint(1, 12)):
            meeting = chance.choice(["cbcf-2024"] if good else ["cbcf-2024", "cbcf-2023", "cbcf-2022"])
            start = chance.randint(0, 6)
            source = chance.choice(["s-1", "s-1", "s-2", "s-3"])
            quote = chance.choice([None, text[start:start + 5]] if good and source == "s-1" else
                                  [None] if good else [None, text[start:start + 5], "other"])
            records.append(SimpleNamespace(
                id=chance.choice([f"{meeting}-c0{line}", f"cbcf-2021-c0{line}"]), meeting_id=meeting,
                source_id=source, parties=chance.choice(["US", "US", "CA", "both"]),
                quote=quote, quote_start=None if quote is None else start, quote_end=None if quote is None else start + 5))
        lines = list(range(2, 2 + len(records)))
        feed = both["record"].feeder("commitments")
        for record, line in zip(records, lines):
            feed(record, Where("c.csv", "commitments", line))
        groups_declined = fed_as_a_batch(both["batch"], "commitments", records, "c.csv", lines)
        taken, declined = taken + (groups_declined == 0), declined + (groups_declined > 0)
        assert issues["batch"] == issues["record"], records
        for rules in both.values():
            rules.finish()
        assert issues["batch"] == issues["record"], records
        mine, theirs = both["batch"].groups[0], both["record"].groups[0]
        assert mine.commitment_meeting == theirs.commitment_meeting
        assert list(mine.cited.items()) == list(theirs.cited.items())
    assert taken > 50 and declined > 50, (taken, declined)


def _meeting_rows(chance: random.Random, table: str, good: bool) -> list[SimpleNamespace]:
    """Records of one of the tables `Meetings` takes in batches; `good`: none is reported."""
    meetings, sources = ["cbcf-2023", "cbcf-2024", "cbcf-2024-ottawa"], ["s-1", "s-2"]
    made = []
    for _ in range(chance.randint(1, 9)):
        meeting, source = chance.choice(meetings), chance.choice(sources)
        if table == "meetings":
            made.append(SimpleNamespace(id=meeting, start_date=chance.choice(["2023-05", "2024-06-01"])))
        elif table == "meeting_topics":
            made.append(SimpleNamespace(meeting_id=meeting, topic_id=chance.choice(["t-1", "t-2"]), source_id=source))
        elif table == "meeting_sources":
            made.append(SimpleNamespace(meeting_id=meeting, source_id=source))
        else:
            delegation = chance.choice(["US", "CA"])
            organization = chance.choice([None, "org-x", f"org-{delegation.lower()}"] if good else [None, "org-us", "org-ca"])
            made.append(SimpleNamespace(meeting_id=meeting, person_id=chance.choice(["p-1", "p-2", "p-3"]),
                                        organization_id=organization, delegation=delegation, source_id=source,
                                        status=chance.choice(["attended", "absent", "unknown"])))
    return made


def test_the_meeting_rules_fed_batches_report_and_keep_what_they_do_record_by_record(tmp_path):
    """`Meetings` fed meetings, attendances, meeting_topics and meeting_sources a batch at a time
    (declining a batch of attendances it would report) reports the same issues, in the same order,
    and keeps the same state, as fed record by record."""
    chance = random.Random(7)
    taken = declined = 0
    for _ in range(150):
        issues, both = _both_ways(tmp_path)
        for rules in both.values():
            rules.groups[0].org_country.update({"org-us": "US", "org-ca": "CA"})
            rules.groups[0].source_ids.update({"s-1": "s-1"})
        for table in ("meetings", "attendances", "attendances", "meeting_topics", "commitments", "meeting_sources"):
            if table == "commitments":  # cited pairs are kept apart from the meetings' own
                records = [SimpleNamespace(id="cbcf-2024-c01", meeting_id="cbcf-2024", source_id="s-3", parties="US",
                                           quote=None, quote_start=None, quote_end=None)]
            else:
                records = _meeting_rows(chance, table, chance.random() < 0.5)
            lines = sorted(chance.sample(range(2, 100), len(records)))
            feed = both["record"].feeder(table)
            for record, line in zip(records, lines):
                feed(record, Where("t.csv", table, line))
            groups_declined = fed_as_a_batch(both["batch"], table, records, "t.csv", lines)
            if table == "attendances":
                taken, declined = taken + (groups_declined == 0), declined + (groups_declined > 0)
            assert issues["batch"] == issues["record"], (table, records)
        for rules in both.values():
            rules.finish()
        assert issues["batch"] == issues["record"]
        mine, theirs = vars(both["batch"].groups[0]), vars(both["record"].groups[0])
        for name, kept in theirs.items():
            if isinstance(kept, (dict, set)):
                assert mine[name] == kept and list(mine[name]) == list(kept), name
    assert taken > 50 and declined > 50, (taken, declined)
