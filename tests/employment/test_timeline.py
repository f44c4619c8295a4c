"""The pathway timeline: what it draws, and its text alternative, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories import (
    ContractFactory,
    EpisodeFactory,
    InterventionFactory,
    PauseFactory,
    PlacementFactory,
    PrescriptionFactory,
)
from tremplin.employment import timeline

D = dt.date
DAY = D(2025, 12, 15)


def build(person):
    return timeline.build(
        person,
        episodes=list(person.episodes.all()),
        contracts=list(person.contracts.select_related("employer")),
        placements=list(person.placements.select_related("employer")),
        minutes=timeline.monthly_minutes(person),
        day=DAY,
    )


def test_nothing_to_draw_for_a_new_person(person):
    assert build(person) is None


def test_monthly_hours_are_every_intervention_of_the_month_veille_included(person, counsellor):
    episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=person, date=D(2025, 1, 2)),
        admitted_on=D(2025, 1, 6),
        counsellor=counsellor,
    )
    PauseFactory(episode=episode, start=D(2025, 3, 1), end=D(2025, 3, 31))
    InterventionFactory(person=person, date=D(2025, 2, 3), minutes=90)
    InterventionFactory(person=person, date=D(2025, 2, 28), minutes=45)
    InterventionFactory(person=person, date=D(2025, 3, 10), minutes=15)  # an occasional contact during the veille
    assert timeline.monthly_minutes(person) == {(2025, 2): 135, (2025, 3): 15}
    data = build(person)
    year = next(y for y in data["years"] if y["year"] == 2025)
    assert year["cells"][1] == Decimal(135) / 60  # 2.25 h in February
    assert year["cells"][2] == Decimal(15) / 60
    assert year["total"] == Decimal(150) / 60


def test_every_element_is_in_the_text_alternative(person, counsellor, platform):
    episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=person, date=D(2024, 1, 2)),
        admitted_on=D(2024, 1, 8),
        counsellor=counsellor,
    )
    PauseFactory(
        episode=episode, start=D(2024, 6, 1), end=D(2024, 8, 31), reactivation_conditions="Reprise en septembre."
    )
    ContractFactory(
        person=person,
        employer__platform=platform,
        employer__name="Boulangerie du Tarn",
        type="cdd",
        start=D(2024, 10, 1),
        end=D(2025, 2, 14),
        end_reason="resignation",
    )
    ContractFactory(
        person=person, employer__platform=platform, employer__name="Garage Bousquet", type="cdi", start=D(2025, 3, 1)
    )
    PlacementFactory(
        person=person,
        employer__platform=platform,
        employer__name="EHPAD Les Tilleuls",
        start=D(2024, 3, 4),
        end=D(2024, 3, 15),
    )
    data = build(person)
    rows = [(r["lane"], r["label"], r["start"], r["end"], r["ongoing"]) for r in data["rows"]]
    assert rows == [
        ("Accompagnement", "accompagnement", D(2024, 1, 8), None, True),
        ("Conseillers", "Claire Martin", D(2024, 1, 8), None, True),
        ("Veilles", "veille", D(2024, 6, 1), D(2024, 8, 31), False),
        ("Contrats", "CDD · Boulangerie du Tarn", D(2024, 10, 1), D(2025, 2, 14), False),
        ("Contrats", "CDI · Garage Bousquet", D(2025, 3, 1), None, True),
        ("Mises en situation", "PMSMP · EHPAD Les Tilleuls", D(2024, 3, 4), D(2024, 3, 15), False),
    ]
    details = {r["label"]: r["detail"] for r in data["rows"]}
    assert details["CDD · Boulangerie du Tarn"] == "fin : Démission"
    assert details["veille"] == "reprise : Reprise en septembre."
    # The chart spans whole months, from the first event to the end of the current month.
    assert (data["first"], data["last"]) == (D(2024, 1, 1), D(2025, 12, 31))


def test_bars_are_placed_in_proportion_to_time(person, counsellor, platform):
    EpisodeFactory(
        prescription=PrescriptionFactory(person=person, date=D(2024, 12, 20)),
        admitted_on=D(2025, 1, 1),
        counsellor=counsellor,
    )
    data = build(person)
    # From 1 January to 31 December 2025: 365 days over the drawing width.
    assert (data["first"], data["last"]) == (D(2025, 1, 1), D(2025, 12, 31))
    support = data["lanes"][0].bars[0]
    assert support.x == timeline.LEFT
    width = timeline.RIGHT - timeline.LEFT
    assert abs(support.width - width * 349 / 365) < 0.2  # 1 January to 15 December (today) inclusive
    assert support.pattern == "solid" and support.label == "accompagnement"


def test_overlapping_contracts_get_their_own_rows(person, platform):
    ContractFactory(person=person, employer__platform=platform, start=D(2025, 1, 6), type="cdi")
    ContractFactory(
        person=person, employer__platform=platform, start=D(2025, 3, 1), end=D(2025, 6, 30), end_reason="term"
    )
    ContractFactory(
        person=person, employer__platform=platform, start=D(2025, 9, 1), end=D(2025, 10, 31), end_reason="term"
    )
    data = build(person)
    contracts = next(lane for lane in data["lanes"] if lane.key == "contracts")
    rows = sorted({bar.y for bar in contracts.bars})
    assert len(rows) == 2  # the CDI on one row, the two CDD after each other on the second
    assert contracts.height == 2 * timeline.ROW + timeline.ROW_GAP


def test_readable_without_colour_each_kind_has_its_own_pattern(person, counsellor, platform):
    episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=person, date=D(2025, 1, 2)),
        admitted_on=D(2025, 1, 6),
        counsellor=counsellor,
    )
    PauseFactory(episode=episode, start=D(2025, 5, 1), end=D(2025, 6, 30))
    ContractFactory(person=person, employer__platform=platform, start=D(2025, 8, 1))
    PlacementFactory(person=person, employer__platform=platform, start=D(2025, 3, 3), end=D(2025, 3, 14))
    patterns = {lane.key: {bar.pattern for bar in lane.bars} for lane in build(person)["lanes"]}
    assert patterns == {
        "episodes": {"solid"},
        "counsellors": {"outline"},
        "veilles": {"hatch"},
        "contracts": {"solid-green"},
        "placements": {"dots"},
    }
