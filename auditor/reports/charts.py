"""Charts for the report as SVG text, drawn in Python: no browser, no plotting library.

Each function returns a complete ``<svg>`` element that WeasyPrint draws as vectors (its
labels stay text, so they can be searched and read back). Sizes are in CSS pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, sans-serif"
INK = "#1f2933"
GRID = "#d9dee4"

# One colour per verdict and per category, used by the charts and the tables alike.
VERDICT_COLOURS = {"allow": "#2f855a", "conditional": "#c27c0e", "local_only": "#b83232"}
SERIES_COLOURS = ("#9aa5b1", "#2b6cb0", "#805ad5", "#2c7a7b")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    colour: str = "#2b6cb0"


def horizontal_bars(bars: Sequence[Bar], *, width: int = 420, title: str = "") -> str:
    """One labelled bar per item, the value written after it; empty data draws a note instead."""
    row, top, label_w, value_w = 22, 24 if title else 6, 130, 44
    height = top + row * max(len(bars), 1) + 6
    plot_w = width - label_w - value_w
    peak = max((b.value for b in bars), default=0)
    parts = [_open(width, height, title)]
    if title:
        parts.append(_text(0, 14, title, size=12, weight="bold"))
    if not bars or peak == 0:
        parts.append(_text(label_w, top + 15, "nothing to show (all zero)", size=10, colour="#52606d"))
    for i, bar in enumerate(bars):
        y = top + i * row
        length = 0 if peak == 0 else max(round(plot_w * bar.value / peak), 1 if bar.value else 0)
        parts.append(_text(label_w - 8, y + 15, bar.label, size=10, anchor="end"))
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{length}" height="{row - 8}" fill="{bar.colour}"/>')
        parts.append(_text(label_w + length + 5, y + 15, f"{bar.value:,}", size=10))
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 560,
    height: int = 200,
    title: str = "",
) -> str:
    """Vertical bars, one cluster per group and one bar per series, with a legend and a y grid."""
    top, bottom, left, right = (30 if title else 12) + 16, 34, 44, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for _, values in series for v in values), default=0)
    scale_top = _nice_ceiling(peak)
    parts = [_open(width, height, title)]
    if title:
        parts.append(_text(0, 14, title, size=12, weight="bold"))
    legend_y = top - 8
    x = left
    for index, (name, _) in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, legend_y, name, size=10))
        x += 14 + 7 * len(name) + 20
    for step in range(5):
        value = scale_top * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 5, y + 3, f"{value:,.0f}", size=9, anchor="end", colour="#52606d"))
    if groups and series:
        cluster = plot_w / len(groups)
        bar_w = min(cluster * 0.8 / len(series), 40)
        for g, group in enumerate(groups):
            start = left + g * cluster + (cluster - bar_w * len(series)) / 2
            for s, (_, values) in enumerate(series):
                value = values[g]
                h = 0 if scale_top == 0 else plot_h * value / scale_top
                bx, by = start + s * bar_w, top + plot_h - h
                colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
                parts.append(
                    f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}"/>'
                )
                parts.append(_text(bx + (bar_w - 2) / 2, by - 3, f"{value:,}", size=8, anchor="middle"))
            parts.append(_text(left + g * cluster + cluster / 2, top + plot_h + 14, group, size=9, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar(bars: Sequence[Bar], *, width: int = 560, title: str = "") -> str:
    """One bar split by share (e.g. flows by verdict), with a legend giving each count."""
    top = 24 if title else 4
    height = top + 52
    total = sum(b.value for b in bars)
    parts = [_open(width, height, title)]
    if title:
        parts.append(_text(0, 14, title, size=12, weight="bold"))
    x = 0.0
    for bar in bars:
        w = 0 if total == 0 else width * bar.value / total
        if w:
            parts.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="20" fill="{bar.colour}"/>')
        x += w
    if total == 0:
        parts.append(f'<rect x="0" y="{top}" width="{width}" height="20" fill="{GRID}"/>')
    lx = 0
    for bar in bars:
        parts.append(f'<rect x="{lx}" y="{top + 30}" width="10" height="10" fill="{bar.colour}"/>')
        label = f"{bar.label}: {bar.value:,}"
        parts.append(_text(lx + 14, top + 39, label, size=10))
        lx += 14 + 6 * len(label) + 22
    parts.append("</svg>")
    return "".join(parts)


DESTINATION_COLOURS = ("#2b6cb0", "#c27c0e", "#805ad5", "#2c7a7b", "#b83232", "#718096", "#d53f8c", "#38a169")


def cost_by_day(
    days: Sequence[str],
    destinations: Sequence[str],
    today: dict[tuple[str, str], float],
    planned: dict[tuple[str, str], float],
    *,
    currency: str = "USD",
    width: int = 640,
    height: int = 240,
    title: str = "",
) -> str:
    """Per day two stacked bars, today (T) and planned (P), split by destination, with a legend."""
    top, bottom, left, right = (30 if title else 12) + 16, 40, 56, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(source.get((d, dest), 0.0) for dest in destinations) for d in days for source in (today, planned)]
    peak = max(totals, default=0.0)
    scale_top = _money_ceiling(peak)
    colour = {dest: DESTINATION_COLOURS[i % len(DESTINATION_COLOURS)] for i, dest in enumerate(destinations)}
    parts = [_open(width, height, title)]
    if title:
        parts.append(_text(0, 14, title, size=12, weight="bold"))
    x = left
    for dest in destinations:
        parts.append(f'<rect x="{x}" y="{top - 17}" width="10" height="10" fill="{colour[dest]}"/>')
        parts.append(_text(x + 14, top - 8, dest, size=10))
        x += 14 + 7 * len(dest) + 16
    for step in range(5):
        value = scale_top * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 5, y + 3, f"{value:,.2f}", size=9, anchor="end", colour="#52606d"))
    parts.append(_text(4, top + plot_h / 2, currency, size=9, colour="#52606d"))
    if not days:
        parts.append(_text(left + 10, top + plot_h / 2, "no requests with tokens", size=10, colour="#52606d"))
    cluster = plot_w / max(len(days), 1)
    bar_w = min(cluster * 0.8 / 2, 36)
    for g, day in enumerate(days):
        start = left + g * cluster + (cluster - bar_w * 2) / 2
        for s, (label, source) in enumerate((("T", today), ("P", planned))):
            bx = start + s * bar_w
            base: float = top + plot_h
            for dest in destinations:
                value = source.get((day, dest), 0.0)
                h = 0 if scale_top == 0 else plot_h * value / scale_top
                if h > 0:
                    base -= h
                    size = f'width="{bar_w - 2:.1f}" height="{h:.1f}"'
                    parts.append(f'<rect x="{bx:.1f}" y="{base:.1f}" {size} fill="{colour[dest]}"/>')
            parts.append(_text(bx + (bar_w - 2) / 2, top + plot_h + 11, label, size=8, anchor="middle"))
        parts.append(_text(left + g * cluster + cluster / 2, top + plot_h + 24, day, size=9, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def _money_ceiling(value: float) -> float:
    """An axis top for money: 1, 2, 2.5, 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def _open(width: int, height: int, title: str) -> str:
    label = f' aria-label="{escape(title)}"' if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"{label}>'
    )


def _text(
    x: float, y: float, text: str, *, size: int = 10, anchor: str = "start", weight: str = "normal", colour: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" '
        f'fill="{colour}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _nice_ceiling(value: float) -> int:
    """The axis top: the smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (4 at least)."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 4, 5, 10):
        if factor * magnitude >= value:
            return int(factor * magnitude)
    return int(10 * magnitude)
