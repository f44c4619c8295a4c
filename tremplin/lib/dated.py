"""States that hold on a day between two date fields of a record: the one definition each.

A derived state of INDICATORS.md — supported on D, in veille on D, covered by a contract on D, a
recognition valid on D, a counsellor current on D — is "the record started on or before D and has
not ended yet on D". Each is declared once, beside its model, as a `DatedState` (which fields,
whether the end day is still inside), and every page, due item, indicator, the day snapshot and
the bundle importer read it through that declaration: the queryset filter (`q`, `overlaps_q`),
the predicate (`holds`) and the interval (`last_day`) are built from the same three values, so
they cannot drift apart (tests/lib/test_dated.py checks them against each other).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DatedState:
    start: str  # the first day the state holds
    end: str  # the end field: empty (NULL) while the state lasts
    end_included: bool  # True: the state still holds on the end day; False: it stops that day

    def holds(self, start: dt.date, end: dt.date | None, day: dt.date) -> bool:
        """True when a record with these dates is in the state on `day`."""
        if start > day:
            return False
        if end is None:
            return True
        return day <= end if self.end_included else day < end

    def holds_for(self, record, day: dt.date) -> bool:
        """`holds` for a model instance (or any object with the two attributes)."""
        return self.holds(getattr(record, self.start), getattr(record, self.end), day)

    def overlaps(self, start: dt.date, end: dt.date | None, first: dt.date, last: dt.date | None = None) -> bool:
        """True when a record with these dates is in the state on a day of [first, last] (no
        `last`: from `first` on)."""
        if last is not None and start > last:
            return False
        if end is None:
            return True
        return first <= end if self.end_included else first < end

    def last_day(self, end: dt.date | None) -> dt.date | None:
        """The last day in the state of a record ending on `end` (None: not ended)."""
        if end is None or self.end_included:
            return end
        return end - ONE_DAY

    def q(self, day: dt.date, prefix: str = "") -> Q:
        """The records in the state on `day`, as a filter (`prefix`: "episode__" and such)."""
        return self.overlaps_q(day, day, prefix)

    def overlaps_q(self, first: dt.date, last: dt.date, prefix: str = "") -> Q:
        """The records in the state on at least one day of [first, last]."""
        lookup = "gte" if self.end_included else "gt"
        return Q(**{f"{prefix}{self.start}__lte": last}) & (
            Q(**{f"{prefix}{self.end}__isnull": True}) | Q(**{f"{prefix}{self.end}__{lookup}": first})
        )
