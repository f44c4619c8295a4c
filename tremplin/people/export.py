"""The person's whole file, for their right of access (PDF to read) and portability (JSON).

It holds every record about the person, the information and consents, and the list of who
accessed the file. Notes: those the exporting user may read; for the others, how many there
are per domain and that a clinician of that domain exports them (need-to-know). The same rule
applies to the notes of interventions logged by clinicians: an intervention whose note the user
may not read is exported without it (`note` empty, `note_not_included`: its domain).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from tremplin.audit import display
from tremplin.audit.models import AuditEntry

from .models import Person
from .privacy import readable_notes, withhold_intervention_notes

SKIP = {"id", "person", "version", "search_name", "created_at", "updated_at"}


def _values(instance: models.Model, skip=()) -> dict:
    result = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP or field.name in skip:
            continue
        value = getattr(instance, field.attname)
        if field.choices and value not in (None, ""):
            result[field.name] = value
            result[f"{field.name}_label"] = str(dict(field.flatchoices).get(value, value))
        elif isinstance(field, models.ForeignKey):
            related = getattr(instance, field.name)
            result[field.name] = str(related) if related is not None else None
        else:
            result[field.name] = value
    return result


def whole_file(user, person: Person) -> dict:
    notes, hidden = readable_notes(user, person)
    episodes = []
    for episode in person.episodes.order_by("admitted_on"):
        item = _values(episode)
        item["counsellors"] = [_values(a, skip=("episode",)) for a in episode.assignments.select_related("staff")]
        item["veilles"] = [
            {**_values(p, skip=("episode",)), "extensions": [_values(e, skip=("pause",)) for e in p.extensions.all()]}
            for p in episode.pauses.all()
        ]
        item["outreach_attempts"] = [_values(o, skip=("episode",)) for o in episode.outreach_attempts.all()]
        item["support_agreements"] = [_values(a, skip=("episode", "content")) for a in episode.agreements.all()]
        episodes.append(item)
    accesses = AuditEntry.objects.filter(person=person).order_by("at", "id").values("at", "actor", "action", "ip")
    return {
        "format": "tremplin-person-file",
        "version": 1,
        "generated_at": timezone.now(),
        "person": {
            **_values(person, skip=("organisation", "anonymised_on")),
            "organisation": person.organisation.name,
            "disabilities_labels": person.disability_labels(),
        },
        "recognitions": [_values(r) for r in person.recognitions.all()],
        "prescriptions": [_values(p) for p in person.prescriptions.order_by("date")],
        "episodes": episodes,
        "interventions": [
            {**_values(i, skip=("created_by",)), **({"note_not_included": i.note_withheld} if i.note_withheld else {})}
            for i in withhold_intervention_notes(user, person, person.interventions.order_by("date", "id"))
        ],
        "appointments": [_values(a, skip=("intervention",)) for a in person.appointments.order_by("starts_at")],
        "contracts": [_values(c) for c in person.contracts.order_by("start")],
        "placements": [_values(p) for p in person.placements.order_by("start")],
        "notes": [_values(n) for n in notes],
        "notes_not_included": [{"domain": domain, "count": count} for domain, count in sorted(hidden.items())],
        "information": [{**_values(i), "topics_labels": i.topic_labels()} for i in person.information_records.all()],
        "consents": [_values(c) for c in person.consents.all()],
        "objections": [_values(o) for o in person.objections.all()],
        "accesses": [
            {
                "at": a["at"],
                "who": a["actor"],
                "what": str(display.SENTENCES.get(a["action"], a["action"])),
                "action": a["action"],
                "from": a["ip"],
            }
            for a in accesses
        ],
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, dt.datetime):
            return timezone.localtime(o).isoformat()
        return super().default(o)


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=_Encoder, ensure_ascii=False, indent=2).encode()


def as_pdf(data: dict) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    html = render_to_string("people/person_file_pdf.html", {"file": data})
    stylesheet = finders.find("tremplin/print.css")
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)] if stylesheet else None)
