"""The pathway's pages: what a counsellor sees and what a refusal looks like."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.factories import EpisodeFactory, PauseFactory, PersonFactory, PrescriptionFactory
from tremplin.lib.dates import today
from tremplin.pathways.models import Episode, OutreachAttempt, Pause, Prescription

D = dt.date


def test_record_a_prescription_from_the_persons_page(as_counsellor, person):
    response = as_counsellor.post(
        reverse("prescription_add", args=[person.pk]),
        {
            "date": "2024-01-10",
            "prescriber": "france_travail",
            "prescriber_organisation": "France Travail Rodez",
            "prescriber_contact": "M. Blanc",
            "situation": "employed_at_risk",
            "consent_given": "on",
            "consent_date": "2024-01-10",
            "current_support": "",
        },
    )
    assert response.status_code == 302
    prescription = Prescription.objects.get(person=person)
    assert (prescription.prescriber, prescription.situation, prescription.consent_given) == (
        "france_travail",
        "employed_at_risk",
        True,
    )


def test_missing_subsidiarity_justification_is_shown_next_to_its_field(as_counsellor, person):
    response = as_counsellor.post(
        reverse("prescription_add", args=[person.pk]),
        {
            "date": "2024-01-10",
            "prescriber": "cap_emploi",
            "situation": "job_seeker",
            "current_support": "siae",
            "subsidiarity_justification": "",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_subsidiarity_justification_error"' in content
    assert "subsidiarité" in content
    assert not Prescription.objects.exists()


def test_waiting_list_puts_priorities_first_then_dates(as_counsellor, lead):
    day = today()
    old_other = PrescriptionFactory(
        person=PersonFactory(organisation=lead, last_name="Ancien"), date=day - dt.timedelta(days=90), situation="other"
    )
    seeker = PrescriptionFactory(
        person=PersonFactory(organisation=lead, last_name="Chercheur"),
        date=day - dt.timedelta(days=60),
        situation="job_seeker",
    )
    at_risk = PrescriptionFactory(
        person=PersonFactory(organisation=lead, last_name="Risque"),
        date=day - dt.timedelta(days=5),
        situation="employed_at_risk",
    )
    urgent = PrescriptionFactory(
        person=PersonFactory(organisation=lead, last_name="Urgent"),
        date=day - dt.timedelta(days=1),
        situation="other",
        urgent=True,
    )
    withdrawn = PrescriptionFactory(
        person=PersonFactory(organisation=lead, last_name="Retire"),
        date=day - dt.timedelta(days=20),
        withdrawn_on=day - dt.timedelta(days=2),
        withdrawal_reason="x",
    )
    admitted = EpisodeFactory(
        prescription=PrescriptionFactory(person=PersonFactory(organisation=lead, last_name="Admis")),
        admitted_on=D(2024, 2, 1),
    )
    content = as_counsellor.get(reverse("waiting_list")).content.decode()
    order = [content.index(p.person.full_name) for p in (urgent, at_risk, seeker, old_other)]
    assert order == sorted(order)
    assert withdrawn.person.full_name not in content and admitted.person.full_name not in content
    assert ">90<" in content.replace(" ", "")  # days waited


def test_admission_refusal_is_shown_next_to_the_date(as_counsellor, person, counsellor):
    prescription = PrescriptionFactory(person=person, date=D(2024, 3, 10))
    response = as_counsellor.post(
        reverse("admit", args=[prescription.pk]), {"admitted_on": "2024-03-01", "counsellor": counsellor.pk}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_admitted_on_error"' in content and "10/03/2024" in content
    assert not Episode.objects.exists()


def test_admission_from_the_waiting_list(as_counsellor, person, counsellor):
    prescription = PrescriptionFactory(person=person, date=D(2024, 3, 10))
    response = as_counsellor.post(
        reverse("admit", args=[prescription.pk]),
        {
            "admitted_on": "2024-03-20",
            "counsellor": counsellor.pk,
            "entry_status": "job_seeker",
            "months_without_work": "18",
            "years_worked": "4,5",
        },
    )
    assert response.status_code == 302
    episode = Episode.objects.get(person=person)
    assert (episode.admitted_on, episode.months_without_work, str(episode.years_worked)) == (D(2024, 3, 20), 18, "4.50")
    assert episode.current_counsellor() == counsellor


def test_veille_without_end_date_gets_a_message_and_writes_nothing(as_counsellor, person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    response = as_counsellor.post(
        reverse("veille_start", args=[episode.pk]),
        {
            "start": "2024-06-01",
            "end": "",
            "requested_by": "person",
            "reactivation_conditions": "Reprise en septembre",
            "employer_informed": "no_employer",
        },
    )
    assert response.status_code == 200
    assert "toujours une date de fin" in response.content.decode()
    assert not Pause.objects.exists()


def test_start_and_end_a_veille_through_the_pages(as_counsellor, person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    start = today() - dt.timedelta(days=10)
    response = as_counsellor.post(
        reverse("veille_start", args=[episode.pk]),
        {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=90)).isoformat(),
            "requested_by": "counsellor",
            "agreement_date": start.isoformat(),
            "reactivation_conditions": "Reprise après les soins",
            "employer_informed": "yes",
        },
    )
    assert response.status_code == 302
    pause = Pause.objects.get(episode=episode)
    page = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "en veille" in page
    response = as_counsellor.post(reverse("veille_end", args=[pause.pk]), {"resume_on": today().isoformat()})
    assert response.status_code == 302
    pause.refresh_from_db()
    assert pause.end == today() - dt.timedelta(days=1) and pause.ended_early


def test_overdue_veille_offers_to_record_the_resumption(as_counsellor, person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    pause = PauseFactory(episode=episode, start=today() - dt.timedelta(days=60), end=today() - dt.timedelta(days=2))
    page = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert reverse("veille_resume", args=[pause.pk]) in page
    assert as_counsellor.post(reverse("veille_resume", args=[pause.pk])).status_code == 302
    pause.refresh_from_db()
    assert pause.closed_on == today()


def test_exit_for_disengagement_refused_with_the_reason(as_counsellor, person, counsellor):
    episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=person), counsellor=counsellor, admitted_on=D(2024, 2, 1)
    )
    response = as_counsellor.post(
        reverse("exit_episode", args=[episode.pk]),
        {"exit_date": "2024-12-01", "reason": "disengagement", "note": "Silence", "version": episode.version},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 tentatives" in content and "01/02/2024" in content
    episode.refresh_from_db()
    assert episode.is_open


def test_a_refused_reason_cannot_even_be_posted(as_counsellor, person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    response = as_counsellor.post(
        reverse("exit_episode", args=[episode.pk]),
        {"exit_date": "2024-12-01", "reason": "health", "version": episode.version},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    episode.refresh_from_db()
    assert episode.is_open


def test_exit_through_the_page(as_counsellor, person, counsellor):
    episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=person), counsellor=counsellor, admitted_on=D(2024, 2, 1)
    )
    response = as_counsellor.post(
        reverse("exit_episode", args=[episode.pk]),
        {
            "exit_date": "2024-12-01",
            "reason": "person_request",
            "low_intensity_offered": "on",
            "version": episode.version,
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.exit_date, episode.exit_reason) == (D(2024, 12, 1), "person_request")


def test_outreach_attempt_through_the_page(as_counsellor, person, counsellor):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    response = as_counsellor.post(
        reverse("outreach_add", args=[episode.pk]),
        {"date": "2024-09-01", "channel": "home_visit", "outcome": "no_answer", "note": "Personne absente"},
    )
    assert response.status_code == 302
    attempt = OutreachAttempt.objects.get()
    assert (attempt.channel, attempt.staff) == ("home_visit", counsellor)


def test_change_counsellor_through_the_page(as_counsellor, person, counsellor, colleague):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    response = as_counsellor.post(
        reverse("change_counsellor", args=[episode.pk]), {"counsellor": colleague.pk, "start": "2024-05-01"}
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).current_counsellor() == colleague


def test_unknown_ids_and_malformed_urls_answer_404_not_500(as_counsellor):
    assert as_counsellor.get("/personnes/999999/").status_code == 404
    assert as_counsellor.get("/personnes/abc/").status_code == 404
    assert as_counsellor.get("/prescriptions/999999/admettre/").status_code == 404
    assert as_counsellor.get("/veilles/0/prolonger/").status_code == 404
