"""What is due ("À faire"): items computed from the data, never stored by hand.

How it works
------------
A *producer* is a plain function ``producer(persons, day) -> Iterable[DueItem]``:

- ``persons`` is a queryset of ``people.Person`` already scoped to what the user may see and
  narrowed to the page (the persons assigned to one counsellor, or a whole team);
- ``day`` is the date the list is computed for (today);
- it returns ``DueItem``s for those persons only, with a translated label and the URL of the page
  where the item is resolved, and runs a constant number of queries whatever the number of
  persons (filter with ``person__in=persons``, never loop over persons with a query each).

Each app registers its producers in its ``AppConfig.ready()`` with ``register(producer, ...,
kinds={code: label})`` (the labels name the kinds in the page's filter); ``registered()`` gives
them all, in registration order. Nothing is listed by path: a test fails when an app's ``due``
module defines a producer that is not registered (``tests/activity/test_due_registry.py``).

``collect(persons, day)`` calls every producer, fills ``counsellor_id`` (the person's counsellor
today) when the producer left it empty, and sorts: urgent first, then by date. During the call,
``DaySnapshot.of(persons, day)`` (activity/day.py) gives the producers what several of them need
-- the episodes supported today and those in veille, the states of the quarter, counsellors and
names -- read once for all of them; a producer may use it or query on its own. The caseload
("next thing due"), the counsellor's "À faire" page and the team's all call ``collect``.

The producers of this module (docs/daily-work.md explains each reading):

- ``interviews_due``: persons active on every day of the current quarter so far with no
  interview yet (``measures.persons_without_interview`` over [start of quarter, today]);
- ``recognitions_ending``: supported persons whose recognition (with any renewal already
  recorded) ends within 6 months, or who have none valid today;
- ``veilles_ending``: veilles ending within 15 days, or past their end and not closed;
- ``contact_risks``: no contact for 4 months (risk of disengagement), and an exit for
  disengagement possible after 6 months with enough outreach attempts (the rules of
  ``pathways.rules`` used by ``pathways.services.disengagement_check``);
- ``prescriptions_waiting``: prescriptions waiting for more than 30 days;
- ``appointments``: appointments of the next 7 days, and past ones neither held nor cancelled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tremplin.lib.dates import add_months, quarter_bounds, short_date
from tremplin.lib.urls import url_with_id
from tremplin.pathways import rules
from tremplin.pathways.models import Episode, OutreachAttempt, Pause
from tremplin.pathways.states import waiting_prescriptions
from tremplin.people.models import RECOGNITION_VALID, Person, Recognition

from . import measures
from .day import DaySnapshot
from .models import Appointment, Intervention, Place


@dataclass(frozen=True)
class DueItem:
    kind: str  # stable code, e.g. "interview_due", "veille_overdue"
    label: str  # translated sentence shown to the user
    url: str  # where the item is resolved
    person_id: int | None = None
    person_name: str = ""
    counsellor_id: int | None = None  # staff id of the person's counsellor, for the per-counsellor view
    due_on: dt.date | None = None  # deadline or date the item became due, for sorting
    severity: str = "warning"  # "info", "warning" or "urgent"


Producer = Callable[..., Iterable[DueItem]]

SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}
SEVERITY_LABELS = {"urgent": gettext_lazy("urgent"), "warning": gettext_lazy("to do"), "info": gettext_lazy("coming")}
KIND_LABELS = {
    "interview_due": gettext_lazy("Quarterly interview"),
    "recognition_ending": gettext_lazy("Recognition to renew"),
    "recognition_missing": gettext_lazy("No valid recognition"),
    "veille_ending": gettext_lazy("Veille ending"),
    "veille_overdue": gettext_lazy("Veille past its end"),
    "no_contact": gettext_lazy("No contact for 4 months"),
    "disengagement_possible": gettext_lazy("Exit for disengagement possible"),
    "prescription_waiting": gettext_lazy("Prescription waiting"),
    "appointment_not_recorded": gettext_lazy("Appointment not recorded"),
    "appointment_coming": gettext_lazy("Appointment"),
}

_registered: dict[str, Producer] = {}


def register(*producers: Producer, kinds: dict | None = None) -> None:
    """Add producers to every to-do list (called from the producers' AppConfig.ready()), with the
    labels of the kinds of item they make. Registering a producer twice keeps one."""
    for producer in producers:
        _registered[f"{producer.__module__}.{producer.__qualname__}"] = producer
    KIND_LABELS.update(kinds or {})


def registered() -> list[Producer]:
    """Every registered producer, in registration order."""
    return list(_registered.values())


INTERVIEW_URGENT_DAYS = 15
RECOGNITION_WARNING_MONTHS = Recognition.EXPIRY_WARNING_MONTHS
RECOGNITION_URGENT_MONTHS = 2
VEILLE_WARNING_DAYS = 15
NO_CONTACT_MONTHS = 4
PRESCRIPTION_WAITING_DAYS = 30
APPOINTMENT_DAYS_AHEAD = 7


_d = short_date


def person_url(person_id: int, anchor: str = "") -> str:
    return url_of("person_detail", person_id) + (f"#{anchor}" if anchor else "")


def url_of(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for the many items of a list (`lib.urls.url_with_id`)."""
    return url_with_id(name)(pk)


def _name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name.upper()}".strip()


