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

Both are registered in `EmploymentConfig.ready()` (`tremplin.activity.due.register`), so their
items reach *À faire* and the caseload's "next thing due". The person's page shows the same
findings through `agreement_findings`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from tremplin.activity.day import DaySnapshot
from tremplin.activity.due import DueItem
from tremplin.lib.dates import short_date
from tremplin.lib.urls import url_with_id
from tremplin.pathways.models import Episode

from .models import Contract, EmployerKind, SupportAgreement
from .status import covering

AGREEMENT_GRACE_DAYS = 30
URGENT_AFTER_DAYS = 90

MISSING_AGREEMENT = "agreement_missing"
UNSIGNED_AGREEMENT = "agreement_unsigned"
EMPLOYER_NOT_NAMED = "agreement_employer_not_named"
AMENDMENT_UNSIGNED = "agreement_amendment_unsigned"


_d = short_date


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
                    url_with_id("agreement_create")(episode.pk),
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
                    url_with_id("agreement_sign")(latest.pk),
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
                        url_with_id("agreement_sign")(pending.pk),
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
                        url_with_id("agreement_create")(episode.pk),
                        current[0].start,
                    )
                )
    return findings


SIGNED = Q(signed_by_person_on__isnull=False, signed_by_platform_on__isnull=False) & (
    Q(employer__isnull=True) | Q(signed_by_employer_on__isnull=False)
)  # `SupportAgreement.is_signed`, as a filter


def _load(snapshot: DaySnapshot, day: dt.date):
    """The episodes supported on `day` that may have a finding, their agreements by episode and
    the contracts covering `day` of their persons by person (3 queries). The first query leaves
    out, in SQL, the episodes that cannot have one (a signed agreement, or admitted 30 days ago or less, and no
    employer whose contract covers the day other than the one the latest signed version names);
    `agreement_findings` then decides for the others."""
    if not snapshot.episode_ids:
        return [], {}, {}
    signed = SupportAgreement.objects.filter(SIGNED, episode_id=OuterRef("pk"))
    employed = Contract.objects.filter(covering(day), person_id=OuterRef("person_id")).exclude(
        employer__kind=EmployerKind.SELF_EMPLOYED
    )
    episodes = list(
        Episode.objects.filter(pk__in_ids=snapshot.episode_ids)
        .annotate(agreed_employer=Subquery(signed.order_by("-number").values("employer_id")[:1]))
        .filter(
            Q(~Exists(signed), admitted_on__lt=day - dt.timedelta(days=AGREEMENT_GRACE_DAYS))
            | Q(Exists(signed), Exists(employed), ~Exists(employed.filter(employer_id=OuterRef("agreed_employer"))))
        )
        .only("pk", "person_id", "admitted_on", "exit_date")
    )
    # Grouped by hand rather than prefetch_related(), which builds one queryset per episode (a
    # third of the time of a team's list with 500 episodes to check).
    agreements = defaultdict(list)
    contracts = defaultdict(list)
    if episodes:
        for agreement in (
            SupportAgreement.objects.filter(episode_id__in_ids={e.pk for e in episodes})
            .select_related("employer")
            # The content (the whole document, JSON) took a fifth of the list's time to decode:
            # only its date is read.
            .defer("content", "terms", "change_summary")
            .annotate(generated_iso=KT("content__generated_on"))
        ):
            agreements[agreement.episode_id].append(agreement)
        for contract in Contract.objects.filter(
            covering(day), person_id__in_ids={e.person_id for e in episodes}
        ).select_related("employer"):
            contracts[contract.person_id].append(contract)
    return episodes, agreements, contracts


def _findings(persons, day: dt.date) -> list[DueItem]:
    """The items of both producers, computed once per page (the day snapshot keeps them)."""
    snapshot = DaySnapshot.of(persons, day)
    return snapshot.computed("employment.agreements", lambda: _compute(snapshot, day))


def _compute(snapshot: DaySnapshot, day: dt.date) -> list[DueItem]:
    episodes, agreements, contracts = _load(snapshot, day)
    found = [
        (episode, finding)
        for episode in episodes
        for finding in agreement_findings(
            episode, agreements.get(episode.pk, []), contracts.get(episode.person_id, []), day
        )
    ]
    person_ids = {episode.person_id for episode, _finding in found}
    names = snapshot.names_of(person_ids)
    counsellors = snapshot.counsellor_by_person(person_ids)
    return [
        DueItem(
            kind=finding.kind,
            label=finding.label,
            url=finding.url,
            person_id=episode.person_id,
            person_name=names.get(episode.person_id, ""),
            counsellor_id=counsellors.get(episode.person_id),
            due_on=finding.due_on,
            severity=finding.severity,
        )
        for episode, finding in found
    ]


def missing_agreements(persons, day: dt.date) -> list[DueItem]:
    """Admissions of more than 30 days without a signed support agreement."""
    return [item for item in _findings(persons, day) if item.kind in (MISSING_AGREEMENT, UNSIGNED_AGREEMENT)]


def employer_not_named(persons, day: dt.date) -> list[DueItem]:
    """Persons in work whose current support agreement does not name their current employer."""
    return [item for item in _findings(persons, day) if item.kind in (EMPLOYER_NOT_NAMED, AMENDMENT_UNSIGNED)]
