"""Audit of reads: refusals are logged, a manager sees who accessed a person's file and can give
the person that list; redaction is the only change the database lets through."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, PrescriptionFactory
from tremplin.audit.log import record
from tremplin.audit.models import AuditEntry, redact_person


def test_a_read_outside_the_scope_leaves_an_audit_entry_of_the_refusal(partner_person, counsellor):
    response = client_for(counsellor).get(reverse("person_detail", args=[partner_person.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.person == partner_person and entry.user == counsellor.user
    assert entry.detail["status"] == 404 and entry.detail["path"] == f"/personnes/{partner_person.pk}/"
    assert entry.ip == "10.1.2.3"


def test_a_refused_read_of_a_record_hanging_off_a_person_names_that_person(partner_person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=partner_person))
    assert client_for(counsellor).get(reverse("exit_episode", args=[episode.pk])).status_code == 404
    assert AuditEntry.objects.get(action="access.denied").person == partner_person


def test_a_read_seen_but_not_allowed_leaves_an_audit_entry_with_the_action(person, counsellor):
    assert client_for(counsellor).get(reverse("person_accesses", args=[person.pk])).status_code == 403
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.person == person and entry.detail["status"] == 403 and entry.detail["action"] == "audit.person"


def test_a_record_that_does_not_exist_is_refused_without_naming_anyone(counsellor):
    assert client_for(counsellor).get(reverse("person_detail", args=[999999])).status_code == 404
    assert AuditEntry.objects.get(action="access.denied").person is None


def test_a_manager_sees_who_accessed_a_file_and_can_give_the_list(person, counsellor, partner_counsellor, manager):
    client_for(counsellor).get(reverse("person_detail", args=[person.pk]), REMOTE_ADDR="10.0.0.7")
    client_for(partner_counsellor).get(reverse("person_detail", args=[person.pk]))
    page = client_for(manager).get(reverse("person_accesses", args=[person.pk]))
    content = page.content.decode()
    assert "Claire Martin" in content and "a consulté le dossier de la personne" in content and "10.0.0.7" in content
    assert "Laura Delmas" in content and "s’est vu refuser l’accès (404)" in content
    download = client_for(manager).get(reverse("person_accesses_csv", args=[person.pk]))
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Quand", "Qui", "Quoi", "Depuis (adresse)"]
    assert ["Claire Martin", "a consulté le dossier de la personne", "10.0.0.7"] == rows[1][1:]
    # Looking at and exporting the list are themselves logged.
    assert AuditEntry.objects.filter(action="audit.person_viewed", person=person, user=manager.user).exists()
    assert AuditEntry.objects.filter(action="audit.person_exported", person=person, user=manager.user).exists()


def test_the_access_list_of_a_person_outside_the_scope_is_not_found(partner_person, person, partner, manager):
    from tests.factories import StaffFactory
    from tremplin.organisations.models import Staff

    partner_manager = StaffFactory(organisation=partner, function=Staff.Function.MANAGER)
    assert client_for(manager).get(reverse("person_accesses", args=[partner_person.pk])).status_code == 200
    assert client_for(partner_manager).get(reverse("person_accesses", args=[partner_person.pk])).status_code == 200
    assert client_for(partner_manager).get(reverse("person_accesses", args=[person.pk])).status_code == 404


def test_the_history_on_the_persons_page_hides_reads(person, counsellor):
    client_for(counsellor).get(reverse("person_detail", args=[person.pk]))
    record(counsellor.user, "note.read", person, person=person)
    content = client_for(counsellor).get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "a lu une note" not in content


def _anonymised(person):
    type(person).objects.filter(pk=person.pk).update(anonymised_on="2026-01-01")
    return person


def test_redaction_is_the_only_change_the_database_allows(person, counsellor):
    entry = record(
        counsellor.user, "person.updated", person, person=person, changes={"last_name": ["Durand", "Dupont"]}
    )
    assert redact_person(_anonymised(person).pk) == 1
    entry.refresh_from_db()
    assert entry.redacted and entry.changes == {"last_name": [None, None]} and entry.action == "person.updated"
    # Once redacted, the row is frozen again; and redaction cannot change who or what.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(changes={"x": 1})
    other = record(counsellor.user, "person.viewed", person, person=person)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=other.pk).update(redacted=True, action="person.created")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=other.pk).update(changes={"x": 1})


def test_the_database_still_refuses_to_delete_a_redacted_entry(person, counsellor):
    entry = record(counsellor.user, "person.updated", person, person=person, changes={"phone": ["1", "2"]})
    redact_person(_anonymised(person).pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