def collect(
    persons, day: dt.date, producers: Iterable[Producer] | None = None, snapshot: DaySnapshot | None = None
) -> list[DueItem]:
    """Every due item for `persons` on `day` (of the registered producers, or of `producers`),
    most pressing first. The producers share one `DaySnapshot` of the persons (the caller's, when
    it already has one)."""
    snapshot = snapshot if snapshot is not None and snapshot.persons is persons else DaySnapshot(persons, day)
    items: list[DueItem] = []
    with snapshot.sharing():
        for producer in registered() if producers is None else producers:
            items.extend(producer(persons, day))
    if any(item.counsellor_id is None and item.person_id is not None for item in items):
        counsellors = snapshot.counsellor_by_person({item.person_id for item in items if item.counsellor_id is None})
        items = [
            item
            if item.counsellor_id is not None or item.person_id is None
            else _with_counsellor(item, counsellors.get(item.person_id))
            for item in items
        ]
    return sorted(items, key=sort_key)


def sort_key(item: DueItem):
    return (SEVERITY_ORDER.get(item.severity, 9), item.due_on or dt.date.max, item.person_name, item.kind)


def _with_counsellor(item: DueItem, counsellor_id: int | None) -> DueItem:
    return item if counsellor_id is None else dataclasses.replace(item, counsellor_id=counsellor_id)


# Producers -------------------------------------------------------------------------------------


def interviews_due(persons, day: dt.date) -> list[DueItem]:
    """Persons active on every day of the quarter so far without an interview yet: one is due
    before the end of the quarter (INDICATORS.md "without interview")."""
    start, end = quarter_bounds(day)
    snapshot = DaySnapshot.of(persons, day)
    missing = measures.persons_without_interview(persons, start, day, states=snapshot.states(start, day))
    if not missing:
        return []
    severity = "urgent" if (end - day).days < INTERVIEW_URGENT_DAYS else "warning"
    label = _("No interview yet this quarter: one is due by %(date)s.") % {"date": _d(end)}
    names = snapshot.names_of(missing)
    return [
        DueItem(
            kind="interview_due",
            label=label,
            url=person_url(pk, "log-intervention"),
            person_id=pk,
            person_name=names.get(pk, ""),
            due_on=end,
            severity=severity,
        )
        for pk in sorted(missing)
    ]


