"""The caseload and the team: rows computed for many persons at once, in a constant number of
queries whatever their number. States, intensity and the interview rule come from
`pathways.periods` and `activity.measures` (the one implementation shared with the indicators).

Current month's intensity (docs/daily-work.md): the calendar month in progress is measured like
any month, with `measures.intensity` over [first, last day of the month]: the hours logged so
far, over the days of the month on which the person is active (days still to come count as
active unless a veille or an exit is already recorded). The level shown is therefore "reached so
far": it can only go up as the month goes on, and on the last day it is the indicator's value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Subquery

from tremplin.employment.models import Contract
from tremplin.employment.status import covering
from tremplin.lib.dates import month_end, month_start
from tremplin.organisations.models import IN_POST, Staff
from tremplin.pathways.caseload import active_counts, ceiling
from tremplin.pathways.models import CounsellorAssignment, Episode
from tremplin.pathways.periods import contains
from tremplin.pathways.services import PERSON_FIELDS
from tremplin.pathways.states import Status, current_assignments, in_veille_filter, supported_episodes
from tremplin.people.models import Person

from . import due, measures
from .day import DaySnapshot
from .models import Intervention
from .services import open_alerts

ALERTS_SHOWN = 5
# Not shown on the caseload: left unread (the identity, contact and history of many persons):
# every field of the person's record but the name.
PERSON_FIELDS_NOT_SHOWN = tuple(name for name in PERSON_FIELDS if name not in ("first_name", "last_name"))
STATUS_ORDER = {Status.ACTIVE: 0, Status.IN_VEILLE: 1}
LEVEL_ORDER = {level: index for index, level in enumerate(measures.LEVELS)}


def persons_of(staff: Staff, day: dt.date):
    """Persons supported on `day` (active or in veille) whose counsellor that day is `staff`."""
    episodes = current_assignments(day).filter(staff=staff, episode__in=supported_episodes(day))
    return Person.objects.filter(pk__in=episodes.values("episode__person_id"))


def caseload_persons(staff: Staff, day: dt.date, visible):
    """The persons of `staff`'s caseload that the user may see, as a queryset over their ids
    (read once: the following queries stay simple whatever the size of the platform)."""
    ids = list((persons_of(staff, day) & visible).values_list("pk", flat=True))
    return Person.objects.filter(pk__in_ids=set(ids))


@dataclass
class Row:
    person: Person
    episode: Episode
    status: str
    counsellor: Staff | None
    since: dt.date | None
    intensity: measures.PersonIntensity | None
    last_interview: dt.date | None
    employers: list[str]
    due: list[due.DueItem] = field(default_factory=list)

    @property
    def status_label(self):
        return Status.LABELS[self.status]

    @property
    def level(self) -> str:
        return self.intensity.level if self.intensity else measures.UNCLASSIFIED

    @property
    def level_label(self):
        return measures.SHORT_LABELS[self.level]

    @property
    def level_title(self):
        return measures.LEVEL_LABELS[self.level]

    @property
    def minutes(self) -> int:
        return self.intensity.minutes if self.intensity else 0

    @property
    def employed(self) -> bool:
        return bool(self.employers)

    @property
    def next_due(self) -> due.DueItem | None:
        return self.due[0] if self.due else None

    @property
    def url(self) -> str:
        """The person's page (reversed once per page for all the rows)."""
        return due.person_url(self.person.pk)

    @property
    def log_url(self) -> str:
        """The form to log an intervention for the person."""
        return due.url_of("intervention_add", self.person.pk)


def rows_for(persons, day: dt.date, items: list[due.DueItem] | None = None) -> list[Row]:
    """One row per person of `persons` supported on `day`. The episodes, veilles and counsellors
    are read once (a `DaySnapshot`) for the rows and the due items alike."""
    snapshot = DaySnapshot(persons, day)
    if not snapshot.episode_ids:
        return []
    episodes = list(
        Episode.objects.filter(pk__in_ids=snapshot.episode_ids)
        .select_related("person")
        .defer(*(f"person__{name}" for name in PERSON_FIELDS_NOT_SHOWN))
    )
    snapshot.add_names((e.person_id, e.person.first_name, e.person.last_name) for e in episodes)
    assignments = snapshot.assignments
    staff = Staff.objects.in_bulk({staff_id for staff_id, _start in assignments.values()})
    first, last = month_start(day), month_end(day)
    states = snapshot.states(first, last)
    intensity = measures.intensity(persons, first, last, states=states)
    last_interview = (
        Intervention.objects.filter(person_id=OuterRef("pk"), with_whom__in=measures.INTERVIEW_WITH, date__lte=day)
        .order_by("-date")
        .values("date")[:1]
    )
    last_interviews = dict(
        Person.objects.filter(pk__in_ids=snapshot.person_ids)
        .annotate(last=Subquery(last_interview))
        .values_list("pk", "last")
    )
    employers: dict[int, list[str]] = defaultdict(list)
    for person_id, name in (
        Contract.objects.filter(covering(day), person__in=persons)
        .order_by("start")
        .values_list("person_id", "employer__name")
    ):
        employers[person_id].append(name)
    if items is None:
        items = due.collect(persons, day, snapshot=snapshot)
    due_by_person: dict[int, list[due.DueItem]] = defaultdict(list)
    for item in items:
        if item.person_id is not None:
            due_by_person[item.person_id].append(item)
    rows = []
    for episode in episodes:
        pid = episode.person_id
        staff_id, since = assignments.get(episode.pk, (None, None))
        in_veille = contains(states.veille.get(pid, []), day)
        rows.append(
            Row(
                person=episode.person,
                episode=episode,
                status=Status.IN_VEILLE if in_veille else Status.ACTIVE,
                counsellor=staff.get(staff_id),
                since=since,
                intensity=intensity.get(pid),
                last_interview=last_interviews.get(pid),
                employers=employers.get(pid, []),
                due=due_by_person.get(pid, []),
            )
        )
    return rows


