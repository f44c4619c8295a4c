"""Issue 10, bundle imports: bound to the importer's authority (item 1), never changing an
organisation's role (item 2), logging what they changed (item 11), with French and bounded errors
(item 16).

The named users (tests/conftest.py) work for platform EA12: its lead organisation LEAD and its
partner PART. A second platform, EA81, has its own lead organisation and person."""

from __future__ import annotations

import copy
import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import InterventionFactory, OrganisationFactory, PersonFactory, PlatformFactory, StaffFactory
from tests.steering.test_bundle import EXAMPLE, snapshot, write
from tremplin.activity.models import Intervention
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Organisation, Platform, Staff
from tremplin.people.models import Person
from tremplin.steering.bundle import importer, reader
from tremplin.steering.bundle.schema import MAX_ERRORS
from tremplin.steering.models import ImportJob

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"Expecting|delimiter|Unterminated|Invalid|Extra data|recursion|utf-8:|duplicate key", re.I)


def ea12(bundle=EXAMPLE):
    """The example bundle in the named users' platform: AMIO -> LEAD, SAVS1 -> PART; staff codes
    that no named user holds."""
    text = json.dumps(bundle).replace('"AMIO"', '"LEAD"').replace('"SAVS1"', '"PART"')
    result = json.loads(text)
    result["platform"] = {"code": "EA12", "name": "Plateforme emploi accompagné de test", "department": "12"}
    for staff in result.get("staff", []):
        staff["code"] = "X" + staff["code"]
    for trainings in ("trainings", "time_allocation"):
        for row in result.get(trainings, []):
            row["staff"] = "X" + row["staff"]
    for person in result.get("persons", []):
        for episode in person.get("episodes", []):
            for counsellor in episode.get("counsellors", []):
                counsellor["staff"] = "X" + counsellor["staff"]
    return result


