"""The demo command: realistic, deterministic, respectful of every rule, and polite with bad input."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tremplin import demo
from tremplin.lib.dates import add_months
from tremplin.pathways.models import Episode, ExitReason, Pause
from tremplin.pathways.rules import periods_overlap, silence_long_enough
from tremplin.pathways.services import disengagement_check
from tremplin.pathways.states import Status, person_status
from tremplin.people.models import Person

AS_OF = dt.date(2026, 11, 25)


class _Rollback(Exception):
    pass


def fingerprint():
    return [
        (
            p.code,
            p.first_name,
            p.last_name,
            p.birth_date,
            [(e.admitted_on, e.exit_date, e.exit_reason) for e in p.episodes.order_by("admitted_on")],
        )
        for p in Person.objects.order_by("code").prefetch_related("episodes")
    ]


@pytest.mark.django_db(transaction=False)
def test_demo_is_deterministic_for_a_seed_and_date():
    prints = []
    for _ in range(2):
        try:
            with transaction.atomic():
                demo.build(seed=7, as_of=AS_OF, persons=60)
                prints.append(fingerprint())
                raise _Rollback
        except _Rollback:
            pass
    assert prints[0] == prints[1] and len(prints[0]) == 60


@pytest.mark.django_db
def test_demo_represents_every_state_and_exit_reason_and_respects_the_rules():
    demo.build(seed=2026, as_of=AS_OF, persons=250)
    persons = list(Person.objects.prefetch_related("episodes__pauses", "prescriptions__episodes", "recognitions"))
    assert len(persons) == 250
    statuses = {person_status(p, AS_OF) for p in persons}
    assert {Status.WAITING, Status.ACTIVE, Status.IN_VEILLE, Status.EXITED} <= statuses
    reasons = set(Episode.objects.exclude(exit_reason="").values_list("exit_reason", flat=True))
    assert reasons == set(ExitReason.values)
    assert (
        Person.objects.filter(episodes__isnull=False).distinct().count() < Episode.objects.count()
    )  # someone came back
    for person in persons:
        episodes = sorted(person.episodes.all(), key=lambda e: e.admitted_on)
        for before, after in zip(episodes, episodes[1:], strict=False):
            assert before.exit_date is not None and before.exit_date <= after.admitted_on
        for episode in episodes:
            assert episode.prescription is None or episode.prescription.date <= episode.admitted_on
            assert any(r.is_valid_on(episode.admitted_on) for r in person.recognitions.all())
            pauses = sorted(episode.pauses.all(), key=lambda p: p.start)
            for pause in pauses:
                assert episode.admitted_on <= pause.start <= pause.end
                assert episode.exit_date is None or pause.end < episode.exit_date
                assert pause.end <= add_months(pause.start, 12) or pause.extensions.exists()
            for a, b in zip(pauses, pauses[1:], strict=False):
                assert not periods_overlap(a.start, a.end, b.start, b.end)
            if episode.exit_reason == "disengagement":
                allowed, contact, _ = disengagement_check(episode, episode.exit_date)
                assert allowed and silence_long_enough(contact, episode.exit_date)
    assert Pause.objects.filter(end__lt=AS_OF, closed_on__isnull=True).exists()  # an overdue veille to handle


@pytest.mark.django_db
def test_demo_command_prints_the_accounts_and_refuses_a_non_empty_database():
    out = StringIO()
    call_command("demo", "--as-of", "2026-11-25", "--persons", "40", stdout=out)
    assert "claire.martin" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()
    with pytest.raises(CommandError, match="pas vide"):
        call_command("demo", stdout=StringIO())
    again = StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert "claire.martin" in again.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--as-of", "25/11/2026"], ["--persons", "5"], ["--persons", "9999999"]])
def test_demo_command_bad_arguments_give_a_clear_message(args):
    with pytest.raises(CommandError):
        call_command("demo", *args, stdout=StringIO())
    assert not Person.objects.exists()
