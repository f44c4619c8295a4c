"""Intensity and the quarterly interview, with hand-computed values at every boundary of INDICATORS.md."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from tests.factories import EpisodeFactory, InterventionFactory, PauseFactory, PersonFactory, PrescriptionFactory
from tremplin.activity import measures
from tremplin.activity.measures import FOLLOW_UP, INTENSIVE, LIGHT, REGULAR, UNCLASSIFIED
from tremplin.pathways.models import Episode

D = dt.date
Q3 = (D(2025, 7, 1), D(2025, 9, 30))


@pytest.fixture
def someone(lead):
    return PersonFactory(organisation=lead)


def admit(person, admitted_on, exit_date=None, reason="death"):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person, date=admitted_on), admitted_on=admitted_on)
    if exit_date:
        Episode.objects.filter(pk=episode.pk).update(exit_date=exit_date, exit_reason=reason)
        episode.refresh_from_db()
    return episode


def log(person, day, minutes, with_whom="person"):
    InterventionFactory(person=person, date=day, minutes=minutes, with_whom=with_whom)


def level_of(person, period=Q3):
    return measures.intensity([person.pk], *period)[person.pk]


@pytest.mark.parametrize(
    "minutes, level",
    [
        (36 * 60 + 1, INTENSIVE),
        (36 * 60, REGULAR),  # exactly 12 h a month
        (24 * 60, REGULAR),  # exactly 8 h a month
        (24 * 60 - 1, FOLLOW_UP),
        (6 * 60, FOLLOW_UP),  # exactly 2 h a month
        (6 * 60 - 1, LIGHT),
        (0, LIGHT),
    ],
)
def test_intensity_thresholds_over_a_full_quarter(someone, minutes, level):
    admit(someone, D(2025, 1, 6))
    remaining = minutes
    day = D(2025, 7, 1)
    while remaining > 0:
        chunk = min(remaining, 720)
        log(someone, day, chunk)
        remaining -= chunk
        day += dt.timedelta(days=1)
    result = level_of(someone)
    assert result.months == 3
    assert result.level == level


def test_less_than_half_a_month_active_is_unclassified(lead):
    fifteen_days = PersonFactory(organisation=lead)
    fourteen_days = PersonFactory(organisation=lead)
    admit(fifteen_days, D(2025, 9, 16))  # 16..30 September: 15/30 = 1/2 month
    admit(fourteen_days, D(2025, 9, 17))  # 14/30 < 1/2
    log(fifteen_days, D(2025, 9, 20), 60)
    log(fourteen_days, D(2025, 9, 20), 600)
    assert level_of(fifteen_days).months == Fraction(1, 2)
    assert level_of(fourteen_days).level == UNCLASSIFIED


def test_half_a_month_at_exactly_one_hour_is_follow_up(someone):
    admit(someone, D(2025, 9, 16))
    log(someone, D(2025, 9, 20), 60)
    # 60 minutes over 1/2 month = 2 h a month: follow-up (2 <= rate < 8).
    assert level_of(someone).level == FOLLOW_UP


def test_a_person_in_veille_all_through_the_period_is_unclassified(someone):
    episode = admit(someone, D(2025, 1, 6))
    PauseFactory(episode=episode, start=D(2025, 6, 15), end=D(2025, 10, 15))
    log(someone, D(2025, 8, 1), 300)
    result = level_of(someone)
    assert (result.months, result.minutes, result.level) == (0, 0, UNCLASSIFIED)


def test_interventions_during_veille_on_exit_day_and_before_admission_do_not_count(someone):
    episode = admit(someone, D(2025, 7, 10), exit_date=D(2025, 9, 30))
    PauseFactory(episode=episode, start=D(2025, 8, 1), end=D(2025, 8, 31))
    log(someone, D(2025, 7, 9), 100)  # before admission
    log(someone, D(2025, 8, 15), 100)  # during veille
    log(someone, D(2025, 9, 30), 100)  # exit day
    log(someone, D(2025, 7, 10), 30)  # admission day counts
    log(someone, D(2025, 9, 29), 30)  # last day supported counts
    result = level_of(someone)
    assert result.minutes == 60
    # July 10..31 = 22/31, August 0, September 1..29 = 29/30
    assert result.months == Fraction(22, 31) + Fraction(29, 30)


def test_veille_starting_and_ending_on_the_period_boundaries(someone):
    episode = admit(someone, D(2025, 1, 6))
    PauseFactory(episode=episode, start=D(2025, 7, 1), end=D(2025, 7, 1))
    PauseFactory(episode=episode, start=D(2025, 9, 30), end=D(2025, 10, 31))
    assert level_of(someone).months == Fraction(30, 31) + 1 + Fraction(29, 30)


def test_active_days_of_two_episodes_add_up(someone):
    admit(someone, D(2025, 7, 1), exit_date=D(2025, 7, 16), reason="moved_out")  # 1..15 July
    admit(someone, D(2025, 9, 1))  # all September
    log(someone, D(2025, 7, 20), 500)  # between episodes: does not count
    log(someone, D(2025, 9, 2), 120)
    result = level_of(someone)
    assert result.months == Fraction(15, 31) + 1
    assert result.minutes == 120


def test_exit_on_the_last_day_of_the_period(someone):
    admit(someone, D(2025, 1, 6), exit_date=D(2025, 9, 30))
    assert level_of(someone).months == 2 + Fraction(29, 30)


def test_persons_not_supported_during_the_period_are_absent(someone, lead):
    admit(someone, D(2025, 10, 1))
    assert measures.intensity([someone.pk], *Q3) == {}


def test_without_interview_needs_activity_on_every_day_of_the_period(lead):
    never_seen = PersonFactory(organisation=lead)
    admit(never_seen, D(2025, 1, 6))
    seen = PersonFactory(organisation=lead)
    admit(seen, D(2025, 1, 6))
    log(seen, D(2025, 8, 1), 30, with_whom="both")
    employer_only = PersonFactory(organisation=lead)
    admit(employer_only, D(2025, 1, 6))
    log(employer_only, D(2025, 8, 1), 30, with_whom="employer")
    arrived_late = PersonFactory(organisation=lead)
    admit(arrived_late, D(2025, 7, 2))
    one_day_veille = PersonFactory(organisation=lead)
    PauseFactory(episode=admit(one_day_veille, D(2025, 1, 6)), start=D(2025, 9, 30), end=D(2025, 12, 31))
    back_to_back = PersonFactory(organisation=lead)
    admit(back_to_back, D(2025, 1, 6), exit_date=D(2025, 8, 1), reason="person_request")
    admit(back_to_back, D(2025, 8, 1))
    result = measures.persons_without_interview(
        [p.pk for p in (never_seen, seen, employer_only, arrived_late, one_day_veille, back_to_back)], *Q3
    )
    assert result == {never_seen.pk, employer_only.pk, back_to_back.pk}


def test_monthly_intensity_for_the_persons_page(someone):
    admit(someone, D(2025, 5, 1))
    log(someone, D(2025, 5, 5), 7 * 60)
    log(someone, D(2025, 5, 6), 6 * 60)
    log(someone, D(2025, 6, 5), 60)
    rows = measures.monthly_intensity(someone, D(2025, 6, 30), count=3)
    assert [(r["month"], r["minutes"], r["level"]) for r in rows] == [
        (D(2025, 4, 1), 0, UNCLASSIFIED),
        (D(2025, 5, 1), 780, INTENSIVE),
        (D(2025, 6, 1), 60, LIGHT),
    ]
