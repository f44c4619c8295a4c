"""The pathway timeline of a person: a server-rendered SVG chart over time, and its text alternative.

Lanes: support episodes, counsellors, veilles, contracts, placements, and the monthly hours of
interventions. Readable without colour: every lane is labelled, every kind of bar has its own fill
pattern (solid, outlined, hatched, dotted, striped) and, where it fits, a label; thresholds of the
intensity levels are drawn as labelled lines. The same data is given as tables.

Monthly hours are a direct aggregate of the person's intervention minutes per calendar month, all
interventions counted whatever the person's state that day (occasional contacts during a veille
included): the timeline shows what was done. The intensity level, which counts only active days,
is `tremplin.activity.measures.monthly_intensity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tremplin.activity.models import Intervention
from tremplin.lib.dates import MIN_DATE, add_months, clamp, days_in_month, months_between, short_date

WIDTH = 960
LEFT = 178  # lane labels on the left
RIGHT = WIDTH - 36  # the right margin holds the labels of the hour lines
ROW = 22
ROW_GAP = 6
LANE_GAP = 12
HOURS_HEIGHT = 84
AXIS_HEIGHT = 34
TOP = 8
CHAR = 6.2  # average width of a character at font-size 11
MIN_MONTHS = 12
MAX_FUTURE_MONTHS = 12
ONE_DAY = dt.timedelta(days=1)

SHORT_TYPES = {
    "cdi": pgettext_lazy("short contract type", "CDI"),
    "cdd": pgettext_lazy("short contract type", "CDD"),
    "interim": pgettext_lazy("short contract type", "temporary work"),
    "apprenticeship": pgettext_lazy("short contract type", "apprenticeship"),
    "professionalisation": pgettext_lazy("short contract type", "professionalisation"),
    "subsidised": pgettext_lazy("short contract type", "subsidised contract"),
    "self_employed": pgettext_lazy("short contract type", "self-employment"),
    "other": pgettext_lazy("short contract type", "other contract"),
}


def monthly_minutes(person) -> dict[tuple[int, int], int]:
    """Minutes of every intervention of the person, per calendar month (one query)."""
    rows = (
        Intervention.objects.filter(person=person)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("minutes"))
        .values_list("month", "total")
    )
    return {(month.year, month.month): total for month, total in rows if month is not None}


@dataclass
class Item:
    lane: str
    start: dt.date
    end: dt.date | None  # None: still going on
    label: str
    detail: str = ""
    pattern: str = "solid"
    dark: bool = True  # white text on a dark fill
    short: str = ""  # shown when the label does not fit


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    pattern: str
    label: str
    title: str
    dark: bool
    continues: bool

    outside: str = ""  # "after" or "before" the bar when the label does not fit inside

    @property
    def text_x(self) -> float:
        if self.outside == "after":
            return round(self.x + self.width + 4, 1)
        if self.outside == "before":
            return round(self.x - 4, 1)
        return round(self.x + 4, 1)

    @property
    def text_anchor(self) -> str:
        return "end" if self.outside == "before" else "start"

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass
class Lane:
    key: str
    label: str
    y: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    empty_text: str = ""

    @property
    def label_y(self) -> float:
        return self.y + min(self.height, ROW) / 2 + 4

    @property
    def separator_y(self) -> float:
        return self.y + self.height + LANE_GAP / 2


def _fits(label: str, width: float) -> str:
    room = int((width - 8) / CHAR)
    if room >= len(label):
        return label
    if room >= 5:
        return label[: room - 1].rstrip() + "…"
    return ""


def _pack(items: list[Item]) -> list[list[Item]]:
    """Overlapping items on separate rows (first row where the previous item has ended)."""
    rows: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.start, i.end or dt.date.max)):
        for row in rows:
            last = row[-1]
            if last.end is not None and last.end < item.start:
                row.append(item)
                break
        else:
            rows.append([item])
    return rows


_d = short_date


def collect_items(person, episodes, contracts, placements, day: dt.date) -> list[Item]:
    items: list[Item] = []
    for episode in sorted(episodes, key=lambda e: e.admitted_on):
        last = episode.exit_date - ONE_DAY if episode.exit_date else None
        items.append(
            Item(
                "episodes",
                episode.admitted_on,
                last,
                _("support"),
                detail=_("exit: %(reason)s") % {"reason": episode.get_exit_reason_display()}
                if episode.exit_date
                else "",
                pattern="solid",
            )
        )
        for assignment in episode.assignments.all():
            end = assignment.end
            if end is None and episode.exit_date:
                end = episode.exit_date - ONE_DAY
            items.append(
                Item("counsellors", assignment.start, end, assignment.staff.name, pattern="outline", dark=False)
            )
        for pause in episode.pauses.all():
            items.append(
                Item(
                    "veilles",
                    pause.start,
                    pause.end,
                    _("veille"),
                    detail=_("resuming: %(conditions)s") % {"conditions": pause.reactivation_conditions},
                    pattern="hatch",
                    dark=False,
                )
            )
    for contract in contracts:
        kind = str(SHORT_TYPES.get(contract.type) or contract.get_type_display())
        detail = [contract.job_title] if contract.job_title else []
        if contract.end:
            detail.append(_("ended: %(reason)s") % {"reason": contract.get_end_reason_display()})
        elif contract.planned_end:
            detail.append(_("planned end %(date)s") % {"date": _d(contract.planned_end)})
        items.append(
            Item(
                "contracts",
                contract.start,
                contract.end,
                f"{kind} · {contract.employer.name}",
                detail=" — ".join(str(d) for d in detail),
                pattern="solid-green",
                short=kind,
            )
        )
    for placement in placements:
        host = placement.employer.name if placement.employer_id else ""
        label = placement.get_kind_display().split(" (")[0]
        items.append(
            Item(
                "placements",
                placement.start,
                placement.end,
                f"{label} · {host}" if host else label,
                detail=placement.objective,
                pattern="dots",
                dark=False,
                short=label,
            )
        )
    return items


LANES = ["episodes", "counsellors", "veilles", "contracts", "placements"]


def _lane_labels() -> dict[str, str]:
    return {
        "episodes": _("Support"),
        "counsellors": _("Counsellors"),
        "veilles": _("Veilles"),
        "contracts": _("Contracts"),
        "placements": _("Placements"),
    }


def _empty_texts() -> dict[str, str]:
    return {
        "episodes": _("not admitted"),
        "counsellors": _("no counsellor"),
        "veilles": _("no veille"),
        "contracts": _("no contract"),
        "placements": _("no placement"),
    }


def _nice_max(hours: float) -> int:
    top = max(12, hours)
    return int(-(-top // 4) * 4)


def build(person, *, episodes, contracts, placements, minutes: dict[tuple[int, int], int], day: dt.date) -> dict | None:
    """Everything the SVG template draws, or None when there is nothing to show yet."""
    items = collect_items(person, episodes, contracts, placements, day)
    if not items and not any(minutes.values()):
        return None
    starts = [i.start for i in items] + [dt.date(y, m, 1) for (y, m), v in minutes.items() if v]
    # Dates stored before the accepted range was enforced (0001-01-01, 9999-12-31) are drawn at
    # the edge of the range: the arithmetic below never overflows.
    first = clamp(min(starts)).replace(day=1)
    last_candidates = [day] + [i.end for i in items if i.end is not None]
    last = min(max(last_candidates), add_months(day, MAX_FUTURE_MONTHS))
    last = last.replace(day=days_in_month(last.year, last.month))
    if len(months_between(first, last)) < MIN_MONTHS:
        first = max(add_months(last.replace(day=1), -(MIN_MONTHS - 1)), MIN_DATE)
    total_days = (last - first).days + 1
    span = RIGHT - LEFT

    def x_of(when: dt.date) -> float:
        when = min(max(clamp(when), first), last + ONE_DAY)
        return round(LEFT + (when - first).days / total_days * span, 1)

    labels = _lane_labels()
    lanes: list[Lane] = []
    y = TOP
    alternative = []

    def layout_row(row: list[Item], row_y: float, lane_label: str) -> list[tuple[Bar, bool]]:
        """Bars of one row, each with whether its full label found a place: inside the bar, else
        after it, else before it, when the row has room there."""
        bars: list[tuple[Bar, str]] = []
        for item in row:
            shown_end = item.end if item.end is not None else day
            if item.start > last or shown_end < first:
                continue
            x1 = x_of(item.start)
            width = max(2.0, x_of(min(shown_end, last) + ONE_DAY) - x1)
            period = (
                _("from %(start)s to %(end)s") % {"start": _d(item.start), "end": _d(item.end)}
                if item.end
                else _("since %(start)s") % {"start": _d(item.start)}
            )
            inside = _fits(item.label, width)
            if len(inside) < min(len(item.label), len(item.short) + 2):
                inside = _fits(item.short or item.label, width)
            bar = Bar(
                x=x1,
                y=row_y,
                width=round(width, 1),
                height=ROW,
                pattern=item.pattern,
                label=inside,
                title=f"{lane_label} — {item.label} — {period}" + (f" — {item.detail}" if item.detail else ""),
                dark=item.dark,
                continues=item.end is None or item.end > last,
            )
            bars.append((bar, item.label))
        result = []
        for position, (bar, full_label) in enumerate(bars):
            placed = bar.label == full_label
            need = len(full_label) * CHAR + 10
            if not placed:
                next_x = bars[position + 1][0].x if position + 1 < len(bars) else RIGHT
                previous_end = bars[position - 1][0].x + bars[position - 1][0].width if position else LEFT
                if next_x - (bar.x + bar.width) >= need:
                    bar.label, bar.outside, bar.dark, placed = full_label, "after", False, True
                elif bar.x - previous_end >= need:
                    bar.label, bar.outside, bar.dark, placed = full_label, "before", False, True
            result.append((bar, placed))
        return result

    for key in LANES:
        lane_items = [i for i in items if i.lane == key]
        # Rows: overlapping items apart; an item whose label finds no place in its row gets a row
        # of its own, where there is room before or after it.
        rows = []
        for row in _pack(lane_items):
            laid = layout_row(row, 0, "")
            if len(row) > 1 and len(laid) == len(row) and not all(placed for _bar, placed in laid):
                rows.append([item for item, (_bar, placed) in zip(row, laid, strict=True) if placed])
                rows += [[item] for item, (_bar, placed) in zip(row, laid, strict=True) if not placed]
            else:
                rows.append(row)
        rows = [row for row in rows if row] or [[]]
        height = len(rows) * ROW + (len(rows) - 1) * ROW_GAP
        lane = Lane(key=key, label=labels[key], y=y, height=height)
        if not lane_items:
            lane.empty_text = _empty_texts()[key]
        for index, row in enumerate(rows):
            lane.bars.extend(bar for bar, _placed in layout_row(row, y + index * (ROW + ROW_GAP), labels[key]))
        for item in sorted(lane_items, key=lambda i: i.start):
            alternative.append(
                {
                    "lane": labels[key],
                    "label": item.label,
                    "start": item.start,
                    "end": item.end,
                    "ongoing": item.end is None or item.end >= day,
                    "detail": item.detail,
                }
            )
        lanes.append(lane)
        y += height + LANE_GAP

    # Monthly hours.
    months = months_between(first, last)
    hours = {key: Decimal(value) / 60 for key, value in minutes.items()}
    top_hours = _nice_max(float(max(hours.values(), default=0)))
    hours_y = y + 4
    hours_bottom = hours_y + HOURS_HEIGHT
    month_bars = []
    for year, month in months:
        value = hours.get((year, month), Decimal(0))
        if not value:
            continue
        m_first = dt.date(year, month, 1)
        m_next = add_months(m_first, 1)
        x1, x2 = x_of(m_first), x_of(m_next)
        height = round(float(value) / top_hours * HOURS_HEIGHT, 1)
        month_bars.append(
            {
                "x": x1 + 0.5,
                "width": max(1.0, round(x2 - x1 - 1, 1)),
                "y": round(hours_bottom - height, 1),
                "height": height,
                "title": _("%(month)s: %(hours)s h")
                % {"month": date_format(m_first, "F Y"), "hours": number_format(value, decimal_pos=1)},
            }
        )
    thresholds = []
    for h in (2, 8, 12):
        th_y = round(hours_bottom - h / top_hours * HOURS_HEIGHT, 1)
        thresholds.append({"hours": h, "y": th_y, "label_y": round(th_y + 3.5, 1), "label": f"{h} h"})
    axis_y = hours_bottom + 4
    # Axis: a tick every month, a label every month (short spans) or quarter, years in bold.
    per_label = 1 if len(months) <= 12 else (3 if len(months) <= 36 else 6)
    ticks = []
    for index, (year, month) in enumerate(months):
        m_first = dt.date(year, month, 1)
        if month == 1:
            label = str(year)
        elif index == 0:
            # The first month says its year, unless a labelled month follows too closely.
            following = [(y, m) for y, m in months[1:4] if m == 1 or (m - 1) % per_label == 0]
            label = "" if following and len(months) > 12 else f"{date_format(m_first, 'N')} {year}"
        elif (month - 1) % per_label == 0:
            label = date_format(m_first, "N")
        else:
            label = ""
        ticks.append(
            {
                "x": x_of(m_first),
                "text_x": round(x_of(m_first) + 2, 1),
                "year": month == 1 or index == 0,
                "label": label,
            }
        )
    height = axis_y + AXIS_HEIGHT
    today_x = x_of(day) if first <= day <= last else None

    # Hours per month as a table: one row per year, one column per month.
    years = []
    for year in sorted({y for y, _m in months}):
        cells = []
        total = Decimal(0)
        for month in range(1, 13):
            if (year, month) not in months:
                cells.append(None)
                continue
            value = hours.get((year, month), Decimal(0))
            total += value
            cells.append(value)
        years.append({"year": year, "cells": cells, "total": total})
    month_names = [date_format(dt.date(2000, m, 1), "N") for m in range(1, 13)]

    counts = {key: sum(1 for i in items if i.lane == key) for key in LANES}
    summary = _(
        "Pathway from %(start)s to %(end)s: %(episodes)s support episode(s), %(counsellors)s counsellor "
        "assignment(s), %(veilles)s veille(s), %(contracts)s contract(s), %(placements)s placement(s), and the "
        "hours of interventions per month. The same information is given in the tables below."
    ) % {
        "start": date_format(first, "F Y"),
        "end": date_format(last, "F Y"),
        "episodes": counts["episodes"],
        "counsellors": counts["counsellors"],
        "veilles": counts["veilles"],
        "contracts": counts["contracts"],
        "placements": counts["placements"],
    }
    return {
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "right": RIGHT,
        "lanes": lanes,
        "hours_label_y": hours_y + HOURS_HEIGHT / 2 + 4,
        "hours_empty": _("no intervention recorded") if not month_bars else "",
        "hours_y": hours_y,
        "hours_bottom": hours_bottom,
        "hours_top": top_hours,
        "month_bars": month_bars,
        "thresholds": thresholds,
        "axis_y": axis_y,
        "ticks": ticks,
        "today_x": today_x,
        "first": first,
        "last": last,
        "summary": summary,
        "rows": alternative,
        "years": years,
        "month_names": month_names,
        "chart_top": TOP,
        "label_x": LEFT - 8,
        "empty_x": LEFT + 6,
        "threshold_x": RIGHT + 4,
        "axis_label_y": axis_y + 14,
        "today_line_end": axis_y + 18,
        "today_label_y": axis_y + 30,
    }