def upload(who, bundle, name="lot.json"):
    file = SimpleUploadedFile(name, json.dumps(bundle).encode(), content_type="application/json")
    client = client_for(who)
    response = client.post(reverse("bundle_import"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, ImportJob.objects.latest("id")


@pytest.fixture
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def ea81(db):
    platform = PlatformFactory(code="EA81", name="Plateforme du Tarn", department="81")
    lead81 = OrganisationFactory(platform=platform, code="T81", name="Tarn chef de file", role="lead")
    person = PersonFactory(organisation=lead81, code="P81", first_name="Lucie", last_name="Bories")
    for day in (1, 2, 3):
        InterventionFactory(person=person, date=f"2025-03-0{day}")
    return person


@pytest.fixture
def partner_manager(partner):
    return StaffFactory(organisation=partner, code="PM", name="Sophie Carles", function=Staff.Function.MANAGER)


# Item 1: a web import touches only the importer's platform (a partner's manager: their organisation)


def test_item1_web_import_naming_another_platform_is_refused_whole(manager, ea81, media):
    before = snapshot()
    bundle = {
        "format": "tremplin-bundle",
        "version": 1,
        "platform": {"code": "EA81", "name": "Plateforme du Tarn", "department": "81"},
        "organisations": [
            {"code": "T81", "name": "Tarn chef de file", "role": "lead"},
            {"code": "NEW81", "name": "Créée par un autre", "role": "partner"},
        ],
        "persons": [
            {"code": "P81", "organisation": "T81", "first_name": "X", "last_name": "Y", "interventions": []},
        ],
    }
    client, job = upload(manager, bundle)
    assert job.status == "refused"
    page = client.get(reverse("bundle_import_job", args=[job.pk])).content.decode()
    assert "EA81" in page and "EA12" in page and "seulement votre propre plateforme" in page
    assert snapshot() == before  # nothing written: no organisation, the person and her interventions intact
    assert Person.objects.get(code="P81").last_name == "Bories"
    assert Intervention.objects.filter(person=ea81).count() == 3
    assert not Organisation.objects.filter(code="NEW81").exists()


def test_item1_a_partners_manager_imports_only_their_own_organisations_records(
    partner_manager, lead, person, partner_person, media
):
    Person.objects.filter(pk=person.pk).update(code="P1")  # the lead's Jeanne is LEAD/P1
    Person.objects.filter(pk=partner_person.pk).update(code="P2")
    InterventionFactory(person=person, date="2025-03-01")
    before = snapshot()
    client, job = upload(partner_manager, ea12())  # LEAD and PART, persons of both
    assert job.status == "refused"
    paths = {e["path"] for e in job.errors}
    assert "organisations[0].code" in paths  # LEAD: not theirs
    assert "funding" in paths  # the platform's funding
    page = client.get(reverse("bundle_import_job", args=[job.pk])).content.decode()
    assert "pour votre structure « PART » seulement" in page
    assert snapshot() == before
    assert Intervention.objects.filter(person=person).count() == 1

    # Their own organisation's records only: accepted, and only the partner's person changes.
    own = ea12()
    own["organisations"] = [o for o in own["organisations"] if o["code"] == "PART"]
    own["staff"] = [s for s in own["staff"] if s["organisation"] == "PART"]
    own["persons"] = [p for p in own["persons"] if p["organisation"] == "PART"]
    for key in ("funding", "trainings", "time_allocation"):
        own.pop(key)
    _client, job = upload(partner_manager, own)
    assert job.status == "done", job.errors
    assert Person.objects.get(pk=partner_person.pk).last_name == "Haddad"
    assert Person.objects.get(pk=person.pk).last_name == "Durand"
    assert Intervention.objects.filter(person=person).count() == 1


def test_item1_a_partners_manager_may_not_rename_the_platform(partner_manager, lead, media):
    bundle = {
        "format": "tremplin-bundle",
        "version": 1,
        "platform": {"code": "EA12", "name": "Plateforme renommée", "department": "12"},
        "organisations": [{"code": "PART", "name": "SAVS partenaire", "role": "partner"}],
    }
    _client, job = upload(partner_manager, bundle)
    assert job.status == "refused" and [e["path"] for e in job.errors] == ["platform.name"]
    assert Platform.objects.get(code="EA12").name == "Plateforme emploi accompagné de test"


def test_item1_the_importer_api_needs_the_acting_user_or_the_console(coordinator, tmp_path):
    path = write(tmp_path, ea12())
    with pytest.raises(TypeError):
        importer.import_bundle(path, None)
    report = importer.import_bundle(path, coordinator.user)  # a coordinator may not import
    assert not report.ok and not report.written
    assert "ne peut pas importer" in report.errors[0].message
    assert not Person.objects.exists()


def test_item1_nobody_changes_their_own_function_or_an_account_holders_by_import(manager, counsellor, media):
    for who, function in ((manager, "counsellor"), (counsellor, "manager")):
        bundle = {
            "format": "tremplin-bundle",
            "version": 1,
            "platform": {"code": "EA12", "name": "Plateforme emploi accompagné de test", "department": "12"},
            "organisations": [{"code": "LEAD", "name": "Association chef de file", "role": "lead"}],
            "staff": [
                {
                    "code": who.code,
                    "organisation": "LEAD",
                    "name": who.name,
                    "function": function,
                    "fte": 1,
                    "start": "2020-01-01",
                    "rncp37779": "certified",
                }
            ],
        }
        _client, job = upload(manager, bundle)
        assert job.status == "refused" and [e["path"] for e in job.errors] == ["staff[0].function"]
        who.refresh_from_db()
        assert who.function != function
    assert "Personne ne change sa propre fonction" in ImportJob.objects.order_by("id").first().errors[0]["message"]


def test_item1_command_line_says_which_platform_it_writes_and_whether_it_creates_it(tmp_path):
    path = write(tmp_path, EXAMPLE)
    out = StringIO()
    call_command("import_bundle", str(path), "--no-progress", "--check", stdout=out, stderr=StringIO())
    assert "Plateforme EA12 (Plateforme emploi accompagné Aveyron) : elle n’existe pas encore" in out.getvalue()
    out = StringIO()
    call_command("import_bundle", str(path), "--no-progress", stdout=out, stderr=StringIO())
    assert "Plateforme EA12 (Plateforme emploi accompagné Aveyron) : créée par cet import" in out.getvalue()
    out = StringIO()
    call_command("import_bundle", str(path), "--no-progress", stdout=out, stderr=StringIO())
    assert "Plateforme EA12 (Plateforme emploi accompagné Aveyron) : écrite dans cette plateforme existante" in (
        out.getvalue()
    )
    entry = AuditEntry.objects.filter(action="bundle.imported").first()
    assert entry.actor == "tremplin import_bundle"


# Item 2 (last sentence): an import never changes an organisation's role, nor makes a second lead


def test_item2_an_import_never_changes_an_organisations_role_nor_makes_a_second_lead(tmp_path):
    assert importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE).ok
    before = snapshot()
    swapped = copy.deepcopy(EXAMPLE)
    swapped["organisations"] = [
        {"code": "AMIO", "name": "AMIO", "role": "partner"},
        {"code": "SAVS1", "name": "SAVS du Lévézou", "role": "lead"},
    ]
    report = importer.import_bundle(write(tmp_path, swapped), importer.CONSOLE)
    assert not report.written
    assert {e.path for e in report.errors} == {"organisations[0].role", "organisations[1].role"}
    assert "ne change jamais le rôle" in report.errors[0].message
    second = copy.deepcopy(EXAMPLE)
    second["organisations"][0] = {"code": "NEWLEAD", "name": "Autre chef de file", "role": "lead"}
    second["staff"], second["persons"] = second["staff"][1:], second["persons"][1:]
    second.pop("trainings"), second.pop("time_allocation")
    report = importer.import_bundle(write(tmp_path, second), importer.CONSOLE)
    assert [e.path for e in report.errors] == ["organisations[0].role"] and "AMIO" in report.errors[0].message
    assert snapshot() == before
    assert Organisation.objects.get(code="AMIO").role == "lead"


def test_item2_a_partners_web_import_cannot_make_its_organisation_the_lead(partner_manager, lead, media):
    bundle = {
        "format": "tremplin-bundle",
        "version": 1,
        "platform": {"code": "EA12", "name": "Plateforme emploi accompagné de test", "department": "12"},
        "organisations": [{"code": "PART", "name": "SAVS partenaire", "role": "lead"}],
    }
    _client, job = upload(partner_manager, bundle)
    assert job.status == "refused" and [e["path"] for e in job.errors] == ["organisations[0].role"]
    assert Organisation.objects.get(code="PART").role == "partner"
    assert Organisation.objects.get(code="LEAD").role == "lead"


# Item 11: imports log what they changed


def test_item11_an_import_logs_the_field_history_so_an_old_name_appears_in_the_persons_history(
    manager, lead, partner, media
):
    upload(manager, ea12())
    jeanne = Person.objects.get(organisation=lead, code="P1")
    created = AuditEntry.objects.get(action="person.imported", person=jeanne)
    assert created.changes["last_name"] == [None, "Durand"]
    newer = ea12()
    newer["organisations"][1]["name"] = "SAVS du Lévézou et du Ségala"
    newer["persons"][0]["last_name"] = "Martin"
    newer["persons"][0]["interventions"] = newer["persons"][0]["interventions"][:1]
    client, job = upload(manager, newer)
    assert job.status == "done", job.errors
    entry = AuditEntry.objects.filter(action="person.imported", person=jeanne).latest("id")
    assert entry.changes == {"last_name": ["Durand", "Martin"]}
    assert entry.detail["records"] == {"interventions.deleted": 2}
    assert entry.user == manager.user
    page = client.get(reverse("person_detail", args=[jeanne.pk])).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Durand" in history and "Martin" in history
    # Organisations: the change itself is listed, not only a count.
    organisation = AuditEntry.objects.filter(action="organisation.imported").latest("id")
    assert organisation.object_id == str(partner.pk)
    assert organisation.changes == {"name": ["SAVS du Lévézou", "SAVS du Lévézou et du Ségala"]}
    summary = AuditEntry.objects.filter(action="bundle.imported").latest("id").detail
    assert {"code": "PART", "created": False, "changes": organisation.changes} in summary["organisations"]


def test_item11_staff_and_employer_changes_are_logged_with_their_fields(tmp_path):
    importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    newer = copy.deepcopy(EXAMPLE)
    newer["staff"][0]["function"] = "coordinator"
    newer["employers"][0]["name"] = "Boulangerie du Tarn et de l'Aveyron"
    importer.import_bundle(write(tmp_path, newer), importer.CONSOLE)
    staff = AuditEntry.objects.filter(action="staff.imported").latest("id")
    assert staff.changes == {"function": ["counsellor", "coordinator"]}
    employer = AuditEntry.objects.filter(action="employer.imported").latest("id")
    assert employer.changes == {"name": ["Boulangerie du Tarn", "Boulangerie du Tarn et de l'Aveyron"]}


# Item 16: import errors are French and bounded


def test_item16_a_deeply_nested_file_is_refused_with_a_french_message(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "tremplin-bundle", "version": 1, "persons": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    report = importer.validate(path, importer.CONSOLE)
    assert not report.ok and len(report.errors) == 1
    assert "imbriqués trop profondément" in report.errors[0].message
    assert not ENGLISH.search(report.errors[0].message)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "tremplin-bundle",\n "version": 1,\n "persons": [ {"code": "P1",, } ]}',
        '{"format" "tremplin-bundle"}',
        '{"format": "tremplin-bundle", }',
        '{"format": "tremplin-bundle"',
        '{"format": "tremplin-bundle"} {}',
        '{"format": "tremplin-bundle", "format": "tremplin-bundle"}',
        '{"format": "tremplin\u0001"}',
        '{"format": "a\\qb"}',
        '{"format": "\\u12"}',
        '{"format": tru}',
        "[1, 2]",
        '{"persons": [1 2]}',
    ],
)
def test_item16_parser_errors_are_in_french(tmp_path, text):
    path = tmp_path / "broken.json"
    path.write_text(text)
    report = importer.validate(path, importer.CONSOLE)
    assert not report.ok
    message = report.errors[0].message
    assert message.startswith("Le fichier n’est pas un JSON valide") and not ENGLISH.search(message), message
    assert "ligne" in report.errors[0].path


