"""Pages of the person's data protection: notes by domain, information, consents, objections,
and the export of the whole file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.access import scope, submissions
from tremplin.access.permissions import can, require
from tremplin.audit.log import record, record_read
from tremplin.lib.dates import today
from tremplin.lib.downloads import no_store
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import add_domain_error, submitted

from . import export, privacy
from .models import Consent, Note, NoteDomain, Objection
from .privacy_forms import ConsentForm, DateForm, InformationForm, NoteForm, ObjectionForm


def person_notes(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "note.view", about=person)
    domains = privacy.writable_domains(request.user)
    form = NoteForm(request.POST or None, domains=domains, initial={"written_on": today()})
    if request.method == "POST":
        require(request.user, "note.write", about=person)
        if form.is_valid():
            try:
                submissions.once(
                    request.user,
                    form.cleaned_data["submission"],
                    Note,
                    lambda: privacy.add_note(request.user, person, form.cleaned_data),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Note saved."))
                return redirect("person_notes", pk=person.pk)
    notes, hidden = privacy.readable_notes(request.user, person)
    record_read(request.user, "notes", person=person)
    labels = dict(NoteDomain.choices)
    hidden_rows = [{"domain": str(labels.get(d, d)), "count": n} for d, n in sorted(hidden.items())]
    return render(request, "people/notes.html", {"person": person, "notes": notes, "hidden": hidden_rows, "form": form})


def person_rights(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "consent.view", about=person)
    record_read(request.user, "rights", person=person)
    day = today()
    context = {
        "person": person,
        "information": person.information_records.select_related("given_by"),
        "consents": person.consents.select_related("recipient", "recorded_by"),
        "objections": person.objections.select_related("recorded_by"),
        "today": day,
        "may_record": can(request.user, "consent.record"),
        "may_export": can(request.user, "person.export"),
        "may_see_accesses": can(request.user, "audit.person"),
    }
    return render(request, "people/rights.html", context)


def _form_page(request, person, form, title, submit):
    return render(
        request, "people/rights_form.html", {"person": person, "form": form, "title": title, "submit": submit}
    )


def information_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "consent.record", about=person)
    form = InformationForm(request.POST or None, initial={"given_on": today()})
    if submitted(request, form, lambda data: privacy.record_information(request.user, person, data)):
        messages.success(request, _("Information recorded."))
        return redirect("person_rights", pk=person.pk)
    return _form_page(request, person, form, _("Information given to the person"), _("Record"))


def consent_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "consent.record", about=person)
    form = ConsentForm(
        request.POST or None, staff=scope.staff_for(request.user).order_by("name"), initial={"decided_on": today()}
    )
    if submitted(request, form, lambda data: privacy.record_consent(request.user, person, data)):
        messages.success(request, _("Decision of the person recorded."))
        return redirect("person_rights", pk=person.pk)
    return _form_page(request, person, form, _("Sharing of notes: the person's decision"), _("Record"))


def objection_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "consent.record", about=person)
    form = ObjectionForm(request.POST or None, initial={"made_on": today()})
    if submitted(request, form, lambda data: privacy.record_objection(request.user, person, data)):
        messages.success(request, _("Objection recorded: it applies at once."))
        return redirect("person_rights", pk=person.pk)
    return _form_page(request, person, form, _("The person objects to the sharing of notes"), _("Record"))


def consent_withdraw(request, pk):
    consent = scope.get_for_person(request.user, Consent.objects.select_related("person"), pk)
    require(request.user, "consent.record", about=consent)
    form = DateForm(request.POST or None, initial={"on": today()})
    if submitted(request, form, lambda data: privacy.withdraw_consent(request.user, consent, data["on"])):
        messages.success(request, _("Consent withdrawn."))
        return redirect("person_rights", pk=consent.person_id)
    return _form_page(request, consent.person, form, _("Withdraw the consent"), _("Withdraw"))


def objection_lift(request, pk):
    objection = scope.get_for_person(request.user, Objection.objects.select_related("person"), pk)
    require(request.user, "consent.record", about=objection)
    form = DateForm(request.POST or None, initial={"on": today()})
    if submitted(request, form, lambda data: privacy.lift_objection(request.user, objection, data["on"])):
        messages.success(request, _("Objection lifted."))
        return redirect("person_rights", pk=objection.person_id)
    return _form_page(request, objection.person, form, _("Lift the objection"), _("Lift"))


@no_store
def person_export(request, pk, fmt):
    person = scope.get_person(request.user, pk)
    require(request.user, "person.export", about=person)
    data = export.whole_file(request.user, person)
    record(request.user, "person.exported", person, person=person, detail={"format": fmt})
    if fmt == "pdf":
        response = HttpResponse(export.as_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(export.as_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dossier-{person.code}.{fmt}"'
    return response
