"""The rules of logging an intervention (services), each test named after its rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.activity.conftest import supported
from tests.factories import ContractFactory, EmployerFactory, InterventionFactory, PauseFactory, PlatformFactory
from tremplin.activity import services
from tremplin.activity.models import Intervention
from tremplin.audit.models import AuditEntry
from tremplin.lib.dates import today
from tremplin.lib.errors import DomainError
from tremplin.organisations.models import Platform
from tremplin.pathways.models import Episode

D = dt.date


def data(**overrides):
    values = {
        "date": today(),
        "minutes": 45,
        "place": "premises",
        "with_whom": "person",
        "kind": "interview",
        "action_family": "professional_project",
        "employer": None,
        "contract": None,
        "note": "",
    }
    values.update(overrides)
    return values


def refused(user, person, code, **overrides):
    with pytest.raises(DomainError) as error:
        services.log_intervention(user, person, data(**overrides))
    assert error.value.code == code, error.value.message
    assert not Intervention.objects.filter(person=person).exists()
    return error.value


def test_an_intervention_is_logged_on_the_episode_supporting_the_person_that_day(counsellor, person):
    first = supported(person, counsellor, D(2023, 1, 10))
    Episode.objects.filter(pk=first.pk).update(exit_date=D(2023, 6, 1), exit_reason="person_request")
    second = supported(person, counsellor, D(2024, 3, 1))
    intervention = services.log_intervention(counsellor.user, person, data(date=D(2024, 5, 2)))
    assert intervention.episode_id == second.pk
    assert intervention.staff == counsellor and intervention.created_by == counsellor.user
    entry = AuditEntry.objects.get(action="intervention.logged")
    assert entry.person_id == person.pk and entry.changes["minutes"] == [None, 45]


@pytest.mark.parametrize("minutes", [0, -5, 721, 100000])
def test_intervention_duration_must_be_between_1_and_720_minutes(counsellor, followed, minutes):
    error = refused(counsellor.user, followed, "minutes_out_of_range", minutes=minutes)
    assert error.field == "minutes"
    assert "entre 1 et 720 minutes" in str(error)


@pytest.mark.parametrize("minutes", [1, 720])
def test_intervention_duration_limits_1_and_720_are_accepted(counsellor, followed, minutes):
    assert services.log_intervention(counsellor.user, followed, data(minutes=minutes)).minutes == minutes


def test_intervention_duration_is_required(counsellor, followed):
    refused(counsellor.user, followed, "minutes_missing", minutes=None)


@pytest.mark.parametrize("days_ahead", [1, 366, 4000])
def test_intervention_date_cannot_be_in_the_future_even_within_a_year(counsellor, followed, days_ahead):
    """An intervention records what happened; the future is planned with appointments. So every
    future date is refused, including (as the issue requires) dates beyond a year."""
    error = refused(counsellor.user, followed, "future_date", date=today() + dt.timedelta(days=days_ahead))
    assert error.field == "date" and "rendez-vous" in str(error)


def test_only_a_contact_can_be_logged_during_a_veille(counsellor, person):
    episode = supported(person, counsellor)
    PauseFactory(episode=episode, start=D(2024, 6, 1), end=D(2024, 8, 31))
    error = refused(counsellor.user, person, "veille_only_contact", date=D(2024, 7, 1), kind="interview", note="x")
    assert error.field == "kind"
    assert "veille" in str(error) and "contact" in str(error)
    contact = services.log_intervention(
        counsellor.user, person, data(date=D(2024, 7, 1), kind="contact", note="Appel à sa demande.")
    )
    assert contact.episode_id == episode.pk


def test_a_contact_during_a_veille_must_be_documented_by_a_note(counsellor, person):
    episode = supported(person, counsellor)
    PauseFactory(episode=episode, start=D(2024, 6, 1), end=D(2024, 8, 31))
    error = refused(counsellor.user, person, "veille_contact_undocumented", date=D(2024, 6, 1), kind="contact")
    assert error.field == "note"


def test_the_veille_rule_does_not_apply_the_day_after_the_veille(counsellor, person):
    episode = supported(person, counsellor)
    PauseFactory(episode=episode, start=D(2024, 6, 1), end=D(2024, 8, 31))
    assert services.log_intervention(counsellor.user, person, data(date=D(2024, 9, 1))).kind == "interview"


def test_nothing_can_be_logged_after_an_exit(counsellor, person):
    episode = supported(person, counsellor, D(2023, 1, 10))
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2023, 6, 1), exit_reason="person_request")
    for day in (D(2023, 6, 1), D(2024, 1, 1)):  # the exit day is the first day outside
        error = refused(counsellor.user, person, "after_exit", date=day)
        assert "01/06/2023" in str(error)


def test_nothing_can_be_logged_on_an_episode_that_has_ended_even_before_its_exit(counsellor, person):
    episode = supported(person, counsellor, D(2023, 1, 10))
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2023, 6, 1), exit_reason="person_request")
    refused(counsellor.user, person, "episode_closed", date=D(2023, 3, 1))


def test_nothing_can_be_logged_between_two_episodes(counsellor, person):
    first = supported(person, counsellor, D(2023, 1, 10))
    Episode.objects.filter(pk=first.pk).update(exit_date=D(2023, 6, 1), exit_reason="person_request")
    supported(person, counsellor, D(2024, 3, 1))
    error = refused(counsellor.user, person, "between_episodes", date=D(2023, 12, 1))
    assert "01/06/2023" in str(error) and "01/03/2024" in str(error)


def test_nothing_can_be_logged_before_the_admission(counsellor, person):
    supported(person, counsellor, D(2024, 3, 1))
    refused(counsellor.user, person, "before_admission", date=D(2024, 2, 29))


def test_nothing_can_be_logged_for_a_person_never_admitted(counsellor, person):
    refused(counsellor.user, person, "not_admitted")


def test_the_contract_must_be_the_persons_and_with_the_employer_chosen(counsellor, followed, lead, person):
    from tests.factories import PersonFactory

    other = PersonFactory(organisation=lead)
    employer = EmployerFactory(platform=lead.platform)
    theirs = ContractFactory(person=other, employer=employer)
    refused(counsellor.user, followed, "contract_other_person", contract=theirs)
    mine = ContractFactory(person=followed, employer=employer)
    refused(
        counsellor.user,
        followed,
        "contract_other_employer",
        contract=mine,
        employer=EmployerFactory(platform=lead.platform),
    )
    intervention = services.log_intervention(counsellor.user, followed, data(contract=mine))
    assert intervention.employer == employer  # the contract's employer is filled in


def test_the_employer_must_be_one_of_the_platforms(counsellor, followed):
    elsewhere = EmployerFactory(platform=PlatformFactory(code="EA81"))
    assert Platform.objects.count() == 2
    refused(counsellor.user, followed, "employer_other", employer=elsewhere)


def test_only_the_author_can_change_or_delete_an_intervention(counsellor, colleague, followed):
    intervention = services.log_intervention(counsellor.user, followed, data())
    with pytest.raises(DomainError) as error:
        services.update_intervention(colleague.user, intervention, data(minutes=60), intervention.version)
    assert error.value.code == "not_author"
    with pytest.raises(DomainError):
        services.delete_intervention(colleague.user, intervention, intervention.version)
    intervention.refresh_from_db()
    assert intervention.minutes == 45


def test_an_edit_keeps_the_old_and_new_values_in_the_history(counsellor, followed):
    intervention = services.log_intervention(counsellor.user, followed, data())
    services.update_intervention(counsellor.user, intervention, data(minutes=90, place="workplace"), 1)
    intervention.refresh_from_db()
    assert (intervention.minutes, intervention.place, intervention.version) == (90, "workplace", 2)
    entry = AuditEntry.objects.get(action="intervention.updated")
    assert entry.changes == {"minutes": [45, 90], "place": ["premises", "workplace"]}


def test_concurrent_edits_of_an_intervention_are_refused(counsellor, followed):
    intervention = services.log_intervention(counsellor.user, followed, data())
    services.update_intervention(counsellor.user, intervention, data(minutes=60), 1)
    with pytest.raises(DomainError) as error:
        services.update_intervention(counsellor.user, intervention, data(minutes=30), 1)
    assert error.value.code == "concurrent_edit"
    intervention.refresh_from_db()
    assert intervention.minutes == 60


def test_an_edit_follows_the_same_rules(counsellor, followed):
    intervention = services.log_intervention(counsellor.user, followed, data())
    with pytest.raises(DomainError) as error:
        services.update_intervention(counsellor.user, intervention, data(minutes=721), 1)
    assert error.value.code == "minutes_out_of_range"
    intervention.refresh_from_db()
    assert intervention.minutes == 45 and intervention.version == 1


def test_a_deletion_is_recorded_with_the_values_deleted(counsellor, followed):
    intervention = services.log_intervention(counsellor.user, followed, data(note="Point d’étape"))
    services.delete_intervention(counsellor.user, intervention, 1)
    assert not Intervention.objects.exists()
    entry = AuditEntry.objects.get(action="intervention.deleted")
    assert entry.changes["minutes"] == [45, None] and entry.changes["note"] == ["Point d’étape", None]


def test_interventions_of_an_ended_episode_can_no_longer_change(counsellor, person):
    episode = supported(person, counsellor, D(2023, 1, 10))
    intervention = InterventionFactory(person=person, episode=episode, date=D(2023, 3, 1), created_by=counsellor.user)
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2023, 6, 1), exit_reason="person_request")
    for action in (
        lambda: services.update_intervention(counsellor.user, intervention, data(date=D(2023, 3, 1)), 1),
        lambda: services.delete_intervention(counsellor.user, intervention, 1),
    ):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "episode_closed"
    assert Intervention.objects.filter(pk=intervention.pk, minutes=60).exists()
