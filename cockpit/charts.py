"""Bar charts drawn on the server: the geometry of an SVG (bars, grid, day labels) from daily
series, so the dashboard and the finance page need no JavaScript library and nothing from a
CDN."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

WIDTH, HEIGHT = 360, 140
LEFT, RIGHT, TOP, BOTTOM = 30, 14, 8, 18  # room for the value and day labels


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    key: str  # CSS class suffix: the series
    title: str  # the bar's tooltip and accessible name


@dataclass
class Series:
    key: str
    label: str
    values: list[int]
    # Tooltip of one bar, given its day and value (already translated).
    describe: Callable[[dt.date, int], str] | None = None


@dataclass
class Chart:
    title: str
    summary: str
    series: list[Series]
    bars: list[Bar] = field(default_factory=list)
    grid: list[tuple[float, int | str]] = field(default_factory=list)  # (y, value's label)
    ticks: list[tuple[float, dt.date]] = field(default_factory=list)  # (x, day)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    baseline: float = HEIGHT - BOTTOM  # the zero line: above `bottom` when values go negative

    @property
    def empty(self) -> bool:
        return not any(any(s.values) for s in self.series)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above `value` (at least 1): the axis' top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def stacked_bars(*, days: list[dt.date], series: list[Series], title: str,
                 summary: str) -> Chart:
    """One bar per day, the series stacked in their order (bottom first)."""
    chart = Chart(title=title, summary=summary, series=series)
    totals = [sum(s.values[n] for s in series) for n in range(len(days))]
    top = nice_ceiling(max(totals, default=0))
    plot_height = chart.bottom - TOP
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    width = max(slot * 0.75, 1)
    for n, day in enumerate(days):
        x = LEFT + n * slot + (slot - width) / 2
        base = chart.bottom
        for s in series:
            value = s.values[n]
            if not value:
                continue
            height = plot_height * value / top
            base -= height
            title_text = s.describe(day, value) if s.describe else f"{s.label}: {value}"
            chart.bars.append(Bar(x=round(x, 2), y=round(base, 2), width=round(width, 2),
                                  height=round(height, 2), key=s.key, title=title_text))
        # A label every week, ending on today.
        if (len(days) - 1 - n) % 7 == 0:
            chart.ticks.append((round(x + width / 2, 2), day))
    chart.grid = [(round(chart.bottom - plot_height * v / top, 2), v) for v in (top // 2, top)
                  if v]
    return chart


def paired_bars(*, days: list[dt.date], series: list[Series], title: str, summary: str,
                label: Callable[[int], str] = str, width: int = WIDTH,
                left: int = LEFT) -> Chart:
    """The series' bars side by side for each day: two measures of the same thing (what is
    due at Ticketnet's prices and at ours), not parts of a whole. A value may be negative (a
    day of more refunds than sales): bars stand on, or hang from, the zero line. `label`
    writes an axis value, `left` is the room for those labels."""
    chart = Chart(title=title, summary=summary, series=series, width=width, left=left)
    values = [v for s in series for v in s.values]
    high = nice_ceiling(max(values, default=0))
    low = nice_ceiling(-min(values)) if values and min(values) < 0 else 0
    plot_height = chart.bottom - TOP
    chart.baseline = round(TOP + plot_height * high / (high + low), 2)
    scale = plot_height / (high + low)
    slot = (width - left - RIGHT) / max(len(days), 1)
    bar = max(slot * 0.8 / max(len(series), 1), 1)
    every = _tick_every(len(days))
    for n, day in enumerate(days):
        x = left + n * slot + (slot - bar * len(series)) / 2
        for k, s in enumerate(series):
            value = s.values[n]
            if not value:
                continue
            height = abs(value) * scale
            top = chart.baseline - height if value > 0 else chart.baseline
            title_text = s.describe(day, value) if s.describe else f"{s.label}: {value}"
            chart.bars.append(Bar(x=round(x + k * bar, 2), y=round(top, 2), width=round(bar, 2),
                                  height=round(height, 2), key=s.key, title=title_text))
        if (len(days) - 1 - n) % every == 0:
            chart.ticks.append((round(left + n * slot + slot / 2, 2), day))
    chart.grid = [(round(chart.baseline - v * scale, 2), label(v))
                  for v in (high // 2, high, -low) if v]
    return chart


def _tick_every(days: int) -> int:
    """Days between two day labels: a week, or whole weeks for at most eight labels."""
    weeks = math.ceil(days / 8 / 7)
    return 7 * max(weeks, 1)
