"""Workflows of the pathway. Each takes the acting user, runs in one transaction, writes the
audit log and raises `DomainError` with a translated message when a rule refuses it.

The rules of the national specification (cahier des charges, seed 003) enforced here:
- admission only from a prescription the person agreed to, not before its date, never two
  episodes at once, with a designated counsellor (conseiller unique) [§III, §IV.A];
- subsidiarity justified when the person is already supported by an EA, EI, SIAE or ESMS [§III];
- veille only at the person's request or with their formal agreement, always with an end date
  at most 12 months later unless extended by a new decision, with reactivation conditions,
  never overlapping another veille, inside its episode [§IV.D];
- exit only for an accepted reason; disengagement only after six months without contact and
  repeated attempts through different channels [§IV.E].
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tremplin.audit.log import diff, record, snapshot
from tremplin.lib.dates import add_months, short_date, today
from tremplin.lib.errors import DomainError, check_not_future, check_version, concurrent_edit_error
from tremplin.lib.text import normalise
from tremplin.organisations.models import Organisation, Staff
from tremplin.people.models import Person, Recognition

from . import programmes, rules
from .caseload import would_exceed_ceiling
from .models import (
    SUPPORTED,
    CounsellorAssignment,
    Episode,
    OutreachAttempt,
    Pause,
    PauseExtension,
    Prescription,
)
from .programmes import EMPLOI_ACCOMPAGNE, ExitReason

_d = short_date
_check_not_future = check_not_future


def _lock_person(person: Person) -> Person:
    return person.lock()


# Persons -----------------------------------------------------------------------------------


def next_person_code(organisation) -> str:
    """The organisation's next free file number. Call it in the transaction creating the person:
    it locks the organisation's row until then, so two persons created at once get two numbers
    instead of the second hitting the unique constraint (a 500). FOR NO KEY UPDATE: it does not
    wait for transactions merely inserting rows that refer to the organisation."""
    Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).values_list("pk").get()
    existing = set(Person.objects.filter(organisation=organisation).values_list("code", flat=True))
    number = len(existing) + 1
    while f"{organisation.code}-{number:05d}" in existing:
        number += 1
    return f"{organisation.code}-{number:05d}"


PERSON_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "legal_representative",
    "legal_representative_contact",
    "disabilities",
    "education_level",
]


def likely_duplicates(queryset, first_name: str, last_name: str, birth_date: dt.date | None):
    """Persons with the same name (ignoring case, accents and hyphens) and birth date."""
    if not birth_date:
        return queryset.none()
    return queryset.filter(search_name=normalise(f"{first_name} {last_name}"), birth_date=birth_date)


@transaction.atomic
def create_person(user, organisation, data: dict) -> Person:
    person = Person(organisation=organisation, code=next_person_code(organisation))
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    person.save()
    record(user, "person.created", person, person=person, changes=diff({}, snapshot(person, PERSON_FIELDS)))
    return person


@transaction.atomic
def update_person(user, person: Person, data: dict, version: int) -> Person:
    person = _lock_person(person)
    if person.version != version:
        raise concurrent_edit_error()
    before = snapshot(person, PERSON_FIELDS)
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        person.version += 1
        person.save()
        record(user, "person.updated", person, person=person, changes=changes)
    return person


RECOGNITION_FIELDS = ["kind", "start", "end"]


@transaction.atomic
def add_recognition(user, person: Person, data: dict) -> Recognition:
    recognition = Recognition(person=person, **{k: data[k] for k in RECOGNITION_FIELDS})
    _check_recognition(recognition)
    recognition.save()
    record(
        user,
        "recognition.created",
        recognition,
        person=person,
        changes=diff({}, snapshot(recognition, RECOGNITION_FIELDS)),
    )
    return recognition


@transaction.atomic
def update_recognition(user, recognition: Recognition, data: dict, version: int | None) -> Recognition:
    """`version`: the one the form showed; refused (concurrent edit) when someone saved since."""
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    check_version(recognition, version)
    before = snapshot(recognition, RECOGNITION_FIELDS)
    for name in RECOGNITION_FIELDS:
        setattr(recognition, name, data[name])
    _check_recognition(recognition)
    changes = diff(before, snapshot(recognition, RECOGNITION_FIELDS))
    if changes:
        recognition.version += 1
        recognition.save()
        record(user, "recognition.updated", recognition, person=recognition.person, changes=changes)
    return recognition


@transaction.atomic
def delete_recognition(user, recognition: Recognition) -> None:
    person = recognition.person
    record(
        user,
        "recognition.deleted",
        recognition,
        person=person,
        changes=diff(snapshot(recognition, RECOGNITION_FIELDS), {}),
    )
    recognition.delete()


def _check_recognition(recognition: Recognition) -> None:
    if recognition.end is not None and recognition.end < recognition.start:
        raise DomainError(_("The end date cannot be before the start date."), field="end", code="end_before_start")


# Prescriptions -----------------------------------------------------------------------------

PRESCRIPTION_FIELDS = [
    "date",
    "prescriber",
    "prescriber_organisation",
    "prescriber_contact",
    "urgent",
    "consent_given",
    "consent_date",
    "situation",
    "current_support",
    "subsidiarity_justification",
]


def _check_prescription(prescription: Prescription) -> None:
    _check_not_future(prescription.date, "date")
    if prescription.current_support and not prescription.subsidiarity_justification.strip():
        raise DomainError(
            _(
                "The person is already supported by an EA, EI, SIAE or medico-social service: explain why "
                "emploi accompagné is still needed (subsidiarity, no double public funding)."
            ),
            field="subsidiarity_justification",
            code="subsidiarity_unjustified",
        )
    if prescription.consent_given and prescription.consent_date is None:
        raise DomainError(
            _("Give the date on which the person agreed."), field="consent_date", code="consent_date_missing"
        )
    if not prescription.consent_given and prescription.consent_date is not None:
        raise DomainError(
            _("Tick the person's agreement, or leave its date empty."), field="consent_given", code="consent_unticked"
        )
    if prescription.consent_date is not None:
        _check_not_future(prescription.consent_date, "consent_date")


def next_prescription_code(person: Person) -> str:
    existing = set(person.prescriptions.values_list("code", flat=True))
    number = len(existing) + 1
    while f"PR{number}" in existing:
        number += 1
    return f"PR{number}"


@transaction.atomic
def record_prescription(user, person: Person, data: dict) -> Prescription:
    person = _lock_person(person)
    prescription = Prescription(person=person, code=next_prescription_code(person))
    for name in PRESCRIPTION_FIELDS:
        if name in data:
            setattr(prescription, name, data[name])
    _check_prescription(prescription)
    prescription.save()
    record(
        user,
        "prescription.created",
        prescription,
        person=person,
        changes=diff({}, snapshot(prescription, PRESCRIPTION_FIELDS)),
    )
    return prescription


@transaction.atomic
def update_prescription(user, prescription: Prescription, data: dict, version: int | None) -> Prescription:
    """`version`: the one the form showed; refused (concurrent edit) when someone saved since."""
    _lock_person(prescription.person)
    prescription = Prescription.objects.get(pk=prescription.pk)
    check_version(prescription, version)
    if prescription.episodes.exists():
        raise DomainError(
            _("This prescription led to an admission: it can no longer be changed."), code="prescription_admitted"
        )
    before = snapshot(prescription, PRESCRIPTION_FIELDS)
    for name in PRESCRIPTION_FIELDS:
        if name in data:
            setattr(prescription, name, data[name])
    _check_prescription(prescription)
    changes = diff(before, snapshot(prescription, PRESCRIPTION_FIELDS))
    if changes:
        prescription.version += 1
        prescription.save()
        record(user, "prescription.updated", prescription, person=prescription.person, changes=changes)
    return prescription


@transaction.atomic
def withdraw_prescription(user, prescription: Prescription, withdrawn_on: dt.date, reason: str) -> Prescription:
    _lock_person(prescription.person)
    prescription = Prescription.objects.get(pk=prescription.pk)
    if prescription.withdrawn_on is not None:
        raise DomainError(_("This prescription is already withdrawn."), code="already_withdrawn")
    if prescription.episodes.exists():
        raise DomainError(
            _("This prescription led to an admission: close the support with an exit instead."),
            code="prescription_admitted",
        )
    if withdrawn_on < prescription.date:
        raise DomainError(
            _("A prescription cannot be withdrawn before its date (%(date)s).") % {"date": _d(prescription.date)},
            field="withdrawn_on",
            code="withdrawn_before_prescription",
        )
    _check_not_future(withdrawn_on, "withdrawn_on")
    if not reason.strip():
        raise DomainError(_("Give the reason for the withdrawal."), field="reason", code="reason_missing")
    prescription.withdrawn_on = withdrawn_on
    prescription.withdrawal_reason = reason.strip()
    prescription.version += 1  # an edit form opened before the withdrawal is now stale
    prescription.save(update_fields=["withdrawn_on", "withdrawal_reason", "version"])
    record(
        user,
        "prescription.withdrawn",
        prescription,
        person=prescription.person,
        changes={"withdrawn_on": [None, withdrawn_on.isoformat()], "withdrawal_reason": [None, reason.strip()]},
    )
    return prescription


# Admission and counsellor ------------------------------------------------------------------


def _check_counsellor(staff: Staff, person: Person, day: dt.date, field: str = "counsellor") -> None:
    if staff.function != Staff.Function.COUNSELLOR:
        raise DomainError(
            _("%(name)s is not a counsellor.") % {"name": staff.name}, field=field, code="not_a_counsellor"
        )
    if staff.organisation_id != person.organisation_id:
        raise DomainError(
            _("The counsellor must belong to the person's organisation (%(organisation)s).")
            % {"organisation": person.organisation.name},
            field=field,
            code="counsellor_other_organisation",
        )
    if not staff.is_in_post(day):
        raise DomainError(
            _("%(name)s is not in post on %(date)s.") % {"name": staff.name, "date": _d(day)},
            field=field,
            code="counsellor_not_in_post",
        )


def _check_ceiling(staff: Staff, day: dt.date, justification: str) -> None:
    if would_exceed_ceiling(staff, day) and not justification.strip():
        raise DomainError(
            _(
                "%(name)s would follow more than 20 persons per FTE (veille excluded). Assign anyway only "
                "with a justification; it will be shown as an alert until resolved."
            )
            % {"name": staff.name},
            field="over_ceiling_justification",
            code="over_ceiling",
        )


def _check_no_episode_overlap(person: Person, programme: programmes.Programme, admitted_on: dt.date) -> None:
    """One open episode per programme, episodes of a programme never overlap: a readmission
    starts at the earliest on the day of the previous exit (the first day out of support)."""
    for other in person.episodes.filter(programme=programme.code):
        if SUPPORTED.overlaps(other.admitted_on, other.exit_date, admitted_on):
            raise DomainError(
                _("The person is already supported on that date (admitted on %(date)s): episodes cannot overlap.")
                % {"date": short_date(other.admitted_on)},
                field="admitted_on",
                code="episodes_overlap",
            )


@transaction.atomic
def admit(
    user,
    prescription: Prescription,
    *,
    admitted_on: dt.date,
    counsellor: Staff,
    entry_status: str = "",
    months_without_work: int | None = None,
    years_worked=None,
    over_ceiling_justification: str = "",
) -> Episode:
    person = _lock_person(prescription.person)
    prescription = Prescription.objects.get(pk=prescription.pk)
    if prescription.episodes.exists():
        raise DomainError(_("This prescription has already led to an admission."), code="already_admitted")
    if prescription.withdrawn_on is not None:
        raise DomainError(_("This prescription was withdrawn: it cannot lead to an admission."), code="withdrawn")
    if not prescription.consent_given:
        raise DomainError(
            _("The person's agreement to the prescription is not recorded: record it on the prescription first."),
            code="consent_missing",
        )
    if admitted_on < prescription.date:
        raise DomainError(
            _("The admission cannot be before the prescription (%(date)s).") % {"date": _d(prescription.date)},
            field="admitted_on",
            code="admission_before_prescription",
        )
    _check_not_future(admitted_on, "admitted_on")
    if not any(r.is_valid_on(admitted_on) for r in person.recognitions.all()):
        raise DomainError(
            _(
                "The person has no disability recognition (RQTH or other title) valid on %(date)s: "
                "record it on the person's file first."
            )
            % {"date": _d(admitted_on)},
            field="admitted_on",
            code="no_valid_recognition",
        )
    # A prescription leads to an emploi accompagné admission; the person may be in another
    # programme at the same time, never twice in this one.
    programme = EMPLOI_ACCOMPAGNE
    _check_no_episode_overlap(person, programme, admitted_on)
    _check_counsellor(counsellor, person, admitted_on)
    _check_ceiling(counsellor, admitted_on, over_ceiling_justification)
    episode = Episode.objects.create(
        person=person,
        prescription=prescription,
        programme=programme.code,
        admitted_on=admitted_on,
        entry_status=entry_status or "",
        months_without_work=months_without_work,
        years_worked=years_worked,
    )
    assignment = CounsellorAssignment.objects.create(
        episode=episode,
        staff=counsellor,
        start=admitted_on,
        over_ceiling_justification=over_ceiling_justification.strip(),
    )
    record(
        user,
        "episode.admitted",
        episode,
        person=person,
        changes=diff({}, snapshot(episode, ["admitted_on", "entry_status", "months_without_work", "years_worked"])),
        detail={"counsellor": counsellor.name, "prescription": prescription.code, "assignment": assignment.pk},
    )
    return episode


ENTRY_FIELDS = ["entry_status", "months_without_work", "years_worked"]


@transaction.atomic
def update_entry_situation(user, episode: Episode, data: dict, version: int) -> Episode:
    _lock_person(episode.person)
    episode = Episode.objects.get(pk=episode.pk)
    if episode.version != version:
        raise concurrent_edit_error()
    before = snapshot(episode, ENTRY_FIELDS)
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(episode, name, data[name])
    changes = diff(before, snapshot(episode, ENTRY_FIELDS))
    if changes:
        episode.version += 1
        episode.save()
        record(user, "episode.updated", episode, person=episode.person, changes=changes)
    return episode


@transaction.atomic
def change_counsellor(
    user, episode: Episode, *, counsellor: Staff, start: dt.date, over_ceiling_justification: str = ""
) -> CounsellorAssignment:
    _lock_person(episode.person)
    episode = Episode.objects.get(pk=episode.pk)
    if not episode.is_open:
        raise DomainError(_("This support has ended: its counsellor can no longer change."), code="episode_closed")
    current = episode.assignments.filter(end__isnull=True).first()
    if current is not None and current.staff_id == counsellor.pk:
        raise DomainError(
            _("%(name)s is already the counsellor.") % {"name": counsellor.name}, field="counsellor", code="same"
        )
    if start < episode.admitted_on:
        raise DomainError(
            _("The change cannot be before the admission (%(date)s).") % {"date": _d(episode.admitted_on)},
            field="start",
            code="before_admission",
        )
    if current is not None and start < current.start:
        raise DomainError(
            _("The change cannot be before the current counsellor's start (%(date)s).") % {"date": _d(current.start)},
            field="start",
            code="before_current_assignment",
        )
    _check_not_future(start, "start")
    _check_counsellor(counsellor, episode.person, start)
    _check_ceiling(counsellor, start, over_ceiling_justification)
    previous_name = current.staff.name if current else None
    if current is not None and start == current.start:
        # A change on the day the current counsellor started corrects that assignment: keeping it
        # too would give the person two counsellors that day (and count them in both caseloads).
        # The history of changes keeps who was named first.
        assignment = current
        assignment.staff = counsellor
        assignment.over_ceiling_justification = over_ceiling_justification.strip()
        assignment.save(update_fields=["staff", "over_ceiling_justification"])
    else:
        if current is not None:
            current.end = start - dt.timedelta(days=1)
            current.save(update_fields=["end"])
        assignment = CounsellorAssignment.objects.create(
            episode=episode,
            staff=counsellor,
            start=start,
            over_ceiling_justification=over_ceiling_justification.strip(),
        )
    record(
        user,
        "episode.counsellor_changed",
        episode,
        person=episode.person,
        changes={"counsellor": [previous_name, counsellor.name]},
        detail={"start": start.isoformat(), "same_day_correction": assignment is current},
    )
    return assignment


# Veille -------------------------------------------------------------------------------------


def _check_no_overlap(episode: Episode, start: dt.date, end: dt.date, exclude: Pause | None = None) -> None:
    for other in episode.pauses.all():
        if exclude is not None and other.pk == exclude.pk:
            continue
        if rules.periods_overlap(start, end, other.start, other.end):
            raise DomainError(
                _("This veille would overlap another one (%(start)s – %(end)s).")
                % {"start": _d(other.start), "end": _d(other.end)},
                field="end",
                code="veille_overlap",
            )


@transaction.atomic
def start_veille(
    user,
    episode: Episode,
    *,
    start: dt.date,
    end: dt.date | None,
    requested_by: str,
    agreement_date: dt.date | None,
    reactivation_conditions: str,
    employer_informed: str,
) -> Pause:
    _lock_person(episode.person)
    episode = Episode.objects.get(pk=episode.pk)
    if not episode.is_open:
        raise DomainError(_("This support has ended: a veille cannot start."), code="episode_closed")
    if end is None:
        raise DomainError(
            _("A veille always has an end date, agreed in writing with the person."),
            field="end",
            code="veille_without_end",
        )
    if start < episode.admitted_on:
        raise DomainError(
            _("A veille cannot start before the admission (%(date)s).") % {"date": _d(episode.admitted_on)},
            field="start",
            code="veille_before_admission",
        )
    if end < start:
        raise DomainError(_("The end cannot be before the start."), field="end", code="end_before_start")
    if not rules.veille_end_allowed(start, end):
        raise DomainError(
            _(
                "A veille lasts at most 12 months (until %(date)s at the latest). It can be extended later "
                "by a new decision."
            )
            % {"date": _d(rules.veille_limit(start))},
            field="end",
            code="veille_too_long",
        )
    if requested_by not in Pause.RequestedBy.values:
        raise DomainError(_("Say who asked for the veille."), field="requested_by", code="requested_by_missing")
    if requested_by == Pause.RequestedBy.COUNSELLOR:
        if agreement_date is None:
            raise DomainError(
                _("A veille proposed by the counsellor needs the person's formal agreement: give its date."),
                field="agreement_date",
                code="veille_without_agreement",
            )
        if agreement_date > start:
            raise DomainError(
                _("The person's agreement must be given before the veille starts."),
                field="agreement_date",
                code="agreement_after_start",
            )
        _check_not_future(agreement_date, "agreement_date")
    if not reactivation_conditions.strip():
        raise DomainError(
            _("State the conditions for resuming support."),
            field="reactivation_conditions",
            code="reactivation_conditions_missing",
        )
    _check_no_overlap(episode, start, end)
    pause = Pause.objects.create(
        episode=episode,
        start=start,
        end=end,
        requested_by=requested_by,
        agreement_date=agreement_date if requested_by == Pause.RequestedBy.COUNSELLOR else None,
        reactivation_conditions=reactivation_conditions.strip(),
        employer_informed=employer_informed,
    )
    record(
        user,
        "veille.started",
        pause,
        person=episode.person,
        changes=diff(
            {},
            snapshot(
                pause,
                ["start", "end", "requested_by", "agreement_date", "reactivation_conditions", "employer_informed"],
            ),
        ),
    )
    return pause


@transaction.atomic
def end_veille_early(user, pause: Pause, *, resume_on: dt.date) -> Pause:
    _lock_person(pause.episode.person)
    pause = Pause.objects.select_related("episode").get(pk=pause.pk)
    if pause.closed_on is not None:
        raise DomainError(_("Support has already resumed after this veille."), code="veille_closed")
    if resume_on <= pause.start:
        raise DomainError(
            _("Support can resume at the earliest the day after the veille started (%(date)s).")
            % {"date": _d(pause.start)},
            field="resume_on",
            code="resume_before_start",
        )
    if resume_on > pause.end:
        raise DomainError(
            _("The veille already ends on %(date)s: there is nothing to end early.") % {"date": _d(pause.end)},
            field="resume_on",
            code="not_early",
        )
    old_end = pause.end
    pause.end = resume_on - dt.timedelta(days=1)
    pause.ended_early = True
    pause.closed_on = today()
    pause.save(update_fields=["end", "ended_early", "closed_on"])
    record(
        user,
        "veille.ended_early",
        pause,
        person=pause.episode.person,
        changes={"end": [old_end.isoformat(), pause.end.isoformat()]},
    )
    return pause


@transaction.atomic
def extend_veille(user, pause: Pause, *, decided_on: dt.date, new_end: dt.date, reason: str = "") -> Pause:
    _lock_person(pause.episode.person)
    pause = Pause.objects.select_related("episode").get(pk=pause.pk)
    if not pause.episode.is_open:
        raise DomainError(_("This support has ended: the veille cannot be extended."), code="episode_closed")
    if pause.closed_on is not None:
        raise DomainError(_("Support has resumed after this veille: start a new veille instead."), code="veille_closed")
    if decided_on < pause.start:
        raise DomainError(
            _("The decision cannot be before the start of the veille."), field="decided_on", code="decision_early"
        )
    _check_not_future(decided_on, "decided_on")
    if new_end <= pause.end:
        raise DomainError(
            _("The new end must be after the current end (%(date)s).") % {"date": _d(pause.end)},
            field="new_end",
            code="not_an_extension",
        )
    limit = rules.veille_limit(decided_on)
    if new_end > limit:
        raise DomainError(
            _("A decision extends a veille by at most 12 months: %(date)s at the latest.") % {"date": _d(limit)},
            field="new_end",
            code="veille_too_long",
        )
    _check_no_overlap(pause.episode, pause.start, new_end, exclude=pause)
    PauseExtension.objects.create(
        pause=pause, decided_on=decided_on, previous_end=pause.end, new_end=new_end, reason=reason.strip()
    )
    old_end = pause.end
    pause.end = new_end
    pause.save(update_fields=["end"])
    record(
        user,
        "veille.extended",
        pause,
        person=pause.episode.person,
        changes={"end": [old_end.isoformat(), new_end.isoformat()]},
        detail={"decided_on": decided_on.isoformat(), "reason": reason.strip()},
    )
    return pause


@transaction.atomic
def record_resumption(user, pause: Pause) -> Pause:
    """The veille reached its end date: the counsellor records that support has resumed."""
    _lock_person(pause.episode.person)
    pause = Pause.objects.select_related("episode").get(pk=pause.pk)
    if pause.closed_on is not None:
        raise DomainError(_("Support has already resumed after this veille."), code="veille_closed")
    if pause.end >= today():
        raise DomainError(
            _("The veille runs until %(date)s: to resume earlier, end it early.") % {"date": _d(pause.end)},
            code="veille_running",
        )
    pause.closed_on = today()
    pause.save(update_fields=["closed_on"])
    record(user, "veille.resumed", pause, person=pause.episode.person)
    return pause


# Outreach and exit --------------------------------------------------------------------------


@transaction.atomic
def record_outreach(
    user, episode: Episode, *, date: dt.date, channel: str, outcome: str, note: str = ""
) -> OutreachAttempt:
    _lock_person(episode.person)
    episode = Episode.objects.get(pk=episode.pk)
    if not episode.is_open:
        raise DomainError(_("This support has ended."), code="episode_closed")
    if date < episode.admitted_on:
        raise DomainError(
            _("The attempt cannot be before the admission (%(date)s).") % {"date": _d(episode.admitted_on)},
            field="date",
            code="before_admission",
        )
    _check_not_future(date, "date")
    staff = getattr(user, "staff_member", None)
    attempt = OutreachAttempt.objects.create(
        episode=episode, date=date, channel=channel, outcome=outcome, note=note.strip(), staff=staff
    )
    record(
        user,
        "outreach.recorded",
        attempt,
        person=episode.person,
        changes=diff({}, snapshot(attempt, ["date", "channel", "outcome", "note"])),
    )
    return attempt


def last_contact(episode: Episode, up_to: dt.date) -> dt.date:
    """The last contact with the person of `episode` on or before `up_to` (the definition:
    `activity.measures.last_contacts`)."""
    # Function-level import: activity sits above pathways (it imports pathways' models).
    from tremplin.activity.measures import last_contacts

    return last_contacts([(episode.pk, episode.person_id, episode.admitted_on)], up_to)[episode.pk]


def disengagement_check(episode: Episode, exit_date: dt.date) -> tuple[bool, dt.date, list[OutreachAttempt]]:
    """(allowed, last contact, attempts since the last contact)."""
    contact = last_contact(episode, exit_date)
    attempts = [a for a in episode.outreach_attempts.all() if contact < a.date <= exit_date]
    allowed = rules.silence_long_enough(contact, exit_date) and rules.outreach_sufficient(
        [(a.date, a.channel) for a in attempts], contact, exit_date
    )
    return allowed, contact, attempts


@EMPLOI_ACCOMPAGNE.exit_check(ExitReason.PERSON_REQUEST)
def _low_intensity_offered(episode: Episode, *, low_intensity_offered: bool, **_exit) -> None:
    """§IV.E: an exit at the person's request only once they were told that low-intensity
    support remains possible."""
    if not low_intensity_offered:
        raise DomainError(
            _(
                "Before an exit at the person's request, confirm they were told that low-intensity support remains possible."
            ),
            field="low_intensity_offered",
            code="low_intensity_not_offered",
        )


@EMPLOI_ACCOMPAGNE.exit_check(ExitReason.DISENGAGEMENT)
def _disengagement_established(episode: Episode, *, exit_date: dt.date, note: str, **_exit) -> None:
    """§IV.E: six months without contact, three attempts through two channels since, and the
    procedure documented."""
    allowed, contact, attempts = disengagement_check(episode, exit_date)
    if not allowed:
        raise DomainError(
            _(
                "An exit for disengagement needs at least 6 months without contact (last contact: %(date)s, "
                "so not before %(earliest)s) and at least 3 outreach attempts through at least 2 different "
                "channels since then (%(count)s recorded)."
            )
            % {
                "date": _d(contact),
                "earliest": _d(add_months(contact, rules.DISENGAGEMENT_SILENCE_MONTHS)),
                "count": len(attempts),
            },
            field="reason",
            code="disengagement_refused",
        )
    if not note.strip():
        raise DomainError(
            _("Document the procedure: what was tried and the possible causes of the silence."),
            field="note",
            code="disengagement_undocumented",
        )


@transaction.atomic
def exit_episode(
    user,
    episode: Episode,
    *,
    exit_date: dt.date,
    reason: str,
    version: int,
    note: str = "",
    low_intensity_offered: bool = False,
    receiving_platform: str = "",
) -> Episode:
    _lock_person(episode.person)
    episode = Episode.objects.get(pk=episode.pk)
    if episode.version != version:
        raise concurrent_edit_error()
    if not episode.is_open:
        raise DomainError(_("This support has already ended."), code="episode_closed")
    programme = programmes.of(episode)
    if not programme.accepts_exit_reason(reason):
        raise DomainError(str(programme.exit_reason_refused), field="reason", code="exit_reason_refused")
    if exit_date <= episode.admitted_on:
        raise DomainError(
            _("The exit must be after the admission (%(date)s).") % {"date": _d(episode.admitted_on)},
            field="exit_date",
            code="exit_before_admission",
        )
    _check_not_future(exit_date, "exit_date")
    for check in programme.exit_checks(reason):
        check(episode, exit_date=exit_date, note=note, low_intensity_offered=low_intensity_offered)
    for pause in episode.pauses.all():
        if pause.start >= exit_date:
            raise DomainError(
                _("A veille starts on or after this exit date (%(date)s).") % {"date": _d(pause.start)},
                field="exit_date",
                code="veille_after_exit",
            )
        if pause.end >= exit_date:
            pause.end = exit_date - dt.timedelta(days=1)
            pause.closed_on = today()
            pause.save(update_fields=["end", "closed_on"])
    current = episode.assignments.filter(end__isnull=True).first()
    if current is not None:
        current.end = max(current.start, exit_date - dt.timedelta(days=1))
        current.save(update_fields=["end"])
    episode.exit_date = exit_date
    episode.exit_reason = reason
    episode.exit_note = note.strip()
    episode.exit_low_intensity_offered = low_intensity_offered
    episode.exit_receiving_platform = receiving_platform.strip() if reason == ExitReason.MOVED_OUT else ""
    episode.version += 1
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError as error:  # a database constraint is the last line of defence
        raise DomainError(_("This exit breaks a rule of the pathway."), code="integrity") from error
    record(
        user,
        "episode.exited",
        episode,
        person=episode.person,
        changes=diff(
            {},
            snapshot(
                episode,
                ["exit_date", "exit_reason", "exit_note", "exit_low_intensity_offered", "exit_receiving_platform"],
            ),
        ),
    )
    return episode
