"""What is due about support agreements, as `tremplin.activity.due.DueItem`s.

Two producers, both `producer(persons, day) -> list[DueItem]` with `persons` a (scoped) queryset of
persons, each answering with a constant number of queries whatever the number of persons:

- `missing_agreements`: a person supported on `day`, admitted more than 30 days before, with no
  signed version of the individual support agreement for that admission (CdC §II, §IV.C). Signed
  means signed by the person (or legal representative), the platform and, when the version names
  one, the employer.
- `employer_not_named`: a person supported and in work on `day` (a contract covers the day, with an
  employer other than the person's own activity) whose current agreement (its latest signed
  version) names none of the current employers. Choice: a version signed on or after the start of
  the current contract that names no employer is the person's choice not to involve the employer
  (disclosure is the person's decision) and is not reported.

The person's page shows the same findings through `agreement_findings`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tremplin.activity.due import DueItem
from tremplin.pathways.models import CounsellorAssignment, Episode

from .models import Contract, EmployerKind, SupportAgreement
from .status import covering

AGREEMENT_GRACE_DAYS = 30
URGENT_AFTER_DAYS = 90

MISSING_AGREEMENT = "agreement_missing"
UNSIGNED_AGREEMENT = "agreement_unsigned"
EMPLOYER_NOT_NAMED = "agreement_employer_not_named"
AMENDMENT_UNSIGNED = "agreement_amendment_unsigned"


def _d(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    url: str
    due_on: dt.date
    severity: str = "warning"


def agreement_findings(episode: Episode, agreements, contracts, day: dt.date) -> list[Finding]:
    """What is wrong with the agreement of one episode on `day` (agreements of that episode; the
    person's contracts). Pure: no query."""
    if not episode.is_supported_on(day):
        return []
    agreements = sorted(agreements, key=lambda a: a.number)
    signed = [a for a in agreements if a.is_signed]
    latest = agreements[-1] if agreements else None
    findings = []
    due_on = episode.admitted_on + dt.timedelta(days=AGREEMENT_GRACE_DAYS)
    if not signed and day > due_on:
        days = (day - episode.admitted_on).days
        severity = "urgent" if days > URGENT_AFTER_DAYS else "warning"
        if latest is None:
            findings.append(
                Finding(
                    MISSING_AGREEMENT,
                    _("No support agreement yet, %(days)s days after the admission of %(date)s.")
                    % {"days": days, "date": _d(episode.admitted_on)},
                    reverse("agreement_create", args=[episode.pk]),
                    due_on,
                    severity,
                )
            )
        else:
            findings.append(
                Finding(
                    UNSIGNED_AGREEMENT,
                    _(
                        "The support agreement is not signed yet (missing: %(parties)s), %(days)s days after the admission."
                    )
                    % {"parties": ", ".join(latest.missing_signatures), "days": days},
                    reverse("agreement_sign", args=[latest.pk]),
                    due_on,
                    severity,
                )
            )
    current = [c for c in contracts if c.covers(day) and c.employer.kind != EmployerKind.SELF_EMPLOYED]
    if current and signed:
        current.sort(key=lambda c: (c.start, c.pk or 0), reverse=True)
        employer_ids = {c.employer_id for c in current}
        agreed = signed[-1]
        chose_no_employer = agreed.employer_id is None and agreed.generated_on >= current[0].start
        if agreed.employer_id not in employer_ids and not chose_no_employer:
            names = ", ".join(dict.fromkeys(c.employer.name for c in current))
            pending = next(
                (a for a in reversed(agreements) if a.number > agreed.number and a.employer_id in employer_ids), None
            )
            if pending is not None:
                findings.append(
                    Finding(
                        AMENDMENT_UNSIGNED,
                        _("The amendment naming the current employer (%(employer)s) waits for signatures.")
                        % {"employer": pending.employer.name},
                        reverse("agreement_sign", args=[pending.pk]),
                        current[0].start,
                    )
                )
            else:
                findings.append(
                    Finding(
                        EMPLOYER_NOT_NAMED,
                        _(
                            "The support agreement does not name the current employer (%(employer)s): draw up an amendment."
                        )
                        % {"employer": names},
                        reverse("agreement_create", args=[episode.pk]),
                        current[0].start,
                    )
                )
    return findings


def _load(persons, day: dt.date):
    """Episodes supported on `day` with their agreements and counsellors, and the contracts covering
    `day`, for all `persons` at once (4 queries)."""
    episodes = list(
        Episode.objects.filter(person__in=persons, admitted_on__lte=day)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gt=day))
        .select_related("person")
        .prefetch_related(
            Prefetch("agreements", queryset=SupportAgreement.objects.select_related("employer").order_by("number")),
            Prefetch("assignments", queryset=CounsellorAssignment.objects.order_by("start", "pk")),
        )
    )
    contracts = defaultdict(list)
    person_ids = [e.person_id for e in episodes]
    if person_ids:
        for contract in Contract.objects.filter(covering(day), person_id__in=person_ids).select_related("employer"):
            contracts[contract.person_id].append(contract)
    return episodes, contracts


def _items(persons, day: dt.date, kinds: set[str]) -> list[DueItem]:
    episodes, contracts = _load(persons, day)
    items = []
    for episode in episodes:
        findings = [
            f
            for f in agreement_findings(episode, episode.agreements.all(), contracts.get(episode.person_id, []), day)
            if f.kind in kinds
        ]
        if not findings:
            continue
        assignment = episode.current_assignment(day)
        for finding in findings:
            items.append(
                DueItem(
                    kind=finding.kind,
                    label=finding.label,
                    url=finding.url,
                    person_id=episode.person_id,
                    person_name=episode.person.full_name,
                    counsellor_id=assignment.staff_id if assignment else None,
                    due_on=finding.due_on,
                    severity=finding.severity,
                )
            )
    return items


def missing_agreements(persons, day: dt.date) -> list[DueItem]:
    """Admissions of more than 30 days without a signed support agreement."""
    return _items(persons, day, {MISSING_AGREEMENT, UNSIGNED_AGREEMENT})


def employer_not_named(persons, day: dt.date) -> list[DueItem]:
    """Persons in work whose current support agreement does not name their current employer."""
    return _items(persons, day, {EMPLOYER_NOT_NAMED, AMENDMENT_UNSIGNED})


def due_items(persons, day: dt.date) -> list[DueItem]:
    """Both producers at once (one pass over the data)."""
    return _items(persons, day, {MISSING_AGREEMENT, UNSIGNED_AGREEMENT, EMPLOYER_NOT_NAMED, AMENDMENT_UNSIGNED})


PRODUCERS = [missing_agreements, employer_not_named]
