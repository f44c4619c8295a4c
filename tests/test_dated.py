"""One definition per derived state (issue 11 item 1): the filter and the predicate of each
`DatedState` agree, day by day, and no written-out copy of a state is left in the code."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest

from tests.factories import ContractFactory, EpisodeFactory, PersonFactory, PrescriptionFactory
from tremplin.employment.models import COVERS, Contract
from tremplin.pathways.models import IN_VEILLE, SUPPORTED, Episode, Pause
from tremplin.people.models import RECOGNITION_VALID, Recognition

D = dt.date
DAYS = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(-2, 14)]


def test_item1_a_state_ends_on_its_end_day_or_the_day_before():
    assert SUPPORTED.holds(D(2026, 1, 1), D(2026, 1, 10), D(2026, 1, 9))
    assert not SUPPORTED.holds(D(2026, 1, 1), D(2026, 1, 10), D(2026, 1, 10))  # the exit day is outside
    assert COVERS.holds(D(2026, 1, 1), D(2026, 1, 10), D(2026, 1, 10))  # a contract's last day is inside
    assert SUPPORTED.last_day(D(2026, 1, 10)) == D(2026, 1, 9)
    assert COVERS.last_day(D(2026, 1, 10)) == D(2026, 1, 10)
    assert SUPPORTED.holds(D(2026, 1, 1), None, D(2099, 1, 1))
    assert not SUPPORTED.holds(D(2026, 1, 1), None, D(2025, 12, 31))


@pytest.mark.django_db
def test_item1_filters_and_predicates_agree_day_by_day(lead, counsellor):
    ends = [None, D(2026, 1, 1), D(2026, 1, 5), D(2026, 1, 12)]
    for index, end in enumerate(ends):
        person = PersonFactory(organisation=lead)
        episode = EpisodeFactory(
            prescription=PrescriptionFactory(person=person, date=D(2025, 12, 1)),
            admitted_on=D(2025, 12, 20),
            exit_date=end,
            exit_reason="moved_out" if end else "",
            counsellor=counsellor,
        )
        Pause.objects.create(episode=episode, start=D(2025, 12, 22 + index), end=D(2025, 12, 24 + index))
        ContractFactory(
            person=person,
            employer__platform=lead.platform,
            start=D(2026, 1, 1),
            end=end,
            end_reason="term" if end else "",
        )
        Recognition.objects.create(person=person, kind="rqth", start=D(2025, 12, 28), end=end)
    for state, model in [
        (SUPPORTED, Episode),
        (IN_VEILLE, Pause),
        (COVERS, Contract),
        (RECOGNITION_VALID, Recognition),
    ]:
        records = list(model.objects.all())
        for day in DAYS:
            by_filter = set(model.objects.filter(state.q(day)).values_list("pk", flat=True))
            assert by_filter == {r.pk for r in records if state.holds_for(r, day)}, (model.__name__, day)
            week = [day + dt.timedelta(days=n) for n in range(4)]
            overlapping = set(model.objects.filter(state.overlaps_q(week[0], week[-1])).values_list("pk", flat=True))
            expected = {r.pk for r in records if any(state.holds_for(r, d) for d in week)}
            assert overlapping == expected, (model.__name__, day)
            assert expected == {r.pk for r in records if state.overlaps(*_dates(state, r), week[0], week[-1])}


def _dates(state, record):
    return getattr(record, state.start), getattr(record, state.end)


ROOT = pathlib.Path(__file__).resolve().parents[1] / "tremplin"
# The written-out shapes of "started on or before D and not ended yet" (the copies the review found).
COPIES = [
    re.compile(r"<= day and \(\w*\.?(end|exit_date) is None or"),
    re.compile(r"exit_date is None or .{0,12}exit_date > "),
    re.compile(r"Q\((exit_date|end)__isnull=True\) \| Q\((exit_date__gt|end__gte)=(?!(models\.)?F\()"),
    re.compile(r"start <= day <= "),
]


def test_item1_no_copy_of_a_state_definition_is_left_in_the_code():
    found = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(pattern.search(line) for pattern in COPIES):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
