"""The person's employment status as of a day: derived from contracts, never typed.

INDICATORS.md: a contract covers D when start <= D and (end is null or end >= D). Every contract
type counts as employment (self-employment included); placements never do.

- in work: at least one contract covers the day;
- between jobs: no contract covers the day, but the person had one before;
- no job yet: no contract started on or before the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import COVERS, Contract

IN_WORK = "in_work"
BETWEEN_JOBS = "between_jobs"
NO_JOB_YET = "no_job_yet"

LABELS = {
    IN_WORK: _("in work"),
    BETWEEN_JOBS: _("between jobs"),
    NO_JOB_YET: _("no job yet"),
}


def covering(day: dt.date, prefix: str = "") -> Q:
    """Contracts covering `day`, as a filter on Contract (`prefix`: "contracts__" from Employer)."""
    return COVERS.q(day, prefix)


def status_from_contracts(contracts: Iterable[Contract], day: dt.date) -> str:
    contracts = list(contracts)
    if any(contract.covers(day) for contract in contracts):
        return IN_WORK
    if any(contract.start <= day for contract in contracts):
        return BETWEEN_JOBS
    return NO_JOB_YET


def current_contracts(contracts: Iterable[Contract], day: dt.date) -> list[Contract]:
    """The contracts covering `day`, the most recent start first."""
    return sorted((c for c in contracts if c.covers(day)), key=lambda c: (c.start, c.pk or 0), reverse=True)


def employed_person_ids(persons, day: dt.date) -> set[int]:
    """Ids of the persons of `persons` (queryset or ids) in work on `day`, in one query."""
    return set(Contract.objects.filter(covering(day), person__in=persons).values_list("person_id", flat=True))
