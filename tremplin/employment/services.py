"""Workflows of employers and jobs. Each takes the acting user, runs in one transaction, writes the
audit log and raises `DomainError` with a translated message when a rule refuses it.

Rules enforced here (and repeated by database constraints where SQL can express them):
- an employer's SIRET has 14 digits and a valid checksum, and is recorded once per platform;
- a contract ends on or after its start; an actual end and its reason go together; the type
  and end reason belong to the closed lists of BUNDLE.md;
- a placement ends on or after its start and has a host;
- the individual support agreement (CdC §II, §IV.C) is signed by the platform's managing
  organisation, the person (or legal representative) and, when named, the employer; every
  version is kept; a later version is an amendment (avenant) that states what it changes; a
  veille written into an amendment carries its end date and reactivation conditions (§IV.D).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tremplin.audit.log import diff, record, snapshot
from tremplin.lib.dates import short_date, today
from tremplin.lib.errors import DomainError, check_not_future, concurrent_edit_error
from tremplin.pathways.models import Episode, Pause
from tremplin.people.models import Person

from .models import Contract, Employer, EmployerContact, Placement, SupportAgreement, siret_is_valid
from .status import covering

MAX_WEEKLY_HOURS = 70
FUTURE_START_DAYS = 366


_d = short_date


def _lock_person(person: Person) -> Person:
    """Serialise every change of one person's jobs (same lock as the pathway's workflows)."""
    return person.lock()


def _snap(instance, fields: list[str]) -> dict:
    """`snapshot`, with the employer's name and the veille's dates instead of their ids, so that the
    history on the person's page reads well and stays true if the employer is renamed later."""
    values = snapshot(instance, fields)
    if "employer" in values and values["employer"] is not None:
        values["employer"] = instance.employer.name
    if "pause" in values and values["pause"] is not None:
        values["pause"] = str(instance.pause)
    return values


def _check_version(instance, version: int | None) -> None:
    if version is None or instance.version != version:
        raise concurrent_edit_error()


_check_not_future = check_not_future


# Employers ---------------------------------------------------------------------------------

EMPLOYER_FIELDS = ["name", "kind", "siret", "naf", "size_band", "address", "occupational_health_service"]


def next_employer_code(platform) -> str:
    existing = set(Employer.objects.filter(platform=platform).values_list("code", flat=True))
    number = len(existing) + 1
    while f"E{number}" in existing:
        number += 1
    return f"E{number}"


def _check_employer(employer: Employer) -> None:
    if not employer.name.strip():
        raise DomainError(_("Give the employer's name."), field="name", code="name_missing")
    if employer.siret and not siret_is_valid(employer.siret):
        raise DomainError(
            _("A SIRET number has 14 digits and a valid checksum: please check it."),
            field="siret",
            code="invalid_siret",
        )
    if employer.siret:
        other = (
            Employer.objects.filter(platform_id=employer.platform_id, siret=employer.siret)
            .exclude(pk=employer.pk)
            .first()
        )
        if other is not None:
            raise DomainError(
                _("This SIRET is already recorded for “%(name)s”: open that employer instead of creating it again.")
                % {"name": other.name},
                field="siret",
                code="duplicate_siret",
            )


def _save_employer(employer: Employer) -> None:
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError as error:
        # Two people recording the same SIRET at the same moment: the database's unique constraint decides.
        raise DomainError(
            _("This SIRET is already recorded for another employer of the platform."),
            field="siret",
            code="duplicate_siret",
        ) from error


@transaction.atomic
def create_employer(user, platform, data: dict) -> Employer:
    employer = Employer(platform=platform, code=next_employer_code(platform))
    for name in EMPLOYER_FIELDS:
        if name in data:
            setattr(employer, name, data[name] or "")
    _check_employer(employer)
    _save_employer(employer)
    record(user, "employer.created", employer, changes=diff({}, snapshot(employer, EMPLOYER_FIELDS)))
    return employer


@transaction.atomic
def update_employer(user, employer: Employer, data: dict, version: int | None) -> Employer:
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    _check_version(employer, version)
    before = snapshot(employer, EMPLOYER_FIELDS)
    for name in EMPLOYER_FIELDS:
        if name in data:
            setattr(employer, name, data[name] or "")
    _check_employer(employer)
    changes = diff(before, snapshot(employer, EMPLOYER_FIELDS))
    if changes:
        employer.version += 1
        _save_employer(employer)
        record(user, "employer.updated", employer, changes=changes)
    return employer


