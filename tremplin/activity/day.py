"""The day snapshot: what the due producers and the caseload rows all read about the same
persons on the same day, loaded once per page instead of once per producer.

``collect`` (due.py) shares a snapshot with its producers (``DaySnapshot.sharing``); the caseload's
``rows_for`` (overview.py) makes one, reads its rows from it and hands it to ``collect``. A
producer calls ``DaySnapshot.of(persons, day)``, which returns the snapshot being shared for
these very persons (the same object) and day, or else a new one of its own (a producer called
alone gives the same items).
Everything is loaded lazily, on first use, and only for the duration of the page: nothing is
cached across requests, so nothing can go stale.

Loaded at most once each:

- ``records``: the persons' episodes and pauses overlapping the calendar quarter of the day
  (``pathways.periods.period_records``), from which the states of the quarter so far (the
  interview rule) and of the month (the caseload's intensity) are derived, and the episodes
  supported on the day with those in veille that day;
- ``assignments``: the counsellor assignment current on the day of each supported episode;
- ``names_of``: the names of the persons (those of the page's items only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import NamedTuple

from tremplin.lib.dates import quarter_bounds
from tremplin.pathways.models import IN_VEILLE, SUPPORTED
from tremplin.pathways.periods import PeriodRecords, PeriodStates, period_records
from tremplin.pathways.states import current_assignments
from tremplin.people.models import Person

_shared: ContextVar[DaySnapshot | None] = ContextVar("tremplin_day_snapshot", default=None)


class SupportedEpisode(NamedTuple):  # a named tuple: thousands of them for a whole team
    pk: int
    person_id: int
    admitted_on: dt.date
    in_veille: bool


class DaySnapshot:
    def __init__(self, persons, day: dt.date):
        self.persons = persons
        self.day = day
        self._states: dict[tuple[dt.date, dt.date], PeriodStates] = {}
        self._names: dict[int, str] = {}
        self._computed: dict[str, object] = {}

    @classmethod
    def of(cls, persons, day: dt.date) -> DaySnapshot:
        """The snapshot shared for `persons` (the same object) and `day`, else a new one."""
        shared = _shared.get()
        if shared is not None and shared.persons is persons and shared.day == day:
            return shared
        return cls(persons, day)

    @contextmanager
    def sharing(self) -> Iterator[DaySnapshot]:
        token = _shared.set(self)
        try:
            yield self
        finally:
            _shared.reset(token)

    # Episodes and pauses ------------------------------------------------------------------------

    @cached_property
    def records(self) -> PeriodRecords:
        start, end = quarter_bounds(self.day)
        return period_records(self.persons, start, end)

    def states(self, start: dt.date, end: dt.date) -> PeriodStates:
        """Supported and active intervals over [start, end], a period inside the day's quarter."""
        key = (start, end)
        if key not in self._states:
            self._states[key] = self.records.states_for(start, end)
        return self._states[key]

    @cached_property
    def supported(self) -> list[SupportedEpisode]:
        """The episodes supporting the persons on the day (admitted, not exited), with whether a
        veille covers the day (the definitions of `pathways.states`)."""
        day, supported, in_veille = self.day, SUPPORTED.holds, IN_VEILLE.holds
        paused = {episode_id for episode_id, start, end in self.records.pauses if in_veille(start, end, day)}
        return [
            SupportedEpisode(pk, person_id, admitted_on, pk in paused)
            for pk, person_id, admitted_on, exit_date in self.records.episodes
            if supported(admitted_on, exit_date, day)
        ]

    @cached_property
    def episode_ids(self) -> frozenset[int]:
        return frozenset(episode.pk for episode in self.supported)

    @cached_property
    def person_ids(self) -> frozenset[int]:
        """Persons supported on the day."""
        return frozenset(episode.person_id for episode in self.supported)

    # Counsellors --------------------------------------------------------------------------------

    @cached_property
    def assignments(self) -> dict[int, tuple[int, dt.date]]:
        """{episode id: (staff id, start)} of the assignment current on the day (the latest one
        when several overlap)."""
        return self._assignments_of(self.episode_ids)

    def _assignments_of(self, episode_ids: frozenset[int] | set[int]) -> dict[int, tuple[int, dt.date]]:
        if not episode_ids:
            return {}
        day = self.day
        rows = (
            current_assignments(day)
            .filter(episode_id__in_ids=episode_ids)
            .order_by("start", "id")
            .values_list("episode_id", "staff_id", "start")
        )
        return {episode_id: (staff_id, start) for episode_id, staff_id, start in rows}

    def counsellor_by_person(self, person_ids=None) -> dict[int, int]:
        """{person id: staff id of their counsellor on the day}, for the persons supported on
        the day (only those of `person_ids` if given: a team's to-do list needs the counsellors
        of the persons with an item, not of the whole team)."""
        episodes = self.supported
        if person_ids is not None:
            wanted = set(person_ids)
            episodes = [episode for episode in episodes if episode.person_id in wanted]
        if "assignments" in self.__dict__ or person_ids is None:
            assignments = self.assignments
        else:
            assignments = self._assignments_of({episode.pk for episode in episodes})
        result = {}
        for episode in episodes:
            assignment = assignments.get(episode.pk)
            if assignment is not None:
                result[episode.person_id] = assignment[0]
        return result

    def computed(self, key: str, compute):
        """`compute()`, once per snapshot for `key`: what several producers of one app derive
        from the same rows (employment's two agreement producers, for example)."""
        if key not in self._computed:
            self._computed[key] = compute()
        return self._computed[key]

    # Names --------------------------------------------------------------------------------------

    def names_of(self, person_ids) -> dict[int, str]:
        """{person id: "First LAST"} for `person_ids`, read once per person for the whole page
        (one query for those not read yet, none when all are)."""
        missing = {pk for pk in person_ids if pk not in self._names}
        if missing:
            self.add_names(Person.objects.filter(pk__in_ids=missing).values_list("pk", "first_name", "last_name"))
        return self._names

    def add_names(self, rows) -> None:
        """Remember names already read elsewhere: (person id, first name, last name) rows."""
        for pk, first, last in rows:
            self._names[pk] = full_name(first, last)


def full_name(first_name: str, last_name: str) -> str:
    """`Person.full_name` from the two columns."""
    return f"{first_name} {last_name.upper()}".strip()
