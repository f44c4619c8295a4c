"""Export a platform (or one organisation) as a bundle (BUNDLE.md version 1), streamed.

Persons are read and written by chunks, so memory stays small whatever the platform's size.
Staff and person codes are unique per organisation in Tremplin but must be unique in the
bundle: a code used by two organisations is written "ORGANISATION/CODE" (the importer removes
the qualifier). What the format does not carry (notes, consents, agreements, outreach
attempts, the professional of an intervention...) is not exported.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal

from tremplin.activity.models import Intervention
from tremplin.employment.models import Contract, Employer, Placement
from tremplin.organisations.models import Funding, Organisation, Platform, Staff, TimeAllocation, Training
from tremplin.pathways.models import CounsellorAssignment, Episode, Pause, Prescription
from tremplin.pathways.programmes import EMPLOI_ACCOMPAGNE
from tremplin.people.models import Person, Recognition

from .schema import FORMAT, VERSION, qualified_code

CHUNK = 1000


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _date(value):
    return value.isoformat() if value is not None else None


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _key(out, name: str, value, last: bool = False) -> None:
    out.write(f"{_dump(name)}:{_dump(value)}{'' if last else ','}\n")


def export_bundle(out, platform: Platform, organisation: Organisation | None = None) -> Counter:
    """Write the bundle to the text stream `out`; return what was written."""
    counts: Counter = Counter()
    organisations = list(Organisation.objects.filter(platform=platform).order_by("role", "code"))
    if organisation is not None:
        organisations = [organisation]
    org_ids = [o.pk for o in organisations]
    org_code = {o.pk: o.code for o in organisations}

    staff = list(Staff.objects.filter(organisation_id__in=org_ids).order_by("organisation__code", "code", "pk"))
    staff_uses = Counter(s.code for s in staff)
    staff_code = {s.pk: qualified_code(org_code[s.organisation_id], s.code, staff_uses[s.code] > 1) for s in staff}
    persons = Person.objects.filter(organisation_id__in=org_ids)
    person_uses = Counter(persons.values_list("code", flat=True))

    employers = Employer.objects.filter(platform=platform)
    if organisation is not None:
        used = set(Contract.objects.filter(person__in=persons).values_list("employer_id", flat=True))
        used |= set(Placement.objects.filter(person__in=persons).values_list("employer_id", flat=True))
        employers = employers.filter(pk__in=used)
    employers = list(employers.order_by("code", "pk"))
    employer_code = {e.pk: e.code for e in employers}

    out.write("{")
    _key(out, "format", FORMAT)
    _key(out, "version", VERSION)
    _key(out, "platform", ({"code": platform.code, "name": platform.name, "department": platform.department}))
    _key(out, "organisations", ([{"code": o.code, "name": o.name, "role": o.role} for o in organisations]))
    _key(
        out,
        "staff",
        (
            [
                {
                    "code": staff_code[s.pk],
                    "organisation": org_code[s.organisation_id],
                    "name": s.name,
                    "function": s.function,
                    "fte": _number(s.fte),
                    "start": _date(s.start),
                    "end": _date(s.end),
                    "rncp37779": s.rncp37779,
                }
                for s in staff
            ]
        ),
    )
    _key(
        out, "employers", ([{"code": e.code, "name": e.name, "kind": e.kind, "naf": e.naf or None} for e in employers])
    )
    counts.update(organisations=len(organisations), staff=len(staff), employers=len(employers))

    out.write('"persons":[')
    ids = list(persons.order_by("organisation__code", "code", "pk").values_list("pk", flat=True))
    first = True
    for start in range(0, len(ids), CHUNK):
        for person in _persons(ids[start : start + CHUNK], org_code, person_uses, staff_code, employer_code, counts):
            out.write(("\n" if first else ",\n") + _dump(person))
            first = False
    out.write("\n],\n")

    if organisation is None:
        funding = Funding.objects.filter(platform=platform).order_by("year", "funder", "pk")
        _key(
            out,
            "funding",
            ([{"year": f.year, "funder": f.funder, "amount_eur": _number(f.amount_eur)} for f in funding]),
        )
    trainings = Training.objects.filter(staff__in=staff).order_by("year", "staff__code", "pk")
    _key(
        out,
        "trainings",
        ([{"staff": staff_code[t.staff_id], "title": t.title, "year": t.year, "status": t.status} for t in trainings]),
    )
    allocations = TimeAllocation.objects.filter(staff__in=staff).order_by("year", "staff__code", "pk")
    _key(
        out,
        "time_allocation",
        (
            [
                {
                    "staff": staff_code[a.staff_id],
                    "year": a.year,
                    "support": _number(a.support),
                    "coordination": _number(a.coordination),
                    "management": _number(a.management),
                    "partnership": _number(a.partnership),
                }
                for a in allocations
            ]
        ),
        last=True,
    )
    out.write("}\n")
    return counts


def _by_person(queryset, fields, order):
    result = defaultdict(list)
    for row in queryset.order_by(*order).values_list("person_id", *fields):
        result[row[0]].append(row[1:])
    return result


def _persons(ids, org_code, person_uses, staff_code, employer_code, counts):
    persons = Person.objects.filter(pk__in=ids).order_by("organisation__code", "code", "pk")
    recognitions = _by_person(Recognition.objects.filter(person_id__in=ids), ["kind", "start", "end"], ["start", "pk"])
    prescriptions = _by_person(
        Prescription.objects.filter(person_id__in=ids),
        ["pk", "code", "date", "prescriber", "urgent", "withdrawn_on"],
        ["date", "pk"],
    )
    presc_code = {row[0]: row[1] for rows in prescriptions.values() for row in rows}
    episodes = _by_person(
        # Bundle version 1 carries emploi accompagné's episodes (BUNDLE.md), only them.
        Episode.objects.filter(programme=EMPLOI_ACCOMPAGNE.code, person_id__in=ids),
        [
            "pk",
            "prescription_id",
            "admitted_on",
            "entry_status",
            "months_without_work",
            "years_worked",
            "exit_date",
            "exit_reason",
        ],
        ["admitted_on", "pk"],
    )
    episode_ids = [row[0] for rows in episodes.values() for row in rows]
    pauses, assignments = defaultdict(list), defaultdict(list)
    for episode_id, start, end in (
        Pause.objects.filter(episode_id__in=episode_ids)
        .order_by("start", "pk")
        .values_list("episode_id", "start", "end")
    ):
        pauses[episode_id].append({"start": _date(start), "end": _date(end)})
    for episode_id, staff_id, start in (
        CounsellorAssignment.objects.filter(episode_id__in=episode_ids)
        .order_by("start", "pk")
        .values_list("episode_id", "staff_id", "start")
    ):
        assignments[episode_id].append({"staff": staff_code.get(staff_id), "from": _date(start)})
    interventions = _by_person(
        Intervention.objects.filter(person_id__in=ids),
        ["date", "minutes", "place", "with_whom", "kind"],
        ["date", "pk"],
    )
    contracts = _by_person(
        Contract.objects.filter(person_id__in=ids),
        ["employer_id", "type", "start", "planned_end", "end", "end_reason", "weekly_hours"],
        ["start", "pk"],
    )
    placements = _by_person(
        Placement.objects.filter(person_id__in=ids), ["employer_id", "kind", "start", "end"], ["start", "pk"]
    )
    for person in persons:
        pid = person.pk
        org = org_code[person.organisation_id]
        counts["persons"] += 1
        counts["interventions"] += len(interventions[pid])
        yield {
            "code": qualified_code(org, person.code, person_uses[person.code] > 1),
            "organisation": org,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _date(person.birth_date),
            "sex": person.sex or None,
            "disabilities": list(person.disabilities or []),
            "education_level": person.education_level or None,
            "recognitions": [{"kind": k, "start": _date(s), "end": _date(e)} for k, s, e in recognitions[pid]],
            "prescriptions": [
                {"code": code, "date": _date(d), "prescriber": pr, "urgent": u, "withdrawn_on": _date(w)}
                for _pk, code, d, pr, u, w in prescriptions[pid]
            ],
            "episodes": [
                {
                    "prescription": presc_code.get(presc_id),
                    "admitted_on": _date(admitted_on),
                    "entry_status": entry_status or None,
                    "months_without_work": mww,
                    "years_worked": _number(yw),
                    "counsellors": [a for a in assignments[episode_id] if a["staff"] is not None],
                    "pauses": pauses[episode_id],
                    "exit": {"date": _date(exit_date), "reason": exit_reason} if exit_date else None,
                }
                for episode_id, presc_id, admitted_on, entry_status, mww, yw, exit_date, exit_reason in episodes[pid]
            ],
            "interventions": [
                {"date": _date(d), "minutes": m, "place": p, "with": w, "kind": k}
                for d, m, p, w, k in interventions[pid]
            ],
            "contracts": [
                {
                    "employer": employer_code[employer_id],
                    "type": ctype,
                    "start": _date(start),
                    "planned_end": _date(planned_end),
                    "end": _date(end),
                    "end_reason": reason or None,
                    "weekly_hours": _number(hours),
                }
                for employer_id, ctype, start, planned_end, end, reason, hours in contracts[pid]
            ],
            "placements": [
                {
                    "employer": employer_code.get(employer_id),
                    "kind": kind,
                    "start": _date(start),
                    "end": _date(end),
                }
                for employer_id, kind, start, end in placements[pid]
            ],
        }
