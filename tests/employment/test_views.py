"""Pages of employers and jobs: what a counsellor sees, what a refusal looks like, who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import (
    ContractFactory,
    EmployerFactory,
    EpisodeFactory,
    InterventionFactory,
    PersonFactory,
    PlacementFactory,
    PrescriptionFactory,
    StaffFactory,
)
from tremplin.audit.models import AuditEntry
from tremplin.employment.models import Contract, Employer, EmployerContact, Placement, SupportAgreement
from tremplin.lib.dates import today
from tremplin.organisations.models import Staff

from .conftest import SIRET_A, SIRET_INVALID

D = dt.date


# Employers ---------------------------------------------------------------------------------


def test_create_an_employer_with_a_siret_typed_with_spaces(as_counsellor, platform):
    response = as_counsellor.post(
        reverse("employer_create"),
        {"name": "  Boulangerie   du Tarn ", "kind": "private", "siret": "732 829 320 00074", "naf": "1071c"},
    )
    employer = Employer.objects.get()
    assert response.status_code == 302 and response.url == reverse("employer_detail", args=[employer.pk])
    assert (employer.name, employer.siret, employer.naf, employer.platform) == (
        "Boulangerie du Tarn",
        SIRET_A,
        "10.71C",
        platform,
    )


def test_invalid_siret_gets_a_french_message_next_to_the_field_and_writes_nothing(as_counsellor, platform):
    response = as_counsellor.post(
        reverse("employer_create"), {"name": "Boulangerie", "kind": "private", "siret": SIRET_INVALID}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_siret_error"' in content
    assert "14 chiffres" in content
    assert not Employer.objects.exists()


def test_duplicate_siret_gets_a_clear_french_message(as_counsellor, platform):
    EmployerFactory(platform=platform, name="Boulangerie du Tarn", siret=SIRET_A)
    response = as_counsellor.post(
        reverse("employer_create"), {"name": "Boulangerie", "kind": "private", "siret": SIRET_A}
    )
    content = response.content.decode()
    assert 'id="id_siret_error"' in content
    assert "déjà enregistré pour « Boulangerie du Tarn »" in content
    assert Employer.objects.count() == 1


def test_bad_naf_code_is_refused(as_counsellor, platform):
    response = as_counsellor.post(reverse("employer_create"), {"name": "X", "kind": "private", "naf": "boulangerie"})
    assert 'id="id_naf_error"' in response.content.decode()
    assert not Employer.objects.exists()


def test_find_employers_by_name_or_siret(as_counsellor, platform):
    EmployerFactory(platform=platform, name="Boulangerie du Tarn", siret=SIRET_A)
    EmployerFactory(platform=platform, name="Garage Bousquet")
    for query, expected in [
        ("boulang", "Boulangerie du Tarn"),
        ("732 829 320", "Boulangerie du Tarn"),
        ("garage", "Garage Bousquet"),
    ]:
        content = as_counsellor.get(reverse("employer_list"), {"q": query}).content.decode()
        assert expected in content
        assert ("Garage Bousquet" in content) == (expected == "Garage Bousquet")


def test_the_directory_is_shared_by_the_platform_but_not_beyond(partner_counsellor, platform):
    here = EmployerFactory(platform=platform, name="Boulangerie du Tarn")
    elsewhere = EmployerFactory(platform__code="EA81", name="Employeur du Tarn-et-Garonne")
    client = client_for(partner_counsellor)
    content = client.get(reverse("employer_list")).content.decode()
    assert "Boulangerie du Tarn" in content and "Tarn-et-Garonne" not in content
    assert client.get(reverse("employer_detail", args=[here.pk])).status_code == 200
    assert client.get(reverse("employer_detail", args=[elsewhere.pk])).status_code == 404


def test_outsider_sees_no_employer(outsider, platform):
    employer = EmployerFactory(platform=platform)
    client = client_for(outsider)
    assert client.get(reverse("employer_detail", args=[employer.pk])).status_code == 404


def test_employer_page_lists_only_the_persons_in_the_users_scope(
    as_counsellor, partner_counsellor, person, partner_person, platform, counsellor
):
    employer = EmployerFactory(platform=platform, name="Boulangerie du Tarn")
    ContractFactory(person=person, employer=employer, start=D(2025, 1, 1))
    ContractFactory(person=partner_person, employer=employer, start=D(2025, 1, 1))
    PlacementFactory(person=partner_person, employer=employer)
    InterventionFactory(person=person, employer=employer, date=today(), place="workplace", staff=counsellor)
    InterventionFactory(person=partner_person, employer=employer, date=today(), place="workplace")
    url = reverse("employer_detail", args=[employer.pk])
    lead_view = as_counsellor.get(url).content.decode()
    assert person.full_name in lead_view and partner_person.full_name not in lead_view
    assert "1 intervention auprès de cet employeur" in lead_view
    partner_view = client_for(partner_counsellor).get(url).content.decode()
    assert partner_person.full_name in partner_view and person.full_name not in partner_view


def test_employer_list_counts_persons_in_work_in_scope(as_counsellor, person, partner_person, platform):
    employer = EmployerFactory(platform=platform)
    ContractFactory(person=person, employer=employer, start=D(2025, 1, 1))
    ContractFactory(
        person=PersonFactory(organisation=person.organisation),
        employer=employer,
        start=D(2025, 1, 1),
        end=D(2025, 2, 1),
        end_reason="term",
    )
    ContractFactory(person=partner_person, employer=employer, start=D(2025, 1, 1))
    response = as_counsellor.get(reverse("employer_list"))
    assert response.context["page"].object_list[0].persons_in_work == 1


def test_edit_an_employer_when_someone_else_saved_first(as_counsellor, platform):
    employer = EmployerFactory(platform=platform, name="Boulangerie")
    Employer.objects.filter(pk=employer.pk).update(version=2, name="Boulangerie Fabre")
    response = as_counsellor.post(
        reverse("employer_edit", args=[employer.pk]), {"name": "Autre", "kind": "private", "version": 1}
    )
    assert response.status_code == 200
    assert "Quelqu’un d’autre" in response.content.decode() or "quelqu’un d’autre" in response.content.decode()
    employer.refresh_from_db()
    assert employer.name == "Boulangerie Fabre"


def test_contacts_from_the_employer_page(as_counsellor, platform):
    employer = EmployerFactory(platform=platform)
    as_counsellor.post(
        reverse("employer_contact_add", args=[employer.pk]),
        {"name": "Mme Fabre", "role": "gérante", "phone": "05 65 00 00 00", "email": "fabre@example.org"},
    )
    contact = EmployerContact.objects.get()
    assert "Mme Fabre" in as_counsellor.get(reverse("employer_detail", args=[employer.pk])).content.decode()
    as_counsellor.post(
        reverse("employer_contact_edit", args=[contact.pk]),
        {"name": "Mme Fabre", "role": "directrice", "phone": "", "email": "", "version": 1},
    )
    contact.refresh_from_db()
    assert contact.role == "directrice"
    assert as_counsellor.get(reverse("employer_contact_delete", args=[contact.pk])).status_code == 200  # confirm page
    as_counsellor.post(reverse("employer_contact_delete", args=[contact.pk]))
    assert not EmployerContact.objects.exists()


def test_clinician_may_not_change_employers(lead, platform):
    clinician = StaffFactory(organisation=lead, function=Staff.Function.OTHER, clinical_domain="medical")
    employer = EmployerFactory(platform=platform)
    client = client_for(clinician)
    assert client.get(reverse("employer_create")).status_code == 403
    assert client.get(reverse("employer_edit", args=[employer.pk])).status_code == 403


# Contracts ---------------------------------------------------------------------------------


def contract_post(employer, **overrides):
    data = {
        "employer": employer.pk,
        "job_title": "vendeuse",
        "type": "cdd",
        "start": "2025-04-01",
        "planned_end": "2025-12-31",
        "end": "",
        "end_reason": "",
        "weekly_hours": "24",
        "adjustments": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"end": "2025-03-01", "end_reason": "resignation"}, "end", "antérieure au début"),
        ({"end_reason": "dismissal"}, "end", "motif de fin est indiqué"),
        ({"end": "2025-06-15"}, "end_reason", "pourquoi il a pris fin"),
        ({"planned_end": "2025-01-01"}, "planned_end", "fin prévue ne peut pas"),
        ({"weekly_hours": "0"}, "weekly_hours", "supérieure à 0"),
        ({"type": "stage"}, "type", "Sélectionnez un choix valide"),
    ],
)
def test_bad_contract_input_gets_a_french_message_and_writes_nothing(
    as_counsellor, person, platform, overrides, field, words
):
    employer = EmployerFactory(platform=platform)
    response = as_counsellor.post(reverse("contract_add", args=[person.pk]), contract_post(employer, **overrides))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in content
    assert words in content
    assert not Contract.objects.exists()


def test_record_end_and_replace_a_contract_from_the_persons_page(as_counsellor, person, platform):
    first = EmployerFactory(platform=platform, name="Boulangerie du Tarn")
    second = EmployerFactory(platform=platform, name="Garage Bousquet")
    response = as_counsellor.post(reverse("contract_add", args=[person.pk]), contract_post(first))
    assert response.status_code == 302
    cdd = Contract.objects.get()
    as_counsellor.post(
        reverse("contract_end", args=[cdd.pk]), {"end": "2025-06-15", "end_reason": "resignation", "version": 1}
    )
    cdd.refresh_from_db()
    assert (cdd.end, cdd.end_reason) == (D(2025, 6, 15), "resignation")
    as_counsellor.post(
        reverse("contract_add", args=[person.pk]),
        contract_post(second, type="cdi", start="2025-09-01", planned_end="", job_title="mécanicien"),
    )
    page = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "en emploi" in page  # derived from the CDI covering today
    assert "Garage Bousquet" in page and "Démission" in page


def test_new_employer_from_the_contract_form_comes_back_with_it(as_counsellor, person, platform):
    back = reverse("contract_add", args=[person.pk])
    response = as_counsellor.post(
        reverse("employer_create"), {"name": "Garage Bousquet", "kind": "private", "next": back}
    )
    employer = Employer.objects.get()
    assert response.url == f"{back}?employer={employer.pk}"
    form = as_counsellor.get(response.url).context["form"]
    assert form.initial["employer"] == employer.pk


def test_unsafe_next_is_ignored(as_counsellor, platform):
    response = as_counsellor.post(
        reverse("employer_create"), {"name": "Garage", "kind": "private", "next": "https://evil.example/"}
    )
    assert response.url == reverse("employer_detail", args=[Employer.objects.get().pk])


def test_contracts_of_another_organisation_are_not_found(as_counsellor, partner_person, platform):
    contract = ContractFactory(person=partner_person, employer__platform=platform)
    assert as_counsellor.get(reverse("contract_edit", args=[contract.pk])).status_code == 404
    assert as_counsellor.post(reverse("contract_delete", args=[contract.pk])).status_code == 404
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_delete_a_contract_recorded_by_mistake(as_counsellor, person, platform):
    contract = ContractFactory(person=person, employer__platform=platform)
    as_counsellor.post(reverse("contract_delete", args=[contract.pk]))
    assert not Contract.objects.exists()
    assert AuditEntry.objects.filter(action="contract.deleted", person=person).exists()


# Placements --------------------------------------------------------------------------------


def test_record_and_edit_a_placement(as_counsellor, person, platform):
    host = EmployerFactory(platform=platform, name="EHPAD Les Tilleuls")
    data = {
        "kind": "pmsmp",
        "employer": host.pk,
        "start": "2025-03-10",
        "end": "2025-03-21",
        "tutor": "Mme Roux",
        "objective": "Découvrir le métier d’agent de service.",
        "outcome": "",
    }
    assert as_counsellor.post(reverse("placement_add", args=[person.pk]), data).status_code == 302
    placement = Placement.objects.get()
    as_counsellor.post(
        reverse("placement_edit", args=[placement.pk]), {**data, "outcome": "Projet confirmé.", "version": 1}
    )
    placement.refresh_from_db()
    assert placement.outcome == "Projet confirmé."
    bad = as_counsellor.post(reverse("placement_add", args=[person.pk]), {**data, "end": "2025-03-01"})
    assert 'id="id_end_error"' in bad.content.decode()
    assert Placement.objects.count() == 1


# Agreements --------------------------------------------------------------------------------


@pytest.fixture
def admitted_today(person, counsellor):
    prescription = PrescriptionFactory(person=person, date=today() - dt.timedelta(days=40))
    return EpisodeFactory(prescription=prescription, admitted_on=today() - dt.timedelta(days=35), counsellor=counsellor)


def test_generate_the_agreement_then_an_amendment_from_the_person_page(as_counsellor, person, admitted_today, platform):
    url = reverse("agreement_create", args=[admitted_today.pk])
    form = as_counsellor.get(url).context["form"]
    assert "pause" not in form.fields and form.initial["terms"].startswith("Le conseiller rencontre")
    as_counsellor.post(url, {"terms": "Un entretien par mois.", "workplace_terms": ""})
    ContractFactory(person=person, employer__platform=platform, employer__name="Garage Bousquet", start=today())
    response = as_counsellor.post(url, {"terms": "Un entretien par mois.", "workplace_terms": "", "employer": ""})
    assert 'id="id_change_summary_error"' in response.content.decode()
    employer = Employer.objects.get(name="Garage Bousquet")
    as_counsellor.post(
        url,
        {
            "terms": "Un entretien par mois.",
            "workplace_terms": "Visite mensuelle.",
            "employer": employer.pk,
            "change_summary": "CDI chez Garage Bousquet.",
        },
    )
    versions = list(SupportAgreement.objects.order_by("number"))
    assert [(v.number, v.kind, v.employer_id) for v in versions] == [
        (1, "initial", None),
        (2, "amendment", employer.pk),
    ]
    page = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Avenant n° 1" in page and "CDI chez Garage Bousquet." in page


def test_signature_dates_from_the_form(as_counsellor, admitted_today):
    from tremplin.employment import services

    agreement = services.generate_agreement(None, admitted_today, terms="x")
    url = reverse("agreement_sign", args=[agreement.pk])
    assert "signed_by_employer_on" not in as_counsellor.get(url).context["form"].fields
    future = (today() + dt.timedelta(days=2)).isoformat()
    response = as_counsellor.post(url, {"signed_by_person_on": future, "signed_by_platform_on": "", "version": 1})
    assert 'id="id_signed_by_person_on_error"' in response.content.decode()
    as_counsellor.post(
        url, {"signed_by_person_on": today().isoformat(), "signed_by_platform_on": today().isoformat(), "version": 1}
    )
    agreement.refresh_from_db()
    assert agreement.is_signed


def test_downloading_the_agreement_is_logged(as_counsellor, person, admitted_today, counsellor):
    from tremplin.employment import services

    agreement = services.generate_agreement(counsellor.user, admitted_today, terms="Un entretien par mois.")
    response = as_counsellor.get(reverse("agreement_pdf", args=[agreement.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="convention-durand-jeanne-v1.pdf"'
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="agreement.downloaded")
    assert (entry.user, entry.person, entry.object_id) == (counsellor.user, person, str(agreement.pk))


def test_agreement_of_another_organisation_is_not_found(as_counsellor, partner_person, partner_counsellor):
    prescription = PrescriptionFactory(person=partner_person)
    episode = EpisodeFactory(prescription=prescription, counsellor=partner_counsellor)
    agreement = SupportAgreement.objects.create(episode=episode, number=1, kind="initial", content={})
    assert as_counsellor.get(reverse("agreement_pdf", args=[agreement.pk])).status_code == 404
    assert as_counsellor.get(reverse("agreement_create", args=[episode.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="agreement.downloaded").exists()


# The person's page -------------------------------------------------------------------------


def test_person_page_shows_status_timeline_and_workplace_support(
    as_counsellor, person, counsellor, platform, admitted_today
):
    employer = EmployerFactory(platform=platform, name="Boulangerie du Tarn")
    contract = ContractFactory(person=person, employer=employer, type="cdi", start=today() - dt.timedelta(days=20))
    InterventionFactory(
        person=person,
        contract=contract,
        date=today(),
        minutes=90,
        place="workplace",
        kind="workplace_visit",
        staff=counsellor,
    )
    InterventionFactory(person=person, date=today(), minutes=30)  # not about an employer
    content = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert '<span class="badge employment-in_work">en emploi</span>' in content
    assert '<svg class="timeline-chart"' in content and 'role="img"' in content
    assert "CDI · Boulangerie du Tarn" in content  # on the chart and in its text alternative
    assert "Étapes du parcours" in content  # the text alternative
    assert "Visite sur le lieu de travail" in content and "1 h 30" in content
    assert "Pas encore de convention d’accompagnement" in content  # admitted 35 days ago, nothing signed


def test_person_page_queries_do_not_grow_with_contracts_and_agreements(
    as_counsellor, person, counsellor, platform, admitted_today, django_assert_max_num_queries
):
    url = reverse("person_detail", args=[person.pk])
    employer = EmployerFactory(platform=platform)
    ContractFactory(person=person, employer=employer, start=D(2024, 1, 1), end=D(2024, 6, 1), end_reason="term")
    PlacementFactory(person=person, employer=employer)
    InterventionFactory(person=person, employer=employer, date=today())
    as_counsellor.get(url)
    with django_assert_max_num_queries(40) as baseline:
        as_counsellor.get(url)
    count = len(baseline.captured_queries)
    for year in range(2018, 2023):
        other = EmployerFactory(platform=platform)
        ContractFactory(person=person, employer=other, start=D(year, 1, 1), end=D(year, 6, 1), end_reason="term")
        PlacementFactory(person=person, employer=other, start=D(year, 7, 1), end=D(year, 7, 10))
        InterventionFactory(person=person, employer=other, date=D(year, 2, 1))
    SupportAgreement.objects.create(episode=admitted_today, number=1, kind="initial", content={})
    with django_assert_max_num_queries(count):
        as_counsellor.get(url)


def test_employer_page_queries_do_not_grow_with_persons(
    as_counsellor, lead, platform, counsellor, django_assert_max_num_queries
):
    employer = EmployerFactory(platform=platform)
    url = reverse("employer_detail", args=[employer.pk])

    def add_person():
        p = PersonFactory(organisation=lead)
        ContractFactory(person=p, employer=employer, start=D(2025, 1, 1))
        PlacementFactory(person=p, employer=employer)
        InterventionFactory(person=p, employer=employer, date=today(), staff=counsellor)

    add_person()
    as_counsellor.get(url)
    with django_assert_max_num_queries(30) as baseline:
        as_counsellor.get(url)
    count = len(baseline.captured_queries)
    for _ in range(10):
        add_person()
    with django_assert_max_num_queries(count):
        assert as_counsellor.get(url).status_code == 200


def test_employer_list_queries_do_not_grow_with_employers(as_counsellor, lead, platform, django_assert_max_num_queries):
    url = reverse("employer_list")
    for _ in range(3):
        ContractFactory(person=PersonFactory(organisation=lead), employer=EmployerFactory(platform=platform))
    as_counsellor.get(url)
    with django_assert_max_num_queries(20) as baseline:
        as_counsellor.get(url)
    count = len(baseline.captured_queries)
    for _ in range(20):
        ContractFactory(person=PersonFactory(organisation=lead), employer=EmployerFactory(platform=platform))
    with django_assert_max_num_queries(count):
        response = as_counsellor.get(url)
    assert response.context["page"].paginator.count == 23


def test_bad_employer_in_the_address_is_ignored(as_counsellor, person):
    response = as_counsellor.get(reverse("contract_add", args=[person.pk]), {"employer": "abc"})
    assert response.status_code == 200 and response.context["form"].initial["employer"] is None
