"""Issue 10, item 10: every page that shows a named person's data logs the read, once per page
view (not once per row); the person's access list shows it; completing a password reset is logged.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import (
    ContractFactory,
    EmployerFactory,
    EpisodeFactory,
    InterventionFactory,
    PersonFactory,
    PlacementFactory,
    PrescriptionFactory,
)
from tremplin.activity.models import Appointment
from tremplin.audit.models import AuditEntry


@pytest.fixture
def world(platform, lead, person, counsellor):
    other = PersonFactory(organisation=lead, first_name="Paul", last_name="Vidal")
    for p in (person, other):
        EpisodeFactory(prescription=PrescriptionFactory(person=p), counsellor=counsellor)
    for day in (1, 2, 3):
        InterventionFactory(person=person, date=dt.date(2024, 3, day), staff=counsellor)
    employer = EmployerFactory(platform=platform)
    ContractFactory(person=person, employer=employer)
    PlacementFactory(person=other, employer=employer)
    waiting = PersonFactory(organisation=lead, first_name="Inès", last_name="Bru")
    PrescriptionFactory(person=waiting, date=dt.date(2024, 5, 2))
    orphan = PersonFactory(organisation=lead, first_name="Léa", last_name="Sans")
    EpisodeFactory(prescription=PrescriptionFactory(person=orphan))  # no counsellor: on the team page
    appointment = Appointment.objects.create(
        person=person, staff=counsellor, starts_at=timezone.now() + dt.timedelta(days=2), place="premises"
    )
    return {
        "person": person,
        "other": other,
        "waiting": waiting,
        "orphan": orphan,
        "employer": employer,
        "appointment": appointment,
    }


def _new_entries(before: int):
    return list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


SINGLE_PERSON_PAGES = [
    ("person_edit", "edit", "counsellor"),
    ("intervention_list", "interventions", "counsellor"),
    ("person_rights", "rights", "counsellor"),
    ("person_notes", "notes", "counsellor"),
]


@pytest.mark.parametrize("name,page,who", SINGLE_PERSON_PAGES, ids=[p[0] for p in SINGLE_PERSON_PAGES])
def test_item10_a_page_about_one_person_logs_one_read_naming_them(world, counsellor, name, page, who):
    person = world["person"]
    before = _last_id()
    response = client_for(counsellor).get(reverse(name, args=[person.pk]))
    assert response.status_code == 200
    reads = [e for e in _new_entries(before) if e.action == "person.viewed"]
    assert len(reads) == 1, [(e.action, e.detail) for e in _new_entries(before)]
    assert reads[0].person == person and reads[0].user == counsellor.user and reads[0].detail["page"] == page


def test_item10_the_appointment_page_logs_the_read(world, counsellor):
    before = _last_id()
    assert client_for(counsellor).get(reverse("appointment_detail", args=[world["appointment"].pk])).status_code == 200
    [read] = [e for e in _new_entries(before) if e.action == "person.viewed"]
    assert read.person == world["person"] and read.detail["page"] == "appointment"


def _listed(client, url, before):
    response = client.get(url)
    assert response.status_code == 200, url
    entries = [e for e in _new_entries(before) if e.action == "persons.listed"]
    assert len(entries) == 1, f"{url}: {[(e.action, e.detail) for e in _new_entries(before)]}"
    return entries[0]


LIST_PAGES = [
    # (who, URL builder, page code, persons that must be listed, persons that must not)
    ("counsellor", lambda w: reverse("person_list") + "?q=Durand", "search", ["person"], ["other"]),
    ("counsellor", lambda w: reverse("person_list"), "search", ["person", "other", "waiting"], []),
    ("counsellor", lambda w: reverse("caseload"), "caseload", ["person", "other"], ["waiting"]),
    ("counsellor", lambda w: reverse("caseload_row", args=[w["person"].pk]), "caseload", ["person"], ["other"]),
    ("counsellor", lambda w: reverse("waiting_list"), "waiting_list", ["waiting"], ["person"]),
    ("counsellor", lambda w: reverse("employer_detail", args=[w["employer"].pk]), "employer", ["person", "other"], []),
    ("counsellor", lambda w: reverse("due_list") + "?view=mine", "due", ["person", "other"], ["waiting"]),
    ("coordinator", lambda w: reverse("team"), "team", ["orphan"], []),
    (
        "coordinator",
        lambda w: reverse("steering_persons") + "?key=activity.supported",
        "steering_persons",
        ["person", "other", "orphan"],
        ["waiting"],
    ),
]


@pytest.mark.parametrize(
    "who,url,page,shown,not_shown", LIST_PAGES, ids=[f"{p[2]}-{i}" for i, p in enumerate(LIST_PAGES)]
)
def test_item10_a_page_listing_persons_logs_one_entry_naming_each_of_them(
    world, request, who, url, page, shown, not_shown
):
    staff = request.getfixturevalue(who)
    entry = _listed(client_for(staff), url(world), _last_id())
    assert entry.user == staff.user and entry.detail["page"] == page and entry.person is None
    ids = entry.detail["persons"]
    assert len(ids) == len(set(ids)) == entry.detail["count"]  # one line for the page, each person once
    for key in shown:
        assert world[key].pk in ids, (page, key)
    for key in not_shown:
        assert world[key].pk not in ids, (page, key)


def test_item10_a_list_showing_nobody_logs_nothing(world, counsellor):
    before = _last_id()
    assert client_for(counsellor).get(reverse("person_list") + "?q=Personne-inconnue").status_code == 200
    assert not [e for e in _new_entries(before) if e.action == "persons.listed"]


def test_item10_the_persons_access_list_shows_the_pages_and_lists_that_named_them(world, counsellor, manager):
    person, waiting = world["person"], world["waiting"]
    client = client_for(counsellor)
    client.get(reverse("person_edit", args=[person.pk]))
    client.get(reverse("caseload"))
    page = client_for(manager).get(reverse("person_accesses", args=[person.pk])).content.decode()
    assert "a consulté le dossier de la personne (formulaire de modification)" in page
    assert "a vu une liste de personnes nommées (portefeuille)" in page
    # The waiting person was not on the caseload: their list does not show it.
    page = client_for(manager).get(reverse("person_accesses", args=[waiting.pk])).content.decode()
    assert "portefeuille" not in page


def test_item10_completing_a_password_reset_is_logged(counsellor):
    user = counsellor.user
    user.email = "claire@example.org"
    user.save()
    client = Client()
    client.post(reverse("password_reset"), {"email": "claire@example.org"})
    link = re.search(r"http://testserver(/reinitialiser/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    assert not AuditEntry.objects.filter(action="account.password_reset").exists()
    done = client.post(
        form_url, {"new_password1": "Un-nouveau-mot-2026", "new_password2": "Un-nouveau-mot-2026"}, REMOTE_ADDR="10.4.4.4"
    )
    assert done.status_code == 302
    entry = AuditEntry.objects.get(action="account.password_reset")
    assert entry.user == user and entry.ip == "10.4.4.4" and entry.actor == "Claire Martin"


def test_item10_any_other_page_about_one_person_logs_one_read_too(world, counsellor):
    """Forms of records hanging off a person (a prescription, an exit...) log the read through the
    scope's lookup, without a line in the view; pages that log their own read are not logged twice."""
    person = world["person"]
    prescription = person.prescriptions.first()
    client = client_for(counsellor)
    for name, args in (
        ("prescription_edit", [prescription.pk]),
        ("exit_episode", [person.episodes.first().pk]),
        ("contract_add", [person.pk]),
    ):
        before = _last_id()
        assert client.get(reverse(name, args=args)).status_code == 200, name
        reads = [e for e in _new_entries(before) if e.action == "person.viewed"]
        assert [(r.person_id, r.detail["page"]) for r in reads] == [(person.pk, name)]
    for name, args in (("person_detail", [person.pk]), ("caseload_row", [person.pk])):
        before = _last_id()
        client.get(reverse(name, args=args))
        assert len([e for e in _new_entries(before) if e.action in ("person.viewed", "persons.listed")]) == 1, name
    before = _last_id()
    client.post(reverse("recognition_add", args=[person.pk]), {"kind": "rqth", "start": "2024-01-01"})
    assert not [e for e in _new_entries(before) if e.action == "person.viewed"]  # a change, not a page view


def test_item10_the_scope_notes_the_person_in_the_audit_context_not_on_the_request(world, counsellor):
    """The lookup that finds the person notes them in audit.context (a contextvar, for the
    middleware's fallback read); outside a request nothing is noted and nothing breaks; the
    request object carries no audit attribute."""
    from django.test import RequestFactory

    from tremplin.access import scope
    from tremplin.audit import context

    person = world["person"]
    assert scope.get_person(counsellor.user, person.pk) == person
    assert context.noted_person() is None  # no request being served
    request = RequestFactory().get("/")
    token = context.serving(request)
    try:
        scope.get_for_person(counsellor.user, person.prescriptions.all(), person.prescriptions.first().pk)
        assert context.noted_person() == person.pk and not context.read_logged()
    finally:
        context.done(token)
    assert context.noted_person() is None
    assert not [name for name in vars(request) if name.startswith("_tremplin")]
