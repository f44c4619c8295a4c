"""The permission grid: every role on every page of the URL configuration.

The pages are discovered from `django.urls.get_resolver()`, so a page added later is called too;
a page the grid does not know how to build makes `test_every_url_is_in_the_grid` fail with the
instruction to add it to tests/security/urlmap.py. Expected answers come from the permission
table (`access.permissions.TABLE`, shown in docs/permissions.md) and the scopes:
allowed -> 200, outside the scope -> 404, seen but not allowed -> 403, signed out -> sign-in page.
Every record kind is called on four sides: the lead organisation and a partner of the users'
platform, and of a second platform (whose records nobody here may see: 404).

`test_grant_grid` posts, as every role, the changes that give authority (functions, clinical
domains, account kinds, second-factor resets, an organisation's role) and checks who succeeds:
docs/permissions.md, "Qui peut attribuer quoi" (issue 10, items 2, 3 and 15).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.factories import staff_form_data

from . import urlmap

WHO = [*urlmap.ROLES, None]


def test_every_url_is_in_the_grid():
    problems = urlmap.unknown_urls()
    assert not problems, "\n".join(problems)


def _call(client, name, url):
    method = urlmap.SPEC[name].method
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO, ids=[w or "anonymous" for w in WHO])
def test_permission_grid(who):
    world = urlmap.build_world()
    client = Client() if who is None else client_for(world.users[who])
    wrong = []
    for name in urlmap.routes():
        spec = urlmap.SPEC[name]
        sides = urlmap.SIDES if spec.kind else [None]
        missing = None
        for side in sides:
            record = world.records[side][spec.kind] if spec.kind else None
            url = urlmap.url_for(name, record)
            response = _call(client, name, url)
            allowed = urlmap.expected(name, who, side)
            if response.status_code not in allowed:
                wrong.append(
                    f"{who or 'anonymous'} {spec.method.upper()} {url} ({name}, {side}): "
                    f"{response.status_code}, expected {sorted(allowed)}"
                )
            if who is None and response.status_code == 302 and not spec.public:
                assert response.url.startswith("/connexion/"), (name, response.url)
            out_of_scope = spec.kind and who is not None and not urlmap.sees(spec.kind, who, side)
            if out_of_scope:
                # An outsider learns nothing: a record that does not exist answers the same.
                missing = missing or _call(client, name, urlmap.url_for(name, pk=987654))
                if missing.status_code != response.status_code:
                    wrong.append(
                        f"{who} {name}: {response.status_code} for a record out of scope but "
                        f"{missing.status_code} for a record that does not exist"
                    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_user_signed_in_with_a_password_only_reaches_no_page(django_user_model):
    """Every page but the sign-in steps asks for the second factor first."""
    world = urlmap.build_world()
    client = Client()
    client.force_login(world.users["manager"])
    for name in urlmap.routes():
        spec = urlmap.SPEC[name]
        if spec.public:
            continue
        record = world.records["lead"][spec.kind] if spec.kind else None
        response = _call(client, name, urlmap.url_for(name, record))
        assert response.status_code == 302, name
        assert response.url.startswith("/connexion/double-authentification/"), (name, response.url)


# Who may grant what: functions, clinical domains, account kinds (issue 10, items 2, 3, 15) -------


_staff_post = staff_form_data


def _new_staff(organisation, name, function, domain="") -> dict:
    return {
        "organisation": organisation.pk,
        "name": name,
        "function": function,
        "clinical_domain": domain,
        "fte": "1",
        "start": "2025-01-06",
        "end": "",
        "rncp37779": "none",
    }


def _new_account(kind, login) -> dict:
    extra = {"prescriber_kind": "cap_emploi", "prescriber_organisation": "Cap emploi Aveyron"}
    return {
        "kind": kind,
        "name": f"Compte {login}",
        "username": login,
        "password": "Un-mot-de-passe-solide-2026",
        **(extra if kind == "prescriber" else {}),
    }


LEAD_STAFF = {"coordinator", "manager", "counsellor", "administrative", "clinician"}
# Who succeeds, for each change (anybody else is refused and nothing changes).
GRANTS = {
    "create_counsellor": {"coordinator", "manager", "partner_coordinator", "partner_manager"},
    "create_coordinator": {"manager", "partner_manager"},
    "create_manager": {"manager", "partner_manager"},
    "create_clinician": {"manager", "partner_manager"},
    "create_on_the_other_platform": set(),
    "promote_lead_counsellor": {"manager"},
    "promote_partner_counsellor": {"manager", "partner_manager"},
    "grant_domain_lead_counsellor": {"manager"},
    "grant_domain_partner_counsellor": {"manager", "partner_manager"},
    "remove_domain_lead_clinician": {"manager"},
    "demote_lead_director": {"manager"},
    "demote_partner_director": {"manager"},
    "end_lead_director_post": {"manager"},
    "self_promote": set(),
    "self_clinical_domain": set(),
    "self_end_of_post": set(),
    "promote_on_the_other_platform": set(),
    "account_administrator": {"manager"},
    "account_funder": {"manager", "administrator"},
    "account_prescriber": {"manager", "administrator"},
    "reset_otp_lead_coordinator": {"manager", "administrator"},
    "reset_otp_partner_counsellor": {"manager", "administrator", "partner_manager"},
    "reset_otp_own": set(),
    "reset_otp_on_the_other_platform": set(),
    "organisation_becomes_lead": set(),
}


def _grant_cases(world, who):
    """name -> (url, data, did_it_happen)."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import StaffFactory
    from tremplin.access import otp
    from tremplin.access.models import ExternalAccount
    from tremplin.organisations.models import Organisation, Staff

    F = Staff.Function
    orgs = world.organisations
    me = world.users[who]
    own = getattr(me, "staff_member", None)
    home = own.organisation if own else orgs["lead"]
    lead_counsellor = world.records["lead"]["staff"]
    partner_counsellor = world.records["partner"]["staff"]
    lead_director = StaffFactory(organisation=orgs["lead"], function=F.MANAGER)
    partner_director = Staff.objects.get(user=world.users["partner_manager"])
    clinician = Staff.objects.get(user=world.users["clinician"])
    other_counsellor = world.records["other_lead"]["staff"]
    self_or_nobody = own or StaffFactory(organisation=orgs["lead"], function=F.COUNSELLOR)
    promoted = F.COORDINATOR if self_or_nobody.function == F.MANAGER else F.MANAGER  # a manager: demoted

    def staff_is(staff, **values):
        staff = Staff.objects.get(pk=staff.pk)
        return lambda: all(getattr(Staff.objects.get(pk=staff.pk), k) == v for k, v in values.items())

    def created(name):
        return lambda: Staff.objects.filter(name=name).exists()

    def account_created(login):
        return lambda: ExternalAccount.objects.filter(user__username=login).exists()

    def otp_reset(user):
        otp.confirmed_device(user)
        return lambda: not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    edit = lambda staff: reverse("staff_edit", args=[staff.pk])  # noqa: E731
    create = reverse("staff_create")
    reset = lambda user: reverse("account_reset_otp", args=[user.pk])  # noqa: E731
    other = world.other_users
    return {
        "create_counsellor": (create, _new_staff(home, "G1", F.COUNSELLOR), created("G1")),
        "create_coordinator": (create, _new_staff(home, "G2", F.COORDINATOR), created("G2")),
        "create_manager": (create, _new_staff(home, "G3", F.MANAGER), created("G3")),
        "create_clinician": (create, _new_staff(home, "G4", F.OTHER, "medical"), created("G4")),
        "create_on_the_other_platform": (create, _new_staff(orgs["other_lead"], "G5", F.COUNSELLOR), created("G5")),
        "promote_lead_counsellor": (
            edit(lead_counsellor),
            _staff_post(lead_counsellor, function=F.COORDINATOR),
            staff_is(lead_counsellor, function=F.COORDINATOR),
        ),
        "promote_partner_counsellor": (
            edit(partner_counsellor),
            _staff_post(partner_counsellor, function=F.COORDINATOR),
            staff_is(partner_counsellor, function=F.COORDINATOR),
        ),
        "grant_domain_lead_counsellor": (
            edit(lead_counsellor),
            _staff_post(lead_counsellor, function=F.OTHER, clinical_domain="social"),
            staff_is(lead_counsellor, clinical_domain="social"),
        ),
        "grant_domain_partner_counsellor": (
            edit(partner_counsellor),
            _staff_post(partner_counsellor, function=F.OTHER, clinical_domain="psychological"),
            staff_is(partner_counsellor, clinical_domain="psychological"),
        ),
        "remove_domain_lead_clinician": (
            edit(clinician),
            _staff_post(clinician, clinical_domain=""),
            staff_is(clinician, clinical_domain=""),
        ),
        "demote_lead_director": (
            edit(lead_director),
            _staff_post(lead_director, function=F.COUNSELLOR),
            staff_is(lead_director, function=F.COUNSELLOR),
        ),
        "demote_partner_director": (
            edit(partner_director),
            _staff_post(partner_director, function=F.COUNSELLOR),
            staff_is(partner_director, function=F.COUNSELLOR),
        ),
        "end_lead_director_post": (
            edit(lead_director),
            _staff_post(lead_director, end="2024-12-31"),
            staff_is(lead_director, end=dt.date(2024, 12, 31)),
        ),
        "self_promote": (
            edit(self_or_nobody),
            _staff_post(self_or_nobody, function=promoted),
            staff_is(self_or_nobody, function=promoted),
        ),
        "self_clinical_domain": (
            edit(self_or_nobody),
            _staff_post(self_or_nobody, function=F.OTHER, clinical_domain="psychological"),
            staff_is(self_or_nobody, clinical_domain="psychological"),
        ),
        "self_end_of_post": (
            edit(self_or_nobody),
            _staff_post(self_or_nobody, end="2030-12-31"),
            staff_is(self_or_nobody, end=dt.date(2030, 12, 31)),
        ),
        "promote_on_the_other_platform": (
            edit(other_counsellor),
            _staff_post(other_counsellor, function=F.MANAGER),
            staff_is(other_counsellor, function=F.MANAGER),
        ),
        "account_administrator": (
            reverse("account_create"),
            _new_account("administrator", "g.admin"),
            account_created("g.admin"),
        ),
        "account_funder": (reverse("account_create"), _new_account("funder", "g.funder"), account_created("g.funder")),
        "account_prescriber": (
            reverse("account_create"),
            _new_account("prescriber", "g.prescriber"),
            account_created("g.prescriber"),
        ),
        "reset_otp_lead_coordinator": (
            reset(world.users["coordinator"]),
            {},
            otp_reset(world.users["coordinator"]),
        ),
        "reset_otp_partner_counsellor": (
            reset(world.users["partner_counsellor"]),
            {},
            otp_reset(world.users["partner_counsellor"]),
        ),
        "reset_otp_own": (reset(me), {}, otp_reset(me)),
        "reset_otp_on_the_other_platform": (reset(other["manager"]), {}, otp_reset(other["manager"])),
        "organisation_becomes_lead": (
            reverse("organisation_create"),
            {"code": "NEWLEAD", "name": "Nouvelle", "role": "lead"},
            lambda: Organisation.objects.filter(code="NEWLEAD", role="lead").exists()
            or Organisation.objects.filter(platform=orgs["lead"].platform, role="lead").count() != 1,
        ),
    }


