"""The audit log is append-only, in the application and in the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from tremplin.audit.log import record
from tremplin.audit.models import AppendOnlyError, AuditEntry


def test_audit_entries_cannot_be_changed_or_deleted_by_the_application(person, counsellor):
    entry = record(counsellor.user, "person.viewed", person, person=person)
    entry.action = "person.created"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "person.viewed"


def test_the_database_refuses_to_change_an_audit_entry(person, counsellor):
    entry = record(counsellor.user, "person.viewed", person, person=person)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="person.created")
    assert AuditEntry.objects.get(pk=entry.pk).action == "person.viewed"


def test_the_database_refuses_to_delete_an_audit_entry(person, counsellor):
    entry = record(counsellor.user, "person.viewed", person, person=person)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
