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

from .models import RESTRICTED_DOMAINS, Consent, InformationRecord, Note, NoteDomain, Objection, Person

# Roles a consent "to the professionals following the person" (no named recipient) covers.
FOLLOWING_ROLES = {Role.COUNSELLOR, Role.COORDINATOR, Role.MANAGER}


class Sharing:
    """The person's consents and objections, loaded once for many notes."""

    def __init__(self, person: Person, day: dt.date):
        self.person = person
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


def may_read_domain(user, domain: str, person: Person, *, is_author: bool, sharing: Sharing | None = None) -> bool:
    """The rule of the domains for a text of `domain` about `person` (the caller has already
    checked the person is in scope): notes, and the notes of interventions logged by clinicians."""
    staff = scope.staff_of(user)
    if staff is None or not can(user, "note.view"):
        return False
    if is_author:
        return True
    if domain not in RESTRICTED_DOMAINS:
        return True
    sharing = sharing or Sharing(person, today())
    if sharing.objected(domain):
        return False
    role = role_of(user)
    if role == Role.CLINICIAN and staff.clinical_domain == domain:
        return True
    return sharing.consented(domain, staff, role)


def may_read(user, note: Note, sharing: Sharing | None = None) -> bool:
    """The rule of the domains (the caller has already checked the person is in scope)."""
    staff = scope.staff_of(user)
    if staff is None:
        return False
    return may_read_domain(user, note.domain, note.person, is_author=note.author_id == staff.pk, sharing=sharing)


# The notes of interventions ------------------------------------------------------------------
# An intervention's note is a professional note, read by the team that follows the person; the
# form says so. An intervention logged by a clinician keeps the clinician's domain
# (Intervention.note_domain, set when it is logged): its note is then read as a note of that
# domain (docs/data-protection.md).


def intervention_note_domain(user) -> str:
    """The domain the note of an intervention logged now by `user` gets: a clinician's domain,
    or "" (professional)."""
    staff = scope.staff_of(user)
    if staff is not None and role_of(user) == Role.CLINICIAN and staff.clinical_domain in NoteDomain.values:
        return staff.clinical_domain
    return ""


def may_read_intervention_note(user, intervention, sharing: Sharing | None = None) -> bool:
    return may_read_domain(
        user,
        intervention.note_domain or NoteDomain.PROFESSIONAL,
        sharing.person if sharing is not None else intervention.person,
        is_author=intervention.created_by_id is not None and intervention.created_by_id == user.pk,
        sharing=sharing,
    )


def withhold_intervention_notes(user, person: Person, interventions) -> list:
    """The interventions with the notes the user may not read emptied (in memory only) and marked
    `note_withheld` (the domain, for "note not shown"). A restricted note read by someone other
    than its author is logged (note.read), as for notes."""
    interventions = list(interventions)
    sharing = None
    for intervention in interventions:
        intervention.note_withheld = ""
        if not intervention.note:
            continue
        if not intervention.note_domain and can(user, "note.view"):
            continue  # a professional note, read by the team
        sharing = sharing or Sharing(person, today())
        if may_read_intervention_note(user, intervention, sharing):
            if intervention.note_domain and intervention.created_by_id != user.pk:
                record(user, "note.read", intervention, person=person, detail={"domain": intervention.note_domain})
        else:
            intervention.note_withheld = intervention.note_domain or NoteDomain.PROFESSIONAL
            intervention.note = ""
    return interventions


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


def withhold_history_notes(user, person: Person, entries) -> None:
    """In the history of the person's page: the note of an intervention (logged, changed,
    deleted) is replaced, in memory, by "note not shown" for a user who may not read it. The
    domain is the one the entry carries (detail "domain"), else the intervention's, else (an old
    entry of a deleted intervention) that of its author if a clinician today."""
    from tremplin.activity.models import Intervention
    from tremplin.organisations.models import Staff

    entries = [e for e in entries if e.object_type == "activity.intervention" and "note" in (e.changes or {})]
    if not entries:
        return
    ids = {int(e.object_id) for e in entries if e.object_id.isdigit()}
    interventions = {
        pk: (domain, author)
        for pk, domain, author in Intervention.objects.filter(pk__in=ids).values_list(
            "pk", "note_domain", "created_by_id"
        )
    }
    clinicians = dict(
        Staff.objects.filter(user_id__in={e.user_id for e in entries if e.user_id}, function=Staff.Function.OTHER)
        .exclude(clinical_domain="")
        .values_list("user_id", "clinical_domain")
    )
    sharing = Sharing(person, today())
    for entry in entries:
        known = interventions.get(int(entry.object_id)) if entry.object_id.isdigit() else None
        domain = (entry.detail or {}).get("domain") or (known[0] if known else clinicians.get(entry.user_id, ""))
        author = known[1] if known else entry.user_id
        is_author = author is not None and author == user.pk
        if may_read_domain(user, domain or NoteDomain.PROFESSIONAL, person, is_author=is_author, sharing=sharing):
            continue
        label = str(dict(NoteDomain.choices).get(domain, "")).lower()
        hidden = (
            _("%(domain)s note, not shown") % {"domain": label} if domain else _("note not shown (read by the team)")
        )
        old, new = (list(entry.changes["note"]) + [None, None])[:2]
        entry.changes = {**entry.changes, "note": [hidden if old else None, hidden if new else None]}
