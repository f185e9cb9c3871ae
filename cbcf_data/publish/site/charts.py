"""The charts that answer the recurring questions, computed from the records at build time:
when the forum met (and who hosted, how many attended), which themes recur, what was committed
and how firmly, and what became of it. Each chart is an SVG (`svg.py`), a text alternative, and
the table behind it, all from the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cbcf_data.model.codelists import ASSESSMENT_STATUS, MODALITY
from cbcf_data.publish.site import i18n, svg
from cbcf_data.publish.site.views import Page, latest_assessment, meeting_flag, meetings_by_date, root_topic

PHASE_COLORS = {"founding": "#0072B2", "reestablished": "#D55E00"}
NOT_ASSESSED = "not-assessed"


@dataclass
class Row:
    """One row of the table behind a chart."""

    key: str
    label: str
    cells: list[Any]
    href: str = ""
    lang: str = ""
    flag: str = ""  # the message key of the row's inferred mark (a meeting's existence or ordinal)


@dataclass
class Chart:
    """A chart: its picture, its text alternative and its table."""

    key: str
    title: str
    note: str
    summary: str
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[Row] = field(default_factory=list)
    svg: str = ""


def charts(page: Page) -> list[Chart]:
    """Every chart, in the page's language."""
    return [timeline(page), themes(page), by_modality(page), commitment_topics(page), status(page)]


def _top(counts: Counter[str], label: Any, lang: str, n: int = 3) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
    return ", ".join(f"{label(key)} ({value})" for key, value in ranked) or i18n.summary("empty", lang)


def timeline(page: Page) -> Chart:
    """Meetings on a line of years: phase, host, attendees named, inferred dates."""
    ds, lang = page.ds, page.lang
    meetings = meetings_by_date(ds)
    attended = {m.id: sum(1 for a in ds.related(m, "attendances") if a.status == "attended") for m in meetings}
    chart = Chart("timeline", page.t("chart_timeline"), page.t("chart_timeline_note"), "",
                  [("date", page.t("date")), ("phase", page.t("phase")), ("host", page.t("host")),
                   ("attendees", page.t("attendees_named"))])
    points = []
    for m in meetings:
        inferred = m.date_basis == "inferred" or m.existence_basis == "inferred"
        date = page.date(m.start_date) + (f" ({page.t('inferred')})" if inferred else "")
        host = page.code("country", m.host_country) if m.host_country else page.t("unknown")
        chart.rows.append(Row(m.id, page.name("meetings", m), [date, page.code("phase", m.phase), host,
                                                                 attended[m.id]], page.url("meetings", m.id), lang,
                              meeting_flag(m)))
        month = int(m.start_date[5:7]) if len(m.start_date) >= 7 else 7
        points.append(svg.Point(m.id, m.start_date[:4], int(m.start_date[:4]) + (month - 0.5) / 12,
                                {"US": -1, "CA": 1}.get(m.host_country or "", 0), attended[m.id],
                                PHASE_COLORS.get(m.phase, "#999999"), inferred,
                                f"{page.name('meetings', m)}: {date}, {host}, {attended[m.id]}", page.url("meetings", m.id)))
    if not meetings:
        chart.summary = i18n.summary("empty", lang)
        return chart
    years = [int(m.start_date[:4]) for m in meetings]
    phases = Counter(m.phase for m in meetings)
    hosts = Counter(m.host_country or "" for m in meetings)
    chart.summary = i18n.summary(
        "timeline", lang, n=len(meetings), first=years[0], last=years[-1], founding=phases["founding"],
        reestablished=phases["reestablished"], us=hosts["US"], ca=hosts["CA"], unknown=hosts[""],
        inferred=sum(1 for p in points if p.dashed), most=max(attended.values()))
    legend = [svg.Series(code, page.code("phase", code), color) for code, color in PHASE_COLORS.items()]
    sides = (page.t("host_us"), page.t("host_ca"))
    chart.svg = svg.timeline("chart-timeline", chart.title, chart.summary, points, years[0], years[-1], legend, sides)
    return chart


def _grid(page: Page, chart: Chart, counts: dict[tuple[str, str], int], unit_counts: Counter[str],
          total: str) -> Chart:
    """Fill a topic × meeting chart: rows are top-level topics, most frequent first."""
    ds = page.ds
    meetings = [m for m in meetings_by_date(ds) if any(counts.get((t, m.id)) for t in unit_counts)]
    order = sorted(unit_counts, key=lambda t: (-unit_counts[t], page.name("topics", ds.topics[t]).lower()))
    chart.columns = [(m.id, m.start_date[:4]) for m in meetings] + [("total", total)]
    for topic_id in order:
        cells = [counts.get((topic_id, m.id), 0) for m in meetings]
        chart.rows.append(Row(topic_id, page.name("topics", ds.topics[topic_id]), [*cells, unit_counts[topic_id]],
                              page.url("topics", topic_id), page.lang))
    chart.summary = i18n.summary("ranking", page.lang,
                                 top=_top(unit_counts, lambda t: page.name("topics", ds.topics[t]), page.lang))
    chart.svg = svg.grid(f"chart-{chart.key}", chart.title, chart.summary,
                         [(r.key, r.label) for r in chart.rows], chart.columns[:-1], counts)
    return chart


