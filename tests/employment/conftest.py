"""Helpers for the employment tests: valid SIRET numbers and a person admitted with a counsellor."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import EpisodeFactory, PrescriptionFactory
from tremplin.lib.dates import today

# Valid SIRET numbers (14 digits, Luhn checksum). By hand for SIRET_A, from the right, every second
# digit doubled (minus 9 above 9): 4+5+0+0+0+0+2+6+9+4+8+4+3+5 = 50, a multiple of 10.
SIRET_A = "73282932000074"
SIRET_B = "55210055400013"
SIRET_INVALID = "73282932000075"  # last digit changed: checksum fails


@pytest.fixture
def admitted(person, counsellor):
    """Jeanne Durand, admitted 60 days ago, Claire Martin her counsellor."""
    day = today() - dt.timedelta(days=60)
    prescription = PrescriptionFactory(person=person, date=day - dt.timedelta(days=10))
    return EpisodeFactory(prescription=prescription, admitted_on=day, counsellor=counsellor)
