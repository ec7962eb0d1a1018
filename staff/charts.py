"""The geometry of the dashboard's bar charts, drawn by the server as inline SVG (issue 5: no chart
library, no CDN, no script). Templates only place what is computed here (templates/staff/_chart_*.html);
colours come from CSS classes in static/css/staff.css, since the CSP forbids style attributes.

Charts are pictures for sighted readers: each has an aria-label, and the same numbers are in a table
beside it, which is what screen readers and keyboard users read.
"""

import datetime
import math
from dataclasses import dataclass, field

WIDTH = 640
DAY_CHART_HEIGHT = 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 24, 12, 28  # room for the value axis and the day labels
_ROW_HEIGHT = 32
_LABEL_WIDTH = 190  # category names left of the horizontal bars
_VALUE_WIDTH = 96  # the value written after each bar


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str  # a tooltip (<title>) for pointer users; the table holds the same number


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor: start, middle or end
    css: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "review-chart-grid"


@dataclass(frozen=True)
class Chart:
    label: str  # the aria-label of the <svg role="img">
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: list[int]
    css: str


def nice_ceiling(value: float) -> int:
    """The top of the value axis: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover — the loop always returns


def _r(value: float) -> float:
    return round(value, 1)


def day_chart(*, label: str, days: list[datetime.date], series: list[Series], stacked: bool) -> Chart:
    """Vertical bars, one slot per day: the series stacked in one bar, or side by side (grouped)."""
    height = DAY_CHART_HEIGHT
    plot_width = WIDTH - _LEFT - _RIGHT
    plot_height = height - _TOP - _BOTTOM
    baseline = _TOP + plot_height
    if stacked:
        highest = max((sum(s.values[i] for s in series) for i in range(len(days))), default=0)
    else:
        highest = max((v for s in series for v in s.values), default=0)
    top = nice_ceiling(highest)
    slot = plot_width / max(len(days), 1)
    bar_width = slot * 0.8 / (1 if stacked else max(len(series), 1))

    lines = [
        Line(_LEFT, _r(baseline - plot_height * share), WIDTH - _RIGHT, _r(baseline - plot_height * share))
        for share in (0, 0.5, 1)
    ]
    texts = [
        Text(_LEFT - 6, _r(baseline + 4), "0", "end", "review-chart-axis"),
        Text(_LEFT - 6, _r(_TOP + 4), str(top), "end", "review-chart-axis"),
    ]
    if top % 2 == 0:
        texts.append(Text(_LEFT - 6, _r(baseline - plot_height / 2 + 4), str(top // 2), "end", "review-chart-axis"))

    bars = []
    for index, day in enumerate(days):
        left = _LEFT + slot * index + slot * 0.1
        stacked_height = 0.0
        for position, one in enumerate(series):
            value = one.values[index]
            if not value:
                continue
            bar_height = plot_height * value / top
            x = left if stacked else left + bar_width * position
            y = baseline - stacked_height - bar_height
            bars.append(
                Bar(_r(x), _r(y), _r(bar_width), _r(bar_height), one.css, f"{day:%Y-%m-%d} {one.label}: {value}")
            )
            if stacked:
                stacked_height += bar_height
        # Label every 7th day counting back from the last, so the last day (today) is always named.
        if (len(days) - 1 - index) % 7 == 0:
            texts.append(
                Text(
                    _r(_LEFT + slot * (index + 0.5)),
                    height - 8,
                    f"{day.month}/{day.day}",
                    "middle",
                    "review-chart-axis",
                )
            )
    return Chart(label=label, width=WIDTH, height=height, bars=bars, texts=texts, lines=lines)


@dataclass(frozen=True)
class Category:
    label: str
    value: float | None  # None: no data (drawn as text, not as a zero bar)
    css: str
    shown: str  # the value as written after the bar ("87.5 %", "1,204", "no data")


def category_chart(*, label: str, categories: list[Category], maximum: float | None = None) -> Chart:
    """Horizontal bars, one row per category, on a common scale (0 to `maximum`, or the largest value
    rounded up)."""
    height = _TOP + _ROW_HEIGHT * len(categories) + 4
    bar_space = WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    top = maximum or nice_ceiling(max((c.value or 0 for c in categories), default=0))
    bars, texts = [], []
    for index, category in enumerate(categories):
        y = _TOP + _ROW_HEIGHT * index
        texts.append(Text(_LABEL_WIDTH - 8, y + 19, str(category.label), "end", "review-chart-category"))
        width = bar_space * (category.value or 0) / top
        if width:
            bars.append(
                Bar(
                    _LABEL_WIDTH, y + 4, _r(width), _ROW_HEIGHT - 8, category.css, f"{category.label}: {category.shown}"
                )
            )
        texts.append(Text(_r(_LABEL_WIDTH + width + 6), y + 19, category.shown, "start", "review-chart-value"))
    lines = [Line(_LABEL_WIDTH, _TOP, _LABEL_WIDTH, height - 4)]
    return Chart(label=label, width=WIDTH, height=height, bars=bars, texts=texts, lines=lines)
