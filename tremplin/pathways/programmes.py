"""The programmes an episode belongs to, and the rules that differ between them.

Each programme is ONE frozen declaration below, registered once: its accepted exit reasons,
whether anything may be recorded after an exit (and for how long), whether it works in stages,
whether prerequisites are forbidden. The workflows (`pathways.services`, `activity.services`),
the database constraints of `Episode` and the indicators ask the declaration; none of them
tests a programme's code. Adding a programme is adding a declaration (and the checks that go
with its own exit reasons, see `Programme.exit_check`), then a migration for the constraint.

What holds for every programme, and is therefore not declared:
- a person has at most one open episode per programme (PREORIENTATION.md, "Decision"); being in
  two programmes at once is possible (database constraint `one_open_episode_per_programme`);
- episodes of one programme never overlap; a readmission starts at the earliest on the day of
  the previous exit.

Only emploi accompagné exists today (cahier des charges national, seed 003).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import add_months

# Whether a programme works in stages (STAGED-SUPPORT.md).
NO_STAGES = "none"
OPTIONAL_STAGES = "optional"  # a tool the person and the professional may use, never a condition
REQUIRED_STAGES = "required"  # the support is organised in successive stages


class ExitReason(models.TextChoices):
    """Emploi accompagné: the only reasons the national specification accepts (§IV.E). There
    is no other."""

    PERSON_REQUEST = "person_request", _("at the person's request")
    MOVED_OUT = "moved_out", _("move outside the platform's territory")
    RECOGNITION_NOT_RENEWED = "recognition_not_renewed", _("CDAPH notification or RQTH not renewed")
    DISENGAGEMENT = "disengagement", _("manifest and lasting disengagement")
    DEATH = "death", _("death")


ExitCheck = Callable[..., None]


@dataclass(frozen=True)
class Programme:
    code: str
    label: Promise | str
    # (value, label) of every accepted exit reason, in the order the exit form shows them.
    exit_reasons: tuple[tuple[str, Promise | str], ...]
    # The message next to the reason when another one is given.
    exit_reason_refused: Promise | str
    # 0: nothing may be recorded after the exit; n: recording stays possible for n months after
    # it (only as follow-up).
    follow_up_months_after_exit: int = 0
    stages: str = NO_STAGES
    # Zero exclusion: no prerequisite, aptitude gate or predefined stage as a condition of entry.
    prerequisites_forbidden: bool = False
    # {exit reason: [checks]}, filled by `exit_check` where the checks are written.
    _exit_checks: dict[str, list[ExitCheck]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.stages not in (NO_STAGES, OPTIONAL_STAGES, REQUIRED_STAGES):
            raise ValueError(f"{self.code}: unknown stages value {self.stages!r}")
        if self.prerequisites_forbidden and self.stages == REQUIRED_STAGES:
            raise ValueError(
                f"{self.code}: a programme without prerequisites cannot make predefined stages a condition "
                "(cahier des charges §V.A.1°: « sans logique de découpage par étapes ou modules prédéfinis »)"
            )
        if not self.exit_reasons:
            raise ValueError(f"{self.code}: a programme needs at least one exit reason")
        if self.follow_up_months_after_exit < 0:
            raise ValueError(f"{self.code}: follow-up months cannot be negative")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def exit_reason_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.exit_reasons)

    def accepts_exit_reason(self, reason: str) -> bool:
        return reason in self.exit_reason_values

    def exit_reason_label(self, reason: str) -> str:
        return str(dict(self.exit_reasons).get(reason, reason))

    @property
    def records_after_exit(self) -> bool:
        return self.follow_up_months_after_exit > 0

    def follow_up_until(self, exit_date: dt.date) -> dt.date | None:
        """The last day something may still be recorded on an episode that ended on
        `exit_date`, or None when nothing may be recorded after an exit."""
        if not self.records_after_exit:
            return None
        return add_months(exit_date, self.follow_up_months_after_exit)

    def exit_check(self, *reasons: str) -> Callable[[ExitCheck], ExitCheck]:
        """Decorator: `check(episode, exit_date=..., note=..., ...)` runs when an episode of this
        programme exits for one of `reasons`, and raises DomainError to refuse the exit."""
        unknown = [reason for reason in reasons if not self.accepts_exit_reason(reason)]
        if unknown:
            raise ValueError(f"{self.code}: {unknown} are not exit reasons of the programme")

        def decorator(check: ExitCheck) -> ExitCheck:
            for reason in reasons:
                checks = self._exit_checks.setdefault(reason, [])
                if check not in checks:
                    checks.append(check)
            return check

        return decorator

    def exit_checks(self, reason: str) -> list[ExitCheck]:
        return list(self._exit_checks.get(reason, ()))


_registry: dict[str, Programme] = {}


def register(programme: Programme) -> Programme:
    if programme.code in _registry and _registry[programme.code] is not programme:
        raise ValueError(f"programme {programme.code!r} is already registered")
    if len(programme.code) > 30:
        raise ValueError(f"programme code {programme.code!r} is longer than Episode.programme allows")
    _registry[programme.code] = programme
    return programme


@contextmanager
def registered(programme: Programme) -> Iterator[Programme]:
    """Register `programme` for the duration of the block (tests of a second programme)."""
    register(programme)
    try:
        yield programme
    finally:
        _registry.pop(programme.code, None)


def get(code: str) -> Programme:
    return _registry[code]


def of(episode) -> Programme:
    return _registry[episode.programme]


def all_programmes() -> list[Programme]:
    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    """Choices of `Episode.programme` (a callable: a programme registered later is included)."""
    return [(programme.code, programme.label) for programme in _registry.values()]


def exit_reason_choices() -> list[tuple[str, str]]:
    """Choices of `Episode.exit_reason`: every programme's reasons, each value once."""
    seen: dict[str, str] = {}
    for programme in _registry.values():
        for value, label in programme.exit_reasons:
            seen.setdefault(value, label)
    return list(seen.items())


def accepted_exit_reason_condition() -> Q:
    """The database check of `Episode` (constraint `exit_reason_is_an_accepted_reason`): an open
    episode has no reason; a closed one has a reason, and one its programme accepts."""
    accepted = Q()
    for programme in _registry.values():
        accepted &= ~Q(programme=programme.code) | Q(exit_reason__in=list(programme.exit_reason_values))
    return Q(exit_date__isnull=True, exit_reason="") | (Q(exit_date__isnull=False) & ~Q(exit_reason="") & accepted)


EMPLOI_ACCOMPAGNE = register(
    Programme(
        code="emploi_accompagne",
        label=_("supported employment (emploi accompagné)"),
        exit_reasons=tuple(ExitReason.choices),
        exit_reason_refused=_(
            "This reason is not accepted by the national specification. The only accepted reasons are: the "
            "person's request, a move outside the territory, non-renewal of the CDAPH notification or RQTH, "
            "disengagement and death."
        ),
        # §IV.E: an exit ends the support; a person who comes back is admitted again.
        follow_up_months_after_exit=0,
        # §V.A.1°: no predefined stages or modules; STAGED-SUPPORT.md will offer them as an
        # optional tool, never as a condition.
        stages=NO_STAGES,
        # Zero exclusion (§I, §IV.A): no employability, diagnosis or autonomy condition.
        prerequisites_forbidden=True,
    )
)
