"""The activity section of the person's page (registered in `ActivityConfig.ready`): the log
form, the 12-month intensity, the latest interventions and the appointments to come or to
record. Also `minutes_by_day(file)`, the person's minutes per day loaded once for the
intensity and the employment timeline."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tremplin.access.permissions import can
from tremplin.lib.dates import today
from tremplin.pathways.page import episodes_of, open_episode
from tremplin.pathways.periods import PeriodRecords
from tremplin.pathways.programmes import EMPLOI_ACCOMPAGNE
from tremplin.people import privacy

from . import chart, measures
from .forms import log_form
from .models import Appointment, Intervention

RECENT = 10  # the latest interventions of the activity section
WORKPLACE_SHOWN = 10  # the latest at the workplace, in the employment section
AT_WORKPLACE = Q(employer__isnull=False) | Q(contract__isnull=False)


def minutes_by_day(file) -> dict[dt.date, int]:
    """{day: minutes} of every intervention of the person (one query for the page)."""

    def load():
        rows = Intervention.objects.filter(person=file.person).order_by().values("date").annotate(total=Sum("minutes"))
        return {row["date"]: row["total"] for row in rows}

    return file.once("activity.minutes_by_day", load)


def latest_interventions(file) -> tuple[list[Intervention], list[Intervention]]:
    """(the RECENT + 1 latest interventions, the WORKPLACE_SHOWN + 1 latest at the workplace, with
    an employer or a contract), in one query: each row is numbered among all the person's
    interventions and among those at the workplace or not, and kept when it is among the first of
    either (one more than shown tells whether there are more)."""

    def load():
        order = [F("date").desc(), F("id").desc()]
        at_workplace = ExpressionWrapper(AT_WORKPLACE, output_field=BooleanField())
        rows = list(
            Intervention.objects.filter(person=file.person)
            .annotate(
                at_workplace=at_workplace,
                rank=Window(RowNumber(), order_by=order),
                workplace_rank=Window(RowNumber(), partition_by=[at_workplace], order_by=order),
            )
            .filter(Q(rank__lte=RECENT + 1) | Q(at_workplace=True, workplace_rank__lte=WORKPLACE_SHOWN + 1))
            .select_related("staff", "employer", "episode", "contract__employer")
            .order_by("-date", "-id")
        )
        return (
            [row for row in rows if row.rank <= RECENT + 1],
            [row for row in rows if row.at_workplace and row.workplace_rank <= WORKPLACE_SHOWN + 1],
        )

    return file.once("activity.latest_interventions", load)


def _intensity_records(file, first: dt.date, last: dt.date) -> PeriodRecords:
    """The emploi accompagné episodes and veilles the page has loaded, as the rows
    `pathways.periods` derives the active days from (no query)."""
    episodes = [e for e in episodes_of(file) if e.programme == EMPLOI_ACCOMPAGNE.code]
    return PeriodRecords(
        first,
        last,
        [(e.pk, e.person_id, e.admitted_on, e.exit_date) for e in episodes],
        [(p.episode_id, p.start, p.end) for e in episodes for p in e.pauses.all()],
    )


def activity_context(
    request,
    person,
    *,
    day: dt.date | None = None,
    months: list[dict] | None = None,
    interventions: list[Intervention] | None = None,
    opened=None,
    form=None,
    status: str = "",
    focus: bool = False,
) -> dict:
    """What the activity section renders. The person's page passes what it has loaded (`months`,
    `interventions`, `opened`); the section's own partial (after logging) loads them here."""
    user = request.user
    day = day or today()
    if opened is None:
        opened = next((e for e in person.episodes.all() if e.is_open), None)
    can_log = can(user, "intervention.log") and opened is not None
    if can_log and form is None:
        form = log_form(person, focus=focus, author=user)
    if months is None:
        months = measures.monthly_intensity(person, day)
    if interventions is None:
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
        "can_plan": can(user, "appointment.plan") and opened is not None,
        "open_episode": opened,
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


def activity_section(file) -> dict:
    if not can(file.user, "intervention.view"):
        return {"hidden": True}
    day = file.day
    first, last = measures.intensity_window(day)
    months = measures.monthly_intensity(
        file.person, day, records=_intensity_records(file, first, last), minutes_by_day=minutes_by_day(file)
    )
    return activity_context(
        file.request,
        file.person,
        day=day,
        months=months,
        interventions=latest_interventions(file)[0],
        opened=open_episode(file),
    )