CONTACT_FIELDS = ["name", "role", "phone", "email"]


def _check_contact(contact: EmployerContact) -> None:
    if not contact.name.strip():
        raise DomainError(_("Give the contact's name."), field="name", code="name_missing")


@transaction.atomic
def add_contact(user, employer: Employer, data: dict) -> EmployerContact:
    contact = EmployerContact(employer=employer, **{k: data.get(k) or "" for k in CONTACT_FIELDS})
    _check_contact(contact)
    contact.save()
    record(
        user,
        "employer_contact.created",
        contact,
        changes=diff({}, snapshot(contact, CONTACT_FIELDS)),
        detail={"employer": employer.pk},
    )
    return contact


@transaction.atomic
def update_contact(user, contact: EmployerContact, data: dict, version: int | None) -> EmployerContact:
    contact = EmployerContact.objects.select_for_update().get(pk=contact.pk)
    _check_version(contact, version)
    before = snapshot(contact, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name] or "")
    _check_contact(contact)
    changes = diff(before, snapshot(contact, CONTACT_FIELDS))
    if changes:
        contact.version += 1
        contact.save()
        record(user, "employer_contact.updated", contact, changes=changes, detail={"employer": contact.employer_id})
    return contact


@transaction.atomic
def delete_contact(user, contact: EmployerContact) -> None:
    record(
        user,
        "employer_contact.deleted",
        contact,
        changes=diff(snapshot(contact, CONTACT_FIELDS), {}),
        detail={"employer": contact.employer_id},
    )
    contact.delete()


# Contracts ---------------------------------------------------------------------------------

CONTRACT_FIELDS = [
    "employer",
    "job_title",
    "type",
    "start",
    "planned_end",
    "end",
    "end_reason",
    "weekly_hours",
    "adjustments",
]


def _check_employer_of_platform(employer: Employer | None, person: Person, field: str = "employer") -> None:
    if employer is None:
        raise DomainError(_("Choose the employer."), field=field, code="employer_missing")
    if employer.platform_id != person.organisation.platform_id:
        raise DomainError(
            _("This employer is not in the platform's directory."), field=field, code="employer_other_platform"
        )


def _check_contract(contract: Contract) -> None:
    _check_employer_of_platform(contract.employer if contract.employer_id else None, contract.person)
    if contract.type not in Contract.Type.values:
        raise DomainError(_("Choose the type of contract."), field="type", code="type_invalid")
    if contract.start is None:
        raise DomainError(_("Give the start date."), field="start", code="start_missing")
    if contract.start > today() + dt.timedelta(days=FUTURE_START_DAYS):
        raise DomainError(
            _("The start is more than a year away: please check the year."), field="start", code="start_too_far"
        )
    if contract.planned_end is not None and contract.planned_end < contract.start:
        raise DomainError(
            _("The planned end cannot be before the start (%(date)s).") % {"date": _d(contract.start)},
            field="planned_end",
            code="planned_end_before_start",
        )
    if contract.end is not None and contract.end < contract.start:
        raise DomainError(
            _("The actual end cannot be before the start (%(date)s).") % {"date": _d(contract.start)},
            field="end",
            code="end_before_start",
        )
    if contract.end_reason and contract.end is None:
        raise DomainError(
            _("An end reason is given: give the actual end date too, or remove the reason."),
            field="end",
            code="end_reason_without_end",
        )
    if contract.end is not None and not contract.end_reason:
        raise DomainError(
            _("The contract has an actual end: say why it ended."), field="end_reason", code="end_without_reason"
        )
    if contract.end_reason and contract.end_reason not in Contract.EndReason.values:
        raise DomainError(_("Choose a reason from the list."), field="end_reason", code="end_reason_invalid")
    if contract.weekly_hours is not None and not (0 < contract.weekly_hours <= MAX_WEEKLY_HOURS):
        raise DomainError(
            _("Weekly hours are more than 0 and at most %(max)s.") % {"max": MAX_WEEKLY_HOURS},
            field="weekly_hours",
            code="weekly_hours_out_of_range",
        )