def recognitions_ending(persons, day: dt.date) -> list[DueItem]:
    """Supported persons whose recognition, with any renewal already recorded, ends within six
    months (renewal to prepare), or who have no recognition valid today."""
    warning_limit = add_months(day, RECOGNITION_WARNING_MONTHS)
    # Persons holding a recognition valid today and still the day after the six months need nothing.
    covered = Recognition.objects.filter(
        RECOGNITION_VALID.q(day), RECOGNITION_VALID.q(warning_limit + dt.timedelta(days=1))
    )
    snapshot = DaySnapshot.of(persons, day)
    if not snapshot.person_ids:
        return []
    to_check = list(
        Person.objects.filter(pk__in_ids=snapshot.person_ids)
        .exclude(pk__in=covered.values("person_id"))
        .order_by("pk")
        .values_list("pk", "first_name", "last_name")
    )
    names = {pk: _name(first, last) for pk, first, last in to_check}
    snapshot.add_names(to_check)
    by_person: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    if names:
        for person_id, start, end, kind in Recognition.objects.filter(person_id__in_ids=names.keys()).values_list(
            "person_id", "start", "end", "kind"
        ):
            by_person[person_id].append((start, end, kind))
    # Translated and formatted once per list, not once per item.
    kinds = {value: str(label) for value, label in Recognition.Kind.choices}
    none_since = _("No disability recognition is valid today (the last one ended on %(date)s).")
    none_ever = _("No disability recognition is valid today.")
    ending = _("The %(kind)s ends on %(date)s: prepare its renewal with the person.")
    add_url = url_with_id("recognition_add")
    urgent_limit = add_months(day, RECOGNITION_URGENT_MONTHS)
    items = []
    for person_id, name in names.items():
        recognitions = sorted(by_person.get(person_id, []), key=lambda r: r[0])
        valid = [r for r in recognitions if RECOGNITION_VALID.holds(r[0], r[1], day)]
        if not valid:
            ended = [r[1] for r in recognitions if r[1] is not None and r[1] < day]
            label = none_since % {"date": short_date(max(ended))} if ended else none_ever
            items.append(
                DueItem(
                    kind="recognition_missing",
                    label=label,
                    url=add_url(person_id),
                    person_id=person_id,
                    person_name=name,
                    due_on=max(ended) if ended else day,
                    severity="urgent",
                )
            )
            continue
        end, kind = _coverage_end(recognitions, day)
        if end is None or end > warning_limit:
            continue
        items.append(
            DueItem(
                kind="recognition_ending",
                label=ending % {"kind": kinds.get(kind, kind), "date": short_date(end)},
                url=add_url(person_id),
                person_id=person_id,
                person_name=name,
                due_on=end,
                severity="urgent" if end <= urgent_limit else "warning",
            )
        )
    return items


def _coverage_end(recognitions: list[tuple[dt.date, dt.date | None, str]], day: dt.date):
    """The last day covered without a gap from `day` on, following renewals already recorded
    (a renewal starts at the latest the day after the previous end); None if permanent."""
    end, kind = None, ""
    for start, r_end, r_kind in recognitions:
        if RECOGNITION_VALID.holds(start, r_end, day):
            if r_end is None:
                return None, r_kind
            if end is None or r_end > end:
                end, kind = r_end, r_kind
    extended = True
    while extended:
        extended = False
        for start, r_end, r_kind in recognitions:
            if start <= end + dt.timedelta(days=1) and (r_end is None or r_end > end):
                if r_end is None:
                    return None, r_kind
                end, kind, extended = r_end, r_kind, True
    return end, kind