def themes(page: Page) -> Chart:
    """Themes of each meeting, rolled up to their top-level topic; the total counts meetings."""
    ds = page.ds
    counts: Counter[tuple[str, str]] = Counter()
    for row in ds.meeting_topics.values():
        counts[(root_topic(ds, row.topic_id), row.meeting_id)] += 1
    meetings_per_root = Counter(root for root, _ in counts)
    chart = Chart("themes", page.t("chart_themes"), page.t("chart_themes_note"), "", [])
    return _grid(page, chart, dict(counts), meetings_per_root, page.t("meetings"))


def commitment_topics(page: Page) -> Chart:
    """Commitments of each meeting by top-level topic; the total counts commitments."""
    ds = page.ds
    counts: Counter[tuple[str, str]] = Counter()
    for commitment in ds.commitments.values():
        roots = {root_topic(ds, t.id) for t in ds.related(commitment, "topics")}
        for root in roots:
            counts[(root, commitment.meeting_id)] += 1
    totals: Counter[str] = Counter()
    for (root, _), n in counts.items():
        totals[root] += n
    chart = Chart("commitment-topics", page.t("chart_commit_topics"), page.t("chart_commit_topics_note"), "", [])
    return _grid(page, chart, dict(counts), totals, page.t("commitments"))


def _bars(page: Page, chart: Chart, series: list[svg.Series], of: dict[str, list[str]]) -> Chart:
    """Fill a stacked-bar chart: one bar per meeting with commitments, `of[meeting]` the series keys."""
    ds = page.ds
    meetings = [m for m in meetings_by_date(ds) if of.get(m.id)]
    values = {(m.id, key): n for m in meetings for key, n in Counter(of[m.id]).items()}
    used = [s for s in series if any(values.get((m.id, s.key)) for m in meetings)]
    chart.columns = [(s.key, s.label) for s in used] + [("total", page.t("total"))]
    for m in meetings:
        cells = [values.get((m.id, s.key), 0) for s in used]
        chart.rows.append(Row(m.id, page.name("meetings", m), [*cells, sum(cells)], page.url("meetings", m.id),
                              page.lang, meeting_flag(m)))
    chart.svg = svg.stacked_bars(f"chart-{chart.key}", chart.title, chart.summary,
                                 [(m.id, m.start_date[:4]) for m in meetings], used, values)
    return chart


def by_modality(page: Page) -> Chart:
    """Commitments of each meeting, stacked by how firmly they were worded."""
    ds = page.ds
    of: dict[str, list[str]] = {}
    for c in ds.commitments.values():
        of.setdefault(c.meeting_id, []).append(c.modality)
    series = [svg.Series(code, page.code("modality", code), svg.PALETTE[i % len(svg.PALETTE)])
              for i, code in enumerate(MODALITY)]
    counts = Counter(c.modality for c in ds.commitments.values())
    chart = Chart("modality", page.t("chart_modality"), "", i18n.summary(
        "modality", page.lang, n=len(ds.commitments), meetings=len(of),
        top=_top(counts, lambda code: page.code("modality", code), page.lang)), [])
    return _bars(page, chart, series, of)


def status(page: Page) -> Chart:
    """Commitments of each meeting by their latest assessment, or none."""
    ds = page.ds
    of: dict[str, list[str]] = {}
    for c in ds.commitments.values():
        latest = latest_assessment(ds, c.id)
        of.setdefault(c.meeting_id, []).append(latest.status if latest else NOT_ASSESSED)
    series = [svg.Series(NOT_ASSESSED, page.t("not_assessed"), svg.NOT_ASSESSED)]
    series += [svg.Series(code, page.code("assessment_status", code), svg.PALETTE[i % len(svg.PALETTE)])
               for i, code in enumerate(ASSESSMENT_STATUS)]
    counts = Counter(key for keys in of.values() for key in keys)
    unassessed = counts.pop(NOT_ASSESSED, 0)
    detail = ", ".join(f"{page.code('assessment_status', code)}{page.colon} {n}" for code, n in sorted(counts.items()))
    chart = Chart("status", page.t("chart_status"), page.t("chart_status_note"), i18n.summary(
        "status", page.lang, n=len(ds.commitments), assessed=sum(counts.values()), unassessed=unassessed,
        detail=detail or "—"), [])
    return _bars(page, chart, series, of)
