"""Episodes belong to a programme whose rules are one declaration (tremplin/pathways/programmes.py).

Emploi accompagné keeps every rule it had; a second programme, registered here for the tests
only, proves that adding one is adding a declaration: its persons may also be in emploi
accompagné, it exits with its own reasons, it may allow follow-up after the exit, and the
emploi accompagné indicators do not count it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tests.activity.conftest import supported
from tests.conftest import client_for
from tests.factories import EpisodeFactory, InterventionFactory, PrescriptionFactory
from tremplin.activity import services as activity_services
from tremplin.lib.errors import DomainError
from tremplin.pathways import programmes, services
from tremplin.pathways.models import Episode
from tremplin.pathways.programmes import EMPLOI_ACCOMPAGNE, Programme
from tremplin.steering import indicators

D = dt.date
EA_REASONS = ["person_request", "moved_out", "recognition_not_renewed", "disengagement", "death"]


def _second_programme(**overrides) -> Programme:
    values = {
        "code": "test_second",
        "label": "second programme (tests)",
        "exit_reasons": (("completed", _("completed")), ("renounced", _("renounced"))),
        "exit_reason_refused": "Not a reason of the second programme.",
        "follow_up_months_after_exit": 12,
    }
    values.update(overrides)
    return Programme(**values)


@pytest.fixture
def second():
    with programmes.registered(_second_programme()) as programme:
        yield programme


def _open_in(programme, person, admitted_on: dt.date = dt.date(2024, 3, 1)) -> Episode:
    return Episode.objects.create(person=person, programme=programme.code, admitted_on=admitted_on)


# Emploi accompagné: the rules of today, declared once --------------------------------------


def test_emploi_accompagne_accepts_exactly_its_five_exit_reasons():
    assert list(EMPLOI_ACCOMPAGNE.exit_reason_values) == EA_REASONS
    assert programmes.get("emploi_accompagne") is EMPLOI_ACCOMPAGNE


def test_emploi_accompagne_records_nothing_after_exit_and_has_no_prerequisite_nor_stage():
    assert not EMPLOI_ACCOMPAGNE.records_after_exit
    assert EMPLOI_ACCOMPAGNE.follow_up_until(D(2025, 1, 1)) is None
    assert EMPLOI_ACCOMPAGNE.prerequisites_forbidden
    assert EMPLOI_ACCOMPAGNE.stages == programmes.NO_STAGES


def test_a_programme_without_prerequisites_cannot_make_stages_a_condition():
    with pytest.raises(ValueError, match="V.A.1"):
        _second_programme(prerequisites_forbidden=True, stages=programmes.REQUIRED_STAGES)
    assert _second_programme(prerequisites_forbidden=True, stages=programmes.OPTIONAL_STAGES).stages == "optional"


def test_existing_episodes_belong_to_emploi_accompagne(person):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person))
    assert episode.programme == "emploi_accompagne" and episode.programme_rules is EMPLOI_ACCOMPAGNE


def test_the_database_refuses_two_open_emploi_accompagne_episodes_of_one_person(person):
    EpisodeFactory(prescription=PrescriptionFactory(person=person))
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(prescription=PrescriptionFactory(person=person, code="PR2"), admitted_on=D(2024, 5, 1))


def test_the_database_refuses_an_emploi_accompagne_exit_for_another_programmes_reason(person, second):
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person))
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 6, 1), exit_reason="completed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 6, 1), exit_reason="")


def test_an_emploi_accompagne_exit_for_another_programmes_reason_is_refused_with_the_national_message(
    person, counsellor, second
):
    episode = supported(person, counsellor)
    with pytest.raises(DomainError) as error:
        services.exit_episode(
            counsellor.user, episode, exit_date=D(2024, 6, 1), reason="completed", version=episode.version
        )
    assert error.value.field == "reason" and "Les seuls motifs acceptés sont" in error.value.message


# A second programme: one declaration, no `if` in the workflows -------------------------------


def test_a_person_in_emploi_accompagne_can_have_an_open_episode_in_another_programme(person, counsellor, second):
    supported(person, counsellor)
    other = _open_in(second, person)
    assert set(person.episodes.filter(exit_date__isnull=True).values_list("programme", flat=True)) == {
        "emploi_accompagne",
        "test_second",
    }
    # ...but never two open episodes in the same programme.
    with pytest.raises(IntegrityError), transaction.atomic():
        _open_in(second, person, D(2024, 9, 1))
    assert other.programme_rules is second


def test_an_admission_in_emploi_accompagne_ignores_the_open_episode_of_another_programme(person, counsellor, second):
    _open_in(second, person, D(2023, 1, 1))
    prescription = PrescriptionFactory(person=person, date=D(2024, 1, 10))
    episode = services.admit(counsellor.user, prescription, admitted_on=D(2024, 2, 1), counsellor=counsellor)
    assert episode.programme == "emploi_accompagne"


def test_a_readmission_in_emploi_accompagne_still_waits_for_the_previous_exit(person, counsellor, second):
    supported(person, counsellor, D(2024, 2, 1))
    prescription = PrescriptionFactory(person=person, code="PR2", date=D(2024, 3, 1))
    with pytest.raises(DomainError) as error:
        services.admit(counsellor.user, prescription, admitted_on=D(2024, 4, 1), counsellor=counsellor)
    assert error.value.code == "episodes_overlap"


def test_another_programme_exits_with_its_own_reasons(person, counsellor, second):
    episode = _open_in(second, person)
    with pytest.raises(DomainError) as error:
        services.exit_episode(counsellor.user, episode, exit_date=D(2024, 6, 1), reason="death", version=1)
    assert error.value.message == "Not a reason of the second programme."
    services.exit_episode(counsellor.user, episode, exit_date=D(2024, 6, 1), reason="completed", version=1)
    episode.refresh_from_db()
    assert episode.exit_reason == "completed" and episode.get_exit_reason_display() == "completed"


def test_a_programmes_own_exit_checks_run_only_for_its_reasons(person, counsellor):
    programme = _second_programme()

    @programme.exit_check("completed")
    def _report_sent(episode, *, note, **_exit):
        if "report" not in note:
            raise DomainError("The final report is not sent.", field="reason")

    with programmes.registered(programme):
        episode = _open_in(programme, person)
        with pytest.raises(DomainError, match="final report"):
            services.exit_episode(counsellor.user, episode, exit_date=D(2024, 6, 1), reason="completed", version=1)
        services.exit_episode(counsellor.user, episode, exit_date=D(2024, 6, 1), reason="renounced", version=1)
    with pytest.raises(ValueError):
        programme.exit_check("death")


def test_emploi_accompagne_refuses_an_intervention_after_exit(person, counsellor):
    episode = supported(person, counsellor, D(2024, 2, 1))
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 6, 1), exit_reason="death")
    with pytest.raises(DomainError) as error:
        activity_services.episode_for(person, D(2024, 7, 1))
    assert error.value.code == "after_exit"


def test_a_programme_with_follow_up_accepts_records_for_its_months_after_exit(person, second):
    episode = _open_in(second, person, D(2024, 2, 1))
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 6, 1), exit_reason="completed")
    assert activity_services.episode_for(person, D(2025, 6, 1), programme=second).pk == episode.pk
    with pytest.raises(DomainError) as error:
        activity_services.episode_for(person, D(2025, 6, 2), programme=second)
    assert error.value.code == "after_exit"
    # Emploi accompagné's records never land on the other programme's episode.
    with pytest.raises(DomainError) as error:
        activity_services.episode_for(person, D(2024, 3, 1))
    assert error.value.code == "not_admitted"


def test_an_intervention_on_a_followed_up_episode_can_still_change(person, counsellor, second):
    episode = _open_in(second, person, D(2024, 2, 1))
    intervention = InterventionFactory(person=person, episode=episode, date=D(2024, 7, 1), created_by=counsellor.user)
    Episode.objects.filter(pk=episode.pk).update(exit_date=D(2024, 6, 1), exit_reason="completed")
    intervention.refresh_from_db()
    activity_services._check_episode_open(intervention)  # within the 12 months: no error
    ea = supported(person, counsellor, D(2023, 1, 1))
    late = InterventionFactory(person=person, episode=ea, date=D(2023, 6, 1), created_by=counsellor.user)
    Episode.objects.filter(pk=ea.pk).update(exit_date=D(2023, 12, 1), exit_reason="death")
    late.refresh_from_db()
    with pytest.raises(DomainError):
        activity_services._check_episode_open(late)


def test_the_exit_form_offers_the_reasons_of_the_episodes_programme(person, counsellor):
    episode = supported(person, counsellor)
    page = client_for(counsellor).get(reverse("exit_episode", args=[episode.pk]))
    assert page.status_code == 200
    offered = [value for value, _label in page.context["form"].fields["reason"].choices]
    assert offered == EA_REASONS


def test_the_indicators_count_only_emploi_accompagne_episodes(lead, person, counsellor, second):
    supported(person, counsellor, D(2025, 1, 6))
    from tests.factories import PersonFactory

    other = PersonFactory(organisation=lead)
    _open_in(second, other, D(2025, 2, 1))
    closed = _open_in(second, PersonFactory(organisation=lead), D(2025, 2, 1))
    Episode.objects.filter(pk=closed.pk).update(exit_date=D(2025, 8, 1), exit_reason="completed")
    figures, members = indicators.compute_with_members(
        D(2025, 7, 1), D(2025, 9, 30), "platform", platform=lead.platform
    )
    assert members["activity.supported"] == [person.pk]
    assert figures["activity"]["exits"]["total"] == 0
    assert set(figures["activity"]["exits"]["by_reason"]) == set(EA_REASONS)


def test_the_bundle_exports_only_emploi_accompagne_episodes(lead, person, counsellor, second):
    import io
    import json

    from tremplin.steering.bundle.exporter import export_bundle

    supported(person, counsellor, D(2024, 2, 1))
    _open_in(second, person, D(2024, 3, 1))
    out = io.StringIO()
    export_bundle(out, lead.platform)
    persons = [p for p in json.loads(out.getvalue())["persons"] if p["code"] == person.code]
    assert [e["admitted_on"] for e in persons[0]["episodes"]] == ["2024-02-01"]
