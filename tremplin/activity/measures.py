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
from typing import NamedTuple

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import days_in_month, months_between
from tremplin.pathways.models import OutreachAttempt
from tremplin.pathways.periods import Interval, PeriodRecords, PeriodStates, period_records, period_states
from tremplin.people.models import Person

from .models import Intervention, Place, With

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


def last_contacts(episodes, up_to: dt.date) -> dict[int, dt.date]:
    """{episode id: the last contact with its person on or before `up_to`}: the latest of the
    admission, an outreach attempt of the episode that reached the person and an interview
    (an intervention with the person, alone or with the employer) since the admission. The one
    definition, for the exit form's disengagement check and the due list alike; `episodes` are
    (episode id, person id, admitted_on), any number of them in two grouped queries. An interview
    dated before the admission is older than the admission: the person's latest interview,
    whatever its date, gives the same maximum."""
    episodes = list(episodes)
    if not episodes:
        return {}
    reached = dict(
        OutreachAttempt.objects.filter(
            episode_id__in_ids={pk for pk, _person, _admitted in episodes},
            outcome=OutreachAttempt.Outcome.REACHED,
            date__lte=up_to,
        )
        .values("episode_id")
        .annotate(last=Max("date"))
        .values_list("episode_id", "last")
    )
    interviews = dict(
        Intervention.objects.filter(
            person_id__in_ids={person for _pk, person, _admitted in episodes},
            date__lte=up_to,
            with_whom__in=INTERVIEW_WITH,
        )
        .values("person_id")
        .annotate(last=Max("date"))
        .values_list("person_id", "last")
    )
    return {
        pk: max(day for day in (admitted_on, reached.get(pk), interviews.get(person_id)) if day)
        for pk, person_id, admitted_on in episodes
    }


def classify(minutes: int, months: Fraction) -> str:
    # Exact comparisons in integers: with months = n / d, the rate minutes / 60 / months
    # exceeds H hours a month exactly when minutes * d > 60 * H * n.
    n, d = months.numerator, months.denominator
    if 2 * n < d:  # months < 1/2
        return UNCLASSIFIED
    scaled = minutes * d
    if scaled > 720 * n:  # > 12 h a month
        return INTENSIVE
    if scaled >= 480 * n:  # >= 8 h
        return REGULAR
    if scaled >= 120 * n:  # >= 2 h
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


class Sums(NamedTuple):
    """One person's interventions dated in a period: total minutes, number of interviews (with
    the person, alone or with the employer) and minutes at the workplace."""

    minutes: int
    interviews: int
    workplace_minutes: int


def period_sums(persons, start: dt.date, end: dt.date) -> dict[int, Sums]:
    """Per person of `persons` (a queryset or ids) with interventions dated in [start, end]: their
    `Sums`, read in one grouped scan of the period's interventions (conditional aggregates), so
    that intensity, the quarterly interview and the workplace hours share it."""
    result: dict[int, Sums] = {}
    for selection in _selections(persons):
        rows = (
            Intervention.objects.filter(date__gte=start, date__lte=end, **selection)
            .order_by()  # no sort: the model's default ordering would sort every row of the period
            .values("person_id")
            .annotate(
                total=Sum("minutes"),
                interviews=Count("pk", filter=Q(with_whom__in=INTERVIEW_WITH)),
                workplace=Sum("minutes", filter=Q(place=Place.WORKPLACE), default=0),
            )
            .values_list("person_id", "total", "interviews", "workplace")
        )
        for person_id, total, interviews, workplace in rows:
            result[person_id] = Sums(total, interviews, workplace)
    return result


