"""Caseload: persons actively followed by a counsellor (veille excluded), against the ceiling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Count

from .states import active_episodes, current_assignments


def active_counts(staff_ids, day: dt.date) -> dict[int, int]:
    """{staff id: number of persons active on `day` whose counsellor that day is that staff member}."""
    rows = (
        current_assignments(day)
        .filter(staff_id__in=list(staff_ids), episode__in=active_episodes(day))
        .values("staff_id")
        .annotate(n=Count("episode__person", distinct=True))
    )
    return {row["staff_id"]: row["n"] for row in rows}


def ceiling(staff) -> Decimal:
    """At most 20 persons (veille excluded) per counsellor FTE (cahier des charges §V.B.2)."""
    return Decimal(settings.TREMPLIN_CASELOAD_CEILING) * staff.fte


def would_exceed_ceiling(staff, day: dt.date, extra: int = 1) -> bool:
    current = active_counts([staff.pk], day).get(staff.pk, 0)
    return current + extra > ceiling(staff)
