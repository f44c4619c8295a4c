"""What is due ("À faire"): items computed from the data, never stored by hand.

Every producer returns `DueItem`s; the due page (per counsellor and for the team) gathers them.
Producers live next to the data they read (this module for the pathway and activity, and
`tremplin.employment.due` for agreements and contracts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DueItem:
    kind: str  # stable code, e.g. "interview_due", "veille_overdue"
    label: str  # translated sentence shown to the user
    url: str  # where the item is resolved
    person_id: int | None = None
    person_name: str = ""
    counsellor_id: int | None = None  # staff id of the person's counsellor, for the per-counsellor view
    due_on: dt.date | None = None  # deadline or date the item became due, for sorting
    severity: str = "warning"  # "info", "warning" or "urgent"
