"""Static SVG charts, drawn in Python at build time.

Why not a JavaScript charting library: the site must work from `file://` with nothing fetched, be
byte-identical on every build, and show its charts to a reader without JavaScript, a screen reader
or a printer. An SVG written here is all three, weighs a few kilobytes, and has no version to pin,
vendor or audit; the charts needed (a timeline, stacked bars, a grid) are a few rectangles and
circles each. Every mark carries its numbers (`data-row`, `data-series`, `data-value` and a
`<title>` tooltip), so tests can check the picture against the data.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies);
every series also has a label in the legend and in the table behind the chart.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#6A3D9A")
NOT_ASSESSED = "#BBBBBB"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


class Series(NamedTuple):
    """One coloured part of a stacked bar."""

    key: str
    label: str
    color: str


class Point(NamedTuple):
    """One meeting on the timeline."""

    key: str
    label: str
    position: float  # in years, e.g. 2024.5
    side: int  # -1 above the line (U.S. host), 1 below (Canada), 0 on it (unknown)
    size: int  # attendees named
    color: str
    dashed: bool  # inferred date
    tooltip: str
    href: str


def _open(key: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'class="chart-svg" role="img" '
            f'aria-labelledby="{key}-title {key}-desc" {FONT}>',
            f'<title id="{key}-title">{escape(title)}</title>',
            f'<desc id="{key}-desc">{escape(desc)}</desc>']


def _text_width(text: str) -> int:
    """A generous estimate of a label's width in pixels at the charts' 12px font."""
    return int(len(text) * 7.2)


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def stacked_bars(key: str, title: str, desc: str, categories: list[tuple[str, str]], series: list[Series],
                 values: dict[tuple[str, str], int]) -> str:
    """Vertical bars, one per category (key, label), stacked by series; values by (category, series)."""
    width, top, bottom, left, right = 760, 20 + 18 * ((len(series) + 3) // 4), 40, 36, 10
    height = top + 180 + bottom
    peak = max([sum(values.get((c, s.key), 0) for s in series) for c, _ in categories] + [1])
    step = max(1, -(-peak // 5))
    peak = -(-peak // step) * step
    scale = 180 / peak
    slot = (width - left - right) / max(len(categories), 1)
    out = _open(key, width, height, title, desc)
    for i, s in enumerate(series):  # legend, four to a row
        lx, ly = left + (i % 4) * 180, 14 + 18 * (i // 4)
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{s.color}"/>')
        out.append(_text(lx + 16, ly, s.label, "start"))
    base = top + 180
    for tick in range(0, peak + 1, step):
        ty = base - tick * scale
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:g}" y2="{ty:g}" stroke="#ddd"/>')
        out.append(_text(left - 6, ty + 4, str(tick), "end"))
    for i, (category, label) in enumerate(categories):
        x, y = left + i * slot + slot * 0.15, float(base)
        for s in series:
            value = values.get((category, s.key), 0)
            if not value:
                continue
            h = value * scale
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{s.color}" '
                       f'data-row="{escape(category)}" data-series="{escape(s.key)}" data-value="{value}">'
                       f'<title>{escape(label)}, {escape(s.label)}: {value}</title></rect>')
        out.append(_text(left + i * slot + slot / 2, base + 16, label))
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="#333"/>')
    return "\n".join([*out, "</svg>"])


def grid(key: str, title: str, desc: str, rows: list[tuple[str, str]], columns: list[tuple[str, str]],
         values: dict[tuple[str, str], int]) -> str:
    """A grid of counts: rows (key, label) by columns (key, label); darker means more."""
    label_width = 16 + max([_text_width(label) for _, label in rows] + [60])
    cell, top = 40, 34
    width, height = label_width + cell * len(columns) + 4, top + 24 * len(rows) + 8
    peak = max(list(values.values()) + [1])
    out = _open(key, width, height, title, desc)
    for j, (_, label) in enumerate(columns):
        out.append(_text(label_width + j * cell + cell / 2, top - 10, label))
    for i, (row, label) in enumerate(rows):
        y = top + i * 24
        out.append(_text(label_width - 8, y + 16, label, "end"))
        for j, (column, column_label) in enumerate(columns):
            value = values.get((row, column), 0)
            x = label_width + j * cell
            if not value:
                out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="22" fill="#f4f4f4"/>')
                continue
            shade = 0.25 + 0.75 * value / peak
            ink = "#fff" if shade > 0.55 else "#000"
            out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="22" fill="#0072B2" '
                       f'fill-opacity="{shade:.2f}" data-row="{escape(row)}" data-series="{escape(column)}" '
                       f'data-value="{value}"><title>{escape(label)}, {escape(column_label)}: {value}</title></rect>')
            out.append(_text(x + cell / 2, y + 16, str(value), extra=f' fill="{ink}"'))
    return "\n".join([*out, "</svg>"])


def timeline(key: str, title: str, desc: str, points: list[Point], first: int, last: int,
             legend: list[Series], sides: tuple[str, str]) -> str:
    """Meetings on a line of years: above for one host, below for the other, size for attendees."""
    width, left, right, middle = 760, 30, 30, 140
    span = max(last + 1 - first, 1)
    def x_of(position: float) -> float:
        return left + (position - first) / span * (width - left - right)
    out = _open(key, width, 270, title, desc)
    for i, s in enumerate(legend):
        out.append(f'<circle cx="{left + i * 200 + 6}" cy="14" r="6" fill="{s.color}"/>')
        out.append(_text(left + i * 200 + 16, 18, s.label, "start"))
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{middle}" y2="{middle}" stroke="#333"/>')
    out.append(_text(left, 38, f"▲ {sides[0]}    ▼ {sides[1]}", "start"))
    for year in range(first, last + 2):
        x = x_of(year)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{middle - 3}" y2="{middle + 3}" stroke="#333"/>')
        if (year - first) % 4 == 0 and year <= last:
            out.append(_text(x_of(year + 0.5), 262, str(year), extra=' fill="#333"'))
    placed: dict[int, int] = {}
    for point in points:
        x, y = x_of(point.position), middle + point.side * 55
        radius = 6 + 3 * point.size ** 0.5
        dash = ' stroke-dasharray="3 2" fill-opacity="0.35"' if point.dashed else ""
        # A mouse shortcut to the meeting; keyboards and screen readers use the table's links.
        out.append(f'<a href="{escape(point.href)}" tabindex="-1"><circle cx="{x:.1f}" cy="{y}" r="{radius:.1f}" fill="{point.color}" '
                   f'stroke="#222" stroke-width="1.5"{dash} data-row="{escape(point.key)}" data-value="{point.size}">'
                   f'<title>{escape(point.tooltip)}</title></circle></a>')
        # Labels of neighbouring meetings on the same side alternate between two rows.
        row = placed[point.side] = (placed.get(point.side, 1) + 1) % 2
        offset = radius + 6 + 13 * row
        out.append(_text(x, y - offset if point.side < 0 else y + offset + 9, point.label))
    return "\n".join([*out, "</svg>"])
