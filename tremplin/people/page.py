"""The person's page: `person_page` builds its whole context, in plain sight.

Each app that shows something on the page registers a section builder in its
`AppConfig.ready()` (`register_section("employment", build)`); a builder receives the
`PersonFile` (the request, the person, the day snapshot, and the loads several sections share,
each done once) and returns its section's context, under `sections.<name>`. Templates and tags
only render: none of them queries the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import prefetch_related_objects

from tremplin.audit import display
from tremplin.audit.models import AuditEntry

from . import privacy
from .models import Person

if TYPE_CHECKING:  # the snapshot is built by the view (tremplin.activity.day)
    from tremplin.activity.day import DaySnapshot

HISTORY_SHOWN = 200

SectionBuilder = Callable[["PersonFile"], dict]
_sections: dict[str, SectionBuilder] = {}


def register_section(name: str, build: SectionBuilder) -> None:
    """Add a section to the person's page (called from an app's `ready()`)."""
    if name in _sections and _sections[name] is not build:
        raise ValueError(f"the person's page already has a section named {name!r}")
    _sections[name] = build


def sections() -> dict[str, SectionBuilder]:
    return dict(_sections)


class PersonFile:
    """What the builders of one person's page read: the request, the person (read once, by the
    scope), the day snapshot, and `once(key, load)` for a load two sections share."""

    def __init__(self, request, person: Person, snapshot: DaySnapshot):
        self.request = request
        self.user = request.user
        self.person = person
        self.snapshot = snapshot
        self._loaded: dict[str, Any] = {}

    @property
    def day(self) -> dt.date:
        return self.snapshot.day

    def once(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._loaded:
            self._loaded[key] = load()
        return self._loaded[key]


def person_page(request, person: Person, snapshot: DaySnapshot) -> dict:
    """The whole context of the person's page for the day of `snapshot`."""
    file = PersonFile(request, person, snapshot)
    day = file.day
    prefetch_related_objects([person], "recognitions")
    recognitions = list(person.recognitions.all())
    history = list(
        AuditEntry.objects.filter(person=person)
        .exclude(action__endswith=".viewed")
        .exclude(action__in=display.READ_ACTIONS)
        .select_related("user")
        .order_by("-at", "-id")[:HISTORY_SHOWN]
    )
    privacy.withhold_history_notes(request.user, person, history)
    return {
        "person": person,
        "today": day,
        "recognitions": recognitions,
        "valid_recognition": any(r.is_valid_on(day) for r in recognitions),
        "expiring": [r for r in recognitions if r.expires_soon(day)],
        "history_rows": [
            {"entry": entry, "sentence": display.describe(entry), "changes": display.changes(entry)}
            for entry in history
        ],
        "sections": {name: build(file) for name, build in _sections.items()},
    }
