"""The 12-month intensity chart of the person's page, drawn as server-side SVG.

Bars show hours per month of activity (the rate the level is decided on); the thresholds of the
national specification (2, 8 and 12 h a month) are dashed lines labelled in text, every bar
carries its value in text, and the page also shows the same figures as a table: the chart is
readable without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from django.utils.formats import date_format, number_format

from . import measures

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 8, 48, 22, 44
THRESHOLDS = [2, 8, 12]
FILL = {
    measures.INTENSIVE: "#1f4e79",
    measures.REGULAR: "#3b6ea5",
    measures.FOLLOW_UP: "#7a9cc6",
    measures.LIGHT: "#b7c9e2",
    measures.UNCLASSIFIED: "#ffffff",
}


@dataclass
class Bar:
    month: object
    label: str
    x: float
    cx: float
    width: float
    y: float
    height: float
    value: str
    text_y: float
    level: str
    level_label: str
    fill: str
    current: bool
    hours: Fraction
    rate: Fraction | None
    months: Fraction


def _hours_text(value: Fraction) -> str:
    return number_format(round(float(value), 1), decimal_pos=1)


def build(rows: list[dict], current_month) -> dict:
    """`rows` from measures.monthly_intensity; returns what the SVG template needs."""
    rates = []
    for row in rows:
        rate = None if row["level"] == measures.UNCLASSIFIED else Fraction(row["minutes"], 60) / row["months"]
        rates.append(rate)
    top = max([14] + [math.ceil(float(r)) + 1 for r in rates if r is not None])
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(rows))

    def y_of(value) -> float:
        return TOP + plot_h - plot_h * float(value) / top

    bars = []
    for index, (row, rate) in enumerate(zip(rows, rates, strict=True)):
        height = plot_h * float(rate) / top if rate is not None else 0
        x = LEFT + index * slot + slot * 0.18
        bars.append(
            Bar(
                month=row["month"],
                label=date_format(row["month"], "M"),
                x=round(x, 1),
                cx=round(x + slot * 0.32, 1),
                width=round(slot * 0.64, 1),
                y=round(TOP + plot_h - height, 1),
                height=round(max(height, 0), 1),
                value=_hours_text(rate) if rate is not None else "n.c.",
                text_y=round(TOP + plot_h - height - 4, 1),
                level=row["level"],
                level_label=str(measures.SHORT_LABELS[row["level"]]),
                fill=FILL[row["level"]],
                current=(row["month"].year, row["month"].month) == (current_month.year, current_month.month),
                hours=Fraction(row["minutes"], 60),
                rate=rate,
                months=row["months"],
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": TOP + plot_h + 18,
        "year_y": TOP + plot_h + 38,
        "bars": bars,
        "thresholds": [{"value": t, "y": round(y_of(t), 1), "label": f"{t} h"} for t in THRESHOLDS],
        "top": top,
        "text_x": WIDTH - RIGHT + 4,
    }
