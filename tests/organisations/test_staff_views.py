"""Staff pages: coordinators add staff with an account; bad input is refused next to the field."""

from __future__ import annotations

from django.urls import reverse

from tremplin.organisations.models import Staff

VALID = {
    "name": "Nadia Costes", "function": "counsellor", "clinical_domain": "", "fte": "0,8",
    "start": "2026-01-05", "end": "", "rncp37779": "in_training",
}


def test_coordinator_adds_a_counsellor_with_an_account(as_coordinator, lead):
    response = as_coordinator.post(
        reverse("staff_create"), {**VALID, "organisation": lead.pk, "username": "nadia.costes", "password": "un mot de passe long"}
    )
    assert response.status_code == 302
    staff = Staff.objects.get(name="Nadia Costes")
    assert (str(staff.fte), staff.user.username, staff.organisation) == ("0.80", "nadia.costes", lead)


def test_staff_form_refuses_bad_input_with_french_messages(as_coordinator, lead):
    response = as_coordinator.post(
        reverse("staff_create"),
        {**VALID, "organisation": lead.pk, "fte": "1,5", "end": "2025-01-01", "username": "nadia costes<b>", "password": "court"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "inférieure ou égale à 1" in content
    assert "id_end_error" in content and "id_username_error" in content
    assert not Staff.objects.filter(name="Nadia Costes").exists()


def test_a_new_account_needs_a_strong_password(as_coordinator, lead):
    response = as_coordinator.post(
        reverse("staff_create"), {**VALID, "organisation": lead.pk, "username": "nadia.costes", "password": "azerty"}
    )
    content = response.content.decode()
    assert "id_password_error" in content and "12 caractères" in content
    assert not Staff.objects.filter(name="Nadia Costes").exists()


def test_partner_coordinator_cannot_add_staff_to_the_lead(partner_coordinator, lead):
    from tests.conftest import client_for

    response = client_for(partner_coordinator).post(reverse("staff_create"), {**VALID, "organisation": lead.pk})
    assert response.status_code == 200
    assert "id_organisation_error" in response.content.decode()
    assert not Staff.objects.filter(name="Nadia Costes").exists()
