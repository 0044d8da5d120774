"""A small line chart of one instrument's totals over time, drawn as inline SVG on the server
(no script, no library). The table beside it is its text alternative: the chart names it with
``aria-describedby``, and the chart's own title says what it draws."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dyadcare.screening.history import Series

WIDTH = 320
HEIGHT = 120
PAD_LEFT = 32
PAD_RIGHT = 12
PAD_TOP = 10
PAD_BOTTOM = 22


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    total: float
    positive: bool | None
    when: datetime


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    top: float  # the value at the top of the axis
    line: str  # the polyline's points attribute
    axis_left: int
    axis_bottom: int
    axis_right: int
    axis_top: int


def series_chart(series: Series) -> Chart | None:
    """The chart of a series' totals, or None when no screen has a total."""
    rows = series.scored
    if not rows:
        return None
    totals = [float(row.result.total or 0) for row in rows]
    top = max([series.maximum or 0.0, *totals]) or 1.0
    times = [row.result.scored_at.timestamp() for row in rows]
    span = (times[-1] - times[0]) or 1.0
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    points = []
    for row, total, when in zip(rows, totals, times, strict=True):
        x = PAD_LEFT + (inner_w * (when - times[0]) / span if len(rows) > 1 else inner_w / 2)
        y = PAD_TOP + inner_h * (1 - total / top)
        points.append(Point(round(x, 1), round(y, 1), total, row.result.positive, row.result.scored_at))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        top=top,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        axis_left=PAD_LEFT,
        axis_bottom=HEIGHT - PAD_BOTTOM,
        axis_right=WIDTH - PAD_RIGHT,
        axis_top=PAD_TOP,
    )
