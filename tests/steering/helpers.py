"""Small builders for hand-computed indicator tests: every date is explicit."""

from __future__ import annotations

import datetime as dt

from tests.factories import (
    ContractFactory,
    EpisodeFactory,
    InterventionFactory,
    PauseFactory,
    PersonFactory,
    PlacementFactory,
    PrescriptionFactory,
)
from tremplin.pathways.models import Episode

D = dt.date
Q3 = (D(2025, 7, 1), D(2025, 9, 30))


def make_person(organisation, **kwargs):
    return PersonFactory(organisation=organisation, **kwargs)


def admit(person, admitted_on, exit_date=None, reason="person_request", prescribed_on=None, **fields):
    prescription = PrescriptionFactory(person=person, date=prescribed_on or admitted_on)
    episode = EpisodeFactory(prescription=prescription, admitted_on=admitted_on, **fields)
    if exit_date:
        Episode.objects.filter(pk=episode.pk).update(exit_date=exit_date, exit_reason=reason)
        episode.refresh_from_db()
    return episode


def veille(episode, start, end):
    return PauseFactory(episode=episode, start=start, end=end)


def log(person, day, minutes=60, with_whom="person", place="premises"):
    return InterventionFactory(person=person, date=day, minutes=minutes, with_whom=with_whom, place=place)


def log_minutes(person, first_day, minutes, with_whom="person"):
    """Log `minutes` in chunks of at most 720 on consecutive days from `first_day`."""
    day = first_day
    while minutes > 0:
        chunk = min(minutes, 720)
        log(person, day, chunk, with_whom=with_whom)
        minutes -= chunk
        day += dt.timedelta(days=1)


def contract(person, employer, start, end=None, reason="", **kwargs):
    if end is not None and not reason:
        reason = "term"
    return ContractFactory(person=person, employer=employer, start=start, end=end, end_reason=reason, **kwargs)


def placement(person, employer, start, end):
    return PlacementFactory(person=person, employer=employer, start=start, end=end)