@transaction.atomic
def record_contract(user, person: Person, data: dict) -> Contract:
    person = _lock_person(person)
    contract = Contract(person=person)
    for name in CONTRACT_FIELDS:
        if name in data:
            setattr(contract, name, data[name])
    contract.end_reason = contract.end_reason or ""
    contract.job_title = contract.job_title or ""
    contract.adjustments = contract.adjustments or ""
    _check_contract(contract)
    contract.save()
    record(user, "contract.created", contract, person=person, changes=diff({}, _snap(contract, CONTRACT_FIELDS)))
    return contract


@transaction.atomic
def update_contract(user, contract: Contract, data: dict, version: int | None) -> Contract:
    person = _lock_person(contract.person)
    contract = Contract.objects.select_related("employer").get(pk=contract.pk)
    contract.person = person
    _check_version(contract, version)
    before = _snap(contract, CONTRACT_FIELDS)
    for name in CONTRACT_FIELDS:
        if name in data:
            setattr(contract, name, data[name])
    contract.end_reason = contract.end_reason or ""
    contract.job_title = contract.job_title or ""
    contract.adjustments = contract.adjustments or ""
    _check_contract(contract)
    changes = diff(before, _snap(contract, CONTRACT_FIELDS))
    if changes:
        contract.version += 1
        contract.save()
        record(user, "contract.updated", contract, person=person, changes=changes)
    return contract


@transaction.atomic
def end_contract(user, contract: Contract, *, end: dt.date | None, end_reason: str, version: int | None) -> Contract:
    """Record the actual end of a contract and why it ended (support goes on between jobs)."""
    person = _lock_person(contract.person)
    contract = Contract.objects.get(pk=contract.pk)
    contract.person = person
    _check_version(contract, version)
    if contract.end is not None:
        raise DomainError(
            _("This contract already ended on %(date)s: edit it to correct the end.") % {"date": _d(contract.end)},
            code="already_ended",
        )
    if end is None:
        raise DomainError(_("Give the last day of the contract."), field="end", code="end_missing")
    before = snapshot(contract, ["end", "end_reason"])
    contract.end, contract.end_reason = end, end_reason or ""
    _check_contract(contract)
    contract.version += 1
    contract.save()
    record(
        user, "contract.ended", contract, person=person, changes=diff(before, snapshot(contract, ["end", "end_reason"]))
    )
    return contract


@transaction.atomic
def delete_contract(user, contract: Contract) -> None:
    person = _lock_person(contract.person)
    record(user, "contract.deleted", contract, person=person, changes=diff(_snap(contract, CONTRACT_FIELDS), {}))
    contract.delete()


# Placements --------------------------------------------------------------------------------

PLACEMENT_FIELDS = ["employer", "kind", "start", "end", "tutor", "objective", "outcome"]


def _check_placement(placement: Placement) -> None:
    _check_employer_of_platform(placement.employer if placement.employer_id else None, placement.person)
    if placement.kind not in Placement.Kind.values:
        raise DomainError(_("Choose the kind of placement."), field="kind", code="kind_invalid")
    if placement.start is None or placement.end is None:
        raise DomainError(_("Give the first and last days."), field="end", code="dates_missing")
    if placement.end < placement.start:
        raise DomainError(
            _("The end cannot be before the start (%(date)s).") % {"date": _d(placement.start)},
            field="end",
            code="end_before_start",
        )
    if placement.start > today() + dt.timedelta(days=FUTURE_START_DAYS):
        raise DomainError(
            _("The start is more than a year away: please check the year."), field="start", code="start_too_far"
        )


def _fill_placement(placement: Placement, data: dict) -> None:
    for name in PLACEMENT_FIELDS:
        if name in data:
            value = data[name]
            if name in ("tutor", "objective", "outcome"):
                value = value or ""
            setattr(placement, name, value)


@transaction.atomic
def add_placement(user, person: Person, data: dict) -> Placement:
    person = _lock_person(person)
    placement = Placement(person=person)
    _fill_placement(placement, data)
    _check_placement(placement)
    placement.save()
    record(user, "placement.created", placement, person=person, changes=diff({}, _snap(placement, PLACEMENT_FIELDS)))
    return placement


@transaction.atomic
def update_placement(user, placement: Placement, data: dict, version: int | None) -> Placement:
    person = _lock_person(placement.person)
    placement = Placement.objects.get(pk=placement.pk)
    placement.person = person
    _check_version(placement, version)
    before = _snap(placement, PLACEMENT_FIELDS)
    _fill_placement(placement, data)
    _check_placement(placement)
    changes = diff(before, _snap(placement, PLACEMENT_FIELDS))
    if changes:
        placement.version += 1
        placement.save()
        record(user, "placement.updated", placement, person=person, changes=changes)
    return placement


@transaction.atomic
def delete_placement(user, placement: Placement) -> None:
    person = _lock_person(placement.person)
    record(user, "placement.deleted", placement, person=person, changes=diff(_snap(placement, PLACEMENT_FIELDS), {}))
    placement.delete()


# Individual support agreement --------------------------------------------------------------


def agreement_employers(person: Person, day: dt.date) -> list[Employer]:
    """Employers the agreement may name on `day`: those of the person's contracts covering the day or
    starting later (about to be hired), most recent start first. Self-employment has no employer party."""
    contracts = (
        Contract.objects.filter(person=person)
        .filter(covering(day) | Q(start__gt=day))
        .select_related("employer")
        .order_by("-start", "-pk")
    )
    result: list[Employer] = []
    for contract in contracts:
        if contract.employer.kind != Employer.Kind.SELF_EMPLOYED and contract.employer not in result:
            result.append(contract.employer)
    return result


def _person_part(person: Person) -> dict:
    return {
        "code": person.code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "address": person.address,
        "phone": person.phone,
        "email": person.email,
        "legal_representative": person.legal_representative,
        "legal_representative_contact": person.legal_representative_contact,
    }


def _employer_part(employer: Employer, person: Person, day: dt.date) -> dict:
    contracts = (
        Contract.objects.filter(person=person, employer=employer)
        .filter(covering(day) | Q(start__gt=day))
        .order_by("start", "pk")
    )
    contact = employer.contacts.order_by("name", "pk").first()
    return {
        "code": employer.code,
        "name": employer.name,
        "kind": employer.kind,
        "siret": employer.siret,
        "naf": employer.naf,
        "address": employer.address,
        "occupational_health_service": employer.occupational_health_service,
        "contact": {"name": contact.name, "role": contact.role, "phone": contact.phone, "email": contact.email}
        if contact
        else None,
        "contracts": [
            {
                "type": c.type,
                "job_title": c.job_title,
                "start": c.start.isoformat(),
                "planned_end": c.planned_end.isoformat() if c.planned_end else None,
                "weekly_hours": str(c.weekly_hours.normalize()) if c.weekly_hours is not None else None,
                "adjustments": c.adjustments,
            }
            for c in contracts
        ],
    }


def _pause_part(pause: Pause) -> dict:
    return {
        "start": pause.start.isoformat(),
        "end": pause.end.isoformat(),
        "requested_by": pause.requested_by,
        "agreement_date": pause.agreement_date.isoformat() if pause.agreement_date else None,
        "reactivation_conditions": pause.reactivation_conditions,
        "employer_informed": pause.employer_informed,
    }


def agreement_content(
    episode: Episode,
    *,
    day: dt.date,
    number: int,
    employer: Employer | None,
    pause: Pause | None,
    terms: str,
    workplace_terms: str,
    change_summary: str,
    previous: SupportAgreement | None = None,
) -> dict:
    """The snapshot of everything the document says, as of `day`. The PDF is rendered from it, so
    every version reads the same later, whatever changes afterwards."""
    person = episode.person
    platform = person.organisation.platform
    lead = platform.lead
    counsellor = episode.current_counsellor(day)
    prescription = episode.prescription
    return {
        "format": 1,
        "number": number,
        "kind": SupportAgreement.Kind.INITIAL if number == 1 else SupportAgreement.Kind.AMENDMENT,
        "generated_on": day.isoformat(),
        "platform": {"code": platform.code, "name": platform.name, "department": platform.department},
        "managing_organisation": {"code": lead.code, "name": lead.name} if lead else None,
        "following_organisation": {
            "code": person.organisation.code,
            "name": person.organisation.name,
            "is_lead": person.organisation.is_lead,
        },
        "person": _person_part(person),
        "counsellor": {"name": counsellor.name, "organisation": counsellor.organisation.name} if counsellor else None,
        "episode": {
            "admitted_on": episode.admitted_on.isoformat(),
            "prescriber": prescription.prescriber if prescription else None,
            "prescriber_organisation": prescription.prescriber_organisation if prescription else "",
            "prescription_date": prescription.date.isoformat() if prescription else None,
        },
        "employer": _employer_part(employer, person, day) if employer else None,
        "terms": terms.strip(),
        "workplace_terms": workplace_terms.strip(),
        "pause": _pause_part(pause) if pause else None,
        "change_summary": change_summary.strip(),
        "previous": {"number": previous.number, "generated_on": previous.content.get("generated_on")}
        if previous
        else None,
    }


