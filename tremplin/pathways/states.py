"""States derived from dated records, as of a day. Never stored.

The definitions are `models.SUPPORTED` and `models.IN_VEILLE` (INDICATORS.md): the querysets
here and the predicates of the models (`Episode.is_supported_on`, `Pause.is_current`) are built
from them; active on D = supported on D and not in veille on D.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import ASSIGNED, IN_VEILLE, SUPPORTED, CounsellorAssignment, Episode, Pause, Prescription


class Status:
    NEW = "new"
    WAITING = "waiting"
    ACTIVE = "active"
    IN_VEILLE = "in_veille"
    EXITED = "exited"

    LABELS = {
        NEW: _("not admitted"),
        WAITING: _("waiting"),
        ACTIVE: _("active"),
        IN_VEILLE: _("in veille"),
        EXITED: _("exited"),
    }


def supported_episode(person, day: dt.date) -> Episode | None:
    """The episode supporting the person on `day` (uses prefetched episodes when present)."""
    for episode in person.episodes.all():
        if episode.is_supported_on(day):
            return episode
    return None


def person_status(person, day: dt.date) -> str:
    episode = supported_episode(person, day)
    if episode is not None:
        return Status.IN_VEILLE if episode.pause_on(day) else Status.ACTIVE
    if any(prescription.is_waiting_on(day) for prescription in person.prescriptions.all()):
        return Status.WAITING
    if any(True for _ in person.episodes.all()):
        return Status.EXITED
    return Status.NEW


def waiting_prescriptions(day: dt.date) -> QuerySet[Prescription]:
    """Prescriptions waiting on `day` (INDICATORS.md), as a queryset to scope and order."""
    admitted = Episode.objects.filter(prescription=OuterRef("pk"), admitted_on__lte=day)
    return (
        Prescription.objects.filter(date__lte=day)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .exclude(Exists(admitted))
    )


def supported_episodes(day: dt.date) -> QuerySet[Episode]:
    """Episodes supporting their person on `day`."""
    return Episode.objects.filter(SUPPORTED.q(day))


def in_veille_filter(day: dt.date):
    """An Exists() true when the episode has a veille covering `day`."""
    return Exists(Pause.objects.filter(IN_VEILLE.q(day), episode=OuterRef("pk")))


def active_episodes(day: dt.date) -> QuerySet[Episode]:
    """Episodes supporting their person on `day` with no veille that day."""
    return supported_episodes(day).exclude(in_veille_filter(day))


def current_assignments(day: dt.date) -> QuerySet[CounsellorAssignment]:
    """Counsellor assignments current on `day`."""
    return CounsellorAssignment.objects.filter(ASSIGNED.q(day))


def filter_by_status(persons: QuerySet, status: str, day: dt.date) -> QuerySet:
    """Persons whose status on `day` is `status` ("current" = active or in veille)."""
    supported = Exists(supported_episodes(day).filter(person=OuterRef("pk")))
    in_veille = Exists(supported_episodes(day).filter(in_veille_filter(day), person=OuterRef("pk")))
    waiting = Exists(waiting_prescriptions(day).filter(person=OuterRef("pk")))
    admitted_once = Exists(Episode.objects.filter(person=OuterRef("pk")))
    if status == "current":
        return persons.filter(supported)
    if status == Status.ACTIVE:
        return persons.filter(supported).exclude(in_veille)
    if status == Status.IN_VEILLE:
        return persons.filter(in_veille)
    if status == Status.WAITING:
        return persons.filter(waiting).exclude(supported)
    if status == Status.EXITED:
        return persons.filter(admitted_once).exclude(supported).exclude(waiting)
    return persons
