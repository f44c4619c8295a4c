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
    return str(SENTENCES.get(entry.action, entry.action))


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