def veilles_ending(persons, day: dt.date) -> list[DueItem]:
    """Veilles ending within 15 days (prepare the resumption or extend), or past their end
    without the resumption recorded (Pause.closed_on)."""
    snapshot = DaySnapshot.of(persons, day)
    if not snapshot.episode_ids:
        return []
    person_of = {episode.pk: episode.person_id for episode in snapshot.supported}
    pauses = (
        Pause.objects.filter(
            episode_id__in_ids=snapshot.episode_ids,
            closed_on__isnull=True,
            start__lte=day,
            end__lte=day + dt.timedelta(days=VEILLE_WARNING_DAYS),
        )
        .order_by("end", "id")
        .values_list("episode_id", "end", "episode__person__first_name", "episode__person__last_name")
    )
    items = []
    for episode_id, end, first, last in pauses:
        person_id = person_of[episode_id]
        overdue = end < day
        items.append(
            DueItem(
                kind="veille_overdue" if overdue else "veille_ending",
                label=(
                    _("The veille ended on %(date)s and the resumption of support is not recorded.")
                    if overdue
                    else _("The veille ends on %(date)s: prepare the resumption with the person, or extend it.")
                )
                % {"date": _d(end)},
                url=person_url(person_id, f"episode-{episode_id}"),
                person_id=person_id,
                person_name=_name(first, last),
                due_on=end,
                severity="urgent" if overdue else "warning",
            )
        )
    return items


RECENT_CONTACT_DAYS = 100  # shorter than any 4 calendar months (at least 120 days)


@dataclass
class Contact:
    """An episode and the date of the last contact with its person."""

    pk: int
    person_id: int
    person_name: str
    admitted_on: dt.date
    last_contact: dt.date | None = None


def last_contacts(persons, day: dt.date, silent_for_months: int = 0):
    """Episodes supporting `persons` on `day` and not in veille that day, each with
    `last_contact` on `day` (`measures.last_contacts`, the definition the exit form uses too).

    With `silent_for_months`, only the episodes without contact for at least that many calendar
    months are returned (episodes with a contact in the last 100 days are set aside first)."""
    snapshot = DaySnapshot.of(persons, day)
    active = {episode.pk for episode in snapshot.supported if not episode.in_veille}
    if not active:
        return []
    queryset = Episode.objects.filter(pk__in_ids=active)
    if silent_for_months:
        recent = day - dt.timedelta(days=RECENT_CONTACT_DAYS)
        queryset = (
            queryset.filter(admitted_on__lt=recent)
            .exclude(
                Exists(
                    Intervention.objects.filter(
                        person_id=OuterRef("person_id"),
                        date__gte=recent,
                        date__lte=day,
                        with_whom__in=measures.INTERVIEW_WITH,
                    )
                )
            )
            .exclude(
                Exists(
                    OutreachAttempt.objects.filter(
                        episode_id=OuterRef("pk"),
                        outcome=OutreachAttempt.Outcome.REACHED,
                        date__gte=recent,
                        date__lte=day,
                    )
                )
            )
        )
    episodes = [
        Contact(pk, person_id, "", admitted_on)
        for pk, person_id, admitted_on in queryset.values_list("pk", "person_id", "admitted_on")
    ]
    if not episodes:
        return []
    contacts = measures.last_contacts(((e.pk, e.person_id, e.admitted_on) for e in episodes), day)
    result = []
    for episode in episodes:
        episode.last_contact = contacts[episode.pk]
        if not silent_for_months or add_months(episode.last_contact, silent_for_months) <= day:
            result.append(episode)
    names = snapshot.names_of(e.person_id for e in result)
    for episode in result:
        episode.person_name = names.get(episode.person_id, "")
    return result


