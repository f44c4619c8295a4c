"""The pages of this area do not make more queries when there are more persons or entries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, PersonFactory, PrescriptionFactory, UserFactory
from tremplin.access.models import ExternalAccount
from tremplin.audit.log import record


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_access_pages_do_not_grow_with_the_entries(person, counsellor, manager, django_assert_max_num_queries):
    client = client_for(manager)
    record(counsellor.user, "person.viewed", person, person=person)
    few = [
        _queries(client, url, django_assert_max_num_queries, 30)
        for url in (reverse("person_accesses", args=[person.pk]), reverse("access_log"))
    ]
    for _ in range(40):
        record(counsellor.user, "person.viewed", person, person=person)
    many = [
        _queries(client, url, django_assert_max_num_queries, 30)
        for url in (reverse("person_accesses", args=[person.pk]), reverse("access_log"))
    ]
    assert many == few


def test_the_prescriber_page_does_not_grow_with_the_prescriptions(
    platform, lead, counsellor, django_assert_max_num_queries
):
    user = UserFactory()
    ExternalAccount.objects.create(
        user=user,
        platform=platform,
        kind="prescriber",
        name="P",
        prescriber_kind="cap_emploi",
        prescriber_organisation="Cap emploi Aveyron",
    )
    client = client_for(user)

    def add(count):
        for _ in range(count):
            prescription = PrescriptionFactory(
                person=PersonFactory(organisation=lead),
                prescriber="cap_emploi",
                prescriber_organisation="Cap emploi Aveyron",
                date=dt.date(2024, 1, 5),
            )
            EpisodeFactory(prescription=prescription, admitted_on=dt.date(2024, 2, 1), counsellor=counsellor)

    add(2)
    few = _queries(client, reverse("prescriber_status"), django_assert_max_num_queries, 25)
    add(20)
    assert _queries(client, reverse("prescriber_status"), django_assert_max_num_queries, 25) == few


def test_the_funder_page_does_not_grow_with_the_persons(
    platform, lead, counsellor, manager, django_assert_max_num_queries
):
    client = client_for(manager)

    def add(count):
        for _ in range(count):
            EpisodeFactory(
                prescription=PrescriptionFactory(person=PersonFactory(organisation=lead), date=dt.date(2024, 1, 5)),
                admitted_on=dt.date(2024, 2, 1),
                counsellor=counsellor,
            )

    add(2)
    few = _queries(client, reverse("funder_indicators"), django_assert_max_num_queries, 120)
    add(15)
    assert _queries(client, reverse("funder_indicators"), django_assert_max_num_queries, 120) == few
