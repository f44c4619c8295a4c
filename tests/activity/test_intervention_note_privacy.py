"""Issue 10, item 12: an intervention's note is a professional note, read by the team, and the
form says so; an intervention logged by a clinician keeps the clinician's domain and its note is
read as a note of that domain: on the person's page, the interventions list, the history, the
JSON and PDF export (docs/data-protection.md, "Notes des interventions")."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import client_for
from tests.factories import StaffFactory
from tremplin.activity import services
from tremplin.activity.models import Intervention
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Staff
from tremplin.people.models import Consent

from .conftest import supported

CLINICAL = "Traitement par lithium, rechute en mars."
PROFESSIONAL = "Entretien sur le CV, relance employeur."


@pytest.fixture
def doctor(lead):
    return StaffFactory(
        organisation=lead, name="Dr Anne Viguier", function=Staff.Function.OTHER, clinical_domain="medical"
    )


@pytest.fixture
def followed(person, counsellor):
    supported(person, counsellor)
    return person


def log(staff, person, note):
    return services.log_intervention(
        staff.user,
        person,
        {
            "date": dt.date(2024, 3, 4),
            "minutes": 45,
            "place": "premises",
            "with_whom": "person",
            "kind": "interview",
            "note": note,
        },
    )


@pytest.fixture
def both(followed, doctor, counsellor):
    return log(doctor, followed, CLINICAL), log(counsellor, followed, PROFESSIONAL)


def page_text(staff, name, person):
    response = client_for(staff).get(reverse(name, args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_item12_a_counsellor_does_not_see_a_clinicians_intervention_note_but_sees_a_counsellors(
    both, followed, colleague
):
    for name in ("person_detail", "intervention_list"):
        content = page_text(colleague, name, followed)
        assert PROFESSIONAL in content, name
        assert CLINICAL not in content, name
        assert "note du domaine médical, non affichée" in content, name


def test_item12_the_export_leaves_out_a_clinicians_intervention_note(both, followed, coordinator):
    as_coordinator = client_for(coordinator)
    response = as_coordinator.get(reverse("person_export_json", args=[followed.pk]))
    assert CLINICAL not in response.content.decode()
    data = json.loads(response.content)
    notes = {i["note"]: i.get("note_not_included") for i in data["interventions"]}
    assert notes == {"": "medical", PROFESSIONAL: None}
    pdf = as_coordinator.get(reverse("person_export_pdf", args=[followed.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "CV" in text and "lithium" not in text


def test_item12_the_history_of_the_person_does_not_show_a_clinicians_intervention_note(both, followed, colleague):
    # The audit keeps who logged what kind of note, never the clinical text.
    entry = AuditEntry.objects.get(action="intervention.logged", object_id=str(both[0].pk))
    assert "note" not in entry.changes and entry.detail == {"domain": "medical"}
    assert CLINICAL not in page_text(colleague, "person_detail", followed)


def test_item12_old_history_entries_with_the_text_do_not_show_it_either(followed, doctor, colleague):
    intervention = log(doctor, followed, CLINICAL)
    # An entry written before this change: the note's text in `changes`, no domain in `detail`.
    AuditEntry.objects.create(
        user=doctor.user,
        action="intervention.updated",
        object_type="activity.intervention",
        object_id=str(intervention.pk),
        person=followed,
        changes={"note": ["", CLINICAL]},
    )
    content = page_text(colleague, "person_detail", followed)
    assert CLINICAL not in content and "note du domaine médical, non affichée" in content
    assert CLINICAL in page_text(doctor, "person_detail", followed)


def test_item12_the_clinicians_of_the_domain_read_it_and_those_the_person_agreed_to(
    both, followed, doctor, lead, colleague
):
    other_doctor = StaffFactory(organisation=lead, function=Staff.Function.OTHER, clinical_domain="medical")
    psychologist = StaffFactory(organisation=lead, function=Staff.Function.OTHER, clinical_domain="psychological")
    assert CLINICAL in page_text(doctor, "intervention_list", followed)
    assert CLINICAL in page_text(other_doctor, "intervention_list", followed)
    assert AuditEntry.objects.filter(action="note.read", user=other_doctor.user).exists()
    assert CLINICAL not in page_text(psychologist, "intervention_list", followed)
    Consent.objects.create(
        person=followed,
        domain="medical",
        recipient=colleague,
        purpose="Aménagement du poste",
        decision="agreed",
        decided_on=dt.date(2024, 3, 1),
        recorded_by=doctor,
    )
    assert CLINICAL in page_text(colleague, "intervention_list", followed)


def test_item12_the_form_says_the_note_is_read_by_the_whole_team(followed, counsellor, doctor):
    content = page_text(counsellor, "person_detail", followed)
    assert "Note pour l’équipe" in content
    assert "Lue par toute l’équipe qui suit la personne" in content
    as_doctor = page_text(doctor, "person_detail", followed)
    assert "Lue par toute l’équipe qui suit la personne" in as_doctor
    assert f'href="{reverse("person_notes", args=[followed.pk])}"' in as_doctor


def test_item12_existing_interventions_of_clinicians_get_their_domain(followed, doctor, counsellor):
    old = log(doctor, followed, CLINICAL)
    mine = log(counsellor, followed, PROFESSIONAL)
    Intervention.objects.filter(pk=old.pk).update(note_domain="")  # as before the migration
    migration = importlib.import_module("tremplin.activity.migrations.0005_intervention_note_domain")
    migration.backfill(apps, None)
    assert Intervention.objects.get(pk=old.pk).note_domain == "medical"
    assert Intervention.objects.get(pk=mine.pk).note_domain == ""
