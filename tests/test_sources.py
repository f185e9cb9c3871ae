"""Archived sources: hashes match sources.csv, and every quote is its slice of the text."""

from __future__ import annotations

import hashlib

import pytest
from conftest import RECORDS, dataset

pytestmark = pytest.mark.records


def test_every_archived_file_hash_matches():
    ds = dataset()
    archived = [s for s in ds.sources.values() if s.archive_path]
    assert archived, "at least one source must be archived"
    for source in archived:
        digest = hashlib.sha256((RECORDS / source.archive_path).read_bytes()).hexdigest()
        assert digest == source.sha256, source.id


def test_every_archived_file_is_listed():
    listed = {s.archive_path for s in dataset().sources.values() if s.archive_path}
    on_disk = {f"sources/{p.name}" for p in (RECORDS / "sources").iterdir()}
    assert on_disk == listed


def test_every_quote_is_exactly_its_slice_of_the_archive():
    ds = dataset()
    quoted = [c for c in ds.commitments.values() if c.quote is not None]
    assert len(quoted) >= 8
    for commitment in quoted:
        source = ds.sources[commitment.source_id]
        text = (RECORDS / source.archive_path).read_text(encoding="utf-8")
        assert text[commitment.quote_start : commitment.quote_end] == commitment.quote, commitment.id


def test_archived_summary_is_a_byte_copy_of_the_shared_text():
    shared = RECORDS.parent.parent / "shared" / "sources" / "cbcf-2024-communique-summary.txt"
    archived = RECORDS / "sources" / "cbcf-2024-communique-summary.txt"
    expected = "d4b61733ceb5ffb7ef8d016b9fd4ae84e4c2ca678224da07642840bb00c6c97e"
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == expected
    if shared.exists():
        assert shared.read_bytes() == archived.read_bytes()