def test_item16_a_file_that_is_not_utf8_is_refused_in_french(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"format": "tremplin-bundle", "platform": {"name": "Lévézou"}}'.encode("latin-1"))
    message = importer.validate(path, importer.CONSOLE).errors[0].message
    assert "UTF-8" in message and not ENGLISH.search(message)


def test_item16_errors_are_bounded_in_number_and_length(manager, lead, partner, media):
    bundle = ea12()
    huge = "x" * 100_000
    bundle["persons"][0]["interventions"] = [
        {"date": "2025-13-01", "minutes": 30, "place": "premises", "with": "person", "kind": "contact"}
        for _ in range(MAX_ERRORS + 499)
    ]
    bundle["persons"][0]["interventions"][0]["date"] = huge
    bundle["persons"][1][huge] = 1
    client, job = upload(manager, bundle)
    assert job.status == "refused" and job.error_count == MAX_ERRORS + 500, job.errors[:3]
    assert len(job.errors) == MAX_ERRORS
    assert max(len(e["message"]) + len(e["path"]) for e in job.errors) < 400
    page = client.get(reverse("bundle_import_job", args=[job.pk])).content.decode()
    assert "500 autres erreurs" in page
    listed = client.get(reverse("bundle_import_errors", args=[job.pk])).content.decode("utf-8-sig")
    assert listed.count("\r\n") == MAX_ERRORS + 2 and "500 autres erreurs" in listed
    assert huge not in page


