"""Intensity of support and the quarterly interview: the one implementation of INDICATORS.md.

The steering indicators, the intensity chart on the person's page, the caseload and the due
list all call these functions.

Intensity over a period P, for each person supported during P:
- months = sum over the calendar months M overlapping P of
  (days of M inside P on which the person is active) / (days in M);
- persons with months < 1/2 are "unclassified";
- otherwise rate = (minutes of the person's interventions dated on active days of P) / 60 / months,
  and the level is intensive (> 12 h), regular (8 to 12 h), follow_up (2 to < 8 h), light (< 2 h).
Comparisons are exact (fractions), never rounded floats.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import days_in_month, months_between
from tremplin.pathways.periods import Interval, PeriodStates, period_states

from .models import Intervention, With

INTENSIVE, REGULAR, FOLLOW_UP, LIGHT, UNCLASSIFIED = "intensive", "regular", "follow_up", "light", "unclassified"
LEVELS = [INTENSIVE, REGULAR, FOLLOW_UP, LIGHT, UNCLASSIFIED]
LEVEL_LABELS = {
    INTENSIVE: _("intensive (more than 12 h a month)"),
    REGULAR: _("regular (8 to 12 h a month)"),
    FOLLOW_UP: _("follow-up (2 to 8 h a month)"),
    LIGHT: _("light (less than 2 h a month)"),
    UNCLASSIFIED: _("unclassified (less than half a month active)"),
}
SHORT_LABELS = {
    INTENSIVE: _("intensive"),
    REGULAR: _("regular"),
    FOLLOW_UP: _("follow-up"),
    LIGHT: _("light"),
    UNCLASSIFIED: _("unclassified"),
}
INTERVIEW_WITH = (With.PERSON, With.BOTH)


def classify(minutes: int, months: Fraction) -> str:
    if months < Fraction(1, 2):
        return UNCLASSIFIED
    rate = Fraction(minutes, 60) / months
    if rate > 12:
        return INTENSIVE
    if rate >= 8:
        return REGULAR
    if rate >= 2:
        return FOLLOW_UP
    return LIGHT


def active_months(intervals: list[Interval], start: dt.date, end: dt.date) -> Fraction:
    """Sum over calendar months of (active days of the month inside [start, end]) / days in month."""
    total = Fraction(0)
    for year, month in months_between(start, end):
        first = max(start, dt.date(year, month, 1))
        last = min(end, dt.date(year, month, days_in_month(year, month)))
        active = 0
        for a, b in intervals:
            a, b = max(a, first), min(b, last)
            if a <= b:
                active += (b - a).days + 1
        if active:
            total += Fraction(active, days_in_month(year, month))
    return total


@dataclass(frozen=True)
class PersonIntensity:
    person_id: int
    months: Fraction
    minutes: int
    level: str

    @property
    def rate(self) -> Fraction | None:
        """Hours a month, or None when unclassified."""
        if self.level == UNCLASSIFIED:
            return None
        return Fraction(self.minutes, 60) / self.months

    @property
    def hours(self) -> Fraction:
        return Fraction(self.minutes, 60)


def _on_active_day(starts: list[dt.date], intervals: list[Interval], day: dt.date) -> bool:
    index = bisect.bisect_right(starts, day) - 1
    return index >= 0 and intervals[index][0] <= day <= intervals[index][1]


def minutes_by_person_day(person_ids, start: dt.date, end: dt.date, interviews_only: bool = False):
    queryset = Intervention.objects.filter(person_id__in=person_ids, date__gte=start, date__lte=end)
    if interviews_only:
        queryset = queryset.filter(with_whom__in=INTERVIEW_WITH)
    return queryset.values("person_id", "date").annotate(total=Sum("minutes")).values_list("person_id", "date", "total")


def intensity(persons, start: dt.date, end: dt.date, states: PeriodStates | None = None) -> dict[int, PersonIntensity]:
    """Intensity over [start, end] of every person of `persons` supported during the period."""
    states = states or period_states(persons, start, end)
    person_ids = states.person_ids
    minutes: dict[int, int] = defaultdict(int)
    starts = {pid: [a for a, _b in states.active.get(pid, [])] for pid in person_ids}
    for chunk in _chunks(person_ids, 5000):
        for person_id, day, total in minutes_by_person_day(chunk, start, end):
            active = states.active.get(person_id, [])
            if active and _on_active_day(starts[person_id], active, day):
                minutes[person_id] += total
    result = {}
    for person_id in person_ids:
        months = active_months(states.active.get(person_id, []), start, end)
        result[person_id] = PersonIntensity(person_id, months, minutes[person_id], classify(minutes[person_id], months))
    return result


def persons_without_interview(persons, start: dt.date, end: dt.date, states: PeriodStates | None = None) -> set[int]:
    """Persons active on every day of [start, end] with no interview (with the person, or with
    the person and the employer) dated in the period."""
    states = states or period_states(persons, start, end)
    always_active = [pid for pid in states.person_ids if states.is_active_all_period(pid)]
    interviewed = set()
    for chunk in _chunks(always_active, 5000):
        interviewed |= set(
            Intervention.objects.filter(
                person_id__in=chunk, date__gte=start, date__lte=end, with_whom__in=INTERVIEW_WITH
            )
            .order_by()  # no sort, one row per person: only the set matters
            .values_list("person_id", flat=True)
            .distinct()
        )
    return set(always_active) - interviewed


def monthly_intensity(person, last_month: dt.date, count: int = 12) -> list[dict]:
    """For the person's page: each of the `count` calendar months ending with `last_month`'s month,
    with hours logged on active days, active months and level (same definition as the indicators)."""
    first = dt.date(last_month.year, last_month.month, 1)
    for _step in range(count - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    last = dt.date(last_month.year, last_month.month, days_in_month(last_month.year, last_month.month))
    states = period_states([person.pk], first, last)
    active = states.active.get(person.pk, [])
    starts = [a for a, _b in active]
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    for _person_id, day, total in minutes_by_person_day([person.pk], first, last):
        if active and _on_active_day(starts, active, day):
            per_month[(day.year, day.month)] += total
    rows = []
    for year, month in months_between(first, last):
        m_first = dt.date(year, month, 1)
        m_last = dt.date(year, month, days_in_month(year, month))
        months = active_months(active, m_first, m_last)
        minutes = per_month[(year, month)]
        rows.append({"month": m_first, "minutes": minutes, "months": months, "level": classify(minutes, months)})
    return rows


def _chunks(items, size):
    items = list(items)
    for index in range(0, len(items), size):
        yield items[index : index + size]
