"""Pure rules of the pathway, shared by the services (forms) and the bundle importer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tremplin.lib.dates import add_months

DISENGAGEMENT_SILENCE_MONTHS = 6
DISENGAGEMENT_MIN_ATTEMPTS = 3
DISENGAGEMENT_MIN_CHANNELS = 2
VEILLE_MAX_MONTHS = 12


def silence_long_enough(last_contact: dt.date, exit_date: dt.date) -> bool:
    """At least six calendar months without contact: last contact + 6 months <= exit date."""
    return add_months(last_contact, DISENGAGEMENT_SILENCE_MONTHS) <= exit_date


def outreach_sufficient(attempts: Iterable[tuple[dt.date, str]], last_contact: dt.date, exit_date: dt.date) -> bool:
    """At least three attempts through at least two channels, after the last contact."""
    since = [(day, channel) for day, channel in attempts if last_contact < day <= exit_date]
    return len(since) >= DISENGAGEMENT_MIN_ATTEMPTS and len({c for _, c in since}) >= DISENGAGEMENT_MIN_CHANNELS


def periods_overlap(start_a: dt.date, end_a: dt.date | None, start_b: dt.date, end_b: dt.date | None) -> bool:
    """Inclusive [start, end] periods; None is an open end."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def veille_limit(decided_on: dt.date) -> dt.date:
    """The latest end a veille may have when it starts, or is extended, on `decided_on`: 12
    calendar months later (the one definition, for the start and the extension alike)."""
    return add_months(decided_on, VEILLE_MAX_MONTHS)


def veille_end_allowed(start: dt.date, end: dt.date) -> bool:
    return start <= end <= veille_limit(start)
