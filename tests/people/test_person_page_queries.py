"""The person's page loads its data in plain sight: a small, pinned number of SQL queries,
the same whatever the number of interventions, contracts, placements, veilles, outreach attempts,
appointments, recognitions and episodes of the person."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.activity.conftest import supported
from tests.conftest import client_for
from tests.factories import (
    ContractFactory,
    EmployerFactory,
    EpisodeFactory,
    InterventionFactory,
    OutreachFactory,
    PauseFactory,
    PlacementFactory,
    PrescriptionFactory,
)
from tremplin.activity.models import Appointment
from tremplin.lib.dates import today
from tremplin.people.models import Recognition

# Before the page function (main at d97890b): 32 queries for this person, 7 of which are the
# session (read, then saved: 3), the user, the second factor and the staff record. Now 27: the
# person is read once, the intensity comes from the episodes already loaded, the interventions
# are read twice (minutes per day; the latest ones and the latest at the workplace).
MAX_QUERIES = 27


def _enrich(person, counsellor, n):
    """n interventions (some at the workplace), contracts, placements, veilles, attempts."""
    day = today()
    episode = person.episodes.get(exit_date__isnull=True)
    employer = EmployerFactory(platform=person.organisation.platform)
    for index in range(n):
        start = day - dt.timedelta(days=400 - 30 * index)
        contract = ContractFactory(
            person=person, employer=employer, start=start, end=start + dt.timedelta(days=20), end_reason="term"
        )
        PlacementFactory(
            person=person, employer=employer, start=start + dt.timedelta(days=21), end=start + dt.timedelta(days=25)
        )
        InterventionFactory(
            person=person, episode=episode, date=day - dt.timedelta(days=index), minutes=30, staff=counsellor
        )
        InterventionFactory(
            person=person,
            episode=episode,
            date=start + dt.timedelta(days=3),
            minutes=45,
            staff=counsellor,
            employer=employer,
            contract=contract,
        )
        OutreachFactory(episode=episode, date=day - dt.timedelta(days=200 + index))
        Recognition.objects.create(person=person, kind="rqth", start=dt.date(2020, 1, 1 + index), end=None)
        Appointment.objects.create(
            person=person, staff=counsellor, starts_at=timezone.now() + dt.timedelta(days=1 + index), place="premises"
        )
    PauseFactory(episode=episode, start=day - dt.timedelta(days=150), end=day - dt.timedelta(days=120))


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response


def test_the_persons_page_does_a_small_pinned_number_of_queries_whatever_its_records(person, counsellor):
    supported(person, counsellor)
    client = client_for(counsellor)
    url = reverse("person_detail", args=[person.pk])
    client.get(url)  # the session and the second factor are read once for all
    _enrich(person, counsellor, 1)
    few, _ = _count(client, url)
    _enrich(person, counsellor, 6)
    earlier = EpisodeFactory(
        prescription=PrescriptionFactory(person=person, code="PR9", date=dt.date(2020, 12, 1)),
        admitted_on=dt.date(2021, 1, 4),
        exit_date=dt.date(2022, 1, 3),
        exit_reason="moved_out",
        counsellor=counsellor,
    )
    PauseFactory(episode=earlier, start=dt.date(2021, 5, 1), end=dt.date(2021, 6, 1))
    many, response = _count(client, url)
    assert few <= MAX_QUERIES, few
    assert many == few, (few, many)
    content = response.content.decode()
    # Every section is there: activity, employment timeline, contracts and workplace support.
    for section in ('id="person-activity"', 'id="pathway-chart-title"', 'id="contracts-title"', 'id="workplace-title"'):
        assert section in content, section
