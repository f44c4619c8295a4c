"""The steering page, the persons behind a count, downloads, transmissions, warnings, bundle pages."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import client_for
from tests.steering.helpers import D, admit, log, make_person, veille
from tests.steering.test_bundle import EXAMPLE
from tremplin.audit.models import AuditEntry
from tremplin.pathways.models import CounsellorAssignment, Pause
from tremplin.people.models import Person
from tremplin.steering import services
from tremplin.steering.forms import default_period, previous_period
from tremplin.steering.models import ImportJob, Transmission

pytestmark = pytest.mark.django_db
Q3 = {"kind": "quarter", "year": "2025", "quarter": "3", "scope": "platform"}


@pytest.fixture
def people(lead, partner, counsellor):
    jeanne = make_person(lead, first_name="Jeanne", last_name="Durand")
    episode = admit(jeanne, D(2025, 1, 6))
    CounsellorAssignment.objects.create(episode=episode, staff=counsellor, start=D(2025, 1, 6))
    log(jeanne, D(2025, 8, 1), 60, with_whom="employer")  # no interview all quarter
    karim = make_person(partner, first_name="Karim", last_name="Haddad")
    admit(karim, D(2025, 2, 1))
    log(karim, D(2025, 8, 1), 60)
    return jeanne, karim


def test_navigation_shows_pilotage_to_coordinators_and_managers_only(coordinator, counsellor, manager):
    assert "Pilotage" in client_for(manager).get("/").content.decode()
    assert "Pilotage" in client_for(coordinator).get("/").content.decode()
    assert "Pilotage" not in client_for(counsellor).get("/").content.decode()
    assert client_for(counsellor).get(reverse("steering")).status_code == 403


def test_steering_page_defaults_to_the_last_complete_quarter(manager, people):
    response = client_for(manager).get(reverse("steering"))
    assert response.status_code == 200
    start, end = default_period()
    page = response.content.decode()
    assert f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}" in page
    assert "Indicateurs de pilotage" in page and "<svg" in page


def test_steering_page_shows_every_indicator_with_definition_and_comparison(manager, people):
    page = client_for(manager).get(reverse("steering"), Q3).content.decode()
    assert "Personnes accompagnées le dernier jour" in page
    assert "Admises au plus tard le dernier jour" in page  # definition
    assert "Maintien à 24 mois : taux" in page
    assert "du 01/04/2025 au 30/06/2025" in page  # previous period
    assert "Actives toute la période sans entretien" in page


def test_period_errors_are_shown_next_to_the_field(manager, people):
    response = client_for(manager).get(
        reverse("steering"), {"kind": "custom", "start": "2025-09-30", "end": "2025-07-01", "scope": "platform"}
    )
    assert response.status_code == 200
    assert "Le dernier jour ne peut pas être antérieur au premier." in response.content.decode()
    assert response.context.get("figures") is None


def test_previous_period_of_a_quarter_a_year_and_any_dates():
    assert previous_period(D(2025, 1, 1), D(2025, 3, 31)) == (D(2024, 10, 1), D(2024, 12, 31))
    assert previous_period(D(2025, 1, 1), D(2025, 12, 31)) == (D(2024, 1, 1), D(2024, 12, 31))
    assert previous_period(D(2025, 3, 10), D(2025, 3, 19)) == (D(2025, 2, 28), D(2025, 3, 9))


def test_partner_coordinator_sees_only_its_organisation(partner_coordinator, people):
    client = client_for(partner_coordinator)
    response = client.get(reverse("steering"), Q3)
    assert "scope" in response.context["form"].errors  # "platform" is not offered to a partner
    response = client.get(reverse("steering"), Q3 | {"scope": "PART"})
    assert response.context["figures"]["activity"]["supported"] == 1
    assert client.get(reverse("steering"), Q3 | {"scope": "LEAD"}).context.get("figures") is None


def test_persons_behind_a_count_are_listed(manager, partner_coordinator, people):
    jeanne, karim = people
    url = reverse("steering_persons")
    page = client_for(manager).get(url, Q3 | {"key": "activity.supported"}).content.decode()
    assert "Jeanne DURAND" in page and "Karim HADDAD" in page
    page = client_for(manager).get(url, Q3 | {"key": "activity.without_interview"}).content.decode()
    assert "Jeanne DURAND" in page and "Karim HADDAD" not in page
    page = (
        client_for(partner_coordinator).get(url, Q3 | {"scope": "PART", "key": "activity.supported"}).content.decode()
    )
    assert "Karim HADDAD" in page and "Jeanne DURAND" not in page
    assert client_for(manager).get(url, Q3 | {"key": "resources.fte_total"}).status_code == 404


def test_downloads_are_logged(manager, people):
    response = client_for(manager).get(reverse("steering_export", args=["xlsx"]), Q3)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "indicateurs_platform_2025-07-01_2025-09-30.xlsx" in response["Content-Disposition"]
    response = client_for(manager).get(reverse("steering_export", args=["pdf"]), Q3)
    assert response.content.startswith(b"%PDF")
    entries = AuditEntry.objects.filter(action="steering.exported").order_by("id")
    assert [e.detail["format"] for e in entries] == ["xlsx", "pdf"]
    assert entries[0].user == manager.user and entries[0].detail["scope"] == "platform"


def test_transmission_freezes_the_figures_and_later_changes_show_field_by_field(manager, coordinator, lead, people):
    data = Q3 | {"note": "Envoyé à l’ARS"}
    assert client_for(coordinator).post(reverse("steering_transmit"), data).status_code == 403
    response = client_for(manager).post(reverse("steering_transmit"), data)
    assert response.status_code == 302
    transmission = Transmission.objects.get()
    assert (transmission.start, transmission.end) == (D(2025, 7, 1), D(2025, 9, 30))
    assert transmission.transmitted_by == manager.user and transmission.note == "Envoyé à l’ARS"
    assert transmission.figures["activity"]["supported"] == 2
    assert AuditEntry.objects.filter(action="steering.transmitted").count() == 1
    page = client_for(manager).get(reverse("steering"), Q3).content.decode()
    assert "Aucun chiffre n’a changé depuis la transmission." in page
    admit(make_person(lead), D(2025, 9, 1))  # a late admission, recorded after the transmission
    changes = {c["key"]: (c["old"], c["new"]) for c in services.changes_since(transmission)}
    assert changes["activity.supported"] == (2, 3)
    assert changes["activity.admissions"] == (0, 1)
    page = client_for(manager).get(reverse("transmission_detail", args=[transmission.pk])).content.decode()
    assert "Personnes accompagnées le dernier jour" in page
    assert "3 chiffres ont changé" not in page  # detail page shows the table, not the banner
    assert client_for(manager).get(reverse("transmission_list")).status_code == 200


def test_warnings_before_transmission_link_to_the_records(manager, lead, counsellor, people):
    jeanne, _karim = people
    overdue = make_person(lead, first_name="Paul", last_name="Veille")
    pause = veille(admit(overdue, D(2024, 1, 8)), D(2025, 6, 1), D(2025, 8, 31))
    Pause.objects.filter(pk=pause.pk).update(closed_on=None)
    for _ in range(21):  # 21 active persons for one counsellor FTE: over the ceiling of 20
        episode = admit(make_person(lead, education_level="4"), D(2025, 1, 6), months_without_work=3, years_worked=2)
        CounsellorAssignment.objects.create(episode=episode, staff=counsellor, start=D(2025, 1, 6))
    response = client_for(manager).get(reverse("steering"), Q3)
    groups = dict(response.context["warnings"])
    assert [w.title for w in groups["Actives toute la période sans entretien"]][0] == "Jeanne DURAND"
    assert groups["Actives toute la période sans entretien"][0].url == reverse("person_detail", args=[jeanne.pk])
    assert [w.title for w in groups["Veilles échues sans reprise enregistrée"]] == ["Paul VEILLE"]
    assert [w.title for w in groups["Conseillers au-delà du plafond"]] == ["Claire Martin"]
    missing = {w.title: w for w in groups["Situation à l’entrée incomplète"]}
    assert "months without work" not in missing["Jeanne DURAND"].detail
    assert "mois sans emploi" in missing["Jeanne DURAND"].detail


def test_steering_page_query_count_does_not_grow_with_persons(manager, lead, django_assert_max_num_queries):
    client = client_for(manager)
    for _ in range(3):
        admit(make_person(lead), D(2025, 1, 6))
    client.get(reverse("steering"), Q3)
    with django_assert_max_num_queries(120) as small:
        client.get(reverse("steering"), Q3)
    for _ in range(15):
        p = make_person(lead)
        admit(p, D(2025, 1, 6))
        log(p, D(2025, 7, 3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("steering"), Q3)


def _upload(client, bundle, name="lot.json"):
    # The named users' platform: EA12 with the lead LEAD and the partner PART; staff codes that no
    # named user holds (an import from the page never changes the function of an account holder).
    text = json.dumps(bundle).replace('"AMIO"', '"LEAD"').replace('"SAVS1"', '"PART"')
    text = text.replace('"S1"', '"XS1"').replace('"S2"', '"XS2"')
    file = SimpleUploadedFile(name, text.encode(), content_type="application/json")
    return client.post(reverse("bundle_import"), {"file": file})


def test_import_page_imports_a_valid_bundle_and_lists_every_error_of_a_bad_one(
    manager, coordinator, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    assert client_for(coordinator).get(reverse("bundle_import")).status_code == 403
    client = client_for(manager)
    bad = copy.deepcopy(EXAMPLE) | {"version": 2}
    bad["persons"][0]["interventions"][0]["minutes"] = 0
    response = _upload(client, bad)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "refused" and job.error_count == 2
    page = client.get(reverse("bundle_import_job", args=[job.pk])).content.decode()
    assert "persons[0].interventions[0].minutes" in page and "rien n’a été importé" in page
    csv_text = client.get(reverse("bundle_import_errors", args=[job.pk])).content.decode("utf-8-sig")
    assert "version" in csv_text
    assert not Person.objects.exists()
    _upload(client, EXAMPLE)
    job = ImportJob.objects.latest("id")
    assert job.status == "done" and job.changes["persons.created"] == 2
    assert Person.objects.count() == 2
    assert list(tmp_path.joinpath("imports").iterdir()) == []  # uploaded personal data not kept
    assert client_for(coordinator).get(reverse("bundle_import_job", args=[job.pk])).status_code == 403


def test_bundle_export_page_downloads_and_logs(manager, counsellor, people):
    assert client_for(counsellor).get(reverse("bundle_export")).status_code == 403
    response = client_for(manager).post(reverse("bundle_export"), {"scope": "PART"})
    assert response.status_code == 200
    bundle = json.loads(b"".join(response.streaming_content))
    assert [p["first_name"] for p in bundle["persons"]] == ["Karim"]
    assert AuditEntry.objects.get(action="bundle.exported").user == manager.user
    assert client_for(manager).post(reverse("bundle_export"), {"scope": "NOPE"}).status_code == 404


def test_uploads_are_limited_in_size_and_type(manager, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = client_for(manager)
    not_json = SimpleUploadedFile("lot.json", b"%PDF-1.7 not a bundle", content_type="application/json")
    page = client.post(reverse("bundle_import"), {"file": not_json}).content.decode()
    assert "ne commence pas par" in page
    spreadsheet = SimpleUploadedFile("lot.xlsx", b"{}", content_type="application/vnd.ms-excel")
    assert "fichier .json" in client.post(reverse("bundle_import"), {"file": spreadsheet}).content.decode()
    settings.TREMPLIN_IMPORT_MAX_BYTES = 10
    big = SimpleUploadedFile("lot.json", b'{"format": "tremplin-bundle"}', content_type="application/json")
    assert "trop volumineux" in client.post(reverse("bundle_import"), {"file": big}).content.decode()
    assert not ImportJob.objects.exists()