def contact_risks(persons, day: dt.date) -> list[DueItem]:
    """No contact for 4 months: risk of disengagement (persons in veille excluded: no contact is
    expected then). After 6 months with at least 3 attempts through 2 channels since the last
    contact, an exit for disengagement becomes possible (pathways.rules, as the exit form checks)."""
    silent = last_contacts(persons, day, silent_for_months=NO_CONTACT_MONTHS)
    if not silent:
        return []
    attempts: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for episode_id, date, channel in OutreachAttempt.objects.filter(
        episode_id__in_ids={e.pk for e in silent}, date__lte=day
    ).values_list("episode_id", "date", "channel"):
        attempts[episode_id].append((date, channel))
    items = []
    for episode in silent:
        since = [(d, c) for d, c in attempts[episode.pk] if d > episode.last_contact]
        long_enough = rules.silence_long_enough(episode.last_contact, day)
        if long_enough and rules.outreach_sufficient(since, episode.last_contact, day):
            items.append(
                DueItem(
                    kind="disengagement_possible",
                    label=_(
                        "No contact since %(date)s despite %(count)s outreach attempts: an exit for disengagement "
                        "is possible, after a documented analysis."
                    )
                    % {"date": _d(episode.last_contact), "count": len(since)},
                    url=url_of("exit_episode", episode.pk),
                    person_id=episode.person_id,
                    person_name=episode.person_name,
                    due_on=add_months(episode.last_contact, rules.DISENGAGEMENT_SILENCE_MONTHS),
                    severity="warning",
                )
            )
            continue
        items.append(
            DueItem(
                kind="no_contact",
                label=_(
                    "No contact since %(date)s: risk of disengagement. Reach the person again "
                    "(%(count)s outreach attempts recorded since)."
                )
                % {"date": _d(episode.last_contact), "count": len(since)},
                url=url_of("outreach_add", episode.pk),
                person_id=episode.person_id,
                person_name=episode.person_name,
                due_on=add_months(episode.last_contact, NO_CONTACT_MONTHS),
                severity="urgent" if long_enough else "warning",
            )
        )
    return items


def prescriptions_waiting(persons, day: dt.date) -> list[DueItem]:
    """Prescriptions waiting for more than 30 days: admit the person or withdraw the prescription."""
    limit = day - dt.timedelta(days=PRESCRIPTION_WAITING_DAYS)
    prescriptions = (
        waiting_prescriptions(day)
        .filter(person__in=persons, date__lt=limit)
        .order_by("date", "id")
        .values_list("person_id", "person__first_name", "person__last_name", "date", "urgent")
    )
    return [
        DueItem(
            kind="prescription_waiting",
            label=_("Prescription of %(date)s waiting for %(days)s days: admit the person or withdraw it.")
            % {"date": _d(date), "days": (day - date).days},
            url=person_url(person_id, "prescriptions-title"),
            person_id=person_id,
            person_name=_name(first, last),
            due_on=date + dt.timedelta(days=PRESCRIPTION_WAITING_DAYS),
            severity="urgent" if urgent else "warning",
        )
        for person_id, first, last, date, urgent in prescriptions
    ]


def appointments(persons, day: dt.date) -> list[DueItem]:
    """Appointments of the next 7 days, and past ones neither held nor cancelled."""
    now = timezone.now()
    horizon = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=APPOINTMENT_DAYS_AHEAD + 1), dt.time()))
    rows = (
        Appointment.objects.filter(
            person__in=persons, cancelled=False, intervention__isnull=True, starts_at__lt=horizon
        )
        .order_by("starts_at")
        .values_list("pk", "person_id", "person__first_name", "person__last_name", "starts_at", "place")
    )
    # Translated and formatted once per list, not once per item.
    places = {value: str(label) for value, label in Place.choices}
    not_recorded = _("Appointment of %(date)s at %(time)s not recorded: was it held?")
    coming = _("Appointment on %(date)s at %(time)s (%(place)s).")
    detail_url = url_with_id("appointment_detail")
    zone = timezone.get_current_timezone()
    items = []
    for pk, person_id, first, last, starts_at, place in rows:
        when = timezone.localtime(starts_at, zone)
        values = {"date": short_date(when.date()), "time": when.strftime("%H:%M"), "place": places.get(place, place)}
        past = starts_at <= now
        items.append(
            DueItem(
                kind="appointment_not_recorded" if past else "appointment_coming",
                label=(not_recorded if past else coming) % values,
                url=detail_url(pk),
                person_id=person_id,
                person_name=_name(first, last),
                due_on=when.date(),
                severity="warning" if past else "info",
            )
        )
    return items
