"""Consistency warnings before a transmission: what to fix so that the figures are right.

- persons active all period without an interview (the same definition as the indicator);
- counsellors over the ceiling of 20 active persons per FTE on the last day (pathways.caseload);
- veilles past their end date whose resumption is not recorded (Pause.closed_on);
- persons supported on the last day whose entry profile is incomplete.
Each warning links to the record where it is fixed. Only persons the user may see are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from tremplin.access import scope as access
from tremplin.lib.dates import short_date, today
from tremplin.organisations.models import IN_POST, Staff
from tremplin.pathways.caseload import active_counts, ceiling
from tremplin.pathways.models import Pause
from tremplin.pathways.states import supported_episodes

from .indicators import Scope


@dataclass(frozen=True)
class Warning:
    kind: str
    title: str
    detail: str
    url: str
    link_label: str


KINDS = {
    "without_interview": _("Active all period without an interview"),
    "over_ceiling": _("Counsellors over the ceiling"),
    "veille_overdue": _("Veilles past their end, resumption not recorded"),
    "profile_missing": _("Entry profile incomplete"),
}


def consistency_warnings(user, scope: Scope, start, end, members: dict) -> list[Warning]:
    visible = access.persons_for(user).filter(organisation_id__in=scope.organisation_ids)
    result: list[Warning] = []
    ids = members.get("activity.without_interview", [])
    for person in visible.filter(pk__in=ids).order_by("last_name", "first_name"):
        result.append(
            Warning(
                "without_interview",
                person.full_name,
                _("No interview between %(start)s and %(end)s.") % {"start": short_date(start), "end": short_date(end)},
                reverse("person_detail", args=[person.pk]),
                _("Open the file"),
            )
        )
    counsellors = list(scope.staff().filter(IN_POST.q(end), function=Staff.Function.COUNSELLOR).order_by("name"))
    counts = active_counts([c.pk for c in counsellors], end)
    for counsellor in counsellors:
        active = counts.get(counsellor.pk, 0)
        if active > ceiling(counsellor):
            result.append(
                Warning(
                    "over_ceiling",
                    counsellor.name,
                    _("%(active)s active persons for %(fte)s FTE on %(day)s (ceiling: %(ceiling)s).")
                    % {
                        "active": active,
                        "fte": counsellor.fte,
                        "day": short_date(end),
                        "ceiling": ceiling(counsellor).normalize(),
                    },
                    reverse("staff_edit", args=[counsellor.pk]),
                    _("Open the staff record"),
                )
            )
    overdue = (
        Pause.objects.filter(episode__person__in=visible, end__lt=today(), closed_on__isnull=True)
        .filter(Q(episode__exit_date__isnull=True) | Q(episode__exit_date__gt=F("end")))
        .select_related("episode__person")
        .order_by("end")
    )
    for pause in overdue:
        person = pause.episode.person
        result.append(
            Warning(
                "veille_overdue",
                person.full_name,
                _("Veille ended on %(end)s: record the resumption or extend it.") % {"end": short_date(pause.end)},
                reverse("person_detail", args=[person.pk]),
                _("Open the file"),
            )
        )
    episodes = (
        supported_episodes(end)
        .filter(person__in=visible)
        .filter(
            Q(entry_status="")
            | Q(months_without_work__isnull=True)
            | Q(years_worked__isnull=True)
            | Q(person__education_level="")
            | Q(person__disabilities=[])
        )
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )
    for episode in episodes:
        person = episode.person
        missing = []
        if not episode.entry_status:
            missing.append(_("status at entry"))
        if episode.months_without_work is None:
            missing.append(_("months without work"))
        if episode.years_worked is None:
            missing.append(_("years worked"))
        if not person.education_level:
            missing.append(_("education level"))
        if not person.disabilities:
            missing.append(_("disability"))
        on_episode = not episode.entry_status or episode.months_without_work is None or episode.years_worked is None
        result.append(
            Warning(
                "profile_missing",
                person.full_name,
                _("Missing: %(fields)s.") % {"fields": ", ".join(str(m) for m in missing)},
                reverse("entry_situation_edit", args=[episode.pk])
                if on_episode
                else reverse("person_edit", args=[person.pk]),
                _("Complete the situation at entry") if on_episode else _("Complete the file"),
            )
        )
    return result
