"""Pages of the daily activity: logging interventions, the caseload, the team, what is due,
appointments and the personal calendar feed.

Each view finds its record through `access.scope` (404 outside the user's scope), checks the
role with `access.permissions`, hands validated form data to a service and shows a refused rule
next to its field. Logging works with htmx (no page reload) and without JavaScript.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.access import scope, submissions
from tremplin.access.permissions import NotAllowed, Role, can, permission_required, require, role_of
from tremplin.audit.log import record_read
from tremplin.lib.dates import short_date, today
from tremplin.lib.downloads import no_store
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import add_domain_error, submitted_edit
from tremplin.pathways.models import Episode
from tremplin.pathways.states import in_veille_filter, supported_episodes
from tremplin.people import privacy
from tremplin.people.models import Person

from . import due, measures, overview, services
from .forms import AppointmentForm, InterventionForm, ReassignForm, log_form
from .models import Appointment, CalendarFeed, Intervention
from .page import activity_context

ORIGINS = ("caseload", "person")
CASELOAD_PAGE = 50  # far above a caseload within the ceiling (20 per FTE plus veilles)


# Helpers ----------------------------------------------------------------------------------------


def _origin(request) -> str:
    value = request.POST.get("from") or request.GET.get("from")
    return value if value in ORIGINS else "person"


def _safe_next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _focus_first_error(form) -> None:
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _person_with_episodes(user, pk) -> Person:
    person = scope.get_person(user, pk)
    return (
        Person.objects.select_related("organisation__platform").prefetch_related("episodes__pauses").get(pk=person.pk)
    )


def _caseload_row(request, person, *, form=None, status: str = "", focus_action: bool = False):
    rows = overview.rows_for(Person.objects.filter(pk=person.pk), today())
    if not rows:
        # No longer supported today (e.g. back-dated exit): drop the row.
        return render(request, "activity/_caseload_gone.html", {"person": person, "status": status})
    return render(
        request,
        "activity/_caseload_row.html",
        {
            "row": rows[0],
            "form": form,
            "status_message": status,
            "focus_action": focus_action,
            "partial": True,
            "can_log": can(request.user, "intervention.log"),
            "caseload_url": _safe_next(request, reverse("caseload")),
        },
    )


def _person_activity(request, person, *, form=None, status: str = ""):
    context = activity_context(request, person, form=form, status=status, focus=True)
    context["partial"] = True
    return render(request, "activity/_person_activity.html", context)


# Interventions ----------------------------------------------------------------------------------


def intervention_add(request, pk):
    person = _person_with_episodes(request.user, pk)
    require(request.user, "intervention.log", about=person)
    origin = _origin(request)
    if request.method == "POST":
        form = log_form(person, request.POST, author=request.user)
        if form.is_valid():
            try:
                # Posted twice (double click, retried request): recorded once, the same answer.
                intervention, _again = submissions.once(
                    request.user,
                    form.cleaned_data["submission"],
                    Intervention,
                    lambda: services.log_intervention(request.user, person, form.service_data()),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                message = _("Intervention of %(minutes)s min recorded for %(name)s (%(date)s).") % {
                    "minutes": intervention.minutes,
                    "name": person.full_name,
                    "date": short_date(intervention.date),
                }
                if request.htmx:
                    if origin == "caseload":
                        return _caseload_row(request, person, status=message, focus_action=True)
                    return _person_activity(request, person, status=message)
                messages.success(request, message)
                return redirect(_safe_next(request, reverse("person_detail", args=[person.pk]) + "#person-activity"))
        _focus_first_error(form)
    else:
        form = log_form(person, focus=bool(request.htmx), author=request.user)
    if request.htmx:
        if origin == "caseload":
            return _caseload_row(request, person, form=form)
        return _person_activity(request, person, form=form)
    return render(
        request,
        "activity/intervention_form.html",
        {"form": form, "person": person, "origin": origin, "next": _safe_next(request, "")},
    )


def _own_intervention(request, pk) -> Intervention:
    intervention = scope.get_for_person(
        request.user,
        Intervention.objects.select_related("person__organisation__platform", "episode", "employer", "contract"),
        pk,
    )
    require(request.user, "intervention.log", about=intervention)
    if intervention.created_by_id != request.user.pk:
        raise NotAllowed("intervention.not_author", person_id=intervention.person_id)
    return intervention


def intervention_edit(request, pk):
    intervention = _own_intervention(request, pk)
    person = _person_with_episodes(request.user, intervention.person_id)
    form = InterventionForm(request.POST or None, person=person, instance=intervention, author=request.user)

    def reloaded():  # the version saved by the other person
        intervention.refresh_from_db()
        return InterventionForm(person=person, instance=intervention, author=request.user)

    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_intervention(
            request.user, intervention, form.service_data(), data.get("version") or 0
        ),
        refresh=reloaded,
    )
    if done:
        messages.success(request, _("Intervention saved."))
        return redirect(reverse("person_detail", args=[person.pk]) + "#person-activity")
    return render(
        request,
        "activity/intervention_form.html",
        {"form": form, "person": person, "intervention": intervention, "origin": "person", "next": ""},
    )


def intervention_delete(request, pk):
    intervention = _own_intervention(request, pk)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            services.delete_intervention(request.user, intervention, version)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Intervention deleted."))
        return redirect(reverse("person_detail", args=[intervention.person_id]) + "#person-activity")
    return render(
        request, "activity/intervention_delete.html", {"intervention": intervention, "person": intervention.person}
    )


def intervention_list(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "intervention.view", about=person)
    interventions = Intervention.objects.filter(person=person).select_related("staff", "employer", "episode")
    page = Paginator(interventions.order_by("-date", "-id"), 50).get_page(request.GET.get("page"))
    record_read(request.user, "interventions", person=person)
    page.object_list = privacy.withhold_intervention_notes(request.user, person, page.object_list)
    return render(
        request,
        "activity/intervention_list.html",
        {"person": person, "page": page, "can_log": can(request.user, "intervention.log")},
    )


# Caseload ---------------------------------------------------------------------------------------


def _caseload_staff(request):
    me = scope.staff_of(request.user)
    wanted = request.GET.get("counsellor", "")
    if wanted and (me is None or wanted != str(me.pk)):
        require(request.user, "team.view")
        return scope.get_staff(request.user, wanted)
    if me is None:
        raise Http404
    return me


@permission_required("caseload.view")
def caseload(request):
    staff = _caseload_staff(request)
    day = today()
    persons = overview.caseload_persons(staff, day, scope.persons_for(request.user))
    all_rows = overview.rows_for(persons, day)
    filters = {
        "status": request.GET.get("status", ""),
        "level": request.GET.get("level", ""),
        "employed": request.GET.get("employed", ""),
        "has_due": request.GET.get("has_due", ""),
    }
    rows = overview.filter_rows(all_rows, **filters)
    rows, sort = overview.sort_rows(rows, request.GET.get("sort", "name"))
    page = Paginator(rows, CASELOAD_PAGE).get_page(request.GET.get("page"))
    record_read(request.user, "caseload", persons=[row.person for row in page.object_list])
    load = overview.Load(
        staff=staff,
        active=sum(1 for r in all_rows if r.status == "active"),
        in_veille=sum(1 for r in all_rows if r.status == "in_veille"),
    )
    me = scope.staff_of(request.user)
    return render(
        request,
        "activity/caseload.html",
        {
            "staff": staff,
            "is_me": me is not None and staff.pk == me.pk,
            "rows": page.object_list,
            "page": page,
            "shown": len(rows),
            "total": len(all_rows),
            "load": load,
            "sort": sort,
            "filters": filters,
            "levels": [(level, measures.SHORT_LABELS[level]) for level in measures.LEVELS],
            "day": day,
            "can_log": can(request.user, "intervention.log"),
            "caseload_url": request.get_full_path(),
        },
    )


@permission_required("caseload.view")
def caseload_row(request, pk):
    """The row alone (after "Cancel" in the inline form): the focus goes back to its action."""
    person = scope.get_person(request.user, pk)
    record_read(request.user, "caseload", persons=[person])
    return _caseload_row(request, person, focus_action=True)


# What is due ------------------------------------------------------------------------------------


@permission_required("due.view")
def due_list(request):
    day = today()
    me = scope.staff_of(request.user)
    team_allowed = can(request.user, "team.view")
    view = request.GET.get("view", "")
    if view not in ("team", "mine"):
        view = "team" if team_allowed and role_of(request.user) != Role.COUNSELLOR else "mine"
    if view == "team":
        require(request.user, "team.view")
        persons = scope.persons_for(request.user)
    else:
        persons = overview.caseload_persons(me, day, scope.persons_for(request.user))
    items = due.collect(persons, day)
    staff_names = dict(scope.staff_for(request.user).values_list("pk", "name"))
    counsellor = request.GET.get("counsellor", "")
    kind = request.GET.get("kind", "")
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    counsellor_choices = sorted(
        {(i.counsellor_id, staff_names.get(i.counsellor_id, "")) for i in items if i.counsellor_id},
        key=lambda pair: pair[1].lower(),
    )
    has_unassigned = any(i.counsellor_id is None for i in items)
    if view == "team" and counsellor:
        items = [i for i in items if str(i.counsellor_id or "none") == counsellor]
    if kind in due.KIND_LABELS:
        items = [i for i in items if i.kind == kind]
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    record_read(request.user, "due", persons=[item.person_id for item in page.object_list])
    severity_labels = {code: str(label) for code, label in due.SEVERITY_LABELS.items()}  # translated once
    kind_labels = {code: str(label) for code, label in due.KIND_LABELS.items()}
    rows = [
        {
            "item": item,
            "person_url": due.person_url(item.person_id) if item.person_id else "",
            "counsellor": staff_names.get(item.counsellor_id, ""),
            "severity_label": severity_labels.get(item.severity, item.severity),
            "kind_label": kind_labels.get(item.kind, item.kind),
        }
        for item in page.object_list
    ]
    return render(
        request,
        "activity/due_list.html",
        {
            "view": view,
            "team_allowed": team_allowed,
            "has_caseload": me is not None,
            "rows": rows,
            "page": page,
            "counts": [(k, due.KIND_LABELS[k], counts[k]) for k in due.KIND_LABELS if k in counts]
            + [(k, k, n) for k, n in counts.items() if k not in due.KIND_LABELS],
            "kind": kind,
            "counsellor": counsellor,
            "counsellor_choices": counsellor_choices,
            "has_unassigned": has_unassigned,
            "total": sum(counts.values()),
            "day": day,
        },
    )


# The team ---------------------------------------------------------------------------------------


@permission_required("team.view")
def team(request):
    day = today()
    counsellors = list(overview.counsellors_in_post(scope.staff_for(request.user), day))
    loads = overview.team_loads(counsellors, day)
    persons = scope.persons_for(request.user)
    orphans = list(overview.without_counsellor(persons, day))
    supported = supported_episodes(day).filter(person__in=persons)
    total_veille = supported.filter(in_veille_filter(day)).count()
    total_active = supported.count() - total_veille
    total_fte = sum((load.fte for load in loads), start=0)
    named = [alert["person_id"] for load in loads for alert in load.alerts] + [e.person_id for e in orphans]
    record_read(request.user, "team", persons=named)
    return render(
        request,
        "activity/team.html",
        {
            "loads": loads,
            "alerts": [load for load in loads if load.alerts],
            "orphans": orphans,
            "total_active": total_active,
            "total_veille": total_veille,
            "total_fte": total_fte,
            "per_fte": (total_active / total_fte) if total_fte else None,
            "day": day,
            "can_reassign": can(request.user, "team.reassign"),
            "form": _reassign_form(request, orphans_queryset(request, day), None),
            "chosen": [],
            "show_previous": True,
        },
    )


def orphans_queryset(request, day):
    return overview.without_counsellor(scope.persons_for(request.user), day)


def _reassign_form(request, episodes, data):
    counsellors = overview.counsellors_in_post(scope.staff_for(request.user), today())
    return ReassignForm(data, episodes=episodes, counsellors=counsellors, auto_id="reassign_%s")


@permission_required("team.reassign")
def team_reassign(request):
    day = today()
    source = request.POST.get("source") or request.GET.get("source") or "none"
    persons = scope.persons_for(request.user)
    source_staff = None
    if source == "none":
        episodes = overview.without_counsellor(persons, day)
    else:
        source_staff = scope.get_staff(request.user, source)
        episodes = overview.episodes_of(source_staff, persons, day)
    form = _reassign_form(request, episodes, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(
            Episode.objects.filter(pk__in=[e.pk for e in data["episodes"]]).select_related("person__organisation")
        )
        try:
            count = services.reassign(
                request.user,
                chosen,
                counsellor=data["counsellor"],
                start=data["start"],
                justification=data["justification"],
            )
        except DomainError as error:
            if error.field == "counsellor" and "counsellor" in form.fields:
                form.add_error("counsellor", str(error.message))
            elif error.field == "over_ceiling_justification":
                form.add_error("justification", str(error.message))
            else:
                add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)s person(s) re-assigned to %(name)s from %(date)s.")
                % {"count": count, "name": data["counsellor"].name, "date": short_date(data["start"])},
            )
            return redirect("team")
    loads = {load.staff.pk: load for load in overview.team_loads(list(form.fields["counsellor"].queryset), day)}
    return render(
        request,
        "activity/team_reassign.html",
        {
            "form": form,
            "source": source,
            "source_staff": source_staff,
            "episodes": list(episodes),
            "loads": loads,
            "day": day,
            "chosen": request.POST.getlist("episodes"),
            "show_previous": source_staff is None,
        },
    )


@require_POST
@permission_required("team.reassign")
def resolve_alerts(request, pk):
    counsellor = scope.get_staff(request.user, pk)
    try:
        count = services.resolve_over_ceiling(request.user, counsellor)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(count)s alert(s) resolved for %(name)s.") % {"count": count, "name": counsellor.name}
        )
    return redirect(reverse("team") + "#alerts-title")


# Appointments -----------------------------------------------------------------------------------


def appointment_add(request, pk):
    person = _person_with_episodes(request.user, pk)
    require(request.user, "appointment.plan", about=person)
    form = AppointmentForm(request.POST or None, initial={"date": today() + dt.timedelta(days=1), "time": "09:30"})
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.plan_appointment(request.user, person, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            when = timezone.localtime(appointment.starts_at)
            messages.success(
                request,
                _("Appointment planned on %(date)s at %(time)s.")
                % {"date": short_date(when.date()), "time": when.strftime("%H:%M")},
            )
            return redirect(reverse("person_detail", args=[person.pk]) + "#appointments-title")
    return render(request, "activity/appointment_form.html", {"form": form, "person": person})


def _appointment(request, pk) -> Appointment:
    appointment = scope.get_for_person(
        request.user, Appointment.objects.select_related("person__organisation", "staff", "intervention"), pk
    )
    require(request.user, "appointment.plan", about=appointment)
    return appointment


def appointment_detail(request, pk):
    appointment = _appointment(request, pk)
    record_read(request.user, "appointment", person=appointment.person)
    return render(
        request,
        "activity/appointment_detail.html",
        {
            "appointment": appointment,
            "person": appointment.person,
            "past": appointment.starts_at <= timezone.now(),
            "starts_at": timezone.localtime(appointment.starts_at),
        },
    )


@require_POST
def appointment_held(request, pk):
    appointment = _appointment(request, pk)
    require(request.user, "intervention.log", about=appointment)
    try:
        intervention = services.appointment_held(request.user, appointment)
    except DomainError as error:
        messages.error(
            request,
            _("%(reason)s Log the intervention with the form instead.") % {"reason": error.message},
        )
        return redirect("appointment_detail", pk=appointment.pk)
    messages.success(
        request,
        _("Appointment recorded as held: intervention of %(minutes)s min logged.") % {"minutes": intervention.minutes},
    )
    return redirect(reverse("person_detail", args=[appointment.person_id]) + "#person-activity")


@require_POST
def appointment_cancel(request, pk):
    appointment = _appointment(request, pk)
    try:
        services.cancel_appointment(request.user, appointment)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("appointment_detail", pk=appointment.pk)
    messages.success(request, _("Appointment cancelled."))
    return redirect(reverse("person_detail", args=[appointment.person_id]) + "#appointments-title")


# Calendar feed ----------------------------------------------------------------------------------


@permission_required("appointment.plan")
def calendar_settings(request):
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.create_calendar_feed(request.user)
        elif action == "revoke":
            try:
                services.revoke_calendar_feed(request.user)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The calendar address is revoked: it no longer works."))
            return redirect("calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else None
    return render(request, "activity/calendar_settings.html", {"feed": feed, "url": url})


@no_store
def calendar_feed(request, token):
    """Public (secret URL): the iCalendar feed of the user's appointments."""
    from icalendar import Calendar, Event

    feed = services.feed_for_token(token)
    staff = scope.staff_of(feed.user) if feed is not None else None
    if staff is None:
        raise Http404
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    since = timezone.now() - dt.timedelta(days=90)
    calendar = Calendar()
    calendar.add("prodid", "-//Tremplin//emploi accompagné//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Tremplin appointments"))
    for appointment in (
        Appointment.objects.filter(staff=staff, cancelled=False, starts_at__gte=since)
        .select_related("person")
        .order_by("starts_at")
    ):
        person = appointment.person
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@tremplin")
        event.add("dtstamp", appointment.created_at)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.starts_at + dt.timedelta(minutes=appointment.minutes))
        event.add(
            "summary",
            _("Appointment %(first_name)s %(initial)s. (%(code)s)")
            % {"first_name": person.first_name, "initial": person.last_name[:1].upper(), "code": person.code},
        )
        event.add("location", appointment.get_place_display())
        event.add("url", request.build_absolute_uri(reverse("appointment_detail", args=[appointment.pk])))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response
