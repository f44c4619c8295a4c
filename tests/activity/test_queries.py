"""The caseload, team and due pages answer with a constant number of SQL queries, whatever the
number of persons (here 5, then 25 persons with interventions, contracts, veilles, outreach,
appointments and prescriptions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.activity.conftest import supported
from tests.conftest import client_for
from tests.factories import (
    ContractFactory,
    EmployerFactory,
    InterventionFactory,
    OutreachFactory,
    PauseFactory,
    PersonFactory,
    PrescriptionFactory,
    StaffFactory,
)
from tremplin.activity.models import Appointment
from tremplin.lib.dates import add_months, today

MAX_QUERIES = 30


def populate(lead, counsellor, start, n):
    day = today()
    employer = EmployerFactory(platform=lead.platform)
    leaver = StaffFactory(organisation=lead, end=day - dt.timedelta(days=2))
    for index in range(start, start + n):
        person = PersonFactory(organisation=lead, last_name=f"Charge{index:03d}")
        episode = supported(person, leaver if index % 7 == 0 else counsellor)
        InterventionFactory(person=person, episode=episode, date=day, minutes=30 + index)
        InterventionFactory(person=person, episode=episode, date=add_months(day, -5), minutes=60)
        if index % 2:
            ContractFactory(person=person, employer=employer, start=day - dt.timedelta(days=30))
        if index % 3 == 0:
            PauseFactory(episode=episode, start=day - dt.timedelta(days=10), end=day + dt.timedelta(days=5))
        if index % 4 == 0:
            OutreachFactory(episode=episode, date=day - dt.timedelta(days=3))
        if index % 5 == 0:
            Appointment.objects.create(
                person=person, staff=counsellor, starts_at=timezone.now() + dt.timedelta(days=1), place="premises"
            )
        PrescriptionFactory(person=PersonFactory(organisation=lead), date=day - dt.timedelta(days=40 + index))


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "who, url",
    [
        ("counsellor", reverse("caseload")),
        ("counsellor", reverse("due_list")),
        ("coordinator", reverse("team")),
        ("coordinator", reverse("due_list") + "?view=team"),
        ("coordinator", reverse("team_reassign") + "?source=none"),
    ],
)
def test_pages_answer_with_a_constant_number_of_queries(who, url, request, lead, counsellor, coordinator):
    client = client_for(request.getfixturevalue(who))
    populate(lead, counsellor, 0, 5)
    small = count(client, url)
    populate(lead, counsellor, 5, 20)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries for 5 persons, {large} for 25"
    assert large <= MAX_QUERIES


def test_the_caseload_row_after_logging_is_also_constant(lead, counsellor, django_assert_max_num_queries):
    populate(lead, counsellor, 0, 25)
    client = client_for(counsellor)
    person = PersonFactory(organisation=lead)
    supported(person, counsellor)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("caseload_row", args=[person.pk]), HTTP_HX_REQUEST="true")
