"""Writing to the audit log. Every service function calls `record` inside its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from . import context
from .context import client_ip, current_request
from .display import READ_ACTIONS
from .models import AuditEntry


def _plain(value):
    """A JSON-friendly form of a field value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The current values of the concrete fields of `instance` (foreign keys as ids)."""
    result = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in ("version", "created_at", "updated_at"):
            continue
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _plain(getattr(instance, field.attname))
    return result


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    changes = {}
    for name in after:
        if before.get(name) != after[name]:
            changes[name] = [before.get(name), after[name]]
    return changes


def _actor_name(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff_member", None)
    return (staff.name if staff is not None else "") or user.get_full_name() or user.get_username()


def record(
    user,
    action: str,
    obj: models.Model | None = None,
    *,
    person=None,
    changes: dict | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. `action` is a dotted code such as "person.updated"."""
    request = current_request()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    entry = AuditEntry(
        user=user,
        actor=_actor_name(user),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        person=person,
        changes=changes or {},
        detail=detail or {},
        ip=client_ip(request),
    )
    entry.save()
    if action in READ_ACTIONS:
        context.note_read_logged()  # the page logged its read (see middleware._log_person_page)
    return entry


# Pages that show named persons' data, by code (the labels are in display.PAGES).
LISTED = "persons.listed"


def record_read(user, page: str, *, person=None, persons=None) -> AuditEntry | None:
    """The one entry of a page view that shows named persons' data (not one per row).

    A page about one person (edit form, interventions, rights...): `person.viewed` naming that
    person, with the page's code; it shows in the person's access list. A page listing persons
    (search results, caseload, waiting list, employer, steering lists...): one `persons.listed`
    entry with the ids of the persons shown, in order; the access list of each of them shows it
    too (AuditEntry.objects.naming). A list that shows nobody leaves nothing.
    """
    if person is not None:
        return record(user, "person.viewed", person, person=person, detail={"page": page})
    ids = list(dict.fromkeys(getattr(p, "pk", p) for p in (persons or []) if p is not None))
    if not ids:
        return None
    return record(user, LISTED, None, detail={"page": page, "persons": ids, "count": len(ids)})