SORTS = {
    "name": lambda r: (r.person.last_name.lower(), r.person.first_name.lower(), r.person.pk),
    "status": lambda r: (STATUS_ORDER[r.status], r.person.last_name.lower()),
    "intensity": lambda r: (LEVEL_ORDER[r.level], -r.minutes, r.person.last_name.lower()),
    "hours": lambda r: (r.minutes, r.person.last_name.lower()),
    "last_interview": lambda r: (r.last_interview or dt.date.min, r.person.last_name.lower()),
    "employment": lambda r: (not r.employed, r.person.last_name.lower()),
    "due": lambda r: (due.sort_key(r.next_due) if r.next_due else (9,), r.person.last_name.lower()),
}


def sort_rows(rows: list[Row], sort: str) -> tuple[list[Row], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "name", "name"
    return sorted(rows, key=SORTS[key], reverse=sort.startswith("-")), sort


def filter_rows(rows: list[Row], *, status: str = "", level: str = "", employed: str = "", has_due: str = ""):
    if status in STATUS_ORDER:
        rows = [r for r in rows if r.status == status]
    if level in LEVEL_ORDER:
        rows = [r for r in rows if r.level == level]
    if employed == "yes":
        rows = [r for r in rows if r.employed]
    elif employed == "no":
        rows = [r for r in rows if not r.employed]
    if has_due == "yes":
        rows = [r for r in rows if r.due]
    return rows


@dataclass
class Load:
    """A counsellor's load: persons actively supported (veille excluded) against 20 per FTE."""

    staff: Staff
    active: int
    in_veille: int = 0
    alerts: list = field(default_factory=list)  # the first ALERTS_SHOWN open alerts
    alert_count: int = 0

    @property
    def fte(self) -> Decimal:
        return self.staff.fte

    @property
    def ceiling(self) -> Decimal:
        return ceiling(self.staff)

    @property
    def per_fte(self) -> float:
        return float(Fraction(self.active) / Fraction(self.staff.fte))

    @property
    def over(self) -> bool:
        return self.active > self.ceiling

    @property
    def room(self) -> Decimal:
        return self.ceiling - self.active

    @property
    def percent(self) -> int:
        return round(100 * self.active / self.ceiling) if self.ceiling else 0


def veille_counts(staff_ids, day: dt.date) -> dict[int, int]:
    episodes = supported_episodes(day).filter(in_veille_filter(day))
    rows = (
        current_assignments(day)
        .filter(staff_id__in=list(staff_ids), episode__in=episodes)
        .values("staff_id")
        .annotate(n=Count("episode__person", distinct=True))
    )
    return {row["staff_id"]: row["n"] for row in rows}


def counsellors_in_post(staff_queryset, day: dt.date):
    return (
        staff_queryset.filter(IN_POST.q(day), function=Staff.Function.COUNSELLOR)
        .select_related("organisation")
        .order_by("organisation__role", "organisation__name", "name")
    )


def team_loads(counsellors: list[Staff], day: dt.date) -> list[Load]:
    ids = [c.pk for c in counsellors]
    active = active_counts(ids, day)
    veille = veille_counts(ids, day)
    alerts = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for staff_id, person_id, first, last, start, justification in (
        open_alerts(ids, day)
        .order_by("staff_id", "start", "id")
        .values_list(
            "staff_id",
            "episode__person_id",
            "episode__person__first_name",
            "episode__person__last_name",
            "start",
            "over_ceiling_justification",
        )
    ):
        counts[staff_id] += 1
        if counts[staff_id] <= ALERTS_SHOWN:
            alerts[staff_id].append(
                {
                    "person_id": person_id,
                    "name": f"{first} {last.upper()}",
                    "start": start,
                    "justification": justification,
                }
            )
    return [
        Load(
            staff=c,
            active=active.get(c.pk, 0),
            in_veille=veille.get(c.pk, 0),
            alerts=alerts.get(c.pk, []),
            alert_count=counts.get(c.pk, 0),
        )
        for c in counsellors
    ]


def without_counsellor(persons, day: dt.date):
    """Episodes supported on `day` whose counsellor that day is missing or no longer in post
    (e.g. their staff end date has passed): to re-assign."""
    in_post = current_assignments(day).filter(IN_POST.q(day, "staff__"), episode=OuterRef("pk"))
    last = (
        CounsellorAssignment.objects.filter(episode=OuterRef("pk"), start__lte=day)
        .order_by("-start", "-id")
        .values("staff__name")[:1]
    )
    return (
        supported_episodes(day)
        .filter(person__in=persons)
        .exclude(Exists(in_post))
        .annotate(last_counsellor=Subquery(last), in_veille=in_veille_filter(day))
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def episodes_of(staff: Staff, persons, day: dt.date):
    """Episodes supported on `day` whose counsellor that day is `staff` (for a re-assignment)."""
    return (
        supported_episodes(day)
        .filter(person__in=persons, pk__in=current_assignments(day).filter(staff=staff).values("episode_id"))
        .annotate(in_veille=in_veille_filter(day))
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )
