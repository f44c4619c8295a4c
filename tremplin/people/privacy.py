"""Notes by domain, the person's information, consents and objections: rules and workflows.

Who reads a note (docs/data-protection.md):
- a professional note: the support team following the person (counsellors, coordinators,
  managers, clinicians), not the administrative staff;
- a medical, psychological or social note: its author, and the clinicians of that domain;
  while the person objects to the sharing of that domain, its author only;
- beyond the domain: only the member of staff (or the professionals following the person)
  named by a consent of the person in force for that domain, and never while an objection
  stands.
Reading a restricted note is logged (note.read).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tremplin.access import scope
from tremplin.access.permissions import Role, can, role_of
from tremplin.audit.log import record
from tremplin.lib.dates import today
from tremplin.lib.errors import DomainError

from .models import Consent, InformationRecord, Note, NoteDomain, Objection, Person

# Roles a consent "to the professionals following the person" (no named recipient) covers.
FOLLOWING_ROLES = {Role.COUNSELLOR, Role.COORDINATOR, Role.MANAGER}


class Sharing:
    """The person's consents and objections, loaded once for many notes."""

    def __init__(self, person: Person, day: dt.date):
        self.day = day
        self.consents = [c for c in person.consents.all() if c.is_in_force(day)]
        self.objections = [o for o in person.objections.all() if o.is_in_force(day)]

    def objected(self, domain: str) -> bool:
        return any(o.covers(domain) for o in self.objections)

    def consented(self, domain: str, staff, role: str) -> bool:
        for consent in self.consents:
            if consent.domain != domain:
                continue
            if consent.recipient_id is not None and consent.recipient_id == staff.pk:
                return True
            if consent.recipient_id is None and role in FOLLOWING_ROLES:
                return True
        return False


def may_read(user, note: Note, sharing: Sharing | None = None) -> bool:
    """The rule of the domains (the caller has already checked the person is in scope)."""
    staff = scope.staff_of(user)
    if staff is None or not can(user, "note.view"):
        return False
    if note.author_id == staff.pk:
        return True
    if not note.is_restricted:
        return True
    sharing = sharing or Sharing(note.person, today())
    if sharing.objected(note.domain):
        return False
    role = role_of(user)
    if role == Role.CLINICIAN and staff.clinical_domain == note.domain:
        return True
    return sharing.consented(note.domain, staff, role)


def writable_domains(user) -> list[str]:
    """Everyone of the team writes professional notes; a clinician also writes in their domain."""
    staff = scope.staff_of(user)
    if staff is None or not can(user, "note.write"):
        return []
    domains = [NoteDomain.PROFESSIONAL]
    if role_of(user) == Role.CLINICIAN and staff.clinical_domain in NoteDomain.values:
        domains.append(NoteDomain(staff.clinical_domain))
    return domains


def readable_notes(user, person: Person) -> tuple[list[Note], dict[str, int]]:
    """The notes the user may read (restricted ones are logged as read) and, per domain, how
    many others exist (the user learns that they exist, not what they say)."""
    sharing = Sharing(person, today())
    readable, hidden = [], {}
    for note in person.notes.select_related("author").order_by("-written_on", "-id"):
        if may_read(user, note, sharing):
            readable.append(note)
        else:
            hidden[note.domain] = hidden.get(note.domain, 0) + 1
    for note in readable:
        if note.is_restricted:
            record(user, "note.read", note, person=person, detail={"domain": note.domain})
    return readable, hidden


@transaction.atomic
def add_note(user, person: Person, data: dict) -> Note:
    staff = scope.staff_of(user)
    if data["domain"] not in writable_domains(user):
        raise DomainError(_("You may not write notes of this domain."), field="domain", code="domain_not_allowed")
    if data["written_on"] > today():
        raise DomainError(_("A note cannot be dated in the future."), field="written_on", code="future")
    note = Note.objects.create(
        person=person, domain=data["domain"], author=staff, written_on=data["written_on"], text=data["text"]
    )
    # The audit keeps who wrote what kind of note when, never its text.
    record(user, "note.created", note, person=person, detail={"domain": note.domain})
    return note


@transaction.atomic
def record_information(user, person: Person, data: dict) -> InformationRecord:
    if data["given_on"] > today():
        raise DomainError(_("This date is in the future."), field="given_on", code="future")
    info = InformationRecord.objects.create(
        person=person,
        given_on=data["given_on"],
        topics=list(data["topics"]),
        channel=data["channel"],
        given_by=scope.staff_of(user),
        comment=data.get("comment", ""),
    )
    record(user, "information.recorded", info, person=person, detail={"topics": info.topics})
    return info


@transaction.atomic
def record_consent(user, person: Person, data: dict) -> Consent:
    if data["decided_on"] > today():
        raise DomainError(_("This date is in the future."), field="decided_on", code="future")
    recipient = data.get("recipient")
    if recipient is not None and not scope.staff_for(user).filter(pk=recipient.pk).exists():
        raise DomainError(_("Choose a member of staff of the platform."), field="recipient", code="recipient")
    consent = Consent.objects.create(
        person=person,
        domain=data["domain"],
        recipient=recipient,
        purpose=data["purpose"],
        decision=data["decision"],
        decided_on=data["decided_on"],
        recorded_by=scope.staff_of(user),
    )
    record(
        user,
        "consent.recorded",
        consent,
        person=person,
        detail={
            "domain": consent.domain,
            "decision": consent.decision,
            "recipient": recipient.pk if recipient else None,
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(user, consent: Consent, on: dt.date) -> None:
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise DomainError(_("This consent is already withdrawn."), code="already_withdrawn")
    if on < consent.decided_on or on > today():
        raise DomainError(_("The withdrawal is dated between the decision and today."), field="on", code="date")
    consent.withdrawn_on = on
    consent.save(update_fields=["withdrawn_on"])
    record(user, "consent.withdrawn", consent, person=consent.person, detail={"domain": consent.domain})


@transaction.atomic
def record_objection(user, person: Person, data: dict) -> Objection:
    if data["made_on"] > today():
        raise DomainError(_("This date is in the future."), field="made_on", code="future")
    objection = Objection.objects.create(
        person=person,
        domain=data["domain"],
        made_on=data["made_on"],
        reason=data.get("reason", ""),
        recorded_by=scope.staff_of(user),
    )
    record(user, "objection.recorded", objection, person=person, detail={"domain": objection.domain})
    return objection


@transaction.atomic
def lift_objection(user, objection: Objection, on: dt.date) -> None:
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.lifted_on is not None:
        raise DomainError(_("This objection is already lifted."), code="already_lifted")
    if on < objection.made_on or on > today():
        raise DomainError(_("The date is between the objection and today."), field="on", code="date")
    objection.lifted_on = on
    objection.save(update_fields=["lifted_on"])
    record(user, "objection.lifted", objection, person=objection.person, detail={"domain": objection.domain})
