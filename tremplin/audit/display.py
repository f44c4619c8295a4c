"""Audit entries rendered as translated sentences, for the history on a person's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

SENTENCES = {
    "person.created": _("created the person's file"),
    "person.updated": _("changed the person's file"),
    "person.viewed": _("opened the person's file"),
    "persons.listed": _("saw a list of named persons"),
    "account.password_reset": _("chose a new password (forgotten password link)"),
    "recognition.created": _("added a recognition"),
    "recognition.updated": _("changed a recognition"),
    "recognition.deleted": _("deleted a recognition"),
    "prescription.created": _("recorded a prescription"),
    "prescription.updated": _("changed a prescription"),
    "prescription.withdrawn": _("withdrew a prescription"),
    "episode.admitted": _("admitted the person"),
    "episode.updated": _("changed the situation at entry"),
    "episode.counsellor_changed": _("changed the counsellor"),
    "episode.exited": _("closed the support (exit)"),
    "veille.started": _("started a veille"),
    "veille.ended_early": _("ended a veille early"),
    "veille.extended": _("extended a veille"),
    "veille.resumed": _("recorded that support resumed after a veille"),
    "outreach.recorded": _("recorded an outreach attempt"),
    "access.denied": _("was refused access"),
    "person.exported": _("exported the person's whole file"),
    "person.anonymised": _("anonymised the person's file (retention)"),
    "note.created": _("wrote a note"),
    "note.read": _("read a restricted note"),
    "information.recorded": _("recorded information given to the person"),
    "consent.recorded": _("recorded a decision of the person about sharing"),
    "consent.withdrawn": _("recorded the withdrawal of a consent"),
    "objection.recorded": _("recorded an objection of the person"),
    "objection.lifted": _("recorded that an objection was lifted"),
    "audit.person_viewed": _("looked at who accessed the person's file"),
    "audit.person_exported": _("exported the list of accesses to the person's file"),
    "audit.viewed": _("looked at the access log"),
    "document.downloaded": _("downloaded a document"),
    "account.signed_in": _("signed in"),
    "account.otp_enrolled": _("set up two-factor authentication"),
    "account.otp_failed": _("gave a wrong second-factor code"),
    "account.otp_reset": _("reset the two-factor authentication of an account"),
    "account.recovery_codes_renewed": _("created new recovery codes"),
    "account.created": _("created an account"),
    "account.unlocked": _("unlocked an account"),
    "account.locked_out": _("was locked out after repeated failed sign-ins"),
    "staff.created": _("added a staff member"),
    "staff.updated": _("changed a staff member's record"),
    "staff.clinical_domain_granted": _("granted a clinical domain to a staff member (reads that domain's notes)"),
    "staff.clinical_domain_removed": _("removed a staff member's clinical domain"),
    "account.reset_throttled": _("asked for too many password reset links (none sent)"),
    "funder.viewed": _("looked at the funder's indicators"),
    "prescriber.viewed": _("looked at the status of their prescriptions"),
    "retention.listed": _("listed the files due for anonymisation (retention)"),
    "retention.applied": _("anonymised the files past their retention period"),
}

# The pages that log a read (audit.log.record_read), shown after the sentence.
PAGES = {
    "edit": _("edit form"),
    "interventions": _("interventions"),
    "rights": _("information, consents and objections"),
    "notes": _("notes"),
    "search": _("search"),
    "caseload": _("caseload"),
    "due": _("to do"),
    "team": _("team follow-up"),
    "waiting_list": _("waiting list"),
    "employer": _("employer page"),
    "steering_persons": _("steering: persons counted"),
    "appointment": _("appointment"),
}

# Actions that are reads (shown in the access list, not in the history of changes).
READ_ACTIONS = {
    "person.viewed",
    "persons.listed",
    "person.exported",
    "note.read",
    "access.denied",
    "audit.person_viewed",
    "audit.person_exported",
    "document.downloaded",
}

EXTRA_LABELS = {
    "counsellor": _("counsellor"),
    "disabilities": _("disabilities"),
}


def register(action: str, sentence) -> None:
    """Other apps add their own actions here (in their AppConfig.ready)."""
    SENTENCES[action] = sentence


@dataclass
class Change:
    label: str
    old: str
    new: str


def describe(entry: AuditEntry) -> str:
    sentence = str(SENTENCES.get(entry.action, entry.action))
    page = PAGES.get((entry.detail or {}).get("page", ""))
    return f"{sentence} ({page})" if page else sentence


def _display(model, name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name == "disabilities" and isinstance(value, list):
        from tremplin.people.models import Disability

        labels = dict(Disability.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    field = None
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
    return str(value)


def changes(entry: AuditEntry) -> list[Change]:
    model = None
    if entry.object_type:
        try:
            model = apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            model = None
    result = []
    for name, pair in (entry.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        label = EXTRA_LABELS.get(name)
        if label is None and model is not None:
            try:
                label = model._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
        old_text, new_text = _display(model, name, old), _display(model, name, new)
        if old_text != new_text:
            result.append(Change(label=str(label or name), old=old_text, new=new_text))
    return result
