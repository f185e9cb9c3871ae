"""`cbcf-data show`: a meeting, a person, a topic, an instrument — or any row — on one screen."""

from __future__ import annotations

from conftest import run_cli


def show(record_id: str) -> str:
    result = run_cli("show", record_id)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) < 60
    return result.stdout


def test_a_person():
    out = show("merrick-garland")
    assert out.startswith("Merrick B. Garland (merrick-garland) — US")
    assert "Meetings (3)" in out and "cbcf-2023  2023-04-28  Ottawa — Attorney General of the United States (guest)" in out


def test_a_topic_with_its_place_and_narrower_topics():
    out = show("drug-trafficking")
    assert "under: Cross-border smuggling" in out and "narrower: Fentanyl and synthetic opioids" in out
    assert "Commitments (4, with narrower topics)" in out and "cbcf-2024-c03" in out


def test_an_instrument():
    out = show("us-fara")
    assert out.startswith("Foreign Agents Registration Act (us-fara)") and "cbcf-2024  2024-07-11  Washington — referenced" in out


def test_any_other_row():
    assert "related: attendances" in show("us-doj") and "quote_start: 998" in show("cbcf-2024-c01")


def test_an_unknown_id_names_the_nearest():
    result = run_cli("show", "merrick-garlnd")
    assert result.returncode == 2 and "did you mean 'merrick-garland'?" in result.stderr
