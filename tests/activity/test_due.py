"""What is due: each producer with hand-made situations, and the shared machinery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.activity.conftest import supported
from tests.factories import (
    InterventionFactory,
    OutreachFactory,
    PauseFactory,
    PersonFactory,
    PrescriptionFactory,
)
from tremplin.activity import due
from tremplin.activity.models import Appointment
from tremplin.lib.dates import add_months, quarter_bounds, today
from tremplin.pathways.models import Episode
from tremplin.pathways.services import disengagement_check, last_contact
from tremplin.people.models import Person, Recognition

D = dt.date


def kinds_for(person, items):
    return sorted(i.kind for i in items if i.person_id == person.pk)


def everyone(lead):
    return Person.objects.filter(organisation=lead)


# Quarterly interview -----------------------------------------------------------------------------


def test_a_person_active_all_the_quarter_so_far_without_interview_is_due_before_quarter_end(lead, counsellor):
    day = today()
    start, end = quarter_bounds(day)
    silent = PersonFactory(organisation=lead, last_name="Silence")
    supported(silent, counsellor)
    seen = PersonFactory(organisation=lead, last_name="Vue")
    supported(seen, counsellor)
    InterventionFactory(person=seen, date=start, with_whom="both")
    employer_only = PersonFactory(organisation=lead, last_name="Employeur")
    supported(employer_only, counsellor)
    InterventionFactory(person=employer_only, date=start, with_whom="employer", kind="employer_meeting")
    paused = PersonFactory(organisation=lead, last_name="Pause")
    PauseFactory(episode=supported(paused, counsellor), start=start, end=start)
    items = due.interviews_due(everyone(lead), day)
    assert {i.person_id for i in items} == {silent.pk, employer_only.pk}
    item = next(i for i in items if i.person_id == silent.pk)
    assert item.due_on == end and item.url.endswith(f"/personnes/{silent.pk}/#log-intervention")
    assert item.severity == ("urgent" if (end - day).days < 15 else "warning")


# Recognitions ------------------------------------------------------------------------------------


def test_a_recognition_ending_within_six_months_is_to_renew_unless_a_renewal_is_recorded(lead, counsellor):
    day = today()
    ending = PersonFactory(organisation=lead, rqth=False)
    supported(ending, counsellor)
    Recognition.objects.create(person=ending, kind="rqth", start=D(2020, 1, 1), end=day + dt.timedelta(days=100))
    renewed = PersonFactory(organisation=lead, rqth=False)
    supported(renewed, counsellor)
    Recognition.objects.create(person=renewed, kind="rqth", start=D(2020, 1, 1), end=day + dt.timedelta(days=100))
    Recognition.objects.create(
        person=renewed, kind="rqth", start=day + dt.timedelta(days=101), end=day + dt.timedelta(days=2000)
    )
    later = PersonFactory(organisation=lead, rqth=False)
    supported(later, counsellor)
    Recognition.objects.create(
        person=later, kind="rqth", start=D(2020, 1, 1), end=add_months(day, 6) + dt.timedelta(days=1)
    )
    permanent = PersonFactory(organisation=lead)  # RQTH since 2015, no end
    supported(permanent, counsellor)
    items = due.recognitions_ending(everyone(lead), day)
    assert {i.person_id for i in items} == {ending.pk}
    (item,) = items
    assert item.kind == "recognition_ending" and item.due_on == day + dt.timedelta(days=100)
    assert item.url == f"/personnes/{ending.pk}/reconnaissances/ajouter/"


def test_a_supported_person_without_a_valid_recognition_is_urgent(lead, counsellor):
    day = today()
    expired = PersonFactory(organisation=lead, rqth=False)
    supported(expired, counsellor)
    Recognition.objects.create(person=expired, kind="rqth", start=D(2015, 1, 1), end=D(2024, 12, 31))
    (item,) = due.recognitions_ending(everyone(lead), day)
    assert (item.kind, item.severity, item.due_on) == ("recognition_missing", "urgent", D(2024, 12, 31))


# Veilles -----------------------------------------------------------------------------------------


def test_veilles_ending_within_15_days_or_past_their_end_and_not_closed(lead, counsellor):
    day = today()
    cases = {}
    for name, end, closed in [
        ("soon", day + dt.timedelta(days=15), None),
        ("later", day + dt.timedelta(days=16), None),
        ("overdue", day - dt.timedelta(days=3), None),
        ("resumed", day - dt.timedelta(days=3), day - dt.timedelta(days=2)),
    ]:
        person = PersonFactory(organisation=lead, last_name=name)
        episode = supported(person, counsellor)
        PauseFactory(episode=episode, start=day - dt.timedelta(days=60), end=end, closed_on=closed)
        cases[name] = person
    items = due.veilles_ending(everyone(lead), day)
    assert {i.person_id: i.kind for i in items} == {
        cases["soon"].pk: "veille_ending",
        cases["overdue"].pk: "veille_overdue",
    }
    overdue = next(i for i in items if i.kind == "veille_overdue")
    assert overdue.severity == "urgent" and "#episode-" in overdue.url


# Contact and disengagement -----------------------------------------------------------------------


def _silent_person(lead, counsellor, name, last_interview, attempts=()):
    person = PersonFactory(organisation=lead, last_name=name)
    episode = supported(person, counsellor, D(2023, 1, 2))
    InterventionFactory(person=person, episode=episode, date=last_interview, with_whom="person")
    for date, channel, outcome in attempts:
        OutreachFactory(episode=episode, date=date, channel=channel, outcome=outcome)
    return person, episode


def test_no_contact_for_four_months_is_a_risk_and_six_months_with_attempts_allows_an_exit(lead, counsellor):
    day = today()
    five = add_months(day, -5)
    seven = add_months(day, -7)
    recent, _ = _silent_person(lead, counsellor, "Recent", add_months(day, -3))
    risk, _ = _silent_person(lead, counsellor, "Risque", five)
    tried, _ = _silent_person(
        lead,
        counsellor,
        "Relance",
        seven,
        [
            (seven + dt.timedelta(days=10), "phone", "no_answer"),
            (seven + dt.timedelta(days=40), "letter", "returned"),
            (seven + dt.timedelta(days=70), "phone", "message_left"),
        ],
    )
    not_enough, _ = _silent_person(
        lead, counsellor, "Insuffisant", seven, [(seven + dt.timedelta(days=10), "phone", "no_answer")]
    )
    reached, _ = _silent_person(lead, counsellor, "Joint", seven, [(add_months(day, -1), "phone", "reached")])
    paused, episode = _silent_person(lead, counsellor, "Veille", seven)
    PauseFactory(episode=episode, start=day - dt.timedelta(days=5), end=day + dt.timedelta(days=30))
    items = due.contact_risks(everyone(lead), day)
    found = {i.person_id: (i.kind, i.severity) for i in items}
    assert found == {
        risk.pk: ("no_contact", "warning"),
        tried.pk: ("disengagement_possible", "warning"),
        not_enough.pk: ("no_contact", "urgent"),
    }
    assert recent.pk not in found and reached.pk not in found and paused.pk not in found
    exit_item = next(i for i in items if i.person_id == tried.pk)
    assert exit_item.url.endswith("/sortie/")


def test_last_contact_and_exit_possibility_agree_with_the_pathway_rules(lead, counsellor):
    """The batch computation gives, episode by episode, the same answer as
    pathways.services.last_contact and disengagement_check (the exit form's rule)."""
    day = today()
    seven = add_months(day, -7)
    _silent_person(lead, counsellor, "A", add_months(day, -5))
    _silent_person(
        lead,
        counsellor,
        "B",
        seven,
        [
            (seven + dt.timedelta(days=5), "email", "no_answer"),
            (seven + dt.timedelta(days=9), "letter", "no_answer"),
            (seven + dt.timedelta(days=12), "email", "no_answer"),
        ],
    )
    _silent_person(lead, counsellor, "C", seven, [(add_months(day, -2), "home_visit", "reached")])
    _silent_person(lead, counsellor, "D", seven, [(seven + dt.timedelta(days=5), "email", "no_answer")])
    batch = {e.pk: e.last_contact for e in due.last_contacts(everyone(lead), day)}
    possible = {i.person_id for i in due.contact_risks(everyone(lead), day) if i.kind == "disengagement_possible"}
    assert len(batch) == 4
    for episode in Episode.objects.filter(pk__in=batch):
        assert batch[episode.pk] == last_contact(episode, day)
        assert (episode.person_id in possible) == disengagement_check(episode, day)[0]


# Prescriptions -----------------------------------------------------------------------------------


def test_prescriptions_waiting_more_than_30_days(lead):
    day = today()
    old = PrescriptionFactory(person=PersonFactory(organisation=lead), date=day - dt.timedelta(days=31))
    PrescriptionFactory(person=PersonFactory(organisation=lead), date=day - dt.timedelta(days=30))
    PrescriptionFactory(
        person=PersonFactory(organisation=lead),
        date=day - dt.timedelta(days=90),
        withdrawn_on=day - dt.timedelta(days=1),
    )
    (item,) = due.prescriptions_waiting(everyone(lead), day)
    assert item.person_id == old.person_id and "31" in item.label
    assert item.counsellor_id is None


# Appointments ------------------------------------------------------------------------------------


def test_appointments_coming_within_a_week_and_past_ones_not_recorded(lead, counsellor, followed):
    now = timezone.now()

    def make(delta, **extra):
        return Appointment.objects.create(
            person=followed, staff=counsellor, starts_at=now + delta, place="premises", **extra
        )

    past = make(dt.timedelta(days=-2))
    make(dt.timedelta(days=-3), cancelled=True)
    coming = make(dt.timedelta(days=2))
    make(dt.timedelta(days=20))
    items = due.appointments(everyone(lead), today())
    assert [(i.kind, i.url) for i in items] == [
        ("appointment_not_recorded", f"/rendez-vous/{past.pk}/"),
        ("appointment_coming", f"/rendez-vous/{coming.pk}/"),
    ]


# The machinery -----------------------------------------------------------------------------------


def test_collect_fills_the_counsellor_sorts_urgent_first_and_stays_inside_the_persons_given(
    lead, partner, counsellor, partner_counsellor
):
    day = today()
    mine = PersonFactory(organisation=lead, rqth=False)
    supported(mine, counsellor)
    Recognition.objects.create(person=mine, kind="rqth", start=D(2015, 1, 1), end=D(2024, 12, 31))
    waiting = PrescriptionFactory(person=PersonFactory(organisation=lead), date=day - dt.timedelta(days=45))
    theirs = PersonFactory(organisation=partner, rqth=False)
    supported(theirs, partner_counsellor)
    items = due.collect(
        everyone(lead),
        day,
        producers=[due.recognitions_ending, due.prescriptions_waiting],
    )
    assert [(i.kind, i.counsellor_id) for i in items] == [
        ("recognition_missing", counsellor.pk),
        ("prescription_waiting", None),
    ]
    assert waiting.person_id in {i.person_id for i in items}
    assert theirs.pk not in {i.person_id for i in items}


def produce_one(persons, day):
    return [due.DueItem(kind="agreement_unsigned", label="Convention à faire signer", url="/x/", severity="info")]


def test_a_registered_producer_is_collected(lead, monkeypatch):
    monkeypatch.setattr(due, "_registered", {})
    due.register(produce_one)
    assert [i.kind for i in due.collect(everyone(lead), today())] == ["agreement_unsigned"]


@pytest.mark.parametrize("producer", due.registered(), ids=lambda p: f"{p.__module__}.{p.__name__}")
def test_every_registered_producer_returns_nothing_for_an_empty_team(producer, lead):
    assert list(producer(everyone(lead), today())) == []


# Shared machinery ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/", "/tremplin/"])
def test_the_links_of_due_items_are_those_django_reverses(prefix):
    """Items link with URLs reversed once per name and page: the same as reverse(), behind a
    script prefix too (a deployment under a sub-path)."""
    from django.urls import get_script_prefix, reverse, set_script_prefix

    previous = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for name in ["person_detail", "recognition_add", "exit_episode", "outreach_add", "appointment_detail"]:
            for pk in [1, 42, 9_876_543_210]:
                assert due.url_of(name, pk) == reverse(name, args=[pk])
        assert due.person_url(7, "log-intervention") == reverse("person_detail", args=[7]) + "#log-intervention"
    finally:
        set_script_prefix(previous)


def test_producers_share_one_snapshot_of_the_day_and_give_the_same_items_alone(lead, counsellor, colleague):
    """collect() reads the episodes once for all producers; each producer called alone (its own
    snapshot) gives the same items."""
    day = today()
    for index in range(4):
        person = PersonFactory(organisation=lead)
        episode = supported(person, counsellor if index % 2 else colleague)
        if index == 3:
            PauseFactory(episode=episode, start=day - dt.timedelta(days=20), end=day + dt.timedelta(days=3))
    persons = everyone(lead)
    together = due.collect(persons, day)
    alone = sorted((item for producer in due.registered() for item in producer(persons, day)), key=due.sort_key)
    assert [(i.kind, i.person_id, i.label) for i in together] == [(i.kind, i.person_id, i.label) for i in alone]
    assert {i.counsellor_id for i in together if i.person_id} <= {counsellor.pk, colleague.pk}
    assert all(i.counsellor_id for i in together if i.kind != "prescription_waiting")
