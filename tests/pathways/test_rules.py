"""The rules of the pathway, one test (or a few) per rule, named after it.

Each test would fail if the rule were removed from the service or the database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    EpisodeFactory,
    InterventionFactory,
    OutreachFactory,
    PauseFactory,
    PersonFactory,
    PrescriptionFactory,
    StaffFactory,
)
from tremplin.audit.models import AuditEntry
from tremplin.lib.dates import today
from tremplin.lib.errors import ConcurrentEditError, DomainError
from tremplin.pathways import services
from tremplin.pathways.caseload import active_counts
from tremplin.pathways.models import CounsellorAssignment, Episode, Pause
from tremplin.people.models import Recognition

D = dt.date


def assert_refused(call, code: str):
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, info.value.code
    assert str(info.value.message)
    return info.value


# Admission ---------------------------------------------------------------------------------


def test_admission_not_before_prescription(person, counsellor):
    prescription = PrescriptionFactory(person=person, date=D(2024, 3, 10))
    error = assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 3, 9), counsellor=counsellor),
        "admission_before_prescription",
    )
    assert error.field == "admitted_on"
    episode = services.admit(counsellor.user, prescription, admitted_on=D(2024, 3, 10), counsellor=counsellor)
    assert episode.admitted_on == D(2024, 3, 10)


def test_admission_requires_the_persons_consent(person, counsellor):
    prescription = PrescriptionFactory(person=person, consent_given=False, consent_date=None)
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor),
        "consent_missing",
    )
    assert not Episode.objects.exists()


def test_admission_requires_a_valid_recognition(lead, counsellor):
    person = PersonFactory(organisation=lead, rqth=False)
    Recognition.objects.create(person=person, kind="rqth", start=D(2018, 1, 1), end=D(2023, 12, 31))
    prescription = PrescriptionFactory(person=person, date=D(2024, 1, 10))
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor),
        "no_valid_recognition",
    )


def test_admission_date_not_in_the_future(person, counsellor):
    prescription = PrescriptionFactory(person=person)
    assert_refused(
        lambda: services.admit(
            counsellor.user, prescription, admitted_on=today() + dt.timedelta(days=1), counsellor=counsellor
        ),
        "future_date",
    )


def test_withdrawn_prescription_cannot_be_admitted(person, counsellor):
    prescription = PrescriptionFactory(person=person)
    services.withdraw_prescription(counsellor.user, prescription, D(2024, 1, 20), "Ne souhaite plus.")
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor),
        "withdrawn",
    )


def test_withdrawal_needs_a_date_after_the_prescription_and_a_reason(person, counsellor):
    prescription = PrescriptionFactory(person=person, date=D(2024, 1, 10))
    assert_refused(
        lambda: services.withdraw_prescription(counsellor.user, prescription, D(2024, 1, 9), "x"),
        "withdrawn_before_prescription",
    )
    assert_refused(
        lambda: services.withdraw_prescription(counsellor.user, prescription, D(2024, 1, 12), "  "), "reason_missing"
    )


def test_prescription_leads_to_one_admission_only(person, counsellor):
    prescription = PrescriptionFactory(person=person)
    episode = services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor)
    services.exit_episode(counsellor.user, episode, exit_date=D(2024, 5, 1), reason="death", version=episode.version)
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 6, 1), counsellor=counsellor),
        "already_admitted",
    )


def test_episodes_of_a_person_never_overlap(person, counsellor):
    first = services.admit(
        counsellor.user, PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1), counsellor=counsellor
    )
    second_prescription = PrescriptionFactory(person=person, date=D(2024, 3, 1))
    assert_refused(
        lambda: services.admit(counsellor.user, second_prescription, admitted_on=D(2024, 3, 5), counsellor=counsellor),
        "episodes_overlap",
    )
    services.exit_episode(counsellor.user, first, exit_date=D(2024, 6, 1), reason="death", version=first.version)
    # Not inside the closed episode either.
    assert_refused(
        lambda: services.admit(counsellor.user, second_prescription, admitted_on=D(2024, 5, 31), counsellor=counsellor),
        "episodes_overlap",
    )


def test_database_refuses_two_open_episodes_for_a_person(person):
    EpisodeFactory(prescription=PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(prescription=PrescriptionFactory(person=person), admitted_on=D(2024, 3, 1))


def test_a_person_who_left_can_be_admitted_again_on_the_same_record(person, counsellor):
    first = services.admit(
        counsellor.user, PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1), counsellor=counsellor
    )
    services.exit_episode(
        counsellor.user,
        first,
        exit_date=D(2024, 6, 1),
        reason="person_request",
        version=first.version,
        low_intensity_offered=True,
    )
    again = PrescriptionFactory(person=person, date=D(2024, 5, 20))
    second = services.admit(counsellor.user, again, admitted_on=D(2024, 6, 1), counsellor=counsellor)
    assert second.person_id == first.person_id
    assert person.episodes.count() == 2


def test_subsidiarity_justification_required_when_already_supported(person, counsellor):
    data = {
        "date": D(2024, 1, 10),
        "prescriber": "cap_emploi",
        "situation": "job_seeker",
        "consent_given": True,
        "consent_date": D(2024, 1, 10),
        "current_support": "esms",
        "subsidiarity_justification": "",
    }
    error = assert_refused(
        lambda: services.record_prescription(counsellor.user, person, data), "subsidiarity_unjustified"
    )
    assert error.field == "subsidiarity_justification"
    data["subsidiarity_justification"] = "Le SAVS n'intervient pas sur le lieu de travail."
    assert services.record_prescription(counsellor.user, person, data).current_support == "esms"


def test_database_refuses_unjustified_subsidiarity(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        PrescriptionFactory(person=person, current_support="ea", subsidiarity_justification="")


def test_counsellor_is_a_counsellor_of_the_persons_organisation(person, counsellor, partner_counsellor, coordinator):
    prescription = PrescriptionFactory(person=person)
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=partner_counsellor),
        "counsellor_other_organisation",
    )
    assert_refused(
        lambda: services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=coordinator),
        "not_a_counsellor",
    )


def test_every_change_of_counsellor_is_kept_with_its_dates(person, counsellor, colleague):
    episode = services.admit(
        counsellor.user, PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1), counsellor=counsellor
    )
    services.change_counsellor(counsellor.user, episode, counsellor=colleague, start=D(2024, 5, 1))
    assignments = list(CounsellorAssignment.objects.filter(episode=episode).order_by("start"))
    assert [(a.staff, a.start, a.end) for a in assignments] == [
        (counsellor, D(2024, 2, 1), D(2024, 4, 30)),
        (colleague, D(2024, 5, 1), None),
    ]
    assert episode.current_counsellor(D(2024, 3, 1)) == counsellor
    assert Episode.objects.get(pk=episode.pk).current_counsellor(D(2024, 6, 1)) == colleague


def test_a_counsellor_change_on_the_day_the_current_one_started_corrects_it(person, counsellor, colleague):
    episode = services.admit(
        counsellor.user, PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1), counsellor=counsellor
    )
    services.change_counsellor(counsellor.user, episode, counsellor=colleague, start=D(2024, 2, 1))
    assignments = list(CounsellorAssignment.objects.filter(episode=episode))
    assert [(a.staff, a.start, a.end) for a in assignments] == [(colleague, D(2024, 2, 1), None)]
    # One counsellor on that day: the person counts in one caseload only.
    assert active_counts([counsellor.pk, colleague.pk], D(2024, 2, 1)) == {colleague.pk: 1}
    entry = AuditEntry.objects.get(action="episode.counsellor_changed")
    assert entry.changes == {"counsellor": [counsellor.name, colleague.name]}


def test_assignment_beyond_the_ceiling_needs_a_justification(lead, counsellor):
    counsellor.fte = 1
    counsellor.save()
    for _ in range(20):
        EpisodeFactory(prescription=PrescriptionFactory(person=PersonFactory(organisation=lead)), counsellor=counsellor)
    newcomer = PrescriptionFactory(person=PersonFactory(organisation=lead))
    error = assert_refused(
        lambda: services.admit(counsellor.user, newcomer, admitted_on=D(2024, 2, 1), counsellor=counsellor),
        "over_ceiling",
    )
    assert error.field == "over_ceiling_justification"
    episode = services.admit(
        counsellor.user,
        newcomer,
        admitted_on=D(2024, 2, 1),
        counsellor=counsellor,
        over_ceiling_justification="Remplacement pendant un congé.",
    )
    assert episode.assignments.get().over_ceiling_justification == "Remplacement pendant un congé."


def test_persons_in_veille_do_not_count_towards_the_ceiling(lead, counsellor):
    for index in range(20):
        episode = EpisodeFactory(
            prescription=PrescriptionFactory(person=PersonFactory(organisation=lead)), counsellor=counsellor
        )
        if index == 0:
            PauseFactory(episode=episode, start=today() - dt.timedelta(days=5), end=today() + dt.timedelta(days=60))
    newcomer = PrescriptionFactory(person=PersonFactory(organisation=lead))
    services.admit(counsellor.user, newcomer, admitted_on=today(), counsellor=counsellor)


# Veille ------------------------------------------------------------------------------------


@pytest.fixture
def episode(person, counsellor):
    return services.admit(
        counsellor.user, PrescriptionFactory(person=person), admitted_on=D(2024, 2, 1), counsellor=counsellor
    )


def veille(user, episode, **overrides):
    data = {
        "start": D(2024, 6, 1),
        "end": D(2024, 9, 30),
        "requested_by": "person",
        "agreement_date": None,
        "reactivation_conditions": "Reprise après les soins.",
        "employer_informed": "no_employer",
    }
    data.update(overrides)
    return services.start_veille(user, episode, **data)


def test_veille_without_an_end_date_is_impossible(episode, counsellor):
    error = assert_refused(lambda: veille(counsellor.user, episode, end=None), "veille_without_end")
    assert error.field == "end"


def test_database_refuses_a_veille_without_an_end_date(episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pause.objects.create(episode=episode, start=D(2024, 6, 1), end=None, reactivation_conditions="x")


def test_veille_lasts_at_most_12_months(episode, counsellor):
    assert_refused(lambda: veille(counsellor.user, episode, end=D(2025, 6, 2)), "veille_too_long")
    assert veille(counsellor.user, episode, end=D(2025, 6, 1)).end == D(2025, 6, 1)


def test_veille_proposed_by_the_counsellor_needs_the_persons_formal_agreement(episode, counsellor):
    error = assert_refused(
        lambda: veille(counsellor.user, episode, requested_by="counsellor", agreement_date=None),
        "veille_without_agreement",
    )
    assert error.field == "agreement_date"
    pause = veille(counsellor.user, episode, requested_by="counsellor", agreement_date=D(2024, 5, 28))
    assert pause.agreement_date == D(2024, 5, 28)


def test_database_refuses_a_counsellor_veille_without_agreement(episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pause.objects.create(
            episode=episode, start=D(2024, 6, 1), end=D(2024, 7, 1), requested_by="counsellor", agreement_date=None
        )


def test_veille_states_the_conditions_for_resuming(episode, counsellor):
    assert_refused(
        lambda: veille(counsellor.user, episode, reactivation_conditions="  "), "reactivation_conditions_missing"
    )


def test_veille_never_overlaps_another_veille(episode, counsellor):
    veille(counsellor.user, episode, start=D(2024, 6, 1), end=D(2024, 9, 30))
    assert_refused(
        lambda: veille(counsellor.user, episode, start=D(2024, 9, 30), end=D(2024, 12, 31)), "veille_overlap"
    )
    assert_refused(lambda: veille(counsellor.user, episode, start=D(2024, 5, 1), end=D(2024, 6, 1)), "veille_overlap")
    assert veille(counsellor.user, episode, start=D(2024, 10, 1), end=D(2024, 12, 31)).start == D(2024, 10, 1)


def test_veille_lies_inside_its_episode(episode, counsellor):
    assert_refused(
        lambda: veille(counsellor.user, episode, start=D(2024, 1, 31), end=D(2024, 3, 1)), "veille_before_admission"
    )
    services.exit_episode(counsellor.user, episode, exit_date=D(2024, 5, 1), reason="death", version=episode.version)
    assert_refused(lambda: veille(counsellor.user, episode, start=D(2024, 6, 1)), "episode_closed")


def test_exit_during_a_veille_ends_the_veille_the_day_before(episode, counsellor):
    pause = veille(counsellor.user, episode, start=D(2024, 6, 1), end=D(2024, 9, 30))
    services.exit_episode(counsellor.user, episode, exit_date=D(2024, 7, 15), reason="death", version=episode.version)
    pause.refresh_from_db()
    assert pause.end == D(2024, 7, 14)


def test_veille_ended_early_resumes_support(episode, counsellor):
    pause = veille(counsellor.user, episode)
    services.end_veille_early(counsellor.user, pause, resume_on=D(2024, 7, 15))
    pause.refresh_from_db()
    assert (pause.end, pause.ended_early) == (D(2024, 7, 14), True)
    assert pause.closed_on == today()


def test_veille_is_extended_only_by_a_new_dated_decision_of_at_most_12_months(episode, counsellor):
    pause = veille(counsellor.user, episode, start=D(2024, 6, 1), end=D(2024, 9, 30))
    assert_refused(
        lambda: services.extend_veille(counsellor.user, pause, decided_on=D(2024, 9, 20), new_end=D(2025, 9, 21)),
        "veille_too_long",
    )
    assert_refused(
        lambda: services.extend_veille(counsellor.user, pause, decided_on=D(2024, 9, 20), new_end=D(2024, 9, 1)),
        "not_an_extension",
    )
    services.extend_veille(counsellor.user, pause, decided_on=D(2024, 9, 20), new_end=D(2025, 3, 31), reason="Soins")
    pause.refresh_from_db()
    assert pause.end == D(2025, 3, 31)
    extension = pause.extensions.get()
    assert (extension.decided_on, extension.previous_end, extension.new_end) == (
        D(2024, 9, 20),
        D(2024, 9, 30),
        D(2025, 3, 31),
    )


# Exit --------------------------------------------------------------------------------------


def test_exit_reason_must_be_an_accepted_reason(episode, counsellor):
    for refused_reason in ["health", "reorientation_esat", "platform_decision", ""]:
        error = assert_refused(
            lambda r=refused_reason: services.exit_episode(
                counsellor.user, episode, exit_date=D(2024, 5, 1), reason=r, version=episode.version
            ),
            "exit_reason_refused",
        )
        assert error.field == "reason"
    episode.refresh_from_db()
    assert episode.is_open


def test_database_refuses_an_exit_reason_the_law_does_not_accept(episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 5, 1), exit_reason="health")


def test_exit_is_after_the_admission(episode, counsellor):
    assert_refused(
        lambda: services.exit_episode(
            counsellor.user, episode, exit_date=D(2024, 2, 1), reason="death", version=episode.version
        ),
        "exit_before_admission",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 1, 1), exit_reason="death")


def test_exit_at_the_persons_request_confirms_low_intensity_support_was_offered(episode, counsellor):
    error = assert_refused(
        lambda: services.exit_episode(
            counsellor.user, episode, exit_date=D(2024, 5, 1), reason="person_request", version=episode.version
        ),
        "low_intensity_not_offered",
    )
    assert error.field == "low_intensity_offered"
    services.exit_episode(
        counsellor.user,
        episode,
        exit_date=D(2024, 5, 1),
        reason="person_request",
        version=episode.version,
        low_intensity_offered=True,
    )


def test_exit_for_a_move_records_the_receiving_platform(episode, counsellor):
    closed = services.exit_episode(
        counsellor.user,
        episode,
        exit_date=D(2024, 5, 1),
        reason="moved_out",
        version=episode.version,
        receiving_platform="Plateforme du Tarn",
    )
    assert closed.exit_receiving_platform == "Plateforme du Tarn"


def attempts(episode, *specs):
    for day, channel in specs:
        OutreachFactory(episode=episode, date=day, channel=channel)


def exit_disengaged(user, episode, day):
    return services.exit_episode(
        user,
        episode,
        exit_date=day,
        reason="disengagement",
        version=Episode.objects.get(pk=episode.pk).version,
        note="Relances par téléphone, courrier et visite ; aucune réponse.",
    )


def test_exit_for_disengagement_needs_six_months_without_contact(episode, counsellor, person):
    InterventionFactory(person=person, date=D(2024, 3, 15), with_whom="person")
    attempts(episode, (D(2024, 5, 1), "phone"), (D(2024, 6, 1), "letter"), (D(2024, 7, 1), "home_visit"))
    assert_refused(lambda: exit_disengaged(counsellor.user, episode, D(2024, 9, 14)), "disengagement_refused")
    closed = exit_disengaged(counsellor.user, episode, D(2024, 9, 15))
    assert closed.exit_reason == "disengagement"


def test_exit_for_disengagement_needs_three_attempts_through_two_channels(episode, counsellor):
    attempts(episode, (D(2024, 5, 1), "phone"), (D(2024, 6, 1), "phone"), (D(2024, 7, 1), "phone"))
    assert_refused(lambda: exit_disengaged(counsellor.user, episode, D(2024, 9, 1)), "disengagement_refused")
    attempts(episode, (D(2024, 7, 15), "letter"))
    assert exit_disengaged(counsellor.user, episode, D(2024, 9, 1)).exit_reason == "disengagement"


def test_exit_for_disengagement_counts_only_attempts_after_the_last_contact(episode, counsellor, person):
    attempts(episode, (D(2024, 3, 1), "phone"), (D(2024, 3, 2), "letter"))
    InterventionFactory(person=person, date=D(2024, 3, 10), with_whom="both")
    attempts(episode, (D(2024, 5, 1), "phone"), (D(2024, 6, 1), "email"))
    assert_refused(lambda: exit_disengaged(counsellor.user, episode, D(2024, 10, 1)), "disengagement_refused")


def test_an_outreach_attempt_that_reached_the_person_is_a_contact(episode, counsellor):
    attempts(episode, (D(2024, 3, 1), "phone"), (D(2024, 3, 2), "letter"), (D(2024, 3, 3), "email"))
    OutreachFactory(episode=episode, date=D(2024, 4, 1), channel="phone", outcome="reached")
    attempts(episode, (D(2024, 5, 1), "phone"), (D(2024, 6, 1), "letter"), (D(2024, 7, 1), "email"))
    assert_refused(lambda: exit_disengaged(counsellor.user, episode, D(2024, 9, 30)), "disengagement_refused")
    assert exit_disengaged(counsellor.user, episode, D(2024, 10, 1)).exit_reason == "disengagement"


def test_an_intervention_with_the_employer_only_is_not_a_contact_with_the_person(episode, counsellor, person):
    InterventionFactory(person=person, date=D(2024, 5, 1), with_whom="employer")
    attempts(episode, (D(2024, 3, 1), "phone"), (D(2024, 4, 1), "letter"), (D(2024, 5, 1), "email"))
    assert exit_disengaged(counsellor.user, episode, D(2024, 8, 1)).exit_reason == "disengagement"


def test_exit_for_disengagement_is_documented(episode, counsellor):
    attempts(episode, (D(2024, 3, 1), "phone"), (D(2024, 4, 1), "letter"), (D(2024, 5, 1), "email"))
    assert_refused(
        lambda: services.exit_episode(
            counsellor.user, episode, exit_date=D(2024, 9, 1), reason="disengagement", version=episode.version, note=""
        ),
        "disengagement_undocumented",
    )


def test_exit_date_not_in_the_future(episode, counsellor):
    assert_refused(
        lambda: services.exit_episode(
            counsellor.user, episode, exit_date=today() + dt.timedelta(days=1), reason="death", version=episode.version
        ),
        "future_date",
    )


# Concurrency and history ---------------------------------------------------------------------


def test_concurrent_exit_of_the_same_episode_is_refused(episode, counsellor, colleague):
    version_seen_by_both = episode.version
    services.exit_episode(
        counsellor.user, episode, exit_date=D(2024, 5, 1), reason="death", version=version_seen_by_both
    )
    with pytest.raises(ConcurrentEditError):
        services.exit_episode(
            colleague.user, episode, exit_date=D(2024, 6, 1), reason="moved_out", version=version_seen_by_both
        )
    episode.refresh_from_db()
    assert (episode.exit_date, episode.exit_reason) == (D(2024, 5, 1), "death")


def test_concurrent_edit_of_a_person_is_refused(person, counsellor, colleague):
    seen = person.version
    services.update_person(counsellor.user, person, {"phone": "06 00 00 00 01"}, seen)
    with pytest.raises(ConcurrentEditError):
        services.update_person(colleague.user, person, {"phone": "06 99 99 99 99"}, seen)
    person.refresh_from_db()
    assert person.phone == "06 00 00 00 01"


def test_every_pathway_change_is_recorded_in_the_history(person, counsellor, colleague):
    prescription = services.record_prescription(
        counsellor.user,
        person,
        {
            "date": D(2024, 1, 10),
            "prescriber": "cdaph",
            "situation": "leaving_esat",
            "consent_given": True,
            "consent_date": D(2024, 1, 10),
        },
    )
    episode = services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor)
    services.change_counsellor(counsellor.user, episode, counsellor=colleague, start=D(2024, 3, 1))
    pause = veille(counsellor.user, episode)
    services.extend_veille(counsellor.user, pause, decided_on=D(2024, 9, 1), new_end=D(2024, 12, 31))
    services.record_outreach(counsellor.user, episode, date=D(2025, 1, 10), channel="phone", outcome="reached")
    services.exit_episode(
        counsellor.user, episode, exit_date=D(2025, 2, 1), reason="moved_out", version=episode.version
    )
    actions = list(AuditEntry.objects.filter(person=person).order_by("id").values_list("action", flat=True))
    assert actions == [
        "prescription.created",
        "episode.admitted",
        "episode.counsellor_changed",
        "veille.started",
        "veille.extended",
        "outreach.recorded",
        "episode.exited",
    ]
    exited = AuditEntry.objects.get(action="episode.exited")
    assert exited.user == counsellor.user
    assert exited.changes["exit_reason"] == [None, "moved_out"]
    extended = AuditEntry.objects.get(action="veille.extended")
    assert extended.changes["end"] == ["2024-09-30", "2024-12-31"]


def test_a_change_to_a_person_records_old_and_new_values(person, counsellor):
    services.update_person(
        counsellor.user, person, {"last_name": "Durand-Vidal", "phone": "05 65 00 00 00"}, person.version
    )
    entry = AuditEntry.objects.get(action="person.updated")
    assert entry.changes == {"last_name": ["Durand", "Durand-Vidal"], "phone": ["", "05 65 00 00 00"]}


def test_staff_can_be_created_with_an_account(lead, coordinator):
    from tremplin.organisations import services as organisation_services

    staff = organisation_services.create_staff(
        coordinator.user,
        {
            "organisation": lead,
            "name": "Nouvelle Conseillère",
            "function": "counsellor",
            "clinical_domain": "",
            "fte": 1,
            "start": D(2025, 1, 1),
            "end": None,
            "rncp37779": "in_training",
        },
        username="nouvelle.conseillere",
        password="un mot de passe solide",
    )
    assert staff.user.check_password("un mot de passe solide")
    assert staff.code.startswith("S")


def test_staff_fte_is_between_zero_and_one(lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(organisation=lead, fte=0)
