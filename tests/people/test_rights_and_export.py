"""The person's rights: information and consent records, export of the whole file (PDF, JSON)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import client_for
from tests.factories import EpisodeFactory, InterventionFactory, PrescriptionFactory, StaffFactory
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Staff
from tremplin.people.models import Consent, InformationRecord, Note

DAY = dt.date(2024, 5, 2)


@pytest.fixture
def doctor(lead):
    return StaffFactory(
        organisation=lead, name="Dr Anne Viguier", function=Staff.Function.OTHER, clinical_domain="medical"
    )


@pytest.fixture
def file(person, counsellor, doctor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    InterventionFactory(person=person, episode=episode, date=dt.date(2024, 3, 4), minutes=90, note="Visite atelier")
    Note.objects.create(person=person, domain="professional", author=counsellor, written_on=DAY, text="Bilan positif")
    Note.objects.create(person=person, domain="medical", author=doctor, written_on=DAY, text="Diagnostic confidentiel")
    return person


def test_information_given_to_the_person_is_recorded(person, counsellor):
    client = client_for(counsellor)
    response = client.post(
        reverse("information_add", args=[person.pk]),
        {"given_on": DAY.isoformat(), "topics": ["processing", "rights"], "channel": "both", "comment": "Livret remis"},
    )
    assert response.status_code == 302
    info = InformationRecord.objects.get(person=person)
    assert info.topics == ["processing", "rights"] and info.given_by == counsellor
    page = client.get(reverse("person_rights", args=[person.pk])).content.decode()
    assert "ses droits : accès, rectification, opposition" in page and "oralement et par écrit" in page


def test_a_consent_names_what_is_shared_and_with_whom(person, counsellor, doctor):
    client = client_for(doctor)
    response = client.post(
        reverse("consent_add", args=[person.pk]),
        {
            "domain": "medical",
            "recipient": counsellor.pk,
            "purpose": "Adapter le poste",
            "decision": "agreed",
            "decided_on": DAY.isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.domain, consent.recipient, consent.decision) == ("medical", counsellor, "agreed")
    page = client.get(reverse("person_rights", args=[person.pk])).content.decode()
    assert "Claire Martin" in page and "Adapter le poste" in page


def test_a_consent_without_purpose_or_in_the_future_is_refused(person, doctor):
    client = client_for(doctor)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for data in (
        {"domain": "medical", "purpose": "", "decision": "agreed", "decided_on": DAY.isoformat()},
        {"domain": "medical", "purpose": "Suivi", "decision": "agreed", "decided_on": future},
    ):
        assert client.post(reverse("consent_add", args=[person.pk]), data).status_code == 200
    assert not Consent.objects.exists()


def test_the_whole_file_is_exported_as_json_for_portability(file, manager):
    response = client_for(manager).get(reverse("person_export_json", args=[file.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "tremplin-person-file"
    assert data["person"]["first_name"] == "Jeanne" and data["person"]["last_name"] == "Durand"
    assert data["interventions"][0]["minutes"] == 90 and data["interventions"][0]["note"] == "Visite atelier"
    assert [n["text"] for n in data["notes"]] == ["Bilan positif"]
    # The manager may not read the medical note: it is counted, not included.
    assert data["notes_not_included"] == [{"domain": "medical", "count": 1}]
    assert "Diagnostic confidentiel" not in response.content.decode()
    assert AuditEntry.objects.filter(action="person.exported", person=file, detail__format="json").count() == 1


def test_a_clinician_exports_the_notes_of_their_domain(file, doctor):
    data = json.loads(client_for(doctor).get(reverse("person_export_json", args=[file.pk])).content)
    assert sorted(n["text"] for n in data["notes"]) == ["Bilan positif", "Diagnostic confidentiel"]


def test_the_whole_file_is_exported_as_pdf_for_reading(file, manager, counsellor):
    client_for(counsellor).get(reverse("person_detail", args=[file.pk]))
    response = client_for(manager).get(reverse("person_export_pdf", args=[file.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Jeanne DURAND" in text and "Visite atelier" in text and "Bilan positif" in text
    assert "Qui a accédé à ce dossier" in text and "Claire Martin" in text
    assert "Diagnostic confidentiel" not in text
    assert AuditEntry.objects.filter(action="person.exported", person=file, detail__format="pdf").exists()


def test_counsellors_do_not_export_and_outsiders_get_404(file, counsellor, partner_coordinator):
    assert client_for(counsellor).get(reverse("person_export_json", args=[file.pk])).status_code == 403
    assert client_for(partner_coordinator).get(reverse("person_export_pdf", args=[file.pk])).status_code == 404
