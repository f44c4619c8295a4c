"""What a funder sees: aggregated indicators of the platform, per quarter, with small counts hidden.

No name, no list of persons, no count under THRESHOLD: `mask_group` is the one place that hides
small counts, including the "complementary" cell that would let a reader recompute a hidden one
by subtraction. The figures are the steering indicators of INDICATORS.md (`tremplin.steering.indicators`, the
one implementation), for the whole platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin.activity import measures
from tremplin.lib.dates import previous_quarter, quarter_bounds
from tremplin.pathways.models import ExitReason

THRESHOLD = 5

# (key, label, group): dotted keys of the steering indicators (INDICATORS.md). Cells of a group
# add up (to the group's total when it is shown), so hiding one small cell may hide another.
ROWS = [
    ("activity.supported", _("persons supported on the last day"), None),
    ("activity.active", _("of whom actively supported"), "state"),
    ("activity.in_veille", _("of whom in veille"), "state"),
    ("activity.admissions", _("admissions during the quarter"), None),
    ("activity.waiting", _("prescriptions waiting on the last day"), None),
    ("activity.exits.total", _("exits during the quarter"), None),
    *[(f"activity.exits.by_reason.{reason}", label, "exits") for reason, label in ExitReason.choices],
    *[(f"activity.intensity.{level}", measures.LEVEL_LABELS[level], "intensity") for level in measures.LEVELS],
    ("employment.persons_employed", _("persons in employment during the quarter"), None),
    ("employment.job_breaks", _("job breaks during the quarter"), None),
]
GROUP_TOTALS = {"state": "activity.supported", "exits": "activity.exits.total", "intensity": None}


def platform_indicators(platform, start: dt.date, end: dt.date) -> dict[str, int]:
    """The steering indicators of the whole platform, flattened to dotted keys (one implementation:
    tremplin.steering.indicators)."""
    from tremplin.steering.indicators import Scope, compute, flatten

    return dict(flatten(compute(start, end, Scope(platform))))


COMPUTE = platform_indicators


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
