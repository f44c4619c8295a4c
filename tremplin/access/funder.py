"""What a funder sees: aggregated indicators of the platform, per quarter, with small counts hidden.

No name, no list of persons, no count under THRESHOLD: `mask_group` is the one place that hides
small counts, including the "complementary" cell that would let a reader recompute a hidden one
by subtraction. The figures come from `compute` (the minimal set below, built on
`pathways.periods` and `activity.measures`); the steering indicators can replace it by setting
`COMPUTE` to a function with the same signature that returns the same keys.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin.activity import measures
from tremplin.lib.dates import previous_quarter, quarter_bounds
from tremplin.pathways.models import Episode
from tremplin.pathways.periods import contains, period_states
from tremplin.people.models import Person

THRESHOLD = 5

# (key, label, group): cells of a group add up (with the group's total when it is shown).
ROWS = [
    ("supported", _("persons supported on the last day"), None),
    ("active", _("of whom actively supported"), "state"),
    ("in_veille", _("of whom in veille"), "state"),
    ("admissions", _("admissions during the quarter"), None),
    ("exits", _("exits during the quarter"), None),
    *[(f"intensity.{level}", measures.LEVEL_LABELS[level], "intensity") for level in measures.LEVELS],
]
GROUP_TOTALS = {"state": "supported", "intensity": None}


def minimal_indicators(platform, start: dt.date, end: dt.date) -> dict[str, int]:
    persons = Person.objects.filter(organisation__platform=platform)
    states = period_states(persons, start, end)
    supported = [pid for pid, intervals in states.supported.items() if contains(intervals, end)]
    in_veille = [pid for pid in supported if contains(states.veille.get(pid, []), end)]
    episodes = Episode.objects.filter(person__organisation__platform=platform)
    levels = Counter(p.level for p in measures.intensity(persons, start, end, states=states).values())
    result = {
        "supported": len(supported),
        "in_veille": len(in_veille),
        "active": len(supported) - len(in_veille),
        "admissions": episodes.filter(admitted_on__gte=start, admitted_on__lte=end).count(),
        "exits": episodes.filter(exit_date__gte=start, exit_date__lte=end).count(),
    }
    result.update({f"intensity.{level}": levels.get(level, 0) for level in measures.LEVELS})
    return result


COMPUTE = minimal_indicators


def mask_group(cells: dict[str, int], total: int | None = None) -> dict[str, int | None]:
    """Hide (None) every count under THRESHOLD; when exactly one cell of a group is hidden and the
    group's total (or the other cells) would give it back by subtraction, hide the next smallest
    cell too."""
    shown = {key: (value if value >= THRESHOLD else None) for key, value in cells.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1 and len(cells) > 1 and total is not None and total >= THRESHOLD:
        visible = sorted((value, key) for key, value in shown.items() if value is not None)
        if visible:
            shown[visible[0][1]] = None
    return shown


def mask(value: int) -> int | None:
    return mask_group({"value": value})["value"]


@dataclass
class Row:
    label: str
    values: list[int | None]


def table(platform, quarters: list[tuple[dt.date, dt.date]]) -> list[Row]:
    columns = []
    for start, end in quarters:
        raw = COMPUTE(platform, start, end)
        shown: dict[str, int | None] = {}
        for key, _label, group in ROWS:
            if group is None:
                shown[key] = mask(raw[key])
        for group, total_key in GROUP_TOTALS.items():
            keys = [key for key, _label, g in ROWS if g == group]
            total = raw[total_key] if total_key else None
            shown.update(mask_group({key: raw[key] for key in keys}, total if total_key else sum(raw[k] for k in keys)))
        columns.append(shown)
    return [Row(label=str(label), values=[column[key] for column in columns]) for key, label, _group in ROWS]


def last_quarters(day: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The `count` complete calendar quarters before `day`, oldest first."""
    quarters = []
    start, _end = quarter_bounds(day)
    for _step in range(count):
        start, end = previous_quarter(start)
        quarters.append((start, end))
    return list(reversed(quarters))
