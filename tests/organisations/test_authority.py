"""Issue 10, items 2 and 3: nobody acts beyond their authority over functions and clinical domains.

Who may grant what is written in docs/permissions.md ("Qui peut attribuer quoi"): nobody changes
their own function, clinical domain, organisation or dates of post; a coordinator grants the
ordinary functions only; the direction grants any function in its scope; a clinical domain is
granted (or removed) by the direction of the person's organisation or of the lead organisation,
and that is logged as such.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import StaffFactory, staff_form_data
from tremplin.access.permissions import role_of
from tremplin.audit import display
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Staff
from tremplin.people.models import Note

F = Staff.Function
NEW = {
    "name": "Nadia Costes", "function": "counsellor", "clinical_domain": "", "fte": "0,8",
    "start": "2026-01-05", "end": "", "rncp37779": "in_training",
}


edit_data = staff_form_data


def edit(actor: Staff, target: Staff, **changes):
    return client_for(actor).post(reverse("staff_edit", args=[target.pk]), edit_data(target, **changes))


@pytest.fixture
def partner_manager(partner):
    return StaffFactory(organisation=partner, name="Sophie Bru", function=F.MANAGER)


# Item 2: no self-promotion ---------------------------------------------------------------------


def test_item2_a_partner_coordinator_cannot_make_himself_manager(partner_coordinator):
    response = edit(partner_coordinator, partner_coordinator, function="manager")
    assert response.status_code == 200
    assert "Vous ne pouvez pas modifier cela sur votre propre fiche" in response.content.decode()
    partner_coordinator.refresh_from_db()
    assert partner_coordinator.function == F.COORDINATOR
    assert client_for(partner_coordinator).get(reverse("account_list")).status_code == 403


@pytest.mark.parametrize(
    "field, value",
    [("function", "counsellor"), ("clinical_domain", "medical"), ("start", "2019-01-01"), ("end", "2020-06-30")],
)
def test_item2_even_the_director_cannot_change_their_own_function_domain_or_dates(manager, field, value):
    response = edit(manager, manager, **{field: value})
    assert response.status_code == 200 and f"id_{field}_error" in response.content.decode()
    before = Staff.objects.get(pk=manager.pk)
    assert (before.function, before.clinical_domain, before.start, before.end) == (
        F.MANAGER, "", dt.date(2020, 1, 1), None
    )


def test_item2_a_partner_manager_cannot_move_herself_to_the_lead(partner_manager, lead):
    response = edit(partner_manager, partner_manager, organisation=lead.pk)
    assert response.status_code == 200 and "id_organisation_error" in response.content.decode()
    assert Staff.objects.get(pk=partner_manager.pk).organisation == partner_manager.organisation


def test_item2_ones_own_authority_fields_are_shown_locked(coordinator):
    content = client_for(coordinator).get(reverse("staff_edit", args=[coordinator.pk])).content.decode()
    for name in ("organisation", "function", "clinical_domain", "start", "end"):
        before, after = content.split(f'id="id_{name}"', 1)
        tag = before.rsplit("<", 1)[1] + after.split(">", 1)[0]
        assert "disabled" in tag, name
    # Changing one's name is still possible.
    response = edit(coordinator, coordinator, name="Marc Alibert-Roux")
    assert response.status_code == 302 and Staff.objects.get(pk=coordinator.pk).name == "Marc Alibert-Roux"


# Item 2: who grants which function -------------------------------------------------------------


def test_item2_a_coordinator_grants_only_the_ordinary_functions(coordinator, lead):
    client = client_for(coordinator)
    form = client.get(reverse("staff_create")).content.decode()
    assert 'value="counsellor"' in form and 'value="coordinator"' not in form and 'value="manager"' not in form
    for function in ("coordinator", "manager"):
        response = client.post(reverse("staff_create"), {**NEW, "function": function, "organisation": lead.pk})
        assert response.status_code == 200
        assert "Seule la direction peut attribuer la fonction de coordinateur ou de direction" in response.content.decode()
    assert not Staff.objects.filter(name="Nadia Costes").exists()
    for function in ("counsellor", "administrative", "other"):
        response = client.post(
            reverse("staff_create"), {**NEW, "name": f"N {function}", "function": function, "organisation": lead.pk}
        )
        assert response.status_code == 302, function


def test_item2_a_coordinator_cannot_demote_the_director(coordinator, manager):
    response = edit(coordinator, manager, function="counsellor")
    assert response.status_code == 200
    assert "Seule la direction modifie cela pour un coordinateur" in response.content.decode()
    assert Staff.objects.get(pk=manager.pk).function == F.MANAGER
    # Nor end the director's post.
    response = edit(coordinator, manager, end="2024-12-31")
    assert response.status_code == 200 and Staff.objects.get(pk=manager.pk).end is None


def test_item2_a_coordinator_cannot_promote_a_counsellor(coordinator, counsellor):
    response = edit(coordinator, counsellor, function="coordinator")
    assert response.status_code == 200 and Staff.objects.get(pk=counsellor.pk).function == F.COUNSELLOR


def test_item2_a_coordinator_cannot_give_an_account_to_a_managers_record(coordinator, lead):
    director = StaffFactory(organisation=lead, function=F.MANAGER, user=None)
    response = client_for(coordinator).post(
        reverse("staff_edit", args=[director.pk]),
        edit_data(director, username="prise.de.pouvoir", password="un mot de passe long"),
    )
    assert response.status_code == 200
    assert Staff.objects.get(pk=director.pk).user is None


def test_item2_the_director_grants_any_function_in_the_platform(manager, counsellor, partner_counsellor):
    assert edit(manager, counsellor, function="coordinator").status_code == 302
    assert edit(manager, partner_counsellor, function="manager").status_code == 302
    assert Staff.objects.get(pk=partner_counsellor.pk).function == F.MANAGER


def test_item2_a_partner_manager_grants_functions_in_her_organisation_only(
    partner_manager, partner_counsellor, counsellor, lead
):
    assert edit(partner_manager, partner_counsellor, function="coordinator").status_code == 302
    assert Staff.objects.get(pk=partner_counsellor.pk).function == F.COORDINATOR
    assert edit(partner_manager, counsellor, function="manager").status_code == 404
    response = client_for(partner_manager).post(
        reverse("staff_create"), {**NEW, "function": "manager", "organisation": lead.pk}
    )
    assert response.status_code == 200 and not Staff.objects.filter(name="Nadia Costes").exists()


def test_item2_the_service_refuses_too(partner_coordinator, lead):
    """Whatever the form offers, the workflow itself refuses (a caller other than the page)."""
    from tremplin.lib.errors import DomainError
    from tremplin.organisations import services

    data = {k: getattr(partner_coordinator, k) for k in services.STAFF_FIELDS}
    with pytest.raises(DomainError) as refused:
        services.update_staff(
            partner_coordinator.user,
            partner_coordinator,
            {**data, "function": F.MANAGER},
            version=partner_coordinator.version,
        )
    assert refused.value.field == "function"
    with pytest.raises(DomainError):
        services.create_staff(partner_coordinator.user, {**data, "name": "X", "organisation": lead})


# Item 3: clinical domains ----------------------------------------------------------------------


def test_item3_a_coordinator_cannot_give_himself_clinician_access(coordinator, person, lead):
    doctor = StaffFactory(organisation=lead, function=F.OTHER, clinical_domain="medical")
    Note.objects.create(person=person, domain="medical", author=doctor, written_on=dt.date(2024, 1, 1), text="secret")
    response = edit(coordinator, coordinator, function="other", clinical_domain="medical")
    assert response.status_code == 200
    coordinator.refresh_from_db()
    assert (coordinator.function, coordinator.clinical_domain) == (F.COORDINATOR, "")
    assert "secret" not in client_for(coordinator).get(reverse("person_notes", args=[person.pk])).content.decode()


def test_item3_a_coordinator_cannot_grant_or_remove_a_clinical_domain(coordinator, counsellor, lead):
    response = edit(coordinator, counsellor, function="other", clinical_domain="psychological")
    assert response.status_code == 200
    assert "Seule la direction attribue ou retire un domaine clinique" in response.content.decode()
    assert role_of(Staff.objects.get(pk=counsellor.pk).user) == "counsellor"
    doctor = StaffFactory(organisation=lead, function=F.OTHER, clinical_domain="medical")
    assert edit(coordinator, doctor, clinical_domain="").status_code == 200
    # Changing the function of a clinician removes the clinical domain: refused as well.
    assert edit(coordinator, doctor, function="counsellor").status_code == 200
    assert Staff.objects.get(pk=doctor.pk).clinical_domain == "medical"
    response = client_for(coordinator).post(
        reverse("staff_create"), {**NEW, "function": "other", "clinical_domain": "medical", "organisation": lead.pk}
    )
    assert response.status_code == 200 and not Staff.objects.filter(name="Nadia Costes").exists()


def test_item3_the_direction_grants_and_removes_a_clinical_domain_and_it_is_logged(manager, counsellor):
    assert edit(manager, counsellor, function="other", clinical_domain="social").status_code == 302
    assert role_of(Staff.objects.get(pk=counsellor.pk).user) == "clinician"
    granted = AuditEntry.objects.get(action="staff.clinical_domain_granted")
    assert granted.object_id == str(counsellor.pk) and granted.changes == {"clinical_domain": ["", "social"]}
    assert "domaine clinique" in display.describe(granted)
    assert edit(manager, Staff.objects.get(pk=counsellor.pk), clinical_domain="").status_code == 302
    removed = AuditEntry.objects.get(action="staff.clinical_domain_removed")
    assert removed.changes == {"clinical_domain": ["social", ""]}
    assert "domaine clinique" in display.describe(removed)


def test_item3_a_partner_manager_grants_domains_in_her_organisation_only(partner_manager, partner_counsellor, counsellor):
    assert edit(partner_manager, partner_counsellor, function="other", clinical_domain="medical").status_code == 302
    assert role_of(Staff.objects.get(pk=partner_counsellor.pk).user) == "clinician"
    assert edit(partner_manager, counsellor, function="other", clinical_domain="medical").status_code == 404
