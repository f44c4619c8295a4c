"""The `in_ids` lookup (tremplin.lib.db): a long list of ids sent as one query parameter selects
the same rows as `__in`, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InterventionFactory, PersonFactory
from tremplin.activity.models import Intervention
from tremplin.people.models import Person


def test_in_ids_selects_the_same_rows_as_in(lead):
    persons = [PersonFactory(organisation=lead) for _ in range(6)]
    wanted = [p.pk for p in persons[::2]] + [10**12]  # an id that exists nowhere
    assert set(Person.objects.filter(pk__in_ids=wanted).values_list("pk", flat=True)) == set(wanted[:-1])
    assert not Person.objects.filter(pk__in_ids=[]).exists()
    assert Person.objects.exclude(pk__in_ids=wanted).count() == 3


def test_in_ids_on_a_foreign_key_and_with_thousands_of_ids(lead):
    person = PersonFactory(organisation=lead)
    InterventionFactory(person=person)
    ids = list(range(10**9, 10**9 + 40_000)) + [person.pk]  # above SQLite's limit of parameters
    with CaptureQueriesContext(connection) as queries:
        assert Intervention.objects.filter(person_id__in_ids=ids).count() == 1
        assert Intervention.objects.filter(person__in_ids=ids).count() == 1
    assert len(queries) == 2
