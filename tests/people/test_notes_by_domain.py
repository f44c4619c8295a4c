"""Notes by domain: one test per rule (docs/data-protection.md, "Notes par domaine")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import StaffFactory
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Staff
from tremplin.people import privacy
from tremplin.people.models import Consent, Note, Objection

DAY = dt.date(2024, 5, 2)


def medical_consent(person, recipient, doctor, *, purpose="Suivi", decision="agreed"):
    """The person's decision on sharing their medical notes with `recipient`, recorded by the doctor."""
    return Consent.objects.create(
        person=person,
        domain="medical",
        recipient=recipient,
        purpose=purpose,
        decision=decision,
        decided_on=DAY,
        recorded_by=doctor,
    )


@pytest.fixture
def doctor(lead):
    return StaffFactory(
        organisation=lead, name="Dr Anne Viguier", function=Staff.Function.OTHER, clinical_domain="medical"
    )


@pytest.fixture
def other_doctor(lead):
    return StaffFactory(organisation=lead, name="Dr Paul Bex", function=Staff.Function.OTHER, clinical_domain="medical")


@pytest.fixture
def psychologist(lead):
    return StaffFactory(organisation=lead, function=Staff.Function.OTHER, clinical_domain="psychological")


@pytest.fixture
def secretary(lead):
    return StaffFactory(organisation=lead, function=Staff.Function.ADMINISTRATIVE)


@pytest.fixture
def medical_note(person, doctor):
    return Note.objects.create(person=person, domain="medical", author=doctor, written_on=DAY, text="Traitement X.")


@pytest.fixture
def professional_note(person, counsellor):
    return Note.objects.create(
        person=person, domain="professional", author=counsellor, written_on=DAY, text="Entretien employeur."
    )


def reads(staff, person) -> set[str]:
    content = client_for(staff).get(reverse("person_notes", args=[person.pk])).content.decode()
    return {text for text in ("Traitement X.", "Entretien employeur.") if text in content}


def test_professional_notes_are_read_by_the_support_team(person, professional_note, colleague, coordinator, doctor):
    for staff in (colleague, coordinator, doctor):
        assert "Entretien employeur." in reads(staff, person)


def test_administrative_staff_read_no_notes(person, professional_note, secretary):
    assert client_for(secretary).get(reverse("person_notes", args=[person.pk])).status_code == 403


def test_a_restricted_note_is_read_by_its_author_and_the_clinicians_of_its_domain(
    person, medical_note, doctor, other_doctor
):
    assert "Traitement X." in reads(doctor, person)
    assert "Traitement X." in reads(other_doctor, person)


def test_a_restricted_note_is_hidden_from_other_domains_and_the_team(
    person, medical_note, psychologist, counsellor, coordinator
):
    for staff in (psychologist, counsellor, coordinator):
        content = client_for(staff).get(reverse("person_notes", args=[person.pk])).content.decode()
        assert "Traitement X." not in content
        assert "médical : 1" in content.lower()  # they learn that a note exists, not what it says


def test_sharing_beyond_the_domain_needs_a_consent_naming_what_and_with_whom(
    person, medical_note, doctor, counsellor, colleague
):
    medical_consent(person, counsellor, doctor, purpose="Adapter le poste de travail")
    assert "Traitement X." in reads(counsellor, person)
    assert "Traitement X." not in reads(colleague, person)  # not named in the consent


def test_a_consent_to_the_professionals_following_the_person_covers_counsellors_and_managers(
    person, medical_note, doctor, counsellor, manager, psychologist
):
    Consent.objects.create(
        person=person, domain="medical", purpose="Suivi", decision="agreed", decided_on=DAY, recorded_by=doctor
    )
    assert "Traitement X." in reads(counsellor, person)
    assert "Traitement X." in reads(manager, person)
    assert "Traitement X." not in reads(psychologist, person)


def test_a_refused_or_withdrawn_consent_shares_nothing(person, medical_note, doctor, counsellor):
    medical_consent(person, counsellor, doctor, decision="refused")
    withdrawn = medical_consent(person, counsellor, doctor)
    privacy.withdraw_consent(doctor.user, withdrawn, dt.date.today())
    assert "Traitement X." not in reads(counsellor, person)


def test_a_consent_for_one_domain_does_not_share_another(person, doctor, psychologist, counsellor):
    Note.objects.create(
        person=person, domain="psychological", author=psychologist, written_on=DAY, text="Traitement X."
    )
    medical_consent(person, counsellor, doctor)
    assert "Traitement X." not in reads(counsellor, person)


def test_the_objection_of_the_person_is_respected_even_with_a_consent(
    person, medical_note, doctor, other_doctor, counsellor
):
    medical_consent(person, counsellor, doctor)
    client_for(doctor).post(
        reverse("objection_add", args=[person.pk]), {"domain": "medical", "made_on": DAY.isoformat(), "reason": "Non"}
    )
    assert Objection.objects.filter(person=person, domain="medical").exists()
    assert "Traitement X." not in reads(counsellor, person)
    assert "Traitement X." not in reads(other_doctor, person)  # not even within the domain
    assert "Traitement X." in reads(doctor, person)  # the author keeps their own note


def test_a_lifted_objection_no_longer_applies(person, medical_note, doctor, other_doctor):
    objection = Objection.objects.create(person=person, domain="all", made_on=DAY, recorded_by=doctor)
    assert "Traitement X." not in reads(other_doctor, person)
    privacy.lift_objection(doctor.user, objection, dt.date.today())
    assert "Traitement X." in reads(other_doctor, person)


def test_reading_a_restricted_note_is_logged_and_a_professional_note_is_not(
    person, medical_note, professional_note, other_doctor
):
    client_for(other_doctor).get(reverse("person_notes", args=[person.pk]))
    reads_logged = AuditEntry.objects.filter(action="note.read", person=person, user=other_doctor.user)
    assert [e.object_id for e in reads_logged] == [str(medical_note.pk)]


def test_only_clinicians_of_a_domain_write_its_notes(person, counsellor, doctor):
    refused = client_for(counsellor).post(
        reverse("person_notes", args=[person.pk]), {"domain": "medical", "written_on": DAY.isoformat(), "text": "x"}
    )
    assert refused.status_code == 200 and not Note.objects.exists()
    accepted = client_for(doctor).post(
        reverse("person_notes", args=[person.pk]), {"domain": "medical", "written_on": DAY.isoformat(), "text": "y"}
    )
    assert accepted.status_code == 302
    note = Note.objects.get()
    assert note.domain == "medical" and note.author == doctor
    entry = AuditEntry.objects.get(action="note.created")
    assert "y" not in str(entry.changes) and entry.detail == {"domain": "medical"}  # the log never holds the text


def test_notes_of_persons_outside_the_scope_are_not_found(partner_person, counsellor):
    assert client_for(counsellor).get(reverse("person_notes", args=[partner_person.pk])).status_code == 404
