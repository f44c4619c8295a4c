"""Steering indicators on small hand-built data, with hand-computed values at every boundary of
INDICATORS.md (exit on the last day, veille on a boundary, 12/8/2 hours a month, less than half
a month active, retention marks on the 29th to 31st, contract chains, withdrawn prescriptions)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.factories import EmployerFactory, PrescriptionFactory, StaffFactory
from tests.steering.helpers import Q3, D, admit, contract, log, log_minutes, make_person, placement, veille
from tremplin.organisations.models import Funding, Staff, TimeAllocation, Training
from tremplin.steering import indicators as ind
from tremplin.steering.indicators import IndicatorError

pytestmark = pytest.mark.django_db


def compute(platform, period=Q3, scope="platform"):
    return ind.compute(*period, scope, platform=platform)


def members(platform, key, period=Q3, scope="platform"):
    return ind.compute_with_members(*period, scope, platform=platform)[1][key]


# Shape -----------------------------------------------------------------------------------------


def test_empty_platform_has_every_key_with_zero_counts_and_nulls_where_defined(platform, lead):
    figures = compute(platform)
    assert figures["period"] == {"start": "2025-07-01", "end": "2025-09-30"}
    assert figures["scope"] == "platform"
    activity = figures["activity"]
    assert activity["exits"]["by_reason"] == {
        "person_request": 0,
        "moved_out": 0,
        "recognition_not_renewed": 0,
        "disengagement": 0,
        "death": 0,
    }
    assert activity["intensity"] == {"intensive": 0, "regular": 0, "follow_up": 0, "light": 0, "unclassified": 0}
    assert activity["mean_days_to_admission"] is None
    assert activity["workplace_hours"] == 0.0 and isinstance(activity["workplace_hours"], float)
    resources = figures["resources"]
    assert resources["persons_per_counsellor_fte"] is None
    assert resources["time_split"] == {"support": None, "coordination": None, "management": None, "partnership": None}
    assert resources["funding"] == {"state": 0, "agefiph": 0, "fiphfp": 0, "other": 0, "total": 0}
    profile = figures["profile"]
    assert list(profile["disability"]) == [
        "psychic",
        "autism",
        "intellectual",
        "cognitive",
        "sensory",
        "motor",
        "chronic_disease",
        "multiple",
        "other",
        "unknown",
    ]
    assert list(profile["months_without_work"]) == ["0", "1-5", "6-11", "12-23", "24-59", "60+", "unknown"]
    assert list(profile["years_worked"]) == ["0", "under_1", "1-4", "5-9", "10+", "unknown"]
    assert list(profile["education_level"]) == ["none", "3", "4", "5", "6", "7", "8", "unknown"]
    assert list(profile["entry_status"]) == [
        "job_seeker",
        "esat_worker",
        "employee",
        "self_employed",
        "inactive",
        "student",
        "other",
        "unknown",
    ]
    employment = figures["employment"]
    assert employment["contracts"]["by_employer_kind"] == {"private": 0, "public": 0, "self_employed": 0}
    assert employment["mean_months_same_employer"] is None
    assert employment["retention"] == {n: {"cohort": 0, "retained": 0, "rate": None} for n in ("6", "12", "24")}
    # JSON-serialisable, counts are integers (not booleans, not floats).
    json.dumps(figures)
    for path, value in ind.flatten(figures):
        if path.endswith(("cohort", "retained")) or path.startswith("profile."):
            assert type(value) is int, path


def test_unknown_scope_and_end_before_start_are_errors(platform, lead):
    with pytest.raises(IndicatorError, match="NOPE"):
        compute(platform, scope="NOPE")
    with pytest.raises(IndicatorError):
        ind.compute(D(2025, 9, 30), D(2025, 7, 1), "platform", platform=platform)


def test_organisation_scope_counts_only_its_persons_and_staff_and_hides_funding(platform, lead, partner):
    admit(make_person(lead), D(2025, 1, 6))
    admit(make_person(partner), D(2025, 1, 6))
    admit(make_person(partner), D(2025, 8, 1))
    StaffFactory(organisation=partner, fte=Decimal("0.5"))
    StaffFactory(organisation=lead, fte=Decimal("1"))
    Funding.objects.create(platform=platform, year=2025, funder="state", amount_eur=Decimal("1000"))
    part = compute(platform, scope="PART")
    assert part["scope"] == "PART"
    assert part["activity"]["supported"] == 2
    assert part["activity"]["admissions"] == 1
    assert part["resources"]["fte_total"] == 0.5
    assert part["resources"]["funding"] == {
        "state": None,
        "agefiph": None,
        "fiphfp": None,
        "other": None,
        "total": None,
    }
    whole = compute(platform)
    assert whole["activity"]["supported"] == 3
    assert whole["resources"]["fte_total"] == 1.5
    assert whole["resources"]["funding"]["state"] == 1000


# 1. Activity ------------------------------------------------------------------------------------


def test_exit_on_the_last_day_is_an_exit_and_no_longer_supported_on_end(platform, lead):
    on_last_day = make_person(lead)
    admit(on_last_day, D(2025, 1, 6), exit_date=D(2025, 9, 30), reason="moved_out")
    day_after = make_person(lead)
    admit(day_after, D(2025, 1, 6), exit_date=D(2025, 10, 1), reason="death")
    activity = compute(platform)["activity"]
    assert activity["supported"] == 1
    assert activity["exits"]["total"] == 1
    assert activity["exits"]["by_reason"]["moved_out"] == 1
    assert activity["exits"]["by_reason"]["death"] == 0
    assert members(platform, "activity.supported") == [day_after.pk]


def test_veille_starting_or_ending_on_end_is_in_veille_and_one_ending_the_day_before_is_active(platform, lead):
    starts_on_end, ends_on_end, ended_before = make_person(lead), make_person(lead), make_person(lead)
    veille(admit(starts_on_end, D(2025, 1, 6)), D(2025, 9, 30), D(2025, 12, 31))
    veille(admit(ends_on_end, D(2025, 1, 6)), D(2025, 8, 1), D(2025, 9, 30))
    veille(admit(ended_before, D(2025, 1, 6)), D(2025, 8, 1), D(2025, 9, 29))
    activity = compute(platform)["activity"]
    assert (activity["supported"], activity["in_veille"], activity["active"]) == (3, 2, 1)
    assert members(platform, "activity.active") == [ended_before.pk]


def test_admissions_count_episodes_including_both_boundaries_and_readmissions(platform, lead):
    twice = make_person(lead)
    admit(twice, D(2025, 7, 1), exit_date=D(2025, 8, 1), reason="person_request", prescribed_on=D(2025, 6, 21))
    admit(twice, D(2025, 8, 1), prescribed_on=D(2025, 7, 2))  # readmitted on the exit day: 30 days
    on_end = make_person(lead)
    admit(on_end, D(2025, 9, 30), prescribed_on=D(2025, 9, 25))
    admit(make_person(lead), D(2025, 10, 1))  # next quarter
    admit(make_person(lead), D(2025, 6, 30))  # previous quarter
    activity = compute(platform)["activity"]
    assert activity["admissions"] == 3
    assert activity["mean_days_to_admission"] == (10 + 30 + 5) / 3
    assert activity["exits"]["total"] == 1
    assert members(platform, "activity.admissions") == sorted([twice.pk, twice.pk, on_end.pk])


def test_waiting_prescriptions_on_end_withdrawn_and_admitted_boundaries(platform, lead):
    p = make_person(lead)
    PrescriptionFactory(person=p, date=D(2025, 9, 30))  # dated on end: waiting
    PrescriptionFactory(person=p, date=D(2025, 10, 1))  # after end: not yet
    PrescriptionFactory(person=p, date=D(2025, 5, 1), withdrawn_on=D(2025, 9, 30))  # withdrawn on end: no
    PrescriptionFactory(person=p, date=D(2025, 5, 1), withdrawn_on=D(2025, 10, 1))  # withdrawn after end: waiting
    q = make_person(lead)
    admit(q, D(2025, 9, 30), prescribed_on=D(2025, 6, 1))  # admitted on end: no longer waiting
    r = make_person(lead)
    admit(r, D(2025, 10, 1), prescribed_on=D(2025, 6, 1))  # admitted after end: waiting on end
    assert compute(platform)["activity"]["waiting"] == 3
    assert members(platform, "activity.waiting") == sorted([p.pk, p.pk, r.pk])


@pytest.mark.parametrize(
    "minutes, level",
    [
        (36 * 60 + 1, "intensive"),
        (36 * 60, "regular"),  # exactly 12 h a month over a full quarter
        (24 * 60, "regular"),  # exactly 8 h a month
        (24 * 60 - 1, "follow_up"),
        (6 * 60, "follow_up"),  # exactly 2 h a month
        (6 * 60 - 1, "light"),
    ],
)
def test_intensity_levels_at_exactly_12_8_and_2_hours_a_month(platform, lead, minutes, level):
    p = make_person(lead)
    admit(p, D(2025, 1, 6))
    log_minutes(p, D(2025, 7, 1), minutes)
    intensity = compute(platform)["activity"]["intensity"]
    assert intensity[level] == 1
    assert sum(intensity.values()) == 1


def test_less_than_half_a_month_active_is_unclassified_and_half_a_month_is_classified(platform, lead):
    # September has 30 days: admitted on the 16th = 15 active days = exactly half a month.
    half = make_person(lead)
    admit(half, D(2025, 9, 16))
    log(half, D(2025, 9, 16), 240)  # 4 h over half a month = 8 h a month: regular
    under = make_person(lead)
    admit(under, D(2025, 9, 17))  # 14 days: under half a month
    log(under, D(2025, 9, 17), 720)
    all_veille = make_person(lead)
    veille(admit(all_veille, D(2025, 1, 6)), D(2025, 6, 1), D(2025, 12, 31))
    assert members(platform, "activity.intensity.regular") == [half.pk]
    assert members(platform, "activity.intensity.unclassified") == sorted([under.pk, all_veille.pk])


def test_interventions_in_veille_on_exit_day_and_before_admission_do_not_count_for_intensity(platform, lead):
    p = make_person(lead)
    episode = admit(p, D(2025, 7, 10), exit_date=D(2025, 9, 20), reason="person_request")
    veille(episode, D(2025, 8, 1), D(2025, 8, 31))
    log(p, D(2025, 7, 9), 720)  # before admission
    log(p, D(2025, 8, 15), 720)  # during the veille
    log(p, D(2025, 9, 20), 720)  # on the exit day
    log(p, D(2025, 7, 10), 30)  # counts
    # active: 22 days of July (/31) + 19 days of September (/30) = 0.7097 + 0.6333 months;
    # 30 minutes over 1.343 months: light.
    assert members(platform, "activity.intensity.light") == [p.pk]


def test_workplace_hours_count_every_workplace_intervention_in_the_period_whatever_the_state(platform, lead):
    p = make_person(lead)
    admit(p, D(2025, 8, 1))
    log(p, D(2025, 7, 15), 90, place="workplace")  # before admission: still counts
    log(p, D(2025, 9, 30), 45, place="workplace")
    log(p, D(2025, 10, 1), 60, place="workplace")  # after the period
    log(p, D(2025, 9, 1), 60, place="premises")
    assert compute(platform)["activity"]["workplace_hours"] == 2.25


def test_without_interview_active_all_quarter_through_two_episodes(platform, lead):
    back_to_back = make_person(lead)
    admit(back_to_back, D(2025, 1, 6), exit_date=D(2025, 8, 1), reason="person_request")
    admit(back_to_back, D(2025, 8, 1))
    log(back_to_back, D(2025, 8, 10), 60, with_whom="employer")  # not an interview
    interviewed_with_employer = make_person(lead)
    admit(interviewed_with_employer, D(2025, 1, 6))
    log(interviewed_with_employer, D(2025, 9, 30), 30, with_whom="both")
    one_day_veille = make_person(lead)
    veille(admit(one_day_veille, D(2025, 1, 6)), D(2025, 9, 30), D(2025, 9, 30))
    admitted_late = make_person(lead)
    admit(admitted_late, D(2025, 7, 2))
    assert members(platform, "activity.without_interview") == [back_to_back.pk]


# 2. Resources -----------------------------------------------------------------------------------


def test_resources_staff_counted_on_end_time_split_funding_trainings_and_rncp(platform, lead, partner):
    a = StaffFactory(organisation=lead, function="counsellor", fte=Decimal("0.8"), rncp37779="certified")
    b = StaffFactory(
        organisation=lead, function="counsellor", fte=Decimal("0.5"), end=D(2025, 9, 30), rncp37779="in_training"
    )
    c = StaffFactory(
        organisation=partner, function="coordinator", fte=Decimal("1"), start=D(2025, 9, 30), rncp37779="certified"
    )
    gone = StaffFactory(organisation=lead, function="counsellor", fte=Decimal("1"), end=D(2025, 9, 29))
    StaffFactory(organisation=lead, function="counsellor", fte=Decimal("1"), start=D(2025, 10, 1))
    TimeAllocation.objects.create(
        staff=a, year=2025, support="0.8", coordination="0.1", management="0", partnership="0.1"
    )
    TimeAllocation.objects.create(
        staff=c, year=2025, support="0.2", coordination="0.6", management="0.1", partnership="0.1"
    )
    TimeAllocation.objects.create(staff=b, year=2024, support="1", coordination="0", management="0", partnership="0")
    TimeAllocation.objects.create(staff=gone, year=2025, support="1", coordination="0", management="0", partnership="0")
    for year, funder, amount in [
        (2025, "state", "100000"),
        (2025, "state", "5000.50"),
        (2025, "agefiph", "85000"),
        (2024, "fiphfp", "9"),
    ]:
        Funding.objects.create(platform=platform, year=year, funder=funder, amount_eur=Decimal(amount))
    Training.objects.create(staff=a, title="Analyse des pratiques", year=2025, status="delivered")
    Training.objects.create(
        staff=gone, title="Médiation", year=2025, status="delivered"
    )  # counted: trainings of all staff
    Training.objects.create(staff=a, title="CEA", year=2026, status="planned")
    Training.objects.create(staff=a, title="CEA", year=2025, status="planned")  # planned for Y, not Y+1
    # Two active persons on end.
    for _ in range(2):
        admit(make_person(lead), D(2025, 1, 6))
    resources = compute(platform)["resources"]
    assert resources["fte_total"] == pytest.approx(2.3) and resources["fte_total"] == float(Decimal("2.3"))
    assert resources["fte_counsellors"] == 1.3
    assert resources["persons_per_counsellor_fte"] == 20 / 13  # 2 active / 1.3 FTE, exactly
    # (0.8 x 0.8 + 1 x 0.2) / 1.8 for support, and so on; b's allocation is of 2024.
    assert resources["time_split"]["support"] == pytest.approx((0.64 + 0.2) / 1.8)
    assert resources["time_split"]["coordination"] == pytest.approx((0.08 + 0.6) / 1.8)
    assert resources["time_split"]["management"] == pytest.approx(0.1 / 1.8)
    assert resources["time_split"]["partnership"] == pytest.approx(0.18 / 1.8)
    assert resources["funding"] == {"state": 105000.5, "agefiph": 85000, "fiphfp": 0, "other": 0, "total": 190000.5}
    assert resources["trainings_delivered"] == 2
    assert resources["trainings_planned"] == 1
    assert resources["rncp37779"] == {"certified": 2, "in_training": 1}
    partner_resources = compute(platform, scope="PART")["resources"]
    assert partner_resources["fte_counsellors"] == 0.0
    assert partner_resources["persons_per_counsellor_fte"] is None
    assert partner_resources["time_split"]["coordination"] == pytest.approx(0.6)
    assert partner_resources["trainings_delivered"] == 0


# 3. Profile -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "months, bucket",
    [
        (0, "0"),
        (1, "1-5"),
        (5, "1-5"),
        (6, "6-11"),
        (11, "6-11"),
        (12, "12-23"),
        (23, "12-23"),
        (24, "24-59"),
        (59, "24-59"),
        (60, "60+"),
        (None, "unknown"),
    ],
)
def test_months_without_work_buckets(platform, lead, months, bucket):
    admit(make_person(lead), D(2025, 1, 6), months_without_work=months)
    assert compute(platform)["profile"]["months_without_work"][bucket] == 1


@pytest.mark.parametrize(
    "years, bucket",
    [
        ("0", "0"),
        ("0.5", "under_1"),
        ("1", "1-4"),
        ("4.99", "1-4"),
        ("5", "5-9"),
        ("9.99", "5-9"),
        ("10", "10+"),
        (None, "unknown"),
    ],
)
def test_years_worked_buckets(platform, lead, years, bucket):
    admit(make_person(lead), D(2025, 1, 6), years_worked=Decimal(years) if years else None)
    assert compute(platform)["profile"]["years_worked"][bucket] == 1


def test_profile_uses_main_disability_and_the_current_episode_of_persons_supported_on_end(platform, lead):
    p = make_person(lead, disabilities=["autism", "psychic"], education_level="4")
    admit(p, D(2023, 1, 6), exit_date=D(2024, 1, 6), entry_status="employee")
    admit(p, D(2024, 3, 1), entry_status="")
    admit(make_person(lead, disabilities=[], education_level=""), D(2025, 1, 6), entry_status="student")
    admit(make_person(lead), D(2025, 1, 6), exit_date=D(2025, 9, 30), reason="death")  # not supported on end
    profile = compute(platform)["profile"]
    assert profile["disability"]["autism"] == 1 and profile["disability"]["unknown"] == 1
    assert profile["disability"]["psychic"] == 0
    assert profile["education_level"]["4"] == 1 and profile["education_level"]["unknown"] == 1
    assert profile["entry_status"]["unknown"] == 1 and profile["entry_status"]["student"] == 1
    assert profile["entry_status"]["employee"] == 0


# 4. Employment ----------------------------------------------------------------------------------


def test_contracts_placements_and_breaks_of_persons_supported_during_the_period(platform, lead):
    private, public = (
        EmployerFactory(platform=platform, kind="private"),
        EmployerFactory(platform=platform, kind="public"),
    )
    p = make_person(lead)
    admit(p, D(2025, 8, 1))
    contract(p, private, D(2025, 3, 1), D(2025, 7, 15), reason="dismissal")  # before admission, overlaps P: counted
    contract(p, public, D(2025, 9, 30))  # starts on the last day
    contract(p, private, D(2025, 1, 1), D(2025, 6, 30))  # ended before P
    contract(p, private, D(2025, 10, 1))  # after P
    placement(p, private, D(2025, 6, 20), D(2025, 7, 1))
    placement(p, private, D(2025, 5, 1), D(2025, 6, 30))
    q = make_person(lead)
    admit(q, D(2025, 1, 6))
    contract(q, private, D(2025, 6, 1), D(2025, 9, 30), reason="term")  # ends on the term: not a break
    contract(q, public, D(2025, 7, 1), D(2025, 9, 30), reason="resignation")
    not_supported = make_person(lead)
    admit(not_supported, D(2025, 10, 1))
    contract(not_supported, private, D(2025, 7, 1))
    employment = compute(platform)["employment"]
    assert employment["persons_employed"] == 2
    assert employment["contracts"] == {
        "total": 4,
        "started": 2,
        "ongoing": 2,
        "by_employer_kind": {"private": 2, "public": 2, "self_employed": 0},
    }
    assert employment["placements"] == 1
    assert employment["job_breaks"] == 2


def test_mean_months_same_employer_chains_with_next_day_join_and_two_day_gap_break(platform, lead):
    employer, other = EmployerFactory(platform=platform), EmployerFactory(platform=platform)
    end = Q3[1]
    next_day = make_person(lead)  # 1 Jan - 31 Mar, then 1 Apr open: one chain from 1 Jan
    admit(next_day, D(2024, 6, 1))
    contract(next_day, employer, D(2025, 1, 1), D(2025, 3, 31))
    contract(next_day, employer, D(2025, 4, 1))
    gap = make_person(lead)  # 1 Jan - 31 Mar, then 2 Apr: the chain starts on 2 Apr
    admit(gap, D(2024, 6, 1))
    contract(gap, employer, D(2025, 1, 1), D(2025, 3, 31))
    contract(gap, employer, D(2025, 4, 2))
    overlap_other = make_person(lead)  # another employer does not join; longest covering tenure wins
    admit(overlap_other, D(2024, 6, 1))
    contract(overlap_other, employer, D(2024, 7, 1), D(2024, 12, 31))
    contract(overlap_other, employer, D(2024, 12, 15), D(2025, 12, 31))  # overlaps: same chain from 1 Jul 2024
    contract(overlap_other, other, D(2025, 9, 1))
    no_cover = make_person(lead)
    admit(no_cover, D(2024, 6, 1))
    contract(no_cover, employer, D(2025, 1, 1), D(2025, 9, 29))
    expected_days = [(end - D(2025, 1, 1)).days, (end - D(2025, 4, 2)).days, (end - D(2024, 7, 1)).days]
    assert compute(platform)["employment"]["mean_months_same_employer"] == pytest.approx(
        sum(expected_days) / 3 / 30.4375, rel=1e-12
    )
    assert members(platform, "employment.mean_months_same_employer") == sorted([next_day.pk, gap.pk, overlap_other.pk])


def test_chain_with_an_open_contract_extends_indefinitely():
    contracts = [(1, D(2020, 1, 1), None), (1, D(2023, 5, 1), D(2023, 6, 1)), (1, D(2025, 9, 1), None)]
    assert ind.tenure_days(contracts, D(2025, 9, 30)) == (D(2025, 9, 30) - D(2020, 1, 1)).days


@pytest.mark.parametrize("entry_day", [D(2024, 8, 29), D(2024, 8, 30), D(2024, 8, 31)])
def test_retention_marks_on_the_29th_to_31st_clamp_to_the_end_of_february(platform, lead, entry_day):
    """31 August 2024 + 6 months = 28 February 2025: in Q1 2025, not in Q2."""
    employer = EmployerFactory(platform=platform)
    p = make_person(lead)
    admit(p, D(2024, 1, 8))
    contract(p, employer, entry_day, D(2025, 2, 28))
    q1 = compute(platform, period=(D(2025, 1, 1), D(2025, 3, 31)))["employment"]["retention"]["6"]
    assert q1 == {"cohort": 1, "retained": 1, "rate": 1.0}
    q2 = compute(platform, period=(D(2025, 4, 1), D(2025, 6, 30)))["employment"]["retention"]["6"]
    assert q2["cohort"] == 0


def test_retention_entries_cohort_and_retained(platform, lead):
    employer, other = EmployerFactory(platform=platform), EmployerFactory(platform=platform)
    kept = make_person(lead)  # entry 15 Jan 2025, works elsewhere on 15 Jul: retained
    admit(kept, D(2024, 9, 1), exit_date=D(2025, 3, 1), reason="person_request")
    contract(kept, employer, D(2025, 1, 15), D(2025, 5, 31), reason="resignation")
    contract(kept, other, D(2025, 6, 20))  # not an entry (not supported then)
    lost = make_person(lead)  # entry 1 Mar 2025, contract ended before the mark (1 Sep)
    veille(admit(lost, D(2024, 9, 1)), D(2025, 2, 1), D(2025, 3, 31))  # entry in veille still counts
    contract(lost, employer, D(2025, 3, 1), D(2025, 8, 31), reason="term")
    contract(lost, employer, D(2025, 3, 1), D(2025, 4, 30), reason="term")  # same day: one entry
    chained = make_person(lead)  # contract starting the day after another ended is not an entry
    admit(chained, D(2024, 9, 1))
    contract(chained, employer, D(2024, 10, 1), D(2025, 2, 28))
    contract(chained, other, D(2025, 3, 1))
    before_admission = make_person(lead)
    admit(before_admission, D(2025, 2, 1))
    contract(before_admission, employer, D(2025, 1, 20))
    retention = compute(platform)["employment"]["retention"]
    assert retention["6"] == {"cohort": 2, "retained": 1, "rate": 0.5}
    assert members(platform, "employment.retention.6.cohort") == sorted([kept.pk, lost.pk])
    assert members(platform, "employment.retention.6.retained") == [kept.pk]
    assert retention["12"]["cohort"] == 0  # chained's entry of 1 Oct 2024 has its 12-month mark in Q4 2025


def test_family_functions_give_the_same_numbers_as_the_whole_computation(platform, lead):
    p = make_person(lead)
    admit(p, D(2025, 1, 6))
    log(p, D(2025, 8, 1), 120, place="workplace")
    whole = compute(platform)
    assert ind.activity(*Q3, "platform", platform=platform) == whole["activity"]
    assert ind.resources(*Q3, "platform", platform=platform) == whole["resources"]
    assert ind.profile(*Q3, "platform", platform=platform) == whole["profile"]
    assert ind.employment(*Q3, "platform", platform=platform) == whole["employment"]


def test_query_count_does_not_grow_with_the_number_of_persons(platform, lead, django_assert_max_num_queries):
    employer = EmployerFactory(platform=platform)

    def add(n):
        for _ in range(n):
            p = make_person(lead)
            veille(admit(p, D(2025, 1, 6)), D(2025, 8, 1), D(2025, 8, 15))
            log(p, D(2025, 7, 3), 60)
            contract(p, employer, D(2025, 1, 10))

    add(2)
    with django_assert_max_num_queries(30) as small:
        compute(platform)
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        compute(platform)


def test_counsellor_function_is_required_for_counsellor_fte(platform, lead):
    StaffFactory(organisation=lead, function=Staff.Function.COORDINATOR, fte=Decimal("1"))
    resources = compute(platform)["resources"]
    assert resources["fte_total"] == 1.0 and resources["fte_counsellors"] == 0.0
