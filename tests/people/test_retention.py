"""Retention: `tremplin retention --dry-run` lists, `tremplin retention` anonymises the files whose
last contact is older than the period; identity, contact details, notes and documents go; the
indicators of past quarters do not change; each run is logged; the audit log stays append-only."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from tests.factories import (
    ContractFactory,
    EpisodeFactory,
    InterventionFactory,
    PauseFactory,
    PersonFactory,
    PrescriptionFactory,
    StaffFactory,
)
from tremplin.activity import measures
from tremplin.audit.log import record
from tremplin.audit.models import AuditEntry
from tremplin.employment.models import Contract, SupportAgreement
from tremplin.organisations.models import Staff
from tremplin.pathways.models import Episode, Prescription
from tremplin.pathways.periods import contains, period_states
from tremplin.people.models import Consent, Note, Person
from tremplin.steering.indicators import Scope, compute

AS_OF = dt.date(2026, 11, 25)  # two years before: 25/11/2024


@pytest.fixture
def platform_files(lead, partner, counsellor, partner_counsellor):
    """Old files (exit in 2022), a recent exit, an open episode and an old withdrawn prescription."""
    doctor = StaffFactory(organisation=lead, function=Staff.Function.OTHER, clinical_domain="medical")
    old = []
    for index in range(7):
        org, staff = (lead, counsellor) if index % 2 == 0 else (partner, partner_counsellor)
        person = PersonFactory(
            organisation=org,
            first_name=f"Ancien{index}",
            last_name="Dossier",
            phone="06 11 22 33 44",
            email=f"ancien{index}@example.org",
            address="1 rue du Lac, Rodez",
            legal_representative="UDAF 12 (curatelle)",
            disabilities=["psychic", "motor"] if index % 3 else ["autism"],
            education_level="4" if index % 2 else "none",
        )
        episode = EpisodeFactory(
            prescription=PrescriptionFactory(
                person=person,
                date=dt.date(2021, 1, 5),
                prescriber_contact="M. Prescripteur",
                current_support="esms",
                subsidiarity_justification="Le SAVS n'intervient pas auprès de l'employeur.",
            ),
            counsellor=staff,
            admitted_on=dt.date(2021, 2, 1),
            exit_date=dt.date(2022, 3, 31),
            exit_reason="person_request",
            exit_note="Souhait de la personne, en lien avec sa santé.",
            months_without_work=index * 5,
        )
        PauseFactory(
            episode=episode,
            start=dt.date(2021, 7, 1),
            end=dt.date(2021, 8, 15),
            reactivation_conditions="Après l'hospitalisation",
        )
        for month in range(2, 13):
            InterventionFactory(
                person=person,
                episode=episode,
                date=dt.date(2021, month, 10),
                minutes=60 * (index + 1),
                note="Parle de son traitement",
            )
        ContractFactory(
            person=person,
            start=dt.date(2021, 9, 1),
            end=dt.date(2022, 2, 28),
            end_reason="term",
            job_title="Agent d'entretien",
            adjustments="Horaires du matin",
        )
        Note.objects.create(
            person=person, domain="medical", author=doctor, written_on=dt.date(2021, 5, 1), text="Diagnostic"
        )
        Consent.objects.create(
            person=person,
            domain="medical",
            purpose="x",
            decision="agreed",
            decided_on=dt.date(2021, 5, 1),
            recorded_by=doctor,
        )
        SupportAgreement.objects.create(
            episode=episode, number=1, kind="initial", terms="Convention de Jeanne", content={"name": person.first_name}
        )
        record(
            counsellor.user,
            "person.updated",
            person,
            person=person,
            changes={"phone": ["05 00 00 00 00", person.phone]},
        )
        old.append(person)
    recent = PersonFactory(organisation=lead, first_name="Recent", last_name="Sortie")
    EpisodeFactory(
        prescription=PrescriptionFactory(person=recent, date=dt.date(2023, 1, 1)),
        admitted_on=dt.date(2023, 2, 1),
        exit_date=dt.date(2024, 12, 31),
        exit_reason="moved_out",
    )
    open_file = PersonFactory(organisation=lead, first_name="Encore", last_name="Suivi")
    EpisodeFactory(
        prescription=PrescriptionFactory(person=open_file, date=dt.date(2020, 1, 1)), admitted_on=dt.date(2020, 2, 1)
    )
    withdrawn = PersonFactory(organisation=partner, first_name="Jamais", last_name="Admis")
    PrescriptionFactory(
        person=withdrawn, date=dt.date(2021, 3, 1), withdrawn_on=dt.date(2021, 6, 1), withdrawal_reason="A déménagé"
    )
    return {"old": old, "recent": recent, "open": open_file, "withdrawn": withdrawn}


QUARTERS = [
    (dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
    (dt.date(2021, 7, 1), dt.date(2021, 9, 30)),
    (dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
]


def indicators(platform):
    """The figures of past quarters: every steering indicator, intensity levels, supported persons' profile
    (main disability, education level, months without work) and contracts, from the one
    implementation of states and intensity."""
    result = {}
    for start, end in QUARTERS:
        persons = Person.objects.filter(organisation__platform=platform)
        states = period_states(persons, start, end)
        supported = [pid for pid, iv in states.supported.items() if contains(iv, end)]
        on_end = Person.objects.filter(pk__in=supported)
        result[(start, end)] = {
            "indicators": compute(start, end, Scope(platform)),  # the whole INDICATORS.md JSON
            "intensity": sorted(
                (p.level, p.minutes, p.months) for p in measures.intensity(persons, start, end).values()
            ),
            "without_interview": len(measures.persons_without_interview(persons, start, end)),
            "disability": Counter(p.main_disability for p in on_end),
            "education": Counter(p.education_level for p in on_end),
            "months_without_work": Counter(
                Episode.objects.filter(person__in=on_end).values_list("months_without_work", flat=True)
            ),
            "contracts": Counter(
                Contract.objects.filter(person__organisation__platform=platform, start__lte=end).values_list(
                    "type", "end_reason"
                )
            ),
            "waiting": Prescription.objects.filter(person__organisation__platform=platform, date__lte=end)
            .exclude(withdrawn_on__lte=end)
            .exclude(episodes__admitted_on__lte=end)
            .count(),
        }
    return result


def run(*args):
    out = StringIO()
    call_command("retention", "--as-of", AS_OF.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_the_files_past_the_period_and_changes_nothing(platform_files):
    output = run("--dry-run")
    listed = {p.code for p in platform_files["old"]} | {platform_files["withdrawn"].code}
    for code in listed:
        assert code in output
    for key in ("recent", "open"):
        assert platform_files[key].code not in output
    assert "8 dossier(s) seraient anonymisés" in output
    assert not Person.objects.filter(anonymised_on__isnull=False).exists()
    assert AuditEntry.objects.filter(action="retention.listed", detail__count=8).exists()


def test_retention_removes_identity_contact_details_notes_and_documents(platform_files):
    run()
    person = Person.objects.get(pk=platform_files["old"][0].pk)
    assert person.anonymised_on == AS_OF and person.code == f"ANON-{person.pk}"
    assert (person.first_name, person.last_name, person.birth_date, person.sex) == ("", "Anonyme", None, "")
    assert (person.phone, person.email, person.address, person.legal_representative) == ("", "", "", "")
    assert not person.recognitions.exists() and not person.notes.exists() and not person.consents.exists()
    assert not SupportAgreement.objects.filter(episode__person=person).exists()
    assert set(person.interventions.values_list("note", flat=True)) == {""}
    episode = person.episodes.get()
    assert episode.exit_note == "" and episode.pauses.get().reactivation_conditions == ""
    contract = person.contracts.get()
    assert (contract.job_title, contract.adjustments) == ("", "")
    prescription = person.prescriptions.get()
    assert prescription.prescriber_contact == "" and prescription.code == f"ANON-{prescription.pk}"
    # What the indicators need stays.
    assert person.disabilities == ["autism"] and person.education_level == "none"
    assert (episode.admitted_on, episode.exit_date, episode.exit_reason) == (
        dt.date(2021, 2, 1),
        dt.date(2022, 3, 31),
        "person_request",
    )
    # Files still followed, or with a recent contact, are untouched.
    for key in ("recent", "open"):
        assert Person.objects.get(pk=platform_files[key].pk).anonymised_on is None


def test_the_indicators_of_past_quarters_do_not_change(platform, platform_files):
    before = indicators(platform)
    assert before[QUARTERS[1]]["indicators"]["activity"]["supported"] == 8  # 7 old files and the open one
    assert before[QUARTERS[1]]["indicators"]["activity"]["in_veille"] == 0 and before[QUARTERS[1]]["intensity"]
    run()
    assert Person.objects.filter(anonymised_on=AS_OF).count() == 8
    assert indicators(platform) == before


def test_the_values_in_the_persons_history_are_redacted_and_the_guard_remains(platform_files):
    person = platform_files["old"][0]
    run()
    entry = AuditEntry.objects.get(person=person, action="person.updated")
    assert entry.redacted and entry.changes == {"phone": [None, None]}
    assert "06 11 22 33 44" not in str(list(AuditEntry.objects.values_list("changes", "detail")))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(changes={"phone": ["x", "y"]})


def test_each_run_is_logged_and_a_second_run_finds_nothing(platform_files):
    assert "8 dossier(s) anonymisé(s)" in run()
    applied = AuditEntry.objects.get(action="retention.applied")
    assert applied.detail["count"] == 8 and applied.detail["years"] == 2 and len(applied.detail["persons"]) == 8
    assert AuditEntry.objects.filter(action="person.anonymised").count() == 8
    assert "0 dossier(s) anonymisé(s)" in run()
    assert AuditEntry.objects.filter(action="retention.applied").count() == 2


def test_the_period_comes_from_the_settings(platform_files, settings):
    settings.TREMPLIN_RETENTION_YEARS = 5  # cut-off 25/11/2021: the exits of 2022 are kept
    output = run("--dry-run")
    assert "1 dossier(s) seraient anonymisés" in output and platform_files["withdrawn"].code in output


def test_a_bad_date_gives_a_clear_message_and_changes_nothing(platform_files):
    with pytest.raises(CommandError, match="AAAA-MM-JJ|YYYY-MM-DD"):
        call_command("retention", "--as-of", "25/11/2026", stdout=StringIO())
    assert not Person.objects.filter(anonymised_on__isnull=False).exists()
