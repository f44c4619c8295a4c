"""Retention: anonymise the files of persons whose last contact is older than the retention
period (settings.TREMPLIN_RETENTION_YEARS, 2 years by default, CNIL reference framework for the
social and medico-social sector).

Who: persons not yet anonymised, with no open episode and no waiting prescription, whose last
contact (the latest of: admission, exit, prescription, withdrawal, intervention, outreach
attempt, appointment, note; the creation of the file when it holds none of these) is before `as_of` minus the period.

What is removed: identity (names, birth date, sex), contact details, legal representative,
recognitions, notes, information/consent/objection records, every free text (intervention,
appointment, outreach and exit notes, veille conditions, contract and placement details,
prescriber's contact, reasons), the documents (support agreements and any file kept for the
person), and the values recorded in the person's history (audit entries are redacted: field
names stay, values go).
What stays, pseudonymised under a code ANON-<id>: dates and kinds of prescriptions, episodes,
veilles, interventions, contracts and placements, the main disabilities, the education level
and the situation at entry, so that the indicators of past quarters do not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q

from tremplin.access.scope import person_path
from tremplin.audit.log import record
from tremplin.audit.models import redact_person
from tremplin.lib.dates import add_months

from .models import Consent, InformationRecord, Note, Objection, Person, Recognition

# Models whose rows are documents: deleted with their files when the person is anonymised.
DOCUMENT_MODELS = {"employment.supportagreement"}
ANONYMOUS_LAST_NAME = "Anonyme"
EMPTY_JUSTIFICATION = "—"  # keeps the subsidiarity constraint when a current support was recorded


@dataclass
class Candidate:
    person: Person
    last_contact: dt.date


def cutoff(as_of: dt.date, years: int | None = None) -> dt.date:
    years = settings.TREMPLIN_RETENTION_YEARS if years is None else years
    return add_months(as_of, -12 * years)


def last_contacts(person_ids) -> dict[int, dt.date]:
    """The last contact of each person (see the module's docstring)."""
    from tremplin.activity.models import Appointment, Intervention
    from tremplin.pathways.models import Episode, OutreachAttempt, Prescription

    latest: dict[int, dt.date] = {}

    def merge(rows):
        for person_id, *values in rows:
            for value in values:
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    value = value.date()
                if person_id not in latest or value > latest[person_id]:
                    latest[person_id] = value

    merge(
        Episode.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(a=Max("admitted_on"), b=Max("exit_date"))
        .values_list("person_id", "a", "b")
    )
    merge(
        Prescription.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(a=Max("date"), b=Max("withdrawn_on"))
        .values_list("person_id", "a", "b")
    )
    for model, field, path in (
        (Intervention, "date", "person_id"),
        (Appointment, "starts_at", "person_id"),
        (Note, "written_on", "person_id"),
        (OutreachAttempt, "date", "episode__person_id"),
    ):
        merge(
            model.objects.filter(**{f"{path}__in": person_ids})
            .values(path)
            .annotate(a=Max(field))
            .values_list(path, "a")
        )
    # A file with no dated record at all: its creation counts as the last contact.
    merge(Person.objects.filter(pk__in=set(person_ids) - set(latest)).values_list("pk", "created_at"))
    return latest


def candidates(as_of: dt.date, years: int | None = None) -> list[Candidate]:
    from tremplin.pathways.states import waiting_prescriptions

    limit = cutoff(as_of, years)
    open_or_waiting = Q(episodes__exit_date__isnull=True, episodes__isnull=False) | Q(
        pk__in=waiting_prescriptions(as_of).values("person_id")
    )
    persons = Person.objects.filter(anonymised_on__isnull=True).exclude(open_or_waiting).distinct()
    persons = list(persons.select_related("organisation").order_by("organisation__name", "code"))
    contacts = last_contacts([p.pk for p in persons])
    return [
        Candidate(person=p, last_contact=contacts[p.pk]) for p in persons if p.pk in contacts and contacts[p.pk] < limit
    ]


def _delete_documents(person: Person) -> int:
    deleted = 0
    for model in apps.get_models():
        label, path = model._meta.label_lower, person_path(model)
        if path is None:
            continue
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if label not in DOCUMENT_MODELS and not file_fields:
            continue
        rows = model.objects.filter(**{path: person})
        for row in rows:
            for field in file_fields:
                stored = getattr(row, field.name)
                if stored:
                    stored.delete(save=False)
        if label in DOCUMENT_MODELS or file_fields:
            deleted += rows.delete()[0]
    return deleted


@transaction.atomic
def anonymise(person: Person, as_of: dt.date) -> dict:
    """Anonymise one person's file (see the module's docstring). Returns what was removed."""
    from tremplin.activity.models import Appointment, Intervention
    from tremplin.employment.models import Contract, Placement
    from tremplin.pathways.models import Episode, OutreachAttempt, Pause, PauseExtension, Prescription

    person = Person.objects.select_for_update().get(pk=person.pk)
    removed = {
        "documents": _delete_documents(person),
        "notes": Note.objects.filter(person=person).delete()[0],
        "recognitions": Recognition.objects.filter(person=person).delete()[0],
        "records": sum(
            model.objects.filter(person=person).delete()[0] for model in (InformationRecord, Consent, Objection)
        ),
    }
    Intervention.objects.filter(person=person).update(note="")
    Appointment.objects.filter(person=person).update(note="")
    OutreachAttempt.objects.filter(episode__person=person).update(note="")
    Episode.objects.filter(person=person).update(exit_note="")
    Pause.objects.filter(episode__person=person).update(reactivation_conditions="")
    PauseExtension.objects.filter(pause__episode__person=person).update(reason="")
    Contract.objects.filter(person=person).update(job_title="", adjustments="")
    Placement.objects.filter(person=person).update(tutor="", objective="", outcome="")
    prescriptions = Prescription.objects.filter(person=person)
    prescriptions.update(prescriber_contact="", withdrawal_reason="")
    prescriptions.filter(current_support="").update(subsidiarity_justification="")
    prescriptions.exclude(current_support="").update(subsidiarity_justification=EMPTY_JUSTIFICATION)
    for prescription in prescriptions.only("pk"):
        Prescription.objects.filter(pk=prescription.pk).update(code=f"ANON-{prescription.pk}")
    person.code = f"ANON-{person.pk}"
    person.first_name = ""
    person.last_name = ANONYMOUS_LAST_NAME
    person.birth_date = None
    person.sex = ""
    person.phone = ""
    person.email = ""
    person.address = ""
    person.legal_representative = ""
    person.legal_representative_contact = ""
    person.anonymised_on = as_of
    person.version += 1
    person.save()
    # After the file is marked anonymised: the database lets the history be redacted only then.
    removed["history_entries_redacted"] = redact_person(person.pk)
    record(None, "person.anonymised", person, person=person, detail={"format": "retention"})
    return removed


def run(as_of: dt.date, dry_run: bool, years: int | None = None) -> list[Candidate]:
    """List (dry run) or anonymise the persons past the retention period; log the run."""
    found = candidates(as_of, years)
    years = settings.TREMPLIN_RETENTION_YEARS if years is None else years
    detail = {"as_of": as_of.isoformat(), "years": years, "count": len(found)}
    if dry_run:
        record(None, "retention.listed", detail=detail)
        return found
    for candidate in found:
        anonymise(candidate.person, as_of)
        candidate.person.refresh_from_db()
    record(None, "retention.applied", detail={**detail, "persons": [c.person.pk for c in found]})
    return found
