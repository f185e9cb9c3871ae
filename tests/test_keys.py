"""Primary keys checked by adjacency (`check.rows.check_table`): a composite key whose CSV is
fed alone is not kept while the rows come sorted; at the first row out of order the keys before
it are read again. Either way the duplicates reported are those a set of every key finds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbcf_data.check import rows as rows_module
from cbcf_data.check.validate import validate

COMMITMENTS = ["cbcf-2024-c01", "cbcf-2024-c02", "cbcf-2024-c10", "cbcf-2025-a-c01"]
TOPICS = ["hate-crime", "fentanyl", "a", "z-9"]
PAIRS = st.tuples(st.sampled_from(COMMITMENTS), st.sampled_from(TOPICS))


def table_text(pairs: list[tuple[str, str]], short: set[int] = frozenset()) -> str:
    """commitment_topics.csv holding `pairs`; the rows whose index is in `short` lack a cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["commitment_id", "topic_id"])
    for index, pair in enumerate(pairs):
        writer.writerow(pair[:1] if index in short else pair)
    return buffer.getvalue()


def set_based(pairs: list[tuple[str, str]], short: set[int] = frozenset()) -> list[tuple[int, str]]:
    """(line, record ID) of each duplicate, found with a set of every key: the reference."""
    seen, found = set(), []
    for index, pair in enumerate(pairs):
        if index in short:
            continue
        if pair in seen:
            found.append((index + 2, "/".join(pair)))
        seen.add(pair)
    return found


def duplicates(path: Path) -> list[tuple[int, str]]:
    return [(i.line, i.record_id) for i in validate(path).issues if i.code == "duplicate-key"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(PAIRS, max_size=25), sort=st.booleans(), data=st.data())
def test_adjacency_finds_the_duplicates_a_set_finds(tmp_path, pairs, sort, data):
    if sort:
        pairs = sorted(pairs)
    short = set(data.draw(st.lists(st.integers(0, max(len(pairs) - 1, 0)), max_size=3))) if pairs else set()
    path = tmp_path / "commitment_topics.csv"
    path.write_text(table_text(pairs, short), encoding="utf-8")
    assert duplicates(path) == set_based(pairs, short)


def test_a_planted_duplicate_in_a_sorted_and_in_an_unsorted_table(tmp_path):
    rows = [(c, t) for c in COMMITMENTS for t in sorted(TOPICS)]
    path = tmp_path / "commitment_topics.csv"
    # Sorted: the duplicate is next to its first.
    path.write_text(table_text(rows[:5] + [rows[4]] + rows[5:]), encoding="utf-8")
    assert duplicates(path) == [(7, "/".join(rows[4]))]
    # Unsorted from line 10: a duplicate of a row read before (line 3) is found among the keys read again.
    unsorted = rows[:8] + [rows[1]] + rows[8:]
    path.write_text(table_text(unsorted), encoding="utf-8")
    report = validate(path)
    assert [(i.code, i.line) for i in report.issues if i.code in ("not-sorted", "duplicate-key")] == [
        ("not-sorted", 10), ("duplicate-key", 10)]
    # A duplicate of a row read after the table turned unsorted.
    unsorted = rows[:3] + [rows[0]] + rows[3:] + [rows[0]]
    path.write_text(table_text(unsorted), encoding="utf-8")
    assert duplicates(path) == [(5, "/".join(rows[0])), (len(unsorted) + 1, "/".join(rows[0]))]


def test_a_sorted_table_keeps_no_key_and_an_unsorted_one_reads_again(tmp_path, monkeypatch):
    kept: list[int] = []
    reread: list[int] = []
    original_finish, original_keys_before = rows_module._finish_table, rows_module.keys_before

    def finish(run, model, table):
        kept.append(len(table.keys))
        original_finish(run, model, table)

    def keys_before(run, model, where):
        reread.append(where.line)
        return original_keys_before(run, model, where)

    monkeypatch.setattr(rows_module, "_finish_table", finish)
    monkeypatch.setattr(rows_module, "keys_before", keys_before)
    rows = [(c, t) for c in COMMITMENTS for t in sorted(TOPICS)]
    path = tmp_path / "commitment_topics.csv"
    path.write_text(table_text(rows), encoding="utf-8")
    validate(path)
    assert kept == [0] and reread == []
    path.write_text(table_text(rows[1:] + rows[:1]), encoding="utf-8")
    validate(path)
    assert kept == [0, len(rows)] and reread == [len(rows) + 1]
