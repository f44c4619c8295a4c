"""The activity section of the person's page: `{% load activity_tags %}{% person_activity person %}`."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language

from tremplin.access.permissions import can
from tremplin.lib.dates import today
from tremplin.people import privacy

from .. import chart, measures
from ..forms import log_form
from ..models import Appointment, Intervention

register = template.Library()

RECENT = 10


def activity_context(request, person, *, form=None, status: str = "", focus: bool = False) -> dict:
    """What the activity section needs: the log form, the 12-month intensity, recent
    interventions and the appointments still to come or to record."""
    user = request.user
    day = today()
    open_episode = next((e for e in person.episodes.all() if e.is_open), None)
    can_log = can(user, "intervention.log") and open_episode is not None
    if can_log and form is None:
        form = log_form(person, focus=focus, author=user)
    months = measures.monthly_intensity(person, day)
    interventions = list(
        Intervention.objects.filter(person=person)
        .select_related("staff", "employer", "episode")
        .order_by("-date", "-id")[: RECENT + 1]
    )
    appointments = list(
        Appointment.objects.filter(person=person, cancelled=False, intervention__isnull=True)
        .select_related("staff")
        .order_by("starts_at")
    )
    now = timezone.now()
    return {
        "request": request,
        "person": person,
        "user": user,
        "form": form,
        "can_log": can_log,
        "can_plan": can(user, "appointment.plan") and open_episode is not None,
        "open_episode": open_episode,
        "status_message": status,
        "chart": chart.build(months, day),
        "current": months[-1],
        "current_level_label": measures.LEVEL_LABELS[months[-1]["level"]],
        "interventions": privacy.withhold_intervention_notes(user, person, interventions[:RECENT]),
        "more_interventions": len(interventions) > RECENT,
        "appointments": [
            {"appointment": a, "when": timezone.localtime(a.starts_at), "past": a.starts_at <= now}
            for a in appointments
        ],
        "today": day,
    }


@register.inclusion_tag("activity/_person_activity.html", takes_context=True)
def person_activity(context, person):
    request = context["request"]
    if not can(request.user, "intervention.view"):
        return {"hidden": True}
    result = activity_context(request, person)
    result["csrf_token"] = context.get("csrf_token")
    return result


@register.filter
def plain_number(value, places: int = 2) -> str:
    """A number with at most `places` decimals and no trailing zeros, French style: 0.50 -> "0,5"."""
    if value is None or value == "":
        return "—"
    # The same few values (FTE, ceilings, loads) repeat on every row of a team's table.
    return _plain_number(float(value), int(places), get_language())


@lru_cache(maxsize=1024)
def _plain_number(value: float, places: int, language: str | None) -> str:
    text = f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(Decimal(text), decimal_pos=decimals)
