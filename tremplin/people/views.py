"""Persons: search, create (with duplicate check), edit, the person's page, recognitions."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.access import scope, submissions
from tremplin.access.permissions import permission_required, require
from tremplin.activity.day import DaySnapshot
from tremplin.audit.log import record, record_read
from tremplin.lib.dates import today
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import add_domain_error, submitted, submitted_edit
from tremplin.lib.text import normalise
from tremplin.pathways import services
from tremplin.pathways.models import Episode
from tremplin.pathways.states import Status, filter_by_status, person_status, supported_episode

from .forms import NewPersonForm, PersonForm, RecognitionForm, SearchForm
from .models import Person, Recognition
from .page import person_page

DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def search_persons(queryset, q: str):
    q = (q or "").strip()
    if not q:
        return queryset
    match = DATE_RE.match(q)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return queryset.filter(birth_date=dt.date(year, month, day))
        except ValueError:
            return queryset.none()
    try:
        return queryset.filter(birth_date=dt.date.fromisoformat(q))
    except ValueError:
        pass
    by_code = Q(code__iexact=q)
    words = normalise(q).split()
    by_name = Q()
    for word in words:
        by_name &= Q(search_name__contains=word)
    return queryset.filter(by_code | by_name) if words else queryset.filter(by_code)


@permission_required("person.view")
def person_list(request):
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    status = form.cleaned_data["status"] if form.is_valid() else ""
    day = today()
    persons = search_persons(scope.persons_for(request.user), q).select_related("organisation")
    persons = filter_by_status(persons, status, day)
    persons = persons.prefetch_related(
        "prescriptions__episodes",
        Prefetch("episodes", queryset=Episode.objects.prefetch_related("pauses", "assignments__staff")),
    )
    page = Paginator(persons.order_by("last_name", "first_name", "pk"), 50).get_page(request.GET.get("page"))
    record_read(request.user, "search", persons=page.object_list)
    rows = []
    for person in page.object_list:
        episode = supported_episode(person, day)
        counsellor = episode.current_counsellor(day) if episode else None
        status = person_status(person, day)
        rows.append(
            {"person": person, "status": status, "status_label": Status.LABELS[status], "counsellor": counsellor}
        )
    template = "people/_person_rows.html" if request.htmx else "people/person_list.html"
    return render(request, template, {"form": form, "page": page, "rows": rows, "q": q})


def _organisation_for_new_person(request, form) -> object:
    organisations = form.organisations
    if "organisation" in form.fields:
        return form.cleaned_data["organisation"]
    return organisations[0]


@permission_required("person.create")
def person_create(request):
    organisations = list(scope.organisations_for(request.user))
    if not organisations:
        raise Http404
    staff = scope.staff_of(request.user)
    duplicates = []
    if request.method == "POST":
        form = NewPersonForm(request.POST, organisations=organisations)
        if done := submissions.already_created(request, Person):
            return redirect("person_detail", pk=done.pk)  # the same form posted again: its file
        if form.is_valid():
            data = form.person_data()
            duplicates = list(
                services.likely_duplicates(
                    scope.persons_for(request.user), data["first_name"], data["last_name"], data["birth_date"]
                )
            )
            if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
                form.add_error(
                    None,
                    _(
                        "A person with the same name and birth date already exists. Open their file instead, "
                        "or tick the confirmation below if this is really someone else."
                    ),
                )
            else:
                try:
                    person, _again = submissions.once(
                        request.user,
                        form.cleaned_data["submission"],
                        Person,
                        lambda: services.create_person(request.user, _organisation_for_new_person(request, form), data),
                    )
                except DomainError as error:
                    add_domain_error(form, error)
                else:
                    messages.success(request, _("File created for %(name)s.") % {"name": person.full_name})
                    return redirect("person_detail", pk=person.pk)
    else:
        initial = {}
        if staff is not None and len(organisations) > 1:
            initial["organisation"] = staff.organisation_id
        form = NewPersonForm(organisations=organisations, initial=initial)
    return render(request, "people/person_form.html", {"form": form, "duplicates": duplicates, "creating": True})


def person_edit(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "person.change", about=person)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_person(request.user, person, form.person_data(), data.get("version") or 0),
        refresh=lambda: PersonForm(instance=Person.objects.get(pk=person.pk)),
    )
    if done:
        messages.success(request, _("Changes saved."))
        return redirect("person_detail", pk=person.pk)
    record_read(request.user, "edit", person=person)
    return render(request, "people/person_form.html", {"form": form, "person": person, "creating": False})


def person_detail(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "person.view", about=person)
    record(request.user, "person.viewed", person, person=person)  # the read, in the access list
    context = person_page(request, person, DaySnapshot([person.pk], today()))
    return render(request, "people/person_detail.html", context)


def recognition_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "person.change", about=person)
    form = RecognitionForm(request.POST or None)
    if submitted(request, form, lambda data: services.add_recognition(request.user, person, data)):
        messages.success(request, _("Recognition added."))
        return redirect("person_detail", pk=person.pk)
    return render(request, "people/recognition_form.html", {"form": form, "person": person})


def recognition_edit(request, pk):
    recognition = scope.get_for_person(request.user, Recognition.objects.select_related("person"), pk)
    require(request.user, "person.change", about=recognition)
    form = RecognitionForm(request.POST or None, instance=Recognition.objects.get(pk=recognition.pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_recognition(request.user, recognition, data, data.get("version")),
        refresh=lambda: RecognitionForm(instance=Recognition.objects.get(pk=recognition.pk)),
    )
    if done:
        messages.success(request, _("Recognition saved."))
        return redirect("person_detail", pk=recognition.person_id)
    return render(
        request,
        "people/recognition_form.html",
        {"form": form, "person": recognition.person, "recognition": recognition},
    )


@require_POST
def recognition_delete(request, pk):
    recognition = scope.get_for_person(request.user, Recognition.objects.select_related("person"), pk)
    require(request.user, "person.change", about=recognition)
    person_id = recognition.person_id
    services.delete_recognition(request.user, recognition)
    messages.success(request, _("Recognition deleted."))
    return redirect("person_detail", pk=person_id)


@permission_required("person.create")
def duplicates_hint(request):
    """htmx: likely duplicates while typing a new person's name and birth date."""
    first_name = request.GET.get("first_name", "")[:100]
    last_name = request.GET.get("last_name", "")[:100]
    try:
        birth_date = dt.date.fromisoformat(request.GET.get("birth_date", ""))
    except ValueError:
        birth_date = None
    duplicates = []
    if first_name and last_name and birth_date:
        duplicates = list(
            services.likely_duplicates(scope.persons_for(request.user), first_name, last_name, birth_date)[:5]
        )
    return render(request, "people/_duplicates.html", {"duplicates": duplicates})
