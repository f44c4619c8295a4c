"""Shared helpers for the daily-activity tests: a supported person of the counsellor's caseload."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import EpisodeFactory, PersonFactory, PrescriptionFactory
from tremplin.lib.dates import today


def supported(person, counsellor, admitted_on: dt.date | None = None):
    """Admit `person` (a long time ago by default) with `counsellor` as conseiller unique."""
    admitted_on = admitted_on or dt.date(2024, 2, 1)
    return EpisodeFactory(
        prescription=PrescriptionFactory(person=person, date=admitted_on - dt.timedelta(days=10)),
        admitted_on=admitted_on,
        counsellor=counsellor,
    )


@pytest.fixture
def followed(person, counsellor):
    """Jeanne Durand, supported since 01/02/2024 by Claire Martin."""
    supported(person, counsellor)
    return person


@pytest.fixture
def day():
    return today()


def make_persons(lead, counsellor, n, prefix="Suivi"):
    persons = []
    for index in range(n):
        p = PersonFactory(organisation=lead, last_name=f"{prefix}{index:03d}")
        supported(p, counsellor)
        persons.append(p)
    return persons
