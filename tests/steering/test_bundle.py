"""Bundle import and export (BUNDLE.md): whole-file validation with every error listed, nothing
written on error, matching by codes and content (same bundle twice changes nothing), partner
updates, and the round trip export -> empty installation -> same indicators."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from tremplin import demo
from tremplin.activity.models import Intervention
from tremplin.audit.models import AuditEntry
from tremplin.employment.models import Contract, Employer, Placement
from tremplin.organisations.models import Funding, Organisation, Platform, Staff, TimeAllocation, Training
from tremplin.pathways.models import CounsellorAssignment, Episode, Pause, Prescription
from tremplin.people.models import Person, Recognition
from tremplin.steering import indicators
from tremplin.steering.bundle import importer
from tremplin.steering.bundle.exporter import export_bundle

pytestmark = pytest.mark.django_db

EXAMPLE = {
    "format": "tremplin-bundle",
    "version": 1,
    "platform": {"code": "EA12", "name": "Plateforme emploi accompagné Aveyron", "department": "12"},
    "organisations": [
        {"code": "AMIO", "name": "AMIO", "role": "lead"},
        {"code": "SAVS1", "name": "SAVS du Lévézou", "role": "partner"},
    ],
    "staff": [
        {
            "code": "S1",
            "organisation": "AMIO",
            "name": "Claire Martin",
            "function": "counsellor",
            "fte": 0.8,
            "start": "2023-01-01",
            "end": None,
            "rncp37779": "certified",
        },
        {
            "code": "S2",
            "organisation": "SAVS1",
            "name": "Laura Delmas",
            "function": "counsellor",
            "fte": 1,
            "start": "2023-01-01",
            "end": None,
            "rncp37779": "none",
        },
    ],
    "employers": [{"code": "E1", "name": "Boulangerie du Tarn", "kind": "private", "naf": "10.71C"}],
    "persons": [
        {
            "code": "P1",
            "organisation": "AMIO",
            "first_name": "Jeanne",
            "last_name": "Durand",
            "birth_date": "1991-04-02",
            "sex": "F",
            "disabilities": ["psychic"],
            "education_level": "4",
            "recognitions": [{"kind": "rqth", "start": "2024-01-01", "end": "2029-01-01"}],
            "prescriptions": [
                {"code": "PR1", "date": "2025-01-10", "prescriber": "cap_emploi", "urgent": False, "withdrawn_on": None}
            ],
            "episodes": [
                {
                    "prescription": "PR1",
                    "admitted_on": "2025-02-03",
                    "entry_status": "job_seeker",
                    "months_without_work": 18,
                    "years_worked": 4.5,
                    "counsellors": [{"staff": "S1", "from": "2025-02-03"}],
                    "pauses": [{"start": "2025-07-01", "end": "2025-09-30"}],
                    "exit": None,
                }
            ],
            "interventions": [
                {"date": "2025-02-03", "minutes": 90, "place": "premises", "with": "person", "kind": "interview"},
                {"date": "2025-03-03", "minutes": 60, "place": "workplace", "with": "both", "kind": "workplace_visit"},
                {"date": "2025-03-03", "minutes": 60, "place": "workplace", "with": "both", "kind": "workplace_visit"},
            ],
            "contracts": [
                {
                    "employer": "E1",
                    "type": "cdd",
                    "start": "2025-04-01",
                    "planned_end": "2025-12-31",
                    "end": "2025-06-15",
                    "end_reason": "resignation",
                    "weekly_hours": 24,
                }
            ],
            "placements": [{"employer": "E1", "kind": "pmsmp", "start": "2025-03-10", "end": "2025-03-21"}],
        },
        {
            "code": "P2",
            "organisation": "SAVS1",
            "first_name": "Karim",
            "last_name": "Haddad",
            "disabilities": [],
            "prescriptions": [{"code": "PR1", "date": "2025-03-01", "prescriber": "france_travail"}],
            "episodes": [
                {
                    "prescription": "PR1",
                    "admitted_on": "2025-03-15",
                    "counsellors": [{"staff": "S2", "from": "2025-03-15"}],
                    "exit": {"date": "2025-11-20", "reason": "person_request"},
                }
            ],
            "interventions": [
                {"date": "2025-04-02", "minutes": 45, "place": "remote", "with": "person", "kind": "contact"}
            ],
        },
    ],
    "funding": [{"year": 2025, "funder": "agefiph", "amount_eur": 85000}],
    "trainings": [{"staff": "S1", "title": "Analyse des pratiques", "year": 2025, "status": "delivered"}],
    "time_allocation": [
        {"staff": "S1", "year": 2025, "support": 0.75, "coordination": 0.1, "management": 0.05, "partnership": 0.1}
    ],
}


def write(tmp_path, bundle, name="bundle.json"):
    path = tmp_path / name
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot():
    """Every row the import may touch, with its id (an unchanged snapshot = nothing written)."""
    models = [
        Platform, Organisation, Staff, Employer, Person, Recognition, Prescription, Episode, Pause,
        CounsellorAssignment, Intervention, Contract, Placement, Funding, Training, TimeAllocation,
    ]  # fmt: skip
    result = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("created_at", "updated_at")]
        result[model.__name__] = sorted(model.objects.values_list(*fields))
    return result


def test_the_example_of_bundle_md_imports_with_every_record(tmp_path):
    report = importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    assert report.ok and report.written
    platform = Platform.objects.get(code="EA12")
    assert Organisation.objects.get(code="AMIO").role == "lead"
    jeanne = Person.objects.get(organisation__code="AMIO", code="P1")
    assert jeanne.search_name == "jeanne durand"  # set although persons are inserted in bulk
    episode = jeanne.episodes.get()
    assert (episode.prescription.code, episode.months_without_work, str(episode.years_worked)) == ("PR1", 18, "4.50")
    assert list(episode.pauses.values_list("start", "end")) == [(dt.date(2025, 7, 1), dt.date(2025, 9, 30))]
    assert episode.assignments.get().staff.code == "S1"
    assert jeanne.interventions.count() == 3
    assert jeanne.interventions.filter(episode=episode).count() == 3  # linked to the supporting episode
    contract = jeanne.contracts.get()
    assert (contract.end_reason, str(contract.weekly_hours)) == ("resignation", "24.0")
    karim = Person.objects.get(organisation__code="SAVS1", code="P2")
    assert karim.episodes.get().exit_reason == "person_request"
    assert karim.episodes.get().assignments.get().end == dt.date(2025, 11, 19)  # the day before the exit
    assert Funding.objects.get(platform=platform).amount_eur == 85000
    assert TimeAllocation.objects.get().support == pytest.approx(0.75)
    assert AuditEntry.objects.filter(action="person.imported").count() == 2
    assert AuditEntry.objects.filter(action="bundle.imported").count() == 1


def test_importing_the_same_bundle_again_changes_nothing(tmp_path):
    path = write(tmp_path, EXAMPLE)
    importer.import_bundle(path, importer.CONSOLE)
    before = snapshot()
    audits = AuditEntry.objects.filter(action="person.imported").count()
    report = importer.import_bundle(path, importer.CONSOLE)
    assert report.ok
    assert {k: v for k, v in report.changes.items() if v} == {}
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="person.imported").count() == audits


def test_a_partners_newer_bundle_updates_that_partners_records_only(tmp_path):
    importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    lead_before = snapshot()["Intervention"]
    newer = copy.deepcopy(EXAMPLE)
    newer["organisations"] = [{"code": "SAVS1", "name": "SAVS du Lévézou", "role": "partner"}]
    newer["staff"] = [EXAMPLE["staff"][1]]
    newer.pop("funding")
    newer.pop("trainings")
    newer.pop("time_allocation")
    karim = newer["persons"][1]
    newer["persons"] = [karim]
    karim["interventions"] = [
        {"date": "2025-04-02", "minutes": 50, "place": "remote", "with": "person", "kind": "contact"},
        {"date": "2025-05-02", "minutes": 30, "place": "home", "with": "person", "kind": "interview"},
    ]
    karim["episodes"][0]["exit"] = None
    karim["episodes"][0]["pauses"] = [{"start": "2025-12-01", "end": "2026-01-31"}]
    karim["contracts"] = [{"employer": "E1", "type": "cdi", "start": "2025-10-01"}]
    karim["education_level"] = "3"
    newer["employers"] = EXAMPLE["employers"]
    report = importer.import_bundle(write(tmp_path, newer, "savs.json"), importer.CONSOLE)
    assert report.ok, report.errors
    person = Person.objects.get(organisation__code="SAVS1", code="P2")
    assert person.education_level == "3" and person.version == 2
    assert sorted(person.interventions.values_list("minutes", flat=True)) == [30, 50]
    episode = person.episodes.get()
    assert episode.exit_date is None and episode.assignments.get().end is None
    assert episode.pauses.count() == 1
    assert person.contracts.get().type == "cdi"
    # The lead's person and the platform's resources are untouched.
    jeanne = Person.objects.get(organisation__code="AMIO", code="P1")
    assert jeanne.interventions.count() == 3
    assert Funding.objects.count() == 1 and Training.objects.count() == 1
    assert [row for row in snapshot()["Intervention"] if row[-2] == jeanne.pk] == [
        row for row in lead_before if row[-2] == jeanne.pk
    ]
    assert AuditEntry.objects.filter(action="person.imported", person=person).count() == 2


def test_every_error_is_listed_with_its_path_and_nothing_is_written(tmp_path):
    bad = copy.deepcopy(EXAMPLE)
    bad["staff"][0]["fte"] = 0
    bad["time_allocation"][0]["support"] = 0.5  # shares add up to 0.75
    jeanne = bad["persons"][0]
    jeanne["sex"] = "Z"
    jeanne["interventions"][0]["minutes"] = 721
    jeanne["interventions"][1]["minutes"] = 0
    jeanne["interventions"][2]["place"] = "office"
    jeanne["episodes"][0]["admitted_on"] = "2025-01-05"  # before the prescription of 10 January
    jeanne["episodes"][0]["pauses"].append({"start": "2025-09-15", "end": "2025-10-15"})  # overlaps
    jeanne["episodes"][0]["counsellors"][0]["staff"] = "S9"
    jeanne["contracts"][0]["end"] = None  # an end reason without end
    jeanne["placements"][0]["employer"] = "E404"
    karim = bad["persons"][1]
    karim["episodes"][0]["exit"] = {"date": "2025-06-01", "reason": "disengagement"}  # contact on 2 April
    karim["nickname"] = "KH"
    bad["persons"].append(copy.deepcopy(karim) | {"code": "P1", "nickname": None})
    bad["persons"][2].pop("nickname")
    report = importer.import_bundle(write(tmp_path, bad), importer.CONSOLE)
    assert not report.ok and not report.written
    paths = {e.path for e in report.errors}
    assert {
        "staff[0].fte",
        "time_allocation[0]",
        "persons[0].sex",
        "persons[0].interventions[0].minutes",
        "persons[0].interventions[1].minutes",
        "persons[0].interventions[2].place",
        "persons[0].episodes[0].admitted_on",
        "persons[0].episodes[0].pauses[1]",
        "persons[0].episodes[0].counsellors[0].staff",
        "persons[0].contracts[0].end_reason",
        "persons[0].placements[0].employer",
        "persons[1].nickname",
        "persons[2].code",
        "persons[2].episodes[0].exit.reason",
    } <= paths
    assert all(e.message for e in report.errors)
    messages = {e.path: e.message for e in report.errors}
    assert "720" in messages["persons[0].interventions[0].minutes"]
    assert "six mois" in messages["persons[2].episodes[0].exit.reason"]
    assert Platform.objects.count() == 0 and Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_episodes_that_overlap_are_refused_and_readmission_on_the_exit_day_is_accepted(tmp_path):
    bundle = copy.deepcopy(EXAMPLE)
    karim = bundle["persons"][1]
    karim["prescriptions"].append({"code": "PR2", "date": "2025-11-01", "prescriber": "cdaph"})
    karim["episodes"].append({"prescription": "PR2", "admitted_on": "2025-11-20"})  # the exit day: accepted
    assert importer.validate(write(tmp_path, bundle), importer.CONSOLE).ok
    karim["episodes"][1]["admitted_on"] = "2025-11-19"
    report = importer.validate(write(tmp_path, bundle), importer.CONSOLE)
    assert [e.path for e in report.errors] == ["persons[1].episodes[1].admitted_on"]


def test_malformed_json_and_wrong_version_are_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "tremplin-bundle",\n "version": 1,\n "persons": [ {"code": "P1",, } ]}')
    report = importer.import_bundle(path, importer.CONSOLE)
    assert not report.ok and "ligne 3" in report.errors[0].path
    wrong = copy.deepcopy(EXAMPLE) | {"version": 2}
    report = importer.import_bundle(write(tmp_path, wrong), importer.CONSOLE)
    assert [e.path for e in report.errors] == ["version"]
    assert Person.objects.count() == 0


def test_import_command_lists_errors_and_exits_non_zero(tmp_path):
    bad = copy.deepcopy(EXAMPLE) | {"version": 3}
    err = StringIO()
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_bundle", str(write(tmp_path, bad)), "--no-progress", stderr=err)
    assert "version:" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_bundle", str(tmp_path / "missing.json"), "--no-progress")
    out = StringIO()
    call_command("import_bundle", str(write(tmp_path, EXAMPLE)), "--no-progress", stdout=out, stderr=StringIO())
    assert "persons 2" in out.getvalue()
    assert Person.objects.count() == 2


def test_bundle_for_another_platform_is_refused_in_a_non_empty_installation(tmp_path):
    importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    other = copy.deepcopy(EXAMPLE)
    other["platform"] = {"code": "EA81", "name": "Tarn", "department": "81"}
    report = importer.validate(write(tmp_path, other), importer.CONSOLE)
    assert [e.path for e in report.errors] == ["platform.code"]


def test_staff_codes_shared_by_two_organisations_are_qualified_on_export_and_round_trip(tmp_path):
    bundle = copy.deepcopy(EXAMPLE)
    importer.import_bundle(write(tmp_path, bundle), importer.CONSOLE)
    Staff.objects.filter(code="S2").update(code="S1")  # each organisation numbers its own staff
    platform = Platform.objects.get()
    out = StringIO()
    export_bundle(out, platform)
    exported = json.loads(out.getvalue())
    assert sorted(s["code"] for s in exported["staff"]) == ["AMIO/S1", "SAVS1/S1"]
    before = snapshot()
    assert importer.import_bundle(write(tmp_path, exported, "again.json"), importer.CONSOLE).ok
    assert snapshot() == before


def _empty_installation():
    """Every table emptied, as on a fresh installation (TRUNCATE on PostgreSQL: the audit log's
    row trigger does not apply; the test's transaction is rolled back afterwards)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may wait on a truncated table
    call_command("flush", interactive=False, verbosity=0)


def _quarters(first: dt.date, last: dt.date):
    year, quarter = first.year, (first.month - 1) // 3
    while dt.date(year, 3 * quarter + 1, 1) <= last:
        start = dt.date(year, 3 * quarter + 1, 1)
        end = (dt.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
        yield start, end
        quarter += 1
        if quarter == 4:
            year, quarter = year + 1, 0


def test_export_then_import_into_an_empty_installation_gives_the_same_indicators_for_every_quarter(tmp_path):
    as_of = dt.date(2026, 11, 25)
    demo.build(seed=11, as_of=as_of, persons=90)
    platform = Platform.objects.get()
    scopes = ["platform", *Organisation.objects.values_list("code", flat=True)]
    quarters = list(_quarters(dt.date(as_of.year - 4, as_of.month, 1), as_of))
    assert len(quarters) == 17
    before = {(q, s): indicators.compute(*q, s, platform=platform) for q in quarters for s in scopes}
    path = tmp_path / "demo.json"
    with open(path, "w", encoding="utf-8") as out:
        counts = export_bundle(out, platform)
    assert counts["persons"] == 90
    _empty_installation()
    report = importer.import_bundle(path, importer.CONSOLE)
    assert report.ok, report.errors[:5]
    platform = Platform.objects.get()
    for (quarter, scope), figures in before.items():
        assert indicators.compute(*quarter, scope, platform=platform) == figures, (quarter, scope)


def test_export_of_one_organisation_holds_only_its_persons_and_reimports_without_change(tmp_path):
    demo.build(seed=3, as_of=dt.date(2026, 11, 25), persons=40)
    platform = Platform.objects.get()
    partner = Organisation.objects.get(code="LEVZ")
    out = StringIO()
    export_bundle(out, platform, partner)
    bundle = json.loads(out.getvalue())
    assert {p["organisation"] for p in bundle["persons"]} == {"LEVZ"}
    assert [o["code"] for o in bundle["organisations"]] == ["LEVZ"]
    assert "funding" not in bundle
    before = snapshot()
    report = importer.import_bundle(write(tmp_path, bundle), importer.CONSOLE)
    assert report.ok, report.errors[:5]
    assert snapshot() == before


def test_export_command_writes_the_file_and_logs_it(tmp_path):
    importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE)
    target = tmp_path / "out.json"
    call_command("export_bundle", str(target), "--organisation", "SAVS1", stdout=StringIO())
    assert [p["code"] for p in json.loads(target.read_text())["persons"]] == ["P2"]
    entry = AuditEntry.objects.get(action="bundle.exported")
    assert entry.detail["organisation"] == "SAVS1"
    with pytest.raises(CommandError):
        call_command("export_bundle", str(tmp_path / "x.json"), "--organisation", "NOPE")
    with pytest.raises(CommandError):
        call_command("export_bundle", str(tmp_path / "missing-folder" / "x.json"))


def _intervention_table_schema():
    """Indexes and constraints of the intervention table, as the database reports them."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Intervention._meta.db_table)
    return sorted(
        (tuple(c["columns"]), c["index"], c["unique"], bool(c["foreign_key"]), c["primary_key"]) for c in found.values()
    )


def test_a_first_load_in_bulk_writes_the_same_records_and_keeps_every_index_and_check(tmp_path):
    schema = _intervention_table_schema()
    report = importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE, bulk_load=True)
    assert report.ok and report.written
    assert _intervention_table_schema() == schema
    jeanne = Person.objects.get(organisation__code="AMIO", code="P1")
    assert jeanne.interventions.filter(episode=jeanne.episodes.get()).count() == 3
    # The same bundle through multi-row INSERTs instead of COPY and bulk load: nothing to change.
    again = importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE, copy=False, bulk_load=False)
    assert {k: v for k, v in again.changes.items() if v} == {}
    # The foreign keys are back and checked: an intervention of no person is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Intervention.objects.create(
            person_id=10**9, date=dt.date(2025, 5, 5), minutes=30, place="home", with_whom="person", kind="contact"
        )
        connection.check_constraints(table_names=[Intervention._meta.db_table])


def test_a_bulk_load_that_fails_writes_nothing_and_keeps_every_index_and_check(tmp_path, monkeypatch):
    schema = _intervention_table_schema()
    before = snapshot()

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Writer, "finish", broken)
    with pytest.raises(RuntimeError):
        importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE, bulk_load=True)
    assert snapshot() == before
    assert _intervention_table_schema() == schema


def test_rows_inserted_without_copy_are_the_same_as_with_copy(tmp_path):
    path = write(tmp_path, EXAMPLE)
    importer.import_bundle(path, importer.CONSOLE, copy=False)
    report = importer.import_bundle(path, importer.CONSOLE)
    assert {k: v for k, v in report.changes.items() if v} == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load is PostgreSQL's")
def test_a_bulk_load_that_would_wait_for_a_busy_table_imports_as_usual(tmp_path, monkeypatch):
    import psycopg

    monkeypatch.setattr(importer._BulkLoad, "LOCK_WAIT", "200ms")
    schema = _intervention_table_schema()
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]
    )
    try:
        other.execute("LOCK TABLE people_person IN ACCESS SHARE MODE")  # someone reading persons
        report = importer.import_bundle(write(tmp_path, EXAMPLE), importer.CONSOLE, bulk_load=True)
    finally:
        other.rollback()
        other.close()
    assert report.ok and report.written
    assert Intervention.objects.count() == 4
    assert _intervention_table_schema() == schema
