"""The platform's organisations and staff."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.access import scope, submissions
from tremplin.access.permissions import permission_required, require
from tremplin.lib.dates import today
from tremplin.lib.forms import submitted, submitted_edit
from tremplin.pathways.caseload import active_counts, ceiling

from . import services
from .forms import OrganisationForm, StaffForm
from .models import Staff


@permission_required("staff.view")
def staff_list(request):
    staff_qs = (
        scope.staff_for(request.user).select_related("organisation", "user").order_by("organisation__role", "name")
    )
    day = today()
    members = list(staff_qs)
    counts = active_counts([s.pk for s in members if s.function == Staff.Function.COUNSELLOR], day)
    rows = [
        {
            "staff": s,
            "in_post": s.is_in_post(day),
            "active": counts.get(s.pk, 0) if s.function == Staff.Function.COUNSELLOR else None,
            "ceiling": ceiling(s) if s.function == Staff.Function.COUNSELLOR else None,
        }
        for s in members
    ]
    organisations = scope.organisations_for(request.user)
    return render(request, "organisations/staff_list.html", {"rows": rows, "organisations": organisations})


def staff_create(request):
    require(request.user, "staff.manage")
    organisations = scope.organisations_for(request.user)
    if submissions.already_created(request, Staff):
        return redirect("staff_list")  # the same form posted again: created once
    form = StaffForm(request.POST or None, organisations=organisations, actor=request.user, initial={"start": today(), "fte": 1})

    def create(data):
        staff, _again = submissions.once(
            request.user,
            data["submission"],
            Staff,
            lambda: services.create_staff(request.user, data, data.get("username", ""), data.get("password", "")),
        )
        messages.success(request, _("%(name)s added to the staff.") % {"name": staff.name})

    if submitted(request, form, create):
        return redirect("staff_list")
    return render(request, "organisations/staff_form.html", {"form": form, "creating": True})


def staff_edit(request, pk):
    require(request.user, "staff.manage")
    staff = scope.get_staff(request.user, pk)
    organisations = scope.organisations_for(request.user)
    form = StaffForm(request.POST or None, instance=Staff.objects.get(pk=staff.pk), organisations=organisations, actor=request.user)
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_staff(
            request.user,
            staff,
            data,
            data.get("username", ""),
            data.get("password", ""),
            version=data.get("version"),
        ),
        refresh=lambda: StaffForm(instance=Staff.objects.get(pk=staff.pk), organisations=organisations, actor=request.user),
    )
    if done:
        messages.success(request, _("Changes saved."))
        return redirect("staff_list")
    return render(request, "organisations/staff_form.html", {"form": form, "staff": staff, "creating": False})


def organisation_create(request):
    require(request.user, "organisation.create")
    staff = scope.staff_of(request.user)
    if not staff.organisation.is_lead:
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda data: services.create_organisation(
            request.user, staff.organisation.platform, data["code"], data["name"]
        ),
    ):
        messages.success(request, _("Partner organisation added."))
        return redirect("staff_list")
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form},
    )
