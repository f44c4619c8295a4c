"""Persons: create with duplicate check, search, edit with concurrency check, the person's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, OutreachFactory, PauseFactory, PersonFactory, PrescriptionFactory
from tremplin.audit.models import AuditEntry
from tremplin.lib.dates import add_months, today
from tremplin.pathways import services
from tremplin.people.models import Person, Recognition

D = dt.date

NEW_PERSON = {
    "last_name": "Vidal",
    "first_name": "Élodie",
    "birth_date": "1988-03-14",
    "sex": "F",
    "phone": "06 12 34 56 78",
    "email": "elodie.vidal@exemple.fr",
    "address": "",
    "legal_representative": "",
    "legal_representative_contact": "",
    "main_disability": "psychic",
    "other_disabilities": ["motor"],
    "education_level": "4",
}


def test_counsellor_creates_a_person_in_their_organisation(as_counsellor, counsellor):
    response = as_counsellor.post(reverse("person_create"), NEW_PERSON)
    person = Person.objects.get(last_name="Vidal")
    assert response.status_code == 302 and response.url == reverse("person_detail", args=[person.pk])
    assert person.organisation == counsellor.organisation
    assert person.disabilities == ["psychic", "motor"]
    assert person.code.startswith(counsellor.organisation.code)
    page = as_counsellor.get(response.url)
    assert "Élodie VIDAL" in page.content.decode()


def test_likely_duplicate_is_shown_before_creating(as_counsellor, lead):
    existing = PersonFactory(organisation=lead, first_name="Élodie", last_name="Vidal", birth_date=D(1988, 3, 14))
    response = as_counsellor.post(reverse("person_create"), {**NEW_PERSON, "last_name": "VIDAL"})
    assert response.status_code == 200
    assert Person.objects.filter(last_name__iexact="vidal").count() == 1
    content = response.content.decode()
    assert reverse("person_detail", args=[existing.pk]) in content
    assert "même nom et la même date de naissance" in content
    confirmed = as_counsellor.post(reverse("person_create"), {**NEW_PERSON, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Person.objects.filter(last_name__iexact="vidal").count() == 2


def test_duplicate_hint_while_typing(as_counsellor, lead):
    PersonFactory(organisation=lead, first_name="Élodie", last_name="Vidal", birth_date=D(1988, 3, 14))
    response = as_counsellor.get(
        reverse("duplicates_hint"), {"first_name": "élodie", "last_name": "vidal", "birth_date": "1988-03-14"}
    )
    assert "Élodie VIDAL" in response.content.decode()
    nothing = as_counsellor.get(
        reverse("duplicates_hint"), {"first_name": "x", "last_name": "y", "birth_date": "pas une date"}
    )
    assert nothing.status_code == 200 and "VIDAL" not in nothing.content.decode()


def test_bad_input_gets_a_french_message_next_to_the_field(as_counsellor):
    response = as_counsellor.post(reverse("person_create"), {**NEW_PERSON, "birth_date": "31/02/1988", "last_name": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in content
    assert "Saisissez une date valide." in content
    assert 'aria-invalid="true"' in content
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "query, found",
    [
        ("elodie", True),
        ("VIDAL", True),
        ("vid elo", True),
        ("14/03/1988", True),
        ("1988-03-14", True),
        ("dupont", False),
    ],
)
def test_search_by_name_birth_date_or_code(as_counsellor, lead, query, found):
    person = PersonFactory(organisation=lead, first_name="Élodie", last_name="Vidal", birth_date=D(1988, 3, 14))
    PersonFactory(organisation=lead, first_name="Marc", last_name="Roux", birth_date=D(1970, 1, 1))
    response = as_counsellor.get(reverse("person_list"), {"q": query})
    assert (reverse("person_detail", args=[person.pk]) in response.content.decode()) is found


def test_search_by_file_number(as_counsellor, lead):
    person = PersonFactory(organisation=lead, code="LEAD-00042")
    response = as_counsellor.get(reverse("person_list"), {"q": "lead-00042"})
    assert reverse("person_detail", args=[person.pk]) in response.content.decode()


def test_search_never_shows_persons_of_another_organisation(as_counsellor, partner):
    PersonFactory(organisation=partner, first_name="Élodie", last_name="Vidal")
    response = as_counsellor.get(reverse("person_list"), {"q": "vidal"})
    assert "VIDAL" not in response.content.decode()


def test_concurrent_edit_is_refused_with_a_message(person, counsellor, colleague):
    form = {**NEW_PERSON, "first_name": person.first_name, "last_name": person.last_name, "version": person.version}
    first = client_for(counsellor).post(reverse("person_edit", args=[person.pk]), {**form, "phone": "01 11 11 11 11"})
    assert first.status_code == 302
    second = client_for(colleague).post(reverse("person_edit", args=[person.pk]), {**form, "phone": "02 22 22 22 22"})
    assert second.status_code == 200
    assert (
        "Quelqu’un d’autre a enregistré" in second.content.decode()
        or "Quelqu'un d'autre a enregistré" in second.content.decode()
    )
    person.refresh_from_db()
    assert person.phone == "01 11 11 11 11"


def test_person_page_shows_the_whole_pathway(as_counsellor, person, counsellor):
    Recognition.objects.filter(person=person).update(end=add_months(today(), 3))
    prescription = PrescriptionFactory(person=person, date=D(2024, 1, 10), prescriber="cdaph")
    episode = services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor)
    PauseFactory(episode=episode, start=D(2024, 6, 1), end=D(2024, 8, 31))
    OutreachFactory(episode=episode, date=D(2024, 10, 1), channel="letter")
    services.exit_episode(
        counsellor.user, episode, exit_date=D(2024, 12, 1), reason="moved_out", version=episode.version
    )
    waiting = PrescriptionFactory(person=person, date=today() - dt.timedelta(days=3))
    response = as_counsellor.get(reverse("person_detail", args=[person.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Jeanne DURAND" in content
    assert "en attente" in content  # status: waiting on the new prescription
    assert "prévoir son renouvellement" in content  # recognition ends within 6 months
    assert "Décision CDAPH" in content
    assert "01/06/2024" in content and "31/08/2024" in content  # the veille
    assert "Courrier" in content  # outreach channel
    assert "Déménagement hors du territoire" in content  # exit reason
    assert reverse("admit", args=[waiting.pk]) in content
    assert "Historique des modifications" in content and "a admis la personne" in content


def test_opening_a_person_page_is_logged(as_counsellor, person, counsellor):
    as_counsellor.get(reverse("person_detail", args=[person.pk]))
    entry = AuditEntry.objects.get(action="person.viewed")
    assert (entry.user, entry.person) == (counsellor.user, person)
    assert entry.ip == "127.0.0.1"


def test_person_status_on_the_list(as_counsellor, lead, counsellor):
    active = EpisodeFactory(
        prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Actif")),
        counsellor=counsellor,
    )
    in_veille = EpisodeFactory(
        prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Pause")),
        counsellor=counsellor,
    )
    PauseFactory(episode=in_veille, start=today() - dt.timedelta(days=3), end=today() + dt.timedelta(days=30))
    content = as_counsellor.get(reverse("person_list")).content.decode()
    assert "ACTIF" in content and "PAUSE" in content
    assert content.count("badge active") >= 1 and "badge in_veille" in content
    assert active.person.last_name.upper() in content


def test_person_list_filters_by_status(as_counsellor, lead, counsellor):
    active = EpisodeFactory(prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Actif")), counsellor=counsellor)
    veille = EpisodeFactory(prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Pause")), counsellor=counsellor)
    PauseFactory(episode=veille, start=today() - dt.timedelta(days=3), end=today() + dt.timedelta(days=30))
    waiting = PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Attente"), date=today())
    exited = EpisodeFactory(prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Sorti")), counsellor=counsellor)
    services.exit_episode(counsellor.user, exited, exit_date=D(2024, 6, 1), reason="death", version=exited.version)
    expected = {
        "active": {"ACTIF"},
        "in_veille": {"PAUSE"},
        "current": {"ACTIF", "PAUSE"},
        "waiting": {"ATTENTE"},
        "exited": {"SORTI"},
        "": {"ACTIF", "PAUSE", "ATTENTE", "SORTI"},
    }
    names = {"ACTIF", "PAUSE", "ATTENTE", "SORTI"}
    for status, shown in expected.items():
        content = as_counsellor.get(reverse("person_list"), {"status": status}).content.decode()
        assert {n for n in names if f">{n} " in content} == shown, status
    assert active and waiting
