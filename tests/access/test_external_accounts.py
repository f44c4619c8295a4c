"""Accounts that are not staff: a funder sees aggregated, pseudonymised indicators only; a
prescriber sees only the status of the prescriptions they made; an administrator sees no person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, InterventionFactory, PersonFactory, PrescriptionFactory, UserFactory
from tremplin.access import funder
from tremplin.access.models import ExternalAccount
from tremplin.lib.dates import today


def account(platform, kind, **extra):
    user = UserFactory()
    ExternalAccount.objects.create(user=user, platform=platform, kind=kind, name=f"{kind} test", **extra)
    return user


# Small counts ---------------------------------------------------------------------------------


def test_no_count_under_5_is_shown():
    assert funder.mask(0) is None and funder.mask(4) is None and funder.mask(5) == 5


def test_a_hidden_count_cannot_be_recomputed_from_the_total():
    # supported 20 = active 17 + veille 3: showing 17 would give 3 back.
    assert funder.mask_group({"active": 17, "in_veille": 3}, total=20) == {"active": None, "in_veille": None}
    # Two hidden cells out of three: the total gives only their sum.
    assert funder.mask_group({"a": 10, "b": 2, "c": 1}, total=13) == {"a": 10, "b": None, "c": None}
    assert funder.mask_group({"a": 10, "b": 6}, total=16) == {"a": 10, "b": 6}


@pytest.fixture
def quarter_data(lead, counsellor):
    """Three persons supported on the last day of the previous quarter: every count is under 5."""
    start, end = funder.last_quarters(today(), 1)[0]
    for index in range(3):
        person = PersonFactory(organisation=lead, first_name=f"Visible{index}", last_name="Nominatif")
        episode = EpisodeFactory(
            prescription=PrescriptionFactory(person=person, date=start - dt.timedelta(days=40)),
            admitted_on=start - dt.timedelta(days=30),
            counsellor=counsellor,
        )
        InterventionFactory(person=person, episode=episode, date=start + dt.timedelta(days=3), minutes=600)
    return start, end


def test_a_funder_sees_aggregated_indicators_without_names_or_small_counts(platform, quarter_data):
    client = client_for(account(platform, "funder", institution="ARS Occitanie"))
    assert client.get("/").url == reverse("funder_indicators")
    content = client.get(reverse("funder_indicators")).content.decode()
    assert "Personnes accompagnées le dernier jour" in content
    assert "Visible0" not in content and "Nominatif" not in content
    start, end = quarter_data
    assert funder.platform_indicators(platform, start, end)["activity.supported"] == 3
    cells = content.split("<tbody>")[1]
    assert ">3<" not in cells and "&lt; 5" in cells


def test_a_funder_opens_no_persons_page(platform, person):
    client = client_for(account(platform, "funder"))
    assert client.get(reverse("person_list")).status_code == 403
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("waiting_list")).status_code == 403


def test_a_funder_of_another_platform_sees_nothing_of_this_one(quarter_data):
    from tests.factories import PlatformFactory

    other = PlatformFactory(code="EA81", name="Tarn")
    content = client_for(account(other, "funder")).get(reverse("funder_indicators")).content.decode()
    assert "Tarn" in content and "Plateforme emploi accompagné de test" not in content


# Prescribers ----------------------------------------------------------------------------------


@pytest.fixture
def prescriptions(lead, counsellor):
    mine_waiting = PrescriptionFactory(
        person=PersonFactory(organisation=lead, first_name="Zoé", last_name="Martin"),
        prescriber="cap_emploi",
        prescriber_organisation="Cap Emploi  aveyron",
        prescriber_contact="Mme Rémi Calmels",
        date=today() - dt.timedelta(days=20),
    )
    mine_admitted = PrescriptionFactory(
        person=PersonFactory(organisation=lead, first_name="Yves", last_name="Roux"),
        prescriber="cap_emploi",
        prescriber_organisation="Cap emploi Aveyron",
        date=dt.date(2024, 1, 10),
    )
    EpisodeFactory(prescription=mine_admitted, admitted_on=dt.date(2024, 2, 1), counsellor=counsellor)
    other_org = PrescriptionFactory(
        person=PersonFactory(organisation=lead, first_name="Xavier", last_name="Blanc"),
        prescriber="cap_emploi",
        prescriber_organisation="Cap emploi Tarn",
    )
    other_kind = PrescriptionFactory(
        person=PersonFactory(organisation=lead, first_name="Wanda", last_name="Noir"),
        prescriber="france_travail",
        prescriber_organisation="Cap emploi Aveyron",
    )
    return mine_waiting, mine_admitted, other_org, other_kind


def test_a_prescriber_sees_only_the_status_of_their_prescriptions(platform, prescriptions):
    mine_waiting, mine_admitted, other_org, other_kind = prescriptions
    user = account(platform, "prescriber", prescriber_kind="cap_emploi", prescriber_organisation="Cap emploi Aveyron")
    client = client_for(user)
    assert client.get("/").url == reverse("prescriber_status")
    content = client.get(reverse("prescriber_status")).content.decode()
    assert mine_waiting.code in content and mine_admitted.code in content
    assert other_org.code not in content and other_kind.code not in content
    assert "Z. M." in content and "Y. R." in content  # initials only
    assert "Zoé" not in content and "Martin" not in content
    assert "admise, accompagnement en cours" in content and "en attente" in content


def test_a_prescriber_account_naming_a_person_sees_only_that_persons_prescriptions(platform, prescriptions):
    mine_waiting, mine_admitted, *_ = prescriptions
    user = account(
        platform,
        "prescriber",
        prescriber_kind="cap_emploi",
        prescriber_organisation="Cap emploi Aveyron",
        prescriber_contact="Calmels",
    )
    content = client_for(user).get(reverse("prescriber_status")).content.decode()
    assert mine_waiting.code in content and mine_admitted.code not in content


def test_a_prescriber_opens_no_persons_file(platform, prescriptions):
    user = account(platform, "prescriber", prescriber_kind="cap_emploi", prescriber_organisation="Cap emploi Aveyron")
    client = client_for(user)
    assert client.get(reverse("person_detail", args=[prescriptions[0].person_id])).status_code == 404
    assert client.get(reverse("prescription_edit", args=[prescriptions[0].pk])).status_code == 404


# Administrator and account creation -----------------------------------------------------------


def test_an_administrator_manages_accounts_and_sees_no_person(platform, person, counsellor):
    client = client_for(account(platform, "administrator"))
    assert counsellor.user.username in client.get(reverse("account_list")).content.decode()
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("person_list")).status_code == 403


def test_a_manager_creates_a_prescriber_account(manager):
    client = client_for(manager)
    data = {
        "kind": "prescriber",
        "name": "Rémi Calmels",
        "institution": "Cap emploi",
        "prescriber_kind": "",
        "prescriber_organisation": "",
        "username": "remi.calmels",
        "password": "Un-mot-de-passe-solide-2026",
    }
    refused = client.post(reverse("account_create"), data)
    assert refused.status_code == 200 and not ExternalAccount.objects.exists()
    data.update(prescriber_kind="cap_emploi", prescriber_organisation="Cap emploi Aveyron")
    assert client.post(reverse("account_create"), data).status_code == 302
    created = ExternalAccount.objects.get()
    assert created.platform == manager.organisation.platform and created.user.check_password(data["password"])
