"""Days on which persons are supported, in veille and active, over a period (INDICATORS.md).

- supported on D: an episode supports the person on D (`models.SUPPORTED`);
- in veille on D: a pause of that episode covers D (`models.IN_VEILLE`);
- active on D: supported and not in veille.

Intervals are inclusive (first day, last day) and, per person, sorted and disjoint. The
functions load episodes and pauses of many persons at once (two queries), for the indicators,
the intensity on the person's page, the caseload and the due list alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from .models import IN_VEILLE, SUPPORTED, Episode, Pause

Interval = tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals."""
    if isinstance(intervals, list) and len(intervals) == 1:
        return list(intervals)  # the usual case: one episode, or one veille
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1] + ONE_DAY:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(intervals: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """`intervals` minus `holes` (both inclusive)."""
    result = list(intervals)
    for h_start, h_end in merge(holes):
        next_result = []
        for start, end in result:
            if h_end < start or h_start > end:
                next_result.append((start, end))
                continue
            if start < h_start:
                next_result.append((start, h_start - ONE_DAY))
            if end > h_end:
                next_result.append((h_end + ONE_DAY, end))
        result = next_result
    return result


def clip(intervals: Iterable[Interval], start: dt.date, end: dt.date) -> list[Interval]:
    result = []
    for a, b in intervals:
        a, b = max(a, start), min(b, end)
        if a <= b:
            result.append((a, b))
    return result


def days(intervals: Iterable[Interval]) -> int:
    return sum((b - a).days + 1 for a, b in intervals)


def contains(intervals: list[Interval], day: dt.date) -> bool:
    return any(a <= day <= b for a, b in intervals)


class PeriodStates:
    """Supported and active intervals of many persons inside [start, end]."""

    def __init__(self, start: dt.date, end: dt.date, supported: dict, veille: dict):
        self.start = start
        self.end = end
        self.supported: dict[int, list[Interval]] = supported
        self.veille: dict[int, list[Interval]] = veille
        self.active: dict[int, list[Interval]] = {
            person_id: subtract(intervals, veille[person_id]) if person_id in veille else list(intervals)
            for person_id, intervals in supported.items()
        }

    @property
    def person_ids(self) -> list[int]:
        """Persons supported on at least one day of the period."""
        return [person_id for person_id, intervals in self.supported.items() if intervals]

    def is_active_all_period(self, person_id: int) -> bool:
        return self.active.get(person_id, []) == [(self.start, self.end)]


class PeriodRecords:
    """The episodes and pauses of many persons overlapping [start, end], as loaded rows, from
    which `states_for` derives the states of any period inside [start, end] without querying
    again (the caseload and the due list need the month and the quarter of the same day)."""

    def __init__(self, start: dt.date, end: dt.date, episodes: list[tuple], pauses: list[tuple]):
        self.start = start
        self.end = end
        self.episodes = episodes  # (episode id, person id, admitted_on, exit_date)
        self.pauses = pauses  # (episode id, start, end)

    def states_for(self, start: dt.date, end: dt.date) -> PeriodStates:
        if start < self.start or end > self.end:
            raise ValueError("the period is outside the loaded records")
        supported: dict[int, list[Interval]] = defaultdict(list)
        episode_span: dict[int, tuple[int, Interval]] = {}
        last_supported = SUPPORTED.last_day
        for episode_id, person_id, admitted_on, exit_date in self.episodes:
            last = last_supported(exit_date)
            # min()/max() written out: this loop runs over every episode of a whole team.
            last = end if last is None or last > end else last
            first = admitted_on if admitted_on > start else start
            if first <= last:
                span = (first, last)
                supported[person_id].append(span)
                episode_span[episode_id] = (person_id, span)
        veille: dict[int, list[Interval]] = defaultdict(list)
        for episode_id, p_start, p_end in self.pauses:
            if episode_id in episode_span and p_start <= end and p_end >= start:
                # A pause only counts on days its own episode supports the person (never in
                # the next episode, even when the data let it run past its episode's exit).
                person_id, (first, last) = episode_span[episode_id]
                veille[person_id] += clip([(p_start, p_end)], first, last)
        supported = {pid: iv if len(iv) == 1 else merge(iv) for pid, iv in supported.items()}
        veille = {pid: merge(iv) for pid, iv in veille.items() if iv}
        return PeriodStates(start, end, supported, veille)


def period_records(persons, start: dt.date, end: dt.date, programme: str | None = None) -> PeriodRecords:
    """Load episodes and pauses overlapping [start, end] for `persons` (a queryset or ids), in
    two queries; only the episodes of `programme` (a code of `programmes.py`) when given."""
    episodes = Episode.objects.filter(SUPPORTED.overlaps_q(start, end), person__in=persons)
    if programme is not None:
        episodes = episodes.filter(programme=programme)
    episode_rows = list(episodes.values_list("id", "person_id", "admitted_on", "exit_date"))
    pause_rows = []
    if episode_rows:
        pause_rows = list(
            Pause.objects.filter(IN_VEILLE.overlaps_q(start, end), episode__in=episodes).values_list(
                "episode_id", "start", "end"
            )
        )
    return PeriodRecords(start, end, episode_rows, pause_rows)


def period_states(persons, start: dt.date, end: dt.date, programme: str | None = None) -> PeriodStates:
    """Load episodes and pauses overlapping [start, end] for `persons` (a queryset or ids)."""
    return period_records(persons, start, end, programme).states_for(start, end)
