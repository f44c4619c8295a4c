"""Workflows of the daily activity: interventions, appointments, re-assignments, calendar feeds.

Each takes the acting user, runs in one transaction, writes the audit log and raises
`DomainError` with a translated message when a rule refuses it. The rules (cahier des charges,
seed 003, and docs/daily-work.md):

- a duration is between 1 and 720 minutes (12 hours);
- an intervention records what happened: its date is today or earlier (the future is planned
  with appointments, at most a year ahead);
- the intervention belongs to the episode supporting the person on its date; nothing can be
  logged before an admission, between two episodes, after an exit, nor on an episode that has
  ended (even back-dated) [§IV.E];
- during a veille only an occasional contact can be logged, and it is documented by a note
  [§IV.D: "hormis un contact ponctuel ... systématiquement documenté dans le dossier"];
- only the author edits or deletes an intervention; concurrent edits are refused;
- re-assignments go through `pathways.services.change_counsellor` (dated, kept, ceiling of
  20 persons per FTE with a justification); an over-ceiling alert is resolved by a coordinator
  once the counsellor is back at or under the ceiling.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tremplin.audit.log import diff, record, snapshot
from tremplin.lib.dates import add_months, short_date, today
from tremplin.lib.errors import ConcurrentEditError, DomainError
from tremplin.organisations.models import Staff
from tremplin.pathways import programmes
from tremplin.pathways import services as pathways_services
from tremplin.pathways.caseload import active_counts, ceiling, would_exceed_ceiling
from tremplin.pathways.models import Episode
from tremplin.pathways.programmes import EMPLOI_ACCOMPAGNE, Programme
from tremplin.pathways.states import current_assignments, supported_episodes
from tremplin.people import privacy
from tremplin.people.models import Person

from .models import ActionFamily, Appointment, CalendarFeed, Intervention, Kind, Place, With

MIN_MINUTES, MAX_MINUTES = 1, Intervention.MAX_MINUTES
APPOINTMENT_HORIZON_MONTHS = 12
INTERVENTION_FIELDS = [
    "date",
    "minutes",
    "place",
    "with_whom",
    "kind",
    "action_family",
    "employer",
    "contract",
    "note",
]


_d = short_date


def _lock_person(person: Person) -> Person:
    """The same lock as the pathway workflows: changes of one person never interleave."""
    return Person.objects.select_for_update().get(pk=person.pk)


def _concurrent_edit_error() -> ConcurrentEditError:
    return pathways_services.concurrent_edit_error()


def _snapshot(intervention: Intervention) -> dict:
    """Values for the audit log, with names rather than ids for the employer and the contract.
    The note of a clinician's intervention is not copied (as for notes of a domain: the audit
    says who wrote what kind of note when, never its text)."""
    values = snapshot(intervention, INTERVENTION_FIELDS)
    values["employer"] = intervention.employer.name if intervention.employer_id else None
    values["contract"] = str(intervention.contract) if intervention.contract_id else None
    if intervention.note_domain:
        del values["note"]
    return values


def _detail(intervention: Intervention) -> dict:
    return {"domain": intervention.note_domain} if intervention.note_domain else {}


# Rules ----------------------------------------------------------------------------------------


def check_minutes(minutes, field: str = "minutes") -> int:
    if minutes is None:
        raise DomainError(_("Give the duration in minutes."), field=field, code="minutes_missing")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("A duration is between 1 and 720 minutes (12 hours); %(value)s is not possible.") % {"value": minutes},
            field=field,
            code="minutes_out_of_range",
        )
    return minutes


def check_intervention_date(day: dt.date | None) -> dt.date:
    if day is None:
        raise DomainError(_("Give the date."), field="date", code="date_missing")
    if day > today():
        raise DomainError(
            _(
                "An intervention records what happened: its date cannot be after today (%(today)s). "
                "To plan one, make an appointment."
            )
            % {"today": _d(today())},
            field="date",
            code="future_date",
        )
    return day


def episode_for(person: Person, day: dt.date, programme: Programme = EMPLOI_ACCOMPAGNE) -> Episode:
    """The episode of `programme` a record dated `day` belongs to, or a DomainError saying why
    there is none. Whether anything may be recorded after an exit is the programme's rule
    (`Programme.follow_up_months_after_exit`; none in emploi accompagné, §IV.E)."""
    episodes = list(
        Episode.objects.filter(person=person, programme=programme.code)
        .prefetch_related("pauses")
        .order_by("admitted_on")
    )
    for episode in episodes:
        if episode.is_supported_on(day):
            if not accepts_records(episode, day):
                raise DomainError(
                    _("This support ended on %(date)s (exit): nothing more can be logged on it.")
                    % {"date": _d(episode.exit_date)},
                    field="date",
                    code="episode_closed",
                )
            return episode
    past = [e for e in episodes if e.admitted_on <= day]
    if past and accepts_records(past[-1], day):
        return past[-1]  # after the exit, in a programme with follow-up
    if not episodes:
        raise DomainError(
            _("The person has not been admitted: nothing can be logged before an admission."),
            field="date",
            code="not_admitted",
        )
    before = [e for e in episodes if e.exit_date is not None and e.exit_date <= day]
    after = [e for e in episodes if e.admitted_on > day]
    if not before:
        raise DomainError(
            _("The person was admitted on %(date)s: nothing can be logged before the admission.")
            % {"date": _d(after[0].admitted_on)},
            field="date",
            code="before_admission",
        )
    if not after:
        raise DomainError(
            _(
                "The support ended on %(date)s (exit): nothing can be logged after an exit. If the person "
                "comes back, a new admission opens a new support."
            )
            % {"date": _d(before[-1].exit_date)},
            field="date",
            code="after_exit",
        )
    raise DomainError(
        _(
            "On that date the person was not supported (between the exit of %(exit)s and the admission of "
            "%(admission)s): nothing can be logged."
        )
        % {"exit": _d(before[-1].exit_date), "admission": _d(after[0].admitted_on)},
        field="date",
        code="between_episodes",
    )


def _check_choices(place: str, with_whom: str, kind: str, action_family: str) -> None:
    for value, choices, field in (
        (place, Place.values, "place"),
        (with_whom, With.values, "with_whom"),
        (kind, Kind.values, "kind"),
    ):
        if value not in choices:
            raise DomainError(_("Choose a value from the list."), field=field, code="invalid_choice")
    if action_family and action_family not in ActionFamily.values:
        raise DomainError(_("Choose a value from the list."), field="action_family", code="invalid_choice")


def _check_veille(episode: Episode, day: dt.date, kind: str, note: str) -> None:
    pause = episode.pause_on(day)
    if pause is None:
        return
    if kind != Kind.CONTACT:
        raise DomainError(
            _(
                "On %(date)s support is paused (veille from %(start)s to %(end)s): the national specification "
                "allows no support action during a veille, only an occasional contact. Choose the kind "
                "“contact”, or end the veille first."
            )
            % {"date": _d(day), "start": _d(pause.start), "end": _d(pause.end)},
            field="kind",
            code="veille_only_contact",
        )
    if not note.strip():
        raise DomainError(
            _("A contact during a veille is documented: say in the note why and at whose wish it took place."),
            field="note",
            code="veille_contact_undocumented",
        )


def _check_employer_and_contract(person: Person, employer, contract):
    if employer is not None and employer.platform_id != person.organisation.platform_id:
        raise DomainError(_("This employer is not one of the platform's."), field="employer", code="employer_other")
    if contract is not None:
        if contract.person_id != person.pk:
            raise DomainError(_("This contract is not the person's."), field="contract", code="contract_other_person")
        if employer is None:
            employer = contract.employer
        elif contract.employer_id != employer.pk:
            raise DomainError(
                _("This contract is with %(employer)s, not with the employer chosen.")
                % {"employer": contract.employer.name},
                field="contract",
                code="contract_other_employer",
            )
    return employer, contract


def _validated(person: Person, data: dict) -> tuple[Episode, dict]:
    values = {
        "date": check_intervention_date(data.get("date")),
        "minutes": check_minutes(data.get("minutes")),
        "place": data.get("place") or "",
        "with_whom": data.get("with_whom") or "",
        "kind": data.get("kind") or "",
        "action_family": data.get("action_family") or "",
        "note": (data.get("note") or "").strip(),
    }
    _check_choices(values["place"], values["with_whom"], values["kind"], values["action_family"])
    episode = episode_for(person, values["date"])
    _check_veille(episode, values["date"], values["kind"], values["note"])
    values["employer"], values["contract"] = _check_employer_and_contract(
        person, data.get("employer"), data.get("contract")
    )
    return episode, values


# Interventions --------------------------------------------------------------------------------


@transaction.atomic
def log_intervention(user, person: Person, data: dict, *, staff: Staff | None = None) -> Intervention:
    """Log what a professional did (`staff`, by default the user's own staff record)."""
    person = _lock_person(person)
    episode, values = _validated(person, data)
    intervention = Intervention.objects.create(
        person=person,
        episode=episode,
        staff=staff or getattr(user, "staff_member", None),
        created_by=user,
        note_domain=privacy.intervention_note_domain(user),
        **values,
    )
    record(
        user,
        "intervention.logged",
        intervention,
        person=person,
        changes=diff({}, _snapshot(intervention)),
        detail=_detail(intervention),
    )
    return intervention


def _check_author(user, intervention: Intervention) -> None:
    if intervention.created_by_id is None or intervention.created_by_id != user.pk:
        raise DomainError(
            _("Only the professional who logged an intervention can change or delete it."), code="not_author"
        )


def accepts_records(episode: Episode, day: dt.date) -> bool:
    """Whether a record dated `day` may still be added to or changed on `episode`: always while it
    is open; after its exit only in a programme with follow-up, until the end of that follow-up."""
    if episode.is_open:
        return True
    until = programmes.of(episode).follow_up_until(episode.exit_date)
    return until is not None and day <= until


def _check_episode_open(intervention: Intervention) -> None:
    episode = intervention.episode
    if episode is not None and not accepts_records(episode, intervention.date):
        raise DomainError(
            _("This support ended on %(date)s (exit): its interventions can no longer change.")
            % {"date": _d(episode.exit_date)},
            code="episode_closed",
        )


@transaction.atomic
def update_intervention(user, intervention: Intervention, data: dict, version: int) -> Intervention:
    person = _lock_person(intervention.person)
    intervention = Intervention.objects.select_related("episode", "employer", "contract").get(pk=intervention.pk)
    _check_author(user, intervention)
    if intervention.version != version:
        raise _concurrent_edit_error()
    _check_episode_open(intervention)
    before = _snapshot(intervention)
    episode, values = _validated(person, data)
    for name, value in values.items():
        setattr(intervention, name, value)
    intervention.episode = episode
    changes = diff(before, _snapshot(intervention))
    if changes:
        intervention.version += 1
        intervention.save()
        record(user, "intervention.updated", intervention, person=person, changes=changes, detail=_detail(intervention))
    return intervention


@transaction.atomic
def delete_intervention(user, intervention: Intervention, version: int) -> None:
    person = _lock_person(intervention.person)
    intervention = Intervention.objects.select_related("episode", "employer", "contract").get(pk=intervention.pk)
    _check_author(user, intervention)
    if intervention.version != version:
        raise _concurrent_edit_error()
    _check_episode_open(intervention)
    before = _snapshot(intervention)
    record(
        user,
        "intervention.deleted",
        intervention,
        person=person,
        changes={name: [value, None] for name, value in before.items() if value not in (None, "")},
        detail=_detail(intervention),
    )
    intervention.delete()


# Appointments ---------------------------------------------------------------------------------

APPOINTMENT_FIELDS = ["starts_at", "minutes", "place", "with_whom", "note"]


def _when(starts_at) -> str:
    local = timezone.localtime(starts_at)
    return f"{short_date(local.date())} {local:%H:%M}"


def _appointment_snapshot(appointment: Appointment) -> dict:
    values = snapshot(appointment, APPOINTMENT_FIELDS)
    values["starts_at"] = timezone.localtime(appointment.starts_at).strftime("%d/%m/%Y %H:%M")
    return values


@transaction.atomic
def plan_appointment(user, person: Person, data: dict) -> Appointment:
    person = _lock_person(person)
    staff = getattr(user, "staff_member", None)
    if staff is None:
        raise DomainError(_("Only a professional in post can plan an appointment."), code="no_staff")
    day, time = data.get("date"), data.get("time")
    if day is None:
        raise DomainError(_("Give the date."), field="date", code="date_missing")
    if time is None:
        raise DomainError(_("Give the time."), field="time", code="time_missing")
    if day < today():
        raise DomainError(
            _("An appointment is planned for today or later. To record what happened, log an intervention."),
            field="date",
            code="past_date",
        )
    horizon = add_months(today(), APPOINTMENT_HORIZON_MONTHS)
    if day > horizon:
        raise DomainError(
            _("An appointment is planned at most a year ahead (until %(date)s).") % {"date": _d(horizon)},
            field="date",
            code="too_far",
        )
    minutes = check_minutes(data.get("minutes"))
    _check_choices(data.get("place") or "", data.get("with_whom") or "", Kind.OTHER, "")
    if not any(e.is_open for e in person.episodes.all()):
        raise DomainError(
            _("The person is not supported at the moment: no appointment can be planned."), code="not_supported"
        )
    appointment = Appointment.objects.create(
        person=person,
        staff=staff,
        starts_at=timezone.make_aware(dt.datetime.combine(day, time)),
        minutes=minutes,
        place=data["place"],
        with_whom=data["with_whom"],
        note=(data.get("note") or "").strip(),
    )
    record(
        user, "appointment.planned", appointment, person=person, changes=diff({}, _appointment_snapshot(appointment))
    )
    return appointment


def _check_appointment_pending(appointment: Appointment) -> None:
    if appointment.cancelled:
        raise DomainError(_("This appointment was cancelled."), code="cancelled")
    if appointment.intervention_id is not None:
        raise DomainError(_("This appointment is already recorded as held."), code="already_held")


@transaction.atomic
def cancel_appointment(user, appointment: Appointment) -> Appointment:
    _lock_person(appointment.person)
    appointment = Appointment.objects.get(pk=appointment.pk)
    _check_appointment_pending(appointment)
    appointment.cancelled = True
    appointment.save(update_fields=["cancelled"])
    record(
        user,
        "appointment.cancelled",
        appointment,
        person=appointment.person,
        changes={"cancelled": [False, True]},
        detail=_appointment_snapshot(appointment),
    )
    return appointment


def kind_for_appointment(with_whom: str) -> str:
    return {
        With.PERSON: Kind.INTERVIEW,
        With.BOTH: Kind.INTERVIEW,
        With.EMPLOYER: Kind.EMPLOYER_MEETING,
    }.get(with_whom, Kind.OTHER)


@transaction.atomic
def appointment_held(user, appointment: Appointment) -> Intervention:
    """The appointment took place: it becomes an intervention (same rules as any intervention)."""
    _lock_person(appointment.person)
    appointment = Appointment.objects.select_related("person__organisation").get(pk=appointment.pk)
    _check_appointment_pending(appointment)
    if appointment.starts_at > timezone.now():
        raise DomainError(
            _("This appointment has not taken place yet (%(when)s).") % {"when": _when(appointment.starts_at)},
            code="not_yet",
        )
    intervention = log_intervention(
        user,
        appointment.person,
        {
            "date": timezone.localtime(appointment.starts_at).date(),
            "minutes": appointment.minutes,
            "place": appointment.place,
            "with_whom": appointment.with_whom,
            "kind": kind_for_appointment(appointment.with_whom),
            "note": appointment.note,
        },
        staff=appointment.staff,
    )
    appointment.intervention = intervention
    appointment.save(update_fields=["intervention"])
    record(user, "appointment.held", appointment, person=appointment.person)
    return intervention


# Calendar feed ---------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_feed(user) -> str:
    """A new secret for the user's calendar feed (replacing any previous one). Returns the secret,
    which is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    existed = CalendarFeed.objects.filter(user=user).delete()[0] > 0
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
    record(user, "calendar.replaced" if existed else "calendar.created", feed)
    return token


@transaction.atomic
def revoke_calendar_feed(user) -> None:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        raise DomainError(_("You have no calendar address to revoke."), code="no_feed")
    record(user, "calendar.revoked", feed)
    feed.delete()


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed


# The team -------------------------------------------------------------------------------------


@transaction.atomic
def reassign(user, episodes: list[Episode], *, counsellor: Staff, start: dt.date, justification: str = "") -> int:
    """Give one or many persons a new counsellor from `start`, all or nothing.

    Each change goes through `pathways.services.change_counsellor` (dated, kept in history,
    checked against the ceiling); the justification is recorded only on the assignments that
    take the counsellor beyond the ceiling.
    """
    if not episodes:
        raise DomainError(_("Choose at least one person."), field="episodes", code="nobody")
    for episode in sorted(episodes, key=lambda e: (e.person.last_name, e.person.first_name, e.pk)):
        over = would_exceed_ceiling(counsellor, start)
        try:
            pathways_services.change_counsellor(
                user,
                episode,
                counsellor=counsellor,
                start=start,
                over_ceiling_justification=justification if over else "",
            )
        except DomainError as error:
            field = error.field if error.field in ("start", "over_ceiling_justification", "counsellor") else None
            if error.code == "same":
                field = "counsellor"
            message = _("%(name)s: %(reason)s") % {"name": episode.person.full_name, "reason": error.message}
            raise DomainError(message, field=field, code=error.code) from error
    return len(episodes)


def open_alerts(staff_ids, day: dt.date):
    """Over-ceiling assignments still current and not marked resolved."""
    return (
        current_assignments(day)
        .filter(staff_id__in=staff_ids, over_ceiling_resolved_on__isnull=True)
        .exclude(over_ceiling_justification="")
        .filter(episode__in=supported_episodes(day))
    )


@transaction.atomic
def resolve_over_ceiling(user, counsellor: Staff) -> int:
    """Mark the over-ceiling alerts of a counsellor resolved: only once they are back at or under the ceiling."""
    day = today()
    count = active_counts([counsellor.pk], day).get(counsellor.pk, 0)
    limit = ceiling(counsellor)
    if count > limit:
        raise DomainError(
            _(
                "%(name)s still follows %(count)s persons actively for a ceiling of %(ceiling)s: re-assign persons "
                "first. The alert stays until the load is back under the ceiling."
            )
            % {"name": counsellor.name, "count": count, "ceiling": _number(limit)},
            code="still_over_ceiling",
        )
    alerts = list(open_alerts([counsellor.pk], day).select_related("episode__person"))
    if not alerts:
        raise DomainError(_("There is no alert to resolve."), code="no_alert")
    for assignment in alerts:
        assignment.over_ceiling_resolved_on = day
        assignment.save(update_fields=["over_ceiling_resolved_on"])
        record(
            user,
            "assignment.over_ceiling_resolved",
            assignment,
            person=assignment.episode.person,
            changes={"over_ceiling_resolved_on": [None, day.isoformat()]},
            detail={"counsellor": counsellor.name, "active": count},
        )
    return len(alerts)


def _number(value) -> str:
    return number_format(value.normalize() if hasattr(value, "normalize") else value)
