"""The rules of employers and jobs, one test (or a few) per rule, named after it.

Each test would fail if the rule were removed from the service or the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ContractFactory, EmployerFactory, PauseFactory, PlacementFactory
from tremplin.audit.models import AuditEntry
from tremplin.employment import services, status
from tremplin.employment.models import Contract, Employer, EmployerContact, Placement, SupportAgreement, siret_is_valid
from tremplin.lib.dates import today
from tremplin.lib.errors import ConcurrentEditError, DomainError

from .conftest import SIRET_A, SIRET_B, SIRET_INVALID

D = dt.date


def assert_refused(call, code: str, field: str | None = None):
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, info.value.code
    assert str(info.value.message)
    if field is not None:
        assert info.value.field == field
    return info.value


def employer_data(**overrides):
    data = {"name": "Boulangerie du Tarn", "kind": "private", "siret": "", "naf": "10.71C"}
    data.update(overrides)
    return data


def contract_data(employer, **overrides):
    data = {
        "employer": employer,
        "job_title": "vendeuse",
        "type": "cdd",
        "start": D(2025, 4, 1),
        "planned_end": D(2025, 12, 31),
        "end": None,
        "end_reason": "",
        "weekly_hours": Decimal("24"),
        "adjustments": "",
    }
    data.update(overrides)
    return data


# SIRET -------------------------------------------------------------------------------------


def test_siret_has_14_digits_and_a_valid_checksum():
    assert siret_is_valid(SIRET_A) and siret_is_valid(SIRET_B)
    assert not siret_is_valid(SIRET_INVALID)
    assert not siret_is_valid("7328293200007")  # 13 digits
    assert not siret_is_valid("7328293200007A")


def test_employer_with_an_invalid_siret_is_refused(counsellor, platform):
    assert_refused(
        lambda: services.create_employer(counsellor.user, platform, employer_data(siret=SIRET_INVALID)),
        "invalid_siret",
        "siret",
    )
    assert not Employer.objects.exists()


def test_duplicate_siret_is_refused_within_the_platform(counsellor, platform):
    first = services.create_employer(counsellor.user, platform, employer_data(siret=SIRET_A))
    error = assert_refused(
        lambda: services.create_employer(counsellor.user, platform, employer_data(name="Autre nom", siret=SIRET_A)),
        "duplicate_siret",
        "siret",
    )
    assert first.name in str(error.message)
    assert Employer.objects.count() == 1
    # Changing another employer to the same SIRET is refused too.
    other = services.create_employer(counsellor.user, platform, employer_data(name="Autre", siret=SIRET_B))
    assert_refused(
        lambda: services.update_employer(counsellor.user, other, {"siret": SIRET_A}, other.version),
        "duplicate_siret",
    )


def test_database_refuses_a_duplicate_siret_in_the_same_platform(platform):
    EmployerFactory(platform=platform, siret=SIRET_A)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerFactory(platform=platform, siret=SIRET_A)


def test_employers_without_siret_may_be_several(counsellor, platform):
    services.create_employer(counsellor.user, platform, employer_data(name="Micro-entreprise A", siret=""))
    services.create_employer(counsellor.user, platform, employer_data(name="Micro-entreprise B", siret=""))
    assert Employer.objects.count() == 2


def test_employer_creation_is_logged_and_gets_a_code(counsellor, platform):
    employer = services.create_employer(counsellor.user, platform, employer_data(siret=SIRET_A))
    assert employer.code == "E1"
    entry = AuditEntry.objects.get(action="employer.created")
    assert entry.changes["siret"] == [None, SIRET_A]


def test_concurrent_edit_of_an_employer_is_refused(counsellor, colleague, platform):
    employer = services.create_employer(counsellor.user, platform, employer_data())
    seen = employer.version
    services.update_employer(colleague.user, employer, {"name": "Boulangerie Fabre"}, seen)
    with pytest.raises(ConcurrentEditError):
        services.update_employer(counsellor.user, employer, {"address": "Rodez"}, seen)
    employer.refresh_from_db()
    assert (employer.name, employer.address, employer.version) == ("Boulangerie Fabre", "", 2)


def test_contacts_are_added_edited_and_removed_with_history(counsellor, platform):
    employer = EmployerFactory(platform=platform)
    contact = services.add_contact(counsellor.user, employer, {"name": "Mme Fabre", "role": "gérante", "phone": ""})
    services.update_contact(counsellor.user, contact, {"phone": "05 65 00 00 00"}, contact.version)
    with pytest.raises(ConcurrentEditError):
        services.update_contact(counsellor.user, contact, {"phone": "06"}, 1)
    services.delete_contact(counsellor.user, EmployerContact.objects.get(pk=contact.pk))
    assert not EmployerContact.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["employer_contact.created", "employer_contact.updated", "employer_contact.deleted"]


# Contracts ---------------------------------------------------------------------------------


def test_contract_end_not_before_start(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    assert_refused(
        lambda: services.record_contract(
            counsellor.user, person, contract_data(employer, end=D(2025, 3, 31), end_reason="resignation")
        ),
        "end_before_start",
        "end",
    )
    assert not Contract.objects.exists()


def test_contract_planned_end_not_before_start(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(employer, planned_end=D(2025, 1, 1))),
        "planned_end_before_start",
        "planned_end",
    )


def test_contract_end_reason_needs_an_actual_end(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(employer, end_reason="dismissal")),
        "end_reason_without_end",
        "end",
    )
    assert not Contract.objects.exists()


def test_contract_actual_end_needs_its_reason(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(employer, end=D(2025, 6, 15))),
        "end_without_reason",
        "end_reason",
    )


def test_database_keeps_end_and_end_reason_together(person, platform):
    employer = EmployerFactory(platform=platform)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(person=person, employer=employer, type="cdd", start=D(2025, 1, 1), end_reason="term")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(person=person, employer=employer, type="cdd", start=D(2025, 1, 1), end=D(2025, 2, 1))


def test_contract_types_and_end_reasons_are_closed_lists(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    assert set(Contract.Type.values) == {
        "cdi",
        "cdd",
        "interim",
        "apprenticeship",
        "professionalisation",
        "subsidised",
        "self_employed",
        "other",
    }
    assert set(Contract.EndReason.values) == {
        "term",
        "resignation",
        "dismissal",
        "mutual_termination",
        "trial_period",
        "other",
    }
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(employer, type="cdd_senior")),
        "type_invalid",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(person=person, employer=employer, type="stage", start=D(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            person=person, employer=employer, type="cdd", start=D(2025, 1, 1), end=D(2025, 2, 1), end_reason="fired"
        )


def test_contract_weekly_hours_are_plausible(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    for hours in (Decimal("0"), Decimal("70.5")):
        assert_refused(
            lambda hours=hours: services.record_contract(
                counsellor.user, person, contract_data(employer, weekly_hours=hours)
            ),
            "weekly_hours_out_of_range",
            "weekly_hours",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(person=person, employer=employer, type="cdi", start=D(2025, 1, 1), weekly_hours=80)


def test_contract_employer_must_be_of_the_persons_platform(counsellor, person):
    elsewhere = EmployerFactory(platform__code="EA81", platform__name="Autre plateforme")
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(elsewhere)),
        "employer_other_platform",
        "employer",
    )


def test_contract_start_more_than_a_year_ahead_is_a_typo(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    far = today() + dt.timedelta(days=400)
    assert_refused(
        lambda: services.record_contract(counsellor.user, person, contract_data(employer, start=far, planned_end=None)),
        "start_too_far",
        "start",
    )


def test_several_contracts_may_run_at_once(counsellor, person, platform):
    a, b = EmployerFactory(platform=platform), EmployerFactory(platform=platform)
    services.record_contract(
        counsellor.user, person, contract_data(a, start=D(2025, 1, 6), planned_end=None, type="cdi")
    )
    services.record_contract(counsellor.user, person, contract_data(b, start=D(2025, 3, 1)))
    assert len(status.current_contracts(person.contracts.all(), D(2025, 4, 1))) == 2


def test_ending_a_contract_records_date_and_reason_and_support_goes_on(counsellor, person, platform):
    employer = EmployerFactory(platform=platform)
    contract = services.record_contract(counsellor.user, person, contract_data(employer))
    assert_refused(
        lambda: services.end_contract(counsellor.user, contract, end=D(2025, 6, 15), end_reason="", version=1),
        "end_without_reason",
        "end_reason",
    )
    services.end_contract(counsellor.user, contract, end=D(2025, 6, 15), end_reason="resignation", version=1)
    contract.refresh_from_db()
    assert (contract.end, contract.end_reason, contract.version) == (D(2025, 6, 15), "resignation", 2)
    assert AuditEntry.objects.filter(action="contract.ended", person=person).exists()
    assert_refused(
        lambda: services.end_contract(counsellor.user, contract, end=D(2025, 6, 16), end_reason="term", version=2),
        "already_ended",
    )


def test_concurrent_edit_of_a_contract_is_refused(counsellor, colleague, person, platform):
    employer = EmployerFactory(platform=platform)
    contract = services.record_contract(counsellor.user, person, contract_data(employer))
    services.update_contract(colleague.user, contract, {"job_title": "boulangère"}, 1)
    with pytest.raises(ConcurrentEditError):
        services.update_contract(counsellor.user, contract, {"weekly_hours": Decimal("30")}, 1)
    with pytest.raises(ConcurrentEditError):
        services.end_contract(counsellor.user, contract, end=D(2025, 6, 1), end_reason="term", version=1)
    contract.refresh_from_db()
    assert (contract.job_title, contract.weekly_hours, contract.end) == ("boulangère", Decimal("24"), None)


# Employment status -------------------------------------------------------------------------


def test_employment_status_is_derived_from_contracts_covering_the_day(person, platform):
    cdd = ContractFactory(
        person=person, employer__platform=platform, start=D(2025, 4, 1), end=D(2025, 6, 15), end_reason="resignation"
    )
    contracts = [cdd]
    assert status.status_from_contracts(contracts, D(2025, 3, 31)) == status.NO_JOB_YET
    assert status.status_from_contracts(contracts, D(2025, 4, 1)) == status.IN_WORK
    assert status.status_from_contracts(contracts, D(2025, 6, 15)) == status.IN_WORK  # the end day is covered
    assert status.status_from_contracts(contracts, D(2025, 6, 16)) == status.BETWEEN_JOBS
    cdi = ContractFactory(person=person, employer__platform=platform, type="cdi", start=D(2025, 9, 1))
    assert status.status_from_contracts([cdd, cdi], D(2026, 1, 1)) == status.IN_WORK
    assert status.employed_person_ids([person.pk], D(2025, 7, 1)) == set()
    assert status.employed_person_ids([person.pk], D(2025, 9, 1)) == {person.pk}


def test_placements_never_count_as_employment(person, platform):
    PlacementFactory(person=person, employer__platform=platform, start=D(2025, 3, 1), end=D(2025, 3, 14))
    assert status.employed_person_ids([person.pk], D(2025, 3, 5)) == set()


# Placements --------------------------------------------------------------------------------


def test_placement_end_not_before_start_and_host_required(counsellor, person, platform):
    host = EmployerFactory(platform=platform)
    data = {"employer": host, "kind": "pmsmp", "start": D(2025, 3, 10), "end": D(2025, 3, 9), "tutor": "M. Roux"}
    assert_refused(lambda: services.add_placement(counsellor.user, person, data), "end_before_start", "end")
    assert_refused(
        lambda: services.add_placement(counsellor.user, person, {**data, "employer": None, "end": D(2025, 3, 21)}),
        "employer_missing",
        "employer",
    )
    placement = services.add_placement(counsellor.user, person, {**data, "end": D(2025, 3, 21)})
    assert (placement.kind, placement.tutor) == ("pmsmp", "M. Roux")
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(person=person, employer=host, kind="cdd", start=D(2025, 1, 1), end=D(2025, 1, 2))


def test_concurrent_edit_of_a_placement_is_refused(counsellor, colleague, person, platform):
    host = EmployerFactory(platform=platform)
    placement = services.add_placement(
        counsellor.user, person, {"employer": host, "kind": "immersion", "start": D(2025, 3, 1), "end": D(2025, 3, 5)}
    )
    services.update_placement(colleague.user, placement, {"outcome": "Positif."}, 1)
    with pytest.raises(ConcurrentEditError):
        services.update_placement(counsellor.user, placement, {"outcome": "Négatif."}, 1)


# Individual support agreement --------------------------------------------------------------


def test_first_agreement_is_the_agreement_then_amendments_state_their_change(counsellor, admitted):
    first = services.generate_agreement(counsellor.user, admitted, terms="Entretiens mensuels.")
    assert (first.number, first.kind) == (1, "initial")
    assert_refused(
        lambda: services.generate_agreement(counsellor.user, admitted, terms="Entretiens mensuels."),
        "amendment_without_change",
        "change_summary",
    )
    second = services.generate_agreement(
        counsellor.user, admitted, terms="Entretiens mensuels.", change_summary="Nouvel employeur."
    )
    assert (second.number, second.kind) == (2, "amendment")
    assert SupportAgreement.objects.filter(episode=admitted).count() == 2  # every version kept


def test_database_keeps_versions_initial_first_and_amendments_explained(admitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportAgreement.objects.create(episode=admitted, number=1, kind="amendment", change_summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportAgreement.objects.create(episode=admitted, number=2, kind="amendment", change_summary="")
    SupportAgreement.objects.create(episode=admitted, number=1, kind="initial")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportAgreement.objects.create(episode=admitted, number=1, kind="initial")


def test_agreement_terms_are_required(counsellor, admitted):
    assert_refused(lambda: services.generate_agreement(counsellor.user, admitted, terms="  "), "terms_missing", "terms")


def test_agreement_names_only_an_employer_of_a_current_or_coming_contract(counsellor, admitted, platform):
    old = ContractFactory(
        person=admitted.person,
        employer__platform=platform,
        start=today() - dt.timedelta(days=200),
        end=today() - dt.timedelta(days=100),
        end_reason="term",
    )
    assert_refused(
        lambda: services.generate_agreement(counsellor.user, admitted, employer=old.employer, terms="x"),
        "employer_not_current",
        "employer",
    )
    coming = ContractFactory(person=admitted.person, employer__platform=platform, start=today() + dt.timedelta(days=7))
    agreement = services.generate_agreement(counsellor.user, admitted, employer=coming.employer, terms="x")
    assert agreement.content["employer"]["name"] == coming.employer.name


def test_self_employment_has_no_employer_party(admitted, platform):
    ContractFactory(
        person=admitted.person, employer__platform=platform, employer__kind="self_employed", type="self_employed"
    )
    assert services.agreement_employers(admitted.person, today()) == []


def test_no_agreement_after_the_exit(counsellor, admitted):
    admitted.exit_date, admitted.exit_reason = today(), "death"
    admitted.save()
    assert_refused(lambda: services.generate_agreement(counsellor.user, admitted, terms="x"), "episode_closed")


def test_veille_is_written_into_an_amendment_with_its_end_and_reactivation_conditions(counsellor, admitted):
    pause = PauseFactory(
        episode=admitted,
        start=today() - dt.timedelta(days=5),
        end=today() + dt.timedelta(days=85),
        reactivation_conditions="Reprise à la sortie d’hospitalisation.",
    )
    assert_refused(
        lambda: services.generate_agreement(counsellor.user, admitted, pause=pause, terms="x"), "pause_initial", "pause"
    )
    services.generate_agreement(counsellor.user, admitted, terms="x")
    amendment = services.generate_agreement(
        counsellor.user, admitted, pause=pause, terms="x", change_summary="Mise en veille."
    )
    assert amendment.pause == pause
    assert amendment.content["pause"]["end"] == pause.end.isoformat()
    assert amendment.content["pause"]["reactivation_conditions"] == "Reprise à la sortie d’hospitalisation."


def test_veille_of_another_episode_is_refused(counsellor, admitted):
    other = PauseFactory()
    services.generate_agreement(counsellor.user, admitted, terms="x")
    assert_refused(
        lambda: services.generate_agreement(counsellor.user, admitted, pause=other, terms="x", change_summary="y"),
        "pause_other",
    )


def test_agreement_content_is_a_snapshot_of_the_parties(counsellor, admitted, lead, platform):
    admitted.person.legal_representative = "Marie Durand (tutrice)"
    admitted.person.save()
    contract = ContractFactory(
        person=admitted.person, employer__platform=platform, employer__name="Boulangerie du Tarn"
    )
    agreement = services.generate_agreement(
        counsellor.user, admitted, employer=contract.employer, terms="Une visite par mois.", workplace_terms="Sur site."
    )
    content = agreement.content
    assert content["managing_organisation"]["name"] == lead.name
    assert content["person"]["full_name"] == admitted.person.full_name
    assert content["person"]["legal_representative"] == "Marie Durand (tutrice)"
    assert content["counsellor"]["name"] == "Claire Martin"
    assert content["employer"]["name"] == "Boulangerie du Tarn"
    assert (content["terms"], content["workplace_terms"]) == ("Une visite par mois.", "Sur site.")
    # Later changes do not alter the version.
    contract.employer.name = "Boulangerie Fabre"
    contract.employer.save()
    agreement.refresh_from_db()
    assert agreement.content["employer"]["name"] == "Boulangerie du Tarn"


def test_signatures_are_dated_not_in_the_future_nor_before_the_document(counsellor, admitted):
    agreement = services.generate_agreement(counsellor.user, admitted, terms="x")
    tomorrow, yesterday = today() + dt.timedelta(days=1), today() - dt.timedelta(days=1)
    assert_refused(
        lambda: services.record_signatures(counsellor.user, agreement, {"signed_by_person_on": tomorrow}, 1),
        "future_date",
        "signed_by_person_on",
    )
    assert_refused(
        lambda: services.record_signatures(counsellor.user, agreement, {"signed_by_platform_on": yesterday}, 1),
        "signed_before_generated",
        "signed_by_platform_on",
    )
    services.record_signatures(
        counsellor.user, agreement, {"signed_by_person_on": today(), "signed_by_platform_on": today()}, 1
    )
    agreement.refresh_from_db()
    assert agreement.is_signed and agreement.version == 2
    assert AuditEntry.objects.filter(action="agreement.signed").count() == 1


def test_the_employer_signs_only_when_named_and_then_must_sign(counsellor, admitted, platform):
    agreement = services.generate_agreement(counsellor.user, admitted, terms="x")
    assert_refused(
        lambda: services.record_signatures(counsellor.user, agreement, {"signed_by_employer_on": today()}, 1),
        "no_employer_to_sign",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportAgreement.objects.filter(pk=agreement.pk).update(signed_by_employer_on=today())
    contract = ContractFactory(person=admitted.person, employer__platform=platform)
    named = services.generate_agreement(
        counsellor.user, admitted, employer=contract.employer, terms="x", change_summary="Employeur."
    )
    services.record_signatures(
        counsellor.user, named, {"signed_by_person_on": today(), "signed_by_platform_on": today()}, 1
    )
    named.refresh_from_db()
    assert not named.is_signed and named.missing_signatures == ["l’employeur"]


def test_concurrent_signature_dates_are_refused(counsellor, colleague, admitted):
    agreement = services.generate_agreement(counsellor.user, admitted, terms="x")
    services.record_signatures(colleague.user, agreement, {"signed_by_person_on": today()}, 1)
    with pytest.raises(ConcurrentEditError):
        services.record_signatures(counsellor.user, agreement, {"signed_by_person_on": None}, 1)


def test_the_history_names_the_employer_not_its_number(counsellor, person, platform):
    first = EmployerFactory(platform=platform, name="Boulangerie du Tarn")
    second = EmployerFactory(platform=platform, name="Garage Bousquet")
    contract = services.record_contract(counsellor.user, person, contract_data(first))
    services.update_contract(counsellor.user, contract, {"employer": second}, 1)
    created, updated = AuditEntry.objects.filter(person=person).order_by("id")
    assert created.changes["employer"] == [None, "Boulangerie du Tarn"]
    assert updated.changes == {"employer": ["Boulangerie du Tarn", "Garage Bousquet"]}