def intensity(
    persons,
    start: dt.date,
    end: dt.date,
    states: PeriodStates | None = None,
    sums: dict[int, Sums] | None = None,
) -> dict[int, PersonIntensity]:
    """Intensity over [start, end] of every person of `persons` supported during the period.
    `states` and `sums` (from `period_states` and `period_sums` on the same persons and period)
    are read here when not given."""
    states = states or period_states(persons, start, end)
    person_ids = states.person_ids
    if sums is None:
        sums = period_sums(persons, start, end) if person_ids else {}
    minutes: dict[int, int] = defaultdict(int)
    # Persons active on every day of the period: all their minutes of the period count (the
    # per-person sums). The others: per day, kept when the day is active.
    partly = []
    for pid in person_ids:
        if states.is_active_all_period(pid):
            person_sums = sums.get(pid)
            if person_sums is not None:
                minutes[pid] = person_sums.minutes
        elif pid in sums:  # without any intervention in the period, nothing to read per day
            partly.append(pid)
    starts = {pid: [a for a, _b in states.active.get(pid, [])] for pid in partly}
    for chunk in _chunks(partly, 5000):
        for person_id, day, total in minutes_by_person_day(chunk, start, end):
            active = states.active.get(person_id, [])
            if active and _on_active_day(starts[person_id], active, day):
                minutes[person_id] += total
    result = {}
    months_of: dict[tuple, Fraction] = {}  # many persons share the same active intervals
    for person_id in person_ids:
        active = tuple(states.active.get(person_id, []))
        months = months_of.get(active)
        if months is None:
            months = months_of[active] = active_months(list(active), start, end)
        result[person_id] = PersonIntensity(person_id, months, minutes[person_id], classify(minutes[person_id], months))
    return result


def persons_without_interview(
    persons,
    start: dt.date,
    end: dt.date,
    states: PeriodStates | None = None,
    sums: dict[int, Sums] | None = None,
) -> set[int]:
    """Persons active on every day of [start, end] with no interview (with the person, or with
    the person and the employer) dated in the period."""
    states = states or period_states(persons, start, end)
    always_active = {pid for pid in states.person_ids if states.is_active_all_period(pid)}
    if not always_active:
        return set()
    if sums is not None:  # the period's sums, read anyway for the other indicators
        return {pid for pid in always_active if pid not in sums or not sums[pid].interviews}
    # Otherwise (the due list asks only this): one lookup per person in the (person, date) index,
    # stopping at the first interview found, cheaper than reading every intervention of the period.
    interview = Intervention.objects.filter(
        person_id=OuterRef("pk"), date__gte=start, date__lte=end, with_whom__in=INTERVIEW_WITH
    )
    return set(
        Person.objects.filter(pk__in_ids=set(always_active))
        .exclude(Exists(interview))
        .order_by()
        .values_list("pk", flat=True)
    )


def intensity_window(last_month: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    """The first day of the first and the last day of the last of `count` calendar months ending
    with `last_month`'s month."""
    first = dt.date(last_month.year, last_month.month, 1)
    for _step in range(count - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    last = dt.date(last_month.year, last_month.month, days_in_month(last_month.year, last_month.month))
    return first, last


def monthly_intensity(
    person,
    last_month: dt.date,
    count: int = 12,
    *,
    records: PeriodRecords | None = None,
    minutes_by_day: dict[dt.date, int] | None = None,
) -> list[dict]:
    """For the person's page: each of the `count` calendar months ending with `last_month`'s month,
    with hours logged on active days, active months and level (same definition as the indicators).

    `records` (the person's episodes and pauses over `intensity_window`) and `minutes_by_day`
    (the person's minutes per day) are what the page has already loaded; without them, two and
    one queries."""
    first, last = intensity_window(last_month, count)
    if records is None:
        records = period_records([person.pk], first, last)
    states = records.states_for(first, last)
    active = states.active.get(person.pk, [])
    starts = [a for a, _b in active]
    if minutes_by_day is None:
        rows = ((day, total) for _person_id, day, total in minutes_by_person_day([person.pk], first, last))
    else:
        rows = ((day, total) for day, total in minutes_by_day.items() if first <= day <= last)
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    for day, total in rows:
        if active and _on_active_day(starts, active, day):
            per_month[(day.year, day.month)] += total
    result = []
    for year, month in months_between(first, last):
        m_first = dt.date(year, month, 1)
        m_last = dt.date(year, month, days_in_month(year, month))
        months = active_months(active, m_first, m_last)
        minutes = per_month[(year, month)]
        result.append({"month": m_first, "minutes": minutes, "months": months, "level": classify(minutes, months)})
    return result


def _selections(persons):
    """Filters selecting the interventions of `persons`: when `persons` is a queryset (a whole
    platform or organisation), one subquery, so the database scans the period's interventions
    once; otherwise chunks of ids."""
    if isinstance(persons, QuerySet):
        yield {"person__in": persons}
        return
    for chunk in _chunks(persons, 5000):
        yield {"person__in": chunk}


def _chunks(items, size):
    items = list(items)
    for index in range(0, len(items), size):
        yield items[index : index + size]
