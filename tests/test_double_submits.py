"""Issue 10 item 13: a creation form posted twice (double click, retried request) creates one
record; two staff creations with the same login answer with a French message, never a 500.
Issue 11 item 8: two persons created at once in one organisation get two file numbers.

The creation forms carry a one-time token (`tremplin.access.submissions`); the tests at the
bottom run two requests at once in two threads, on PostgreSQL (SQLite serialises writers: the
races cannot happen there).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from tests.activity.conftest import supported
from tests.conftest import client_for
from tests.people.test_person_views import NEW_PERSON
from tests.test_concurrent_edits import form_data
from tremplin.activity.models import Intervention
from tremplin.lib.dates import today
from tremplin.organisations import services as staff_services
from tremplin.organisations.models import Staff
from tremplin.pathways import services as pathway_services
from tremplin.people.models import Note, Person

TAKEN = "Cet identifiant est déjà utilisé."
STAFF = {"name": "Nadia Costes", "function": "counsellor", "fte": "0,8", "start": "2026-01-05", "rncp37779": "none"}


def _token(client, url) -> str:
    token = client.get(url).context["form"]["submission"].value()
    assert token
    return str(token)


@pytest.mark.django_db
def test_item13_a_person_form_posted_twice_creates_one_file(as_counsellor):
    url = reverse("person_create")
    data = {**NEW_PERSON, "confirm_not_duplicate": "on", "submission": _token(as_counsellor, url)}
    first = as_counsellor.post(url, data)
    second = as_counsellor.post(url, data)
    person = Person.objects.get(last_name="Vidal")
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("person_detail", args=[person.pk])
    # A new form gets a new token: a second person of the same name is possible, as before.
    again = {**data, "submission": _token(as_counsellor, url)}
    assert as_counsellor.post(url, again).status_code == 302
    assert Person.objects.filter(last_name="Vidal").count() == 2


@pytest.mark.django_db
def test_item13_an_intervention_form_posted_twice_records_one(as_counsellor, person, counsellor):
    supported(person, counsellor)
    url = reverse("intervention_add", args=[person.pk])
    page = as_counsellor.get(url)
    data = {**form_data(page.context["form"]), "duration": "45", "place": "premises"}
    assert as_counsellor.post(url, data).status_code == 302
    assert as_counsellor.post(url, data).status_code == 302
    assert Intervention.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_item13_a_refused_intervention_does_not_use_up_its_token(as_counsellor, person, counsellor):
    supported(person, counsellor)
    url = reverse("intervention_add", args=[person.pk])
    data = {**form_data(as_counsellor.get(url).context["form"]), "duration": "45", "place": "premises"}
    future = {**data, "date": "2100-01-01"}  # refused by the service (a date in the future)
    assert as_counsellor.post(url, future).status_code == 200
    assert as_counsellor.post(url, data).status_code == 302
    assert Intervention.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_item13_a_note_form_posted_twice_saves_one_note(as_counsellor, person):
    url = reverse("person_notes", args=[person.pk])
    token = _token(as_counsellor, url)
    data = {"domain": "professional", "written_on": today().isoformat(), "text": "Bilan.", "submission": token}
    assert as_counsellor.post(url, data).status_code == 302
    assert as_counsellor.post(url, data).status_code == 302
    assert Note.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_item13_a_staff_form_posted_twice_creates_one_member(as_coordinator, lead):
    url = reverse("staff_create")
    data = {
        **STAFF,
        "organisation": lead.pk,
        "username": "nadia.costes",
        "password": "un mot de passe long",
        "submission": _token(as_coordinator, url),
    }
    assert as_coordinator.post(url, data).status_code == 302
    second = as_coordinator.post(url, data)
    assert second.status_code == 302  # not "login already taken": it is the same form
    assert Staff.objects.filter(name="Nadia Costes").count() == 1


@pytest.mark.django_db
def test_item13_a_login_taken_meanwhile_is_refused_next_to_the_field(coordinator, lead):
    """Two forms with the same login, both past the form's check: the second creation is refused
    with the message of the form, not an IntegrityError."""
    data = {"organisation": lead, "name": "Nadia Costes", "function": "counsellor", "fte": 1, "start": today()}
    staff_services.create_staff(coordinator.user, data, "nadia.costes", "un mot de passe long")
    with pytest.raises(pathway_services.DomainError) as refused:
        staff_services.create_staff(coordinator.user, {**data, "name": "N. Costes"}, "nadia.costes", "un autre long")
    assert (refused.value.field, str(refused.value)) == ("username", TAKEN)
    assert Staff.objects.filter(organisation=lead, name__contains="Costes").count() == 1


# Two requests at once (PostgreSQL) --------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (BEGIN IMMEDIATE): two creations never overlap there",
)


def _at_once(*calls):
    """Run the calls in two threads started together; their results (or exceptions)."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def slow_codes(monkeypatch):
    """Widen the race window: a pause between choosing the next code and saving the record."""
    for module, name in ((pathway_services, "next_person_code"), (staff_services, "next_staff_code")):
        original = getattr(module, name)

        def slowed(organisation, original=original):
            code = original(organisation)
            time.sleep(0.3)
            return code

        monkeypatch.setattr(module, name, slowed)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_issue11_item8_two_persons_created_at_once_in_one_organisation_get_two_numbers(
    counsellor, colleague, slow_codes
):
    clients = [client_for(counsellor), client_for(colleague)]
    for client in clients:
        client.raise_request_exception = False
    url = reverse("person_create")
    posts = [
        {**NEW_PERSON, "last_name": name, "submission": _token(client, url)}
        for name, client in zip(("Vidal", "Roux"), clients, strict=True)
    ]
    results = _at_once(*(lambda c=c, p=p: c.post(url, p) for c, p in zip(clients, posts, strict=True)))
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    codes = sorted(Person.objects.filter(last_name__in=["Vidal", "Roux"]).values_list("code", flat=True))
    assert len(codes) == 2 and codes[0] != codes[1]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_item13_one_person_form_posted_twice_at_once_creates_one_file(counsellor, slow_codes):
    client_a, client_b = client_for(counsellor), client_for(counsellor)
    url = reverse("person_create")
    data = {**NEW_PERSON, "submission": _token(client_a, url)}
    results = _at_once(lambda: client_a.post(url, data), lambda: client_b.post(url, data))
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert Person.objects.filter(last_name="Vidal").count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_item13_two_staff_creations_with_one_login_at_once_answer_without_error(coordinator, manager, lead):
    clients = [client_for(coordinator), client_for(manager)]
    for client in clients:
        client.raise_request_exception = False
    url = reverse("staff_create")
    posts = [
        {**STAFF, "name": name, "organisation": lead.pk, "username": "nadia.costes", "password": "un mot de passe long",
         "submission": _token(client, url)}
        for name, client in zip(("Nadia Costes", "N. Costes"), clients, strict=True)
    ]  # fmt: skip
    original = staff_services._create_account

    def slowed(*args):  # both forms' checks pass before either account exists
        time.sleep(0.3)
        return original(*args)

    staff_services._create_account = slowed
    try:
        results = _at_once(*(lambda c=c, p=p: c.post(url, p) for c, p in zip(clients, posts, strict=True)))
    finally:
        staff_services._create_account = original
    statuses = sorted(getattr(r, "status_code", r) for r in results)
    assert statuses == [200, 302]
    refused = next(r for r in results if r.status_code == 200)
    assert TAKEN in refused.content.decode() and 'id="id_username_error"' in refused.content.decode()
    assert Staff.objects.filter(user__username="nadia.costes").count() == 1