def test_the_grant_grid_names_every_case():
    assert set(GRANTS) == {
        "create_counsellor", "create_coordinator", "create_manager", "create_clinician",
        "create_on_the_other_platform", "promote_lead_counsellor", "promote_partner_counsellor",
        "grant_domain_lead_counsellor", "grant_domain_partner_counsellor", "remove_domain_lead_clinician",
        "demote_lead_director", "demote_partner_director", "end_lead_director_post", "self_promote",
        "self_clinical_domain", "self_end_of_post", "promote_on_the_other_platform", "account_administrator",
        "account_funder", "account_prescriber", "reset_otp_lead_coordinator", "reset_otp_partner_counsellor",
        "reset_otp_own", "reset_otp_on_the_other_platform", "organisation_becomes_lead",
    }  # fmt: skip


GRANT_WHO = [w for w in urlmap.ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize("who", GRANT_WHO)
def test_item2_item3_item15_grant_grid(who):
    """Every role posts every change that gives authority; only those GRANTS names succeed, and
    a refusal changes nothing (a form error, 403 or 404 — never a 500)."""
    from django.db import transaction

    world = urlmap.build_world()
    client = client_for(world.users[who])
    wrong = []
    for case, allowed in GRANTS.items():
        with transaction.atomic():
            url, data, happened = _grant_cases(world, who)[case]
            response = client.post(url, data)
            done = happened()
            if who in allowed and not done:
                wrong.append(f"{who} {case}: refused ({response.status_code}) but should succeed")
            elif who not in allowed and done:
                wrong.append(f"{who} {case}: succeeded ({response.status_code}) but should be refused")
            elif response.status_code >= 500:
                wrong.append(f"{who} {case}: {response.status_code}")
            transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)