def test_item16_values_of_the_wrong_shape_give_french_errors_never_an_exception(tmp_path):
    """Every value of the example replaced by a list, an object, a huge text or a number:
    the check lists errors (in French) and never fails."""

    def variants(node, path=()):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from variants(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node[:2]):
                yield from variants(value, (*path, index))
        if path:
            for other in ([["x"]], {"x": {"y": 1}}, "z" * 5000, 10**40, -1.5, True):
                yield path, other

    for path, value in variants(EXAMPLE):
        bundle = copy.deepcopy(EXAMPLE)
        node = bundle
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        report = importer.validate(write(tmp_path, bundle), importer.CONSOLE)
        for error in report.errors:
            assert not ENGLISH.search(error.message) and len(error.message) < 400, (path, error)


def test_item16_shortened_values_in_messages():
    assert reader.shorten("a" * 500).endswith("…") and len(reader.shorten("a" * 500)) == reader.SHOWN
    assert reader.shorten([1]) == "une liste [ … ]" and reader.shorten(None) == "null"


def test_item2_the_checks_are_made_again_inside_the_imports_transaction(tmp_path, monkeypatch):
    importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    newer = copy.deepcopy(EXAMPLE)
    newer["persons"][0]["last_name"] = "Martin"
    checked = importer.validate

    def then_someone_changes_a_role(*args, **kwargs):
        report = checked(*args, **kwargs)
        Organisation.objects.filter(code="AMIO").update(role="partner")  # between the check and the write
        return report

    monkeypatch.setattr(importer, "validate", then_someone_changes_a_role)
    report = importer.import_bundle(write(tmp_path, newer), importer.CONSOLE)
    assert not report.written and [e.path for e in report.errors] == ["organisations[0].role"]
    assert Person.objects.get(code="P1").last_name == "Durand"
