"""Steering pages: indicators with definitions, charts and comparison, the persons behind each
count, downloads, transmissions with their consistency warnings, bundle import and export."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.access import scope as access
from tremplin.access.permissions import can, permission_required
from tremplin.audit.log import record_read
from tremplin.lib import spreadsheet
from tremplin.lib.dates import short_date
from tremplin.lib.downloads import no_store

from . import exports, jobs, labels, services
from .bundle.exporter import export_bundle
from .charts import report_charts
from .forms import BundleUploadForm, PeriodForm, TransmissionForm, previous_period
from .indicators import PLATFORM, IndicatorError, compute, compute_with_members, flatten, resolve_scope
from .models import ImportJob, Transmission
from .warnings import KINDS as WARNING_KINDS
from .warnings import consistency_warnings


def _scopes(user) -> list[tuple[str, str]]:
    staff = access.staff_of(user)
    if staff is None:
        return []
    scopes = []
    if staff.sees_whole_platform:
        scopes.append((PLATFORM, _("whole platform")))
    for organisation in access.organisations_for(user).order_by("role", "name"):
        scopes.append((organisation.code, organisation.name))
    return scopes


def _resolve(request, data):
    """(form, start, end, scope) from the query; scope limited to what the user may see."""
    scopes = _scopes(request.user)
    if not scopes:
        raise Http404
    form = PeriodForm(data, scopes=scopes)
    if form.is_bound and not form.is_valid():
        return form, None, None, None
    start, end = form.period()
    staff = access.staff_of(request.user)
    try:
        scope = resolve_scope(form.scope_code(), staff.organisation.platform)
    except IndicatorError as error:
        raise Http404 from error
    return form, start, end, scope


def _query(form, start, end, scope) -> str:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    if form.is_bound:
        for name in ("kind", "year", "quarter", "start", "end", "scope"):
            value = form.data.get(name)
            if value not in (None, ""):
                query[name] = value
    else:
        query.update({"kind": "custom", "start": start.isoformat(), "end": end.isoformat(), "scope": scope.code})
    return query.urlencode()


@permission_required("steering.view")
def steering(request):
    form, start, end, scope = _resolve(request, request.GET or None)
    context = {"form": form}
    if scope is None:
        return render(request, "steering/steering.html", context)
    figures, members = compute_with_members(start, end, scope)
    before = previous_period(start, end)
    before_start, before_end = before or (None, None)
    previous = compute(before_start, before_end, scope) if before else None
    previous_rows = {row.key: row for row in labels.rows(previous)} if previous else {}
    families = []
    for family, family_label in labels.FAMILIES.items():
        rows = []
        for row in labels.rows(figures):
            if row.family != family:
                continue
            before = previous_rows.get(row.key)
            delta = None
            if before is not None and isinstance(row.value, int | float) and isinstance(before.value, int | float):
                delta = row.value - before.value
            rows.append(
                {
                    "row": row,
                    "before": before,
                    "delta": delta,
                    "delta_display": labels.display(abs(delta), row.kind) if delta else "",
                    "has_persons": row.is_count and bool(members.get(row.key)),
                }
            )
        families.append({"key": family, "label": family_label, "rows": rows})
    transmissions = list(
        Transmission.objects.filter(
            platform=scope.platform, organisation=scope.organisation, start=start, end=end
        ).order_by("-transmitted_at")
    )
    changes = services.changes_since(transmissions[0], current=figures) if transmissions else []
    warnings = consistency_warnings(request.user, scope, start, end, members)
    grouped = [(WARNING_KINDS[kind], [w for w in warnings if w.kind == kind]) for kind in WARNING_KINDS]
    context.update(
        {
            "figures": figures,
            "scope": scope,
            "start": start,
            "end": end,
            "previous_start": before_start,
            "previous_end": before_end,
            "families": families,
            "charts": report_charts(figures),
            "query": _query(form, start, end, scope),
            "transmissions": transmissions,
            "changes": changes,
            "warnings": grouped,
            "warning_count": len(warnings),
            "transmission_form": TransmissionForm(),
            "can_transmit": can(request.user, "steering.transmit"),
        }
    )
    return render(request, "steering/steering.html", context)


@permission_required("steering.view")
def steering_persons(request):
    form, start, end, scope = _resolve(request, request.GET or None)
    key = request.GET.get("key", "")
    if scope is None:
        # A refused period: the steering page shows the form with the reason next to the field.
        return redirect(f"{reverse('steering')}?{request.GET.urlencode()}")
    figures, members = compute_with_members(start, end, scope)
    if key not in members:
        raise Http404
    label, definition, kind = labels.describe(key)
    ids = members[key]
    records: dict[int, int] = {}
    for pid in ids:
        records[pid] = records.get(pid, 0) + 1
    visible = list(
        access.persons_for(request.user)
        .filter(pk__in=list(records))
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )
    record_read(request.user, "steering_persons", persons=visible)
    return render(
        request,
        "steering/persons.html",
        {
            "label": label,
            "definition": definition,
            "count": dict(flatten(figures)).get(key, len(ids)),
            "persons": [(person, records[person.pk]) for person in visible],
            "hidden": len(records) - len(visible),
            "several": any(n > 1 for n in records.values()),
            "scope": scope,
            "start": start,
            "end": end,
            "query": _query(form, start, end, scope),
        },
    )


@no_store
@permission_required("steering.view")
def steering_export(request, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    form, start, end, scope = _resolve(request, request.GET or None)
    if scope is None:
        return redirect(f"{reverse('steering')}?{request.GET.urlencode()}")
    figures = compute(start, end, scope)
    before = previous_period(start, end)
    previous = compute(*before, scope) if fmt == "pdf" and before else None
    data = exports.render(figures, scope, fmt, previous)
    services.indicators_exported(request.user, figures, fmt)
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(figures, fmt)}"'
    return response


@require_POST
@permission_required("steering.transmit")
def transmit(request):
    form, start, end, scope = _resolve(request, request.POST)
    if scope is None:
        messages.error(request, _("Choose a valid period first."))
        return redirect("steering")
    note_form = TransmissionForm(request.POST)
    note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
    transmission = services.transmit(request.user, scope, start, end, note)
    messages.success(
        request,
        _("Transmission of %(start)s – %(end)s recorded: these figures are now frozen.")
        % {"start": short_date(transmission.start), "end": short_date(transmission.end)},
    )
    return redirect(f"{reverse('steering')}?{_query(form, start, end, scope)}")


@permission_required("steering.view")
def transmission_list(request):
    staff = access.staff_of(request.user)
    organisations = access.organisations_for(request.user)
    transmissions = Transmission.objects.filter(platform=staff.organisation.platform).select_related("organisation")
    if not staff.sees_whole_platform:
        transmissions = transmissions.filter(organisation__in=organisations)
    return render(request, "steering/transmissions.html", {"transmissions": transmissions[:200]})


@permission_required("steering.view")
def transmission_detail(request, pk):
    staff = access.staff_of(request.user)
    transmission = get_object_or_404(
        Transmission.objects.select_related("organisation", "platform"), pk=pk, platform=staff.organisation.platform
    )
    if transmission.organisation_id is None and not staff.sees_whole_platform:
        raise Http404
    if (
        transmission.organisation_id
        and not access.organisations_for(request.user).filter(pk=transmission.organisation_id).exists()
    ):
        raise Http404
    changes = services.changes_since(transmission)
    rows = labels.rows(transmission.figures)
    return render(
        request,
        "steering/transmission_detail.html",
        {"transmission": transmission, "changes": changes, "rows": rows},
    )


# Bundles ------------------------------------------------------------------------------------


@permission_required("bundle.import")
def bundle_import(request):
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.enqueue_import(request.user, form.cleaned_data["file"])
        return redirect("bundle_import_job", pk=job.pk)
    latest = ImportJob.objects.filter(user=request.user)[:10]
    return render(request, "steering/import.html", {"form": form, "jobs": latest})


def _job(request, pk) -> ImportJob:
    # A job is seen only by the person who uploaded it (404 for anybody else).
    return get_object_or_404(ImportJob, pk=pk, user=request.user)


ERRORS_SHOWN = 1000


@permission_required("bundle.import")
def bundle_import_job(request, pk):
    job = _job(request, pk)
    return render(request, "steering/import_job.html", _job_context(job))


@permission_required("bundle.import")
def bundle_import_progress(request, pk):
    job = _job(request, pk)
    return render(request, "steering/includes/import_status.html", _job_context(job))


def _job_context(job) -> dict:
    return {
        "job": job,
        # Read from the job's row, written by the worker (steering.jobs).
        "progress": {"phase": job.phase, "percent": 100 if job.is_finished else job.percent},
        "worker_missing": job.status == ImportJob.Status.WAITING
        and timezone.now() - job.created_at > dt.timedelta(seconds=settings.TREMPLIN_WORKER_STALE_SECONDS),
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, job.error_count - min(len(job.errors), ERRORS_SHOWN)),
        "changes": sorted((job.changes or {}).items()),
        "counts": sorted((job.counts or {}).items()),
    }


@no_store
@permission_required("bundle.import")
def bundle_import_errors(request, pk):
    job = _job(request, pk)
    out = io.StringIO()
    writer = spreadsheet.csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Location in the file"), _("Error")])
    for error in job.errors:
        writer.writerow([error["path"], error["message"]])
    if job.error_count > len(job.errors):  # the list is bounded (bundle.schema.MAX_ERRORS)
        writer.writerow(["", _("… and %(count)s more errors.") % {"count": job.error_count - len(job.errors)}])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="erreurs_import_{job.pk}.csv"'
    return response


@no_store
@permission_required("bundle.export")
def bundle_export(request):
    scopes = _scopes(request.user)
    if not scopes:
        raise Http404
    if request.method != "POST":
        return render(request, "steering/export.html", {"scopes": scopes})
    code = request.POST.get("scope", "")
    if code not in dict(scopes):
        raise Http404
    staff = access.staff_of(request.user)
    scope = resolve_scope(code, staff.organisation.platform)
    handle, path = tempfile.mkstemp(prefix="tremplin-export-", suffix=".json", dir=jobs.private_dir())
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            counts = export_bundle(out, scope.platform, scope.organisation)
        services.bundle_exported(request.user, scope.platform, scope.organisation, counts)
        stream = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        # Unlinked at once: the open file stays readable until the response is sent.
        os.unlink(path)
    return FileResponse(stream, as_attachment=True, filename=f"bundle_{scope.platform.code}_{scope.code}.json")
