"""Issue 10, items 2 and 15: who creates which account, who manages which account's security,
and what an account id tells somebody who may not manage accounts (nothing: 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import StaffFactory, UserFactory
from tremplin.access.models import ExternalAccount
from tremplin.organisations.models import Staff


def external(platform, kind, **extra):
    user = UserFactory()
    ExternalAccount.objects.create(user=user, platform=platform, kind=kind, name=f"{kind} test", **extra)
    return user


PRESCRIBER = {"prescriber_kind": "cap_emploi", "prescriber_organisation": "Cap emploi Aveyron"}


def new_account(kind: str, login: str) -> dict:
    extra = PRESCRIBER if kind == "prescriber" else {}
    return {"kind": kind, "name": f"Compte {login}", "username": login, "password": "Un-mot-de-passe-solide-2026", **extra}


@pytest.fixture
def partner_manager(partner):
    return StaffFactory(organisation=partner, name="Sophie Bru", function=Staff.Function.MANAGER)


# Item 2: account kinds -----------------------------------------------------------------------


def test_item2_a_partner_coordinator_creates_no_platform_account(partner_coordinator):
    client = client_for(partner_coordinator)
    assert client.get(reverse("account_create")).status_code == 403
    assert client.post(reverse("account_create"), new_account("administrator", "prise")).status_code == 403
    assert not ExternalAccount.objects.exists()


def test_item2_a_partner_manager_creates_no_external_account(partner_manager):
    client = client_for(partner_manager)
    assert client.get(reverse("account_create")).status_code == 403
    for kind in ("administrator", "funder", "prescriber"):
        assert client.post(reverse("account_create"), new_account(kind, f"p.{kind}")).status_code == 403
    assert not ExternalAccount.objects.exists()
    assert "comptes/nouveau" not in client.get(reverse("account_list")).content.decode()


def test_item2_only_the_leads_direction_creates_administrator_accounts(manager, platform):
    administrator = client_for(external(platform, "administrator"))
    form = administrator.get(reverse("account_create")).content.decode()
    assert 'value="funder"' in form and 'value="administrator"' not in form
    refused = administrator.post(reverse("account_create"), new_account("administrator", "admin2"))
    assert refused.status_code == 200
    assert "Seule la direction du chef de file crée des comptes d’administrateur" in refused.content.decode()
    assert not ExternalAccount.objects.filter(user__username="admin2").exists()
    for kind in ("funder", "prescriber"):
        assert administrator.post(reverse("account_create"), new_account(kind, f"a.{kind}")).status_code == 302
    director = client_for(manager)
    assert director.post(reverse("account_create"), new_account("administrator", "admin3")).status_code == 302
    assert ExternalAccount.objects.get(user__username="admin3").kind == "administrator"


def test_item2_a_partner_manager_manages_only_her_organisations_accounts(
    partner_manager, partner_counsellor, coordinator, platform
):
    client = client_for(partner_manager)
    funder = external(platform, "funder")
    for target in (coordinator.user, funder):
        assert client.post(reverse("account_reset_otp", args=[target.pk])).status_code == 404
        assert client.post(reverse("account_unlock", args=[target.pk])).status_code == 404
    assert client.post(reverse("account_reset_otp", args=[partner_counsellor.user_id])).status_code == 302
    listed = client.get(reverse("account_list")).content.decode()
    assert partner_counsellor.user.username in listed and coordinator.user.username not in listed


def test_item2_nobody_resets_or_unlocks_their_own_account(manager, platform):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in (manager.user, external(platform, "administrator")):
        client = client_for(user)
        response = client.post(reverse("account_reset_otp", args=[user.pk]), follow=True)
        assert "Vous ne pouvez pas réinitialiser la sécurité de votre propre compte" in response.content.decode()
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        response = client.post(reverse("account_unlock", args=[user.pk]), follow=True)
        assert "votre propre compte" in response.content.decode()


def test_item2_an_administrator_manages_the_leads_direction_account(manager, platform):
    """Choice (docs/permissions.md): an administrator manages every account of the platform but their own."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client_for(manager)  # gives the manager a confirmed device
    client = client_for(external(platform, "administrator"))
    assert client.post(reverse("account_reset_otp", args=[manager.user_id])).status_code == 302
    assert not TOTPDevice.objects.filter(user=manager.user, confirmed=True).exists()


def test_item2_no_page_changes_an_organisations_role(manager, lead, platform):
    """Organisations created from the web are partners; no form has a role field."""
    from tremplin.organisations.models import Organisation

    client = client_for(manager)
    response = client.post(reverse("organisation_create"), {"code": "NEW", "name": "Nouvelle", "role": "lead"})
    assert response.status_code == 302
    assert Organisation.objects.get(code="NEW").role == "partner"
    assert Organisation.objects.get(pk=lead.pk).role == "lead"


# Item 15: account ids cannot be probed -------------------------------------------------------


@pytest.mark.parametrize("kind", ["funder", "prescriber"])
def test_item15_external_accounts_get_the_same_answer_for_an_existing_and_a_missing_account(kind, platform, counsellor):
    client = client_for(external(platform, kind, **(PRESCRIBER if kind == "prescriber" else {})))
    for name in ("account_reset_otp", "account_unlock"):
        existing = client.post(reverse(name, args=[counsellor.user_id]))
        missing = client.post(reverse(name, args=[987654]))
        assert (existing.status_code, missing.status_code) == (404, 404), name


def test_item15_staff_without_account_management_get_404_too(coordinator, counsellor, partner_coordinator):
    for actor in (coordinator, counsellor, partner_coordinator):
        client = client_for(actor)
        for name in ("account_reset_otp", "account_unlock"):
            assert client.post(reverse(name, args=[counsellor.user_id])).status_code == 404
            assert client.post(reverse(name, args=[987654])).status_code == 404