@transaction.atomic
def generate_agreement(
    user,
    episode: Episode,
    *,
    employer: Employer | None = None,
    pause: Pause | None = None,
    terms: str = "",
    workplace_terms: str = "",
    change_summary: str = "",
) -> SupportAgreement:
    """A new version of the person's agreement: the first is the agreement, later ones amendments."""
    _lock_person(episode.person)
    episode = Episode.objects.select_related("person__organisation__platform", "prescription").get(pk=episode.pk)
    day = today()
    if not episode.is_open:
        raise DomainError(_("This support has ended: no agreement or amendment can be added."), code="episode_closed")
    if not terms.strip():
        raise DomainError(
            _("Describe how the counsellor will intervene (terms of intervention)."),
            field="terms",
            code="terms_missing",
        )
    if employer is not None and employer not in agreement_employers(episode.person, day):
        raise DomainError(
            _("The agreement can only name an employer of one of the person's current or coming contracts."),
            field="employer",
            code="employer_not_current",
        )
    if pause is not None and pause.episode_id != episode.pk:
        raise DomainError(_("This veille belongs to another support episode."), field="pause", code="pause_other")
    last = episode.agreements.order_by("-number").first()
    number = (last.number + 1) if last else 1
    if number > 1 and not change_summary.strip():
        raise DomainError(
            _("An amendment states what it changes: describe the change."),
            field="change_summary",
            code="amendment_without_change",
        )
    if number == 1 and pause is not None:
        raise DomainError(
            _("A veille is written into an amendment, once the agreement exists."), field="pause", code="pause_initial"
        )
    content = agreement_content(
        episode,
        day=day,
        number=number,
        employer=employer,
        pause=pause,
        terms=terms,
        workplace_terms=workplace_terms,
        change_summary=change_summary if number > 1 else "",
        previous=last,
    )
    agreement = SupportAgreement.objects.create(
        episode=episode,
        number=number,
        kind=content["kind"],
        employer=employer,
        pause=pause,
        terms=content["terms"],
        change_summary=content["change_summary"],
        content=content,
    )
    record(
        user,
        "agreement.generated",
        agreement,
        person=episode.person,
        changes=diff({}, _snap(agreement, ["number", "kind", "employer", "pause", "change_summary"])),
    )
    return agreement


SIGNATURE_FIELDS = ["signed_by_person_on", "signed_by_platform_on", "signed_by_employer_on"]


@transaction.atomic
def record_signatures(user, agreement: SupportAgreement, data: dict, version: int | None) -> SupportAgreement:
    """Record the date each party signed (a date can be corrected; every change is logged)."""
    person = _lock_person(agreement.episode.person)
    agreement = SupportAgreement.objects.select_related("episode").get(pk=agreement.pk)
    _check_version(agreement, version)
    before = snapshot(agreement, SIGNATURE_FIELDS)
    first_day = agreement.generated_on
    for name in SIGNATURE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "signed_by_employer_on" and agreement.employer_id is None:
            if value is not None:
                raise DomainError(
                    _("This version names no employer: only the person and the platform sign it."),
                    field=name,
                    code="no_employer_to_sign",
                )
            continue
        if value is not None:
            _check_not_future(value, name)
            if value < first_day:
                raise DomainError(
                    _("A signature cannot be before the document was generated (%(date)s).") % {"date": _d(first_day)},
                    field=name,
                    code="signed_before_generated",
                )
        setattr(agreement, name, value)
    changes = diff(before, snapshot(agreement, SIGNATURE_FIELDS))
    if changes:
        agreement.version += 1
        agreement.save()
        record(user, "agreement.signed", agreement, person=person, changes=changes)
    return agreement


def log_download(user, agreement: SupportAgreement) -> None:
    """Downloading a document is a read of sensitive data: it is logged."""
    record(
        user,
        "agreement.downloaded",
        agreement,
        person=agreement.episode.person,
        detail={"number": agreement.number, "kind": agreement.kind},
    )
