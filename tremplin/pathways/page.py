"""The pathway section of the person's page (registered in `PathwaysConfig.ready`): the
episodes with their counsellors, veilles, outreach and exit; the prescriptions; the person's
status of the day. Also `episodes_of(file)`, the person's episodes loaded once for every
section that needs them (activity, employment)."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects

from .models import CounsellorAssignment, Episode, OutreachAttempt, Pause, Prescription
from .programmes import EMPLOI_ACCOMPAGNE
from .states import Status, person_status, supported_episode

PREFETCH = (
    Prefetch("prescriptions", queryset=Prescription.objects.prefetch_related("episodes")),
    Prefetch(
        "episodes",
        queryset=Episode.objects.select_related("prescription").prefetch_related(
            Prefetch("assignments", queryset=CounsellorAssignment.objects.select_related("staff")),
            Prefetch("pauses", queryset=Pause.objects.prefetch_related("extensions")),
            Prefetch("outreach_attempts", queryset=OutreachAttempt.objects.select_related("staff")),
        ),
    ),
)


def episodes_of(file) -> list[Episode]:
    """The person's episodes (most recent admission first), with their counsellors, veilles and
    outreach attempts, and the prescriptions: one load for the whole page."""

    def load():
        prefetch_related_objects([file.person], *PREFETCH)
        return list(file.person.episodes.all())

    return file.once("pathways.episodes", load)


def open_episode(file) -> Episode | None:
    """The open emploi accompagné episode, if any."""
    return next((e for e in episodes_of(file) if e.is_open and e.programme == EMPLOI_ACCOMPAGNE.code), None)


def pathway_section(file) -> dict:
    person, day = file.person, file.day
    episodes_of(file)
    status = person_status(person, day)
    current = supported_episode(person, day)
    opened = open_episode(file)
    return {
        "status": status,
        "status_label": Status.LABELS[status],
        "current_episode": current,
        "open_episode": opened,
        "counsellor": opened.current_counsellor(day) if opened else None,
        "current_pause": current.pause_on(day) if current else None,
        "waiting_prescriptions": [p for p in person.prescriptions.all() if p.is_waiting_on(day)],
    }
