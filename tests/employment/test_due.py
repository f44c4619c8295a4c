"""What is due about support agreements (producers of DueItems for the due page)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.factories import ContractFactory, EpisodeFactory, PersonFactory, PrescriptionFactory
from tremplin.activity.due import DueItem, collect
from tremplin.employment import due
from tremplin.employment.models import SupportAgreement
from tremplin.people.models import Person

D = dt.date
DAY = D(2026, 3, 31)


def episode_for(person, counsellor, admitted_on):
    prescription = PrescriptionFactory(person=person, date=admitted_on - dt.timedelta(days=5))
    return EpisodeFactory(prescription=prescription, admitted_on=admitted_on, counsellor=counsellor)


GENERATED = D(2026, 1, 10)


def agreement(episode, number=1, employer=None, generated_on=GENERATED, signed=True, employer_signed=True):
    return SupportAgreement.objects.create(
        episode=episode,
        number=number,
        kind="initial" if number == 1 else "amendment",
        change_summary="" if number == 1 else "Changement.",
        employer=employer,
        content={"generated_on": generated_on.isoformat()},
        signed_by_person_on=generated_on if signed else None,
        signed_by_platform_on=generated_on if signed else None,
        signed_by_employer_on=generated_on if signed and employer and employer_signed else None,
    )


def test_admission_without_signed_agreement_after_30_days(person, counsellor):
    episode = episode_for(person, counsellor, DAY - dt.timedelta(days=30))
    persons = Person.objects.all()
    assert due.missing_agreements(persons, DAY) == []  # day 30: still within the 30 days
    items = due.missing_agreements(persons, DAY + dt.timedelta(days=1))
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, DueItem)
    assert (item.kind, item.person_id, item.counsellor_id) == ("agreement_missing", person.pk, counsellor.pk)
    assert item.due_on == DAY
    assert item.url == reverse("agreement_create", args=[episode.pk])
    assert "31" in item.label  # days since admission


def test_unsigned_agreement_is_due_with_the_missing_parties(person, counsellor):
    episode = episode_for(person, counsellor, D(2026, 1, 2))
    version = agreement(episode, signed=False)
    [item] = due.missing_agreements(Person.objects.all(), DAY)
    assert item.kind == "agreement_unsigned"
    assert item.url == reverse("agreement_sign", args=[version.pk])
    assert "personne" in item.label and "plateforme" in item.label
    SupportAgreement.objects.filter(pk=version.pk).update(
        signed_by_person_on=D(2026, 1, 12), signed_by_platform_on=D(2026, 1, 15)
    )
    assert due.missing_agreements(Person.objects.all(), DAY) == []


def test_exited_or_not_yet_supported_persons_are_not_due(person, counsellor):
    episode = episode_for(person, counsellor, D(2025, 1, 2))
    episode.exit_date, episode.exit_reason = D(2026, 3, 1), "moved_out"
    episode.save()
    assert due.missing_agreements(Person.objects.all(), DAY) == []


def test_employed_person_whose_agreement_does_not_name_the_current_employer(person, counsellor, platform):
    episode = episode_for(person, counsellor, D(2025, 9, 1))
    old = ContractFactory(
        person=person, employer__platform=platform, start=D(2025, 9, 1), end=D(2026, 1, 31), end_reason="resignation"
    )
    agreement(episode, employer=old.employer, generated_on=D(2025, 9, 10))
    new = ContractFactory(
        person=person, employer__platform=platform, employer__name="Garage Bousquet", type="cdi", start=D(2026, 2, 15)
    )
    [item] = due.employer_not_named(Person.objects.all(), DAY)
    assert item.kind == "agreement_employer_not_named"
    assert "Garage Bousquet" in item.label
    assert item.due_on == D(2026, 2, 15)
    assert item.url == reverse("agreement_create", args=[episode.pk])
    # An amendment naming the new employer, not yet signed: still due, now as signatures to collect.
    pending = agreement(episode, number=2, employer=new.employer, generated_on=D(2026, 2, 20), signed=False)
    [item] = due.employer_not_named(Person.objects.all(), DAY)
    assert (item.kind, item.url) == ("agreement_amendment_unsigned", reverse("agreement_sign", args=[pending.pk]))
    # Signed by the three parties: nothing due.
    SupportAgreement.objects.filter(pk=pending.pk).update(
        signed_by_person_on=D(2026, 2, 21), signed_by_platform_on=D(2026, 2, 21), signed_by_employer_on=D(2026, 2, 25)
    )
    assert due.employer_not_named(Person.objects.all(), DAY) == []


def test_a_version_signed_after_the_job_started_without_employer_is_the_persons_choice(person, counsellor, platform):
    episode = episode_for(person, counsellor, D(2025, 9, 1))
    ContractFactory(person=person, employer__platform=platform, type="cdi", start=D(2025, 10, 1))
    agreement(episode, generated_on=D(2025, 9, 10))  # before the job: the employer should be named now
    assert len(due.employer_not_named(Person.objects.all(), DAY)) == 1
    agreement(episode, number=2, generated_on=D(2025, 10, 5))  # after the job started, no employer: chosen
    assert due.employer_not_named(Person.objects.all(), DAY) == []


def test_self_employment_needs_no_employer_in_the_agreement(person, counsellor, platform):
    episode = episode_for(person, counsellor, D(2025, 9, 1))
    ContractFactory(
        person=person,
        employer__platform=platform,
        employer__kind="self_employed",
        type="self_employed",
        start=D(2025, 1, 1),
    )
    agreement(episode, generated_on=D(2025, 9, 10))
    assert due.employer_not_named(Person.objects.all(), DAY) == []


def test_due_items_respect_the_persons_given_and_use_a_constant_number_of_queries(
    lead, partner, counsellor, partner_counsellor, django_assert_max_num_queries
):
    def make(organisation, staff, n):
        for _ in range(n):
            episode_for(PersonFactory(organisation=organisation), staff, D(2026, 1, 2))

    make(lead, counsellor, 2)
    make(partner, partner_counsellor, 1)
    lead_persons = Person.objects.filter(organisation=lead)
    both = [due.missing_agreements, due.employer_not_named]
    with django_assert_max_num_queries(7):
        assert len(collect(lead_persons, DAY, producers=both)) == 2
    make(lead, counsellor, 5)
    with django_assert_max_num_queries(7):
        items = collect(lead_persons, DAY, producers=both)
    assert len(items) == 7 and {i.counsellor_id for i in items} == {counsellor.pk}
