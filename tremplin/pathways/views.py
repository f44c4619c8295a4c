"""Pages of the pathway: prescriptions, waiting list, admission, counsellor, veille, outreach, exit.

Each view finds its record through `access.scope` (404 outside the user's scope), hands the
validated form to a service and shows a refused rule next to its field.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.access import scope
from tremplin.access.permissions import permission_required, require
from tremplin.audit.log import record_read
from tremplin.lib.dates import short_date, today
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import submitted, submitted_edit

from . import services
from .forms import (
    AdmissionForm,
    ChangeCounsellorForm,
    EndVeilleForm,
    EntrySituationForm,
    ExitForm,
    ExtendVeilleForm,
    OutreachForm,
    PrescriptionForm,
    VeilleForm,
    WithdrawPrescriptionForm,
)
from .models import Episode, Pause, Prescription
from .states import waiting_prescriptions


def _done(request, person_id, message):
    messages.success(request, message)
    return redirect("person_detail", pk=person_id)


def prescription_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "prescription.change", about=person)
    form = PrescriptionForm(request.POST or None, initial={"date": today()})
    if submitted(request, form, lambda data: services.record_prescription(request.user, person, data)):
        return _done(request, person.pk, _("Prescription recorded."))
    return render(request, "pathways/prescription_form.html", {"form": form, "person": person})


def prescription_edit(request, pk):
    prescription = scope.get_for_person(request.user, Prescription.objects.select_related("person"), pk)
    require(request.user, "prescription.change", about=prescription)
    form = PrescriptionForm(request.POST or None, instance=Prescription.objects.get(pk=prescription.pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_prescription(request.user, prescription, data, data.get("version")),
        refresh=lambda: PrescriptionForm(instance=Prescription.objects.get(pk=prescription.pk)),
    )
    if done:
        return _done(request, prescription.person_id, _("Prescription saved."))
    return render(
        request,
        "pathways/prescription_form.html",
        {"form": form, "person": prescription.person, "prescription": prescription},
    )


def prescription_withdraw(request, pk):
    prescription = scope.get_for_person(request.user, Prescription.objects.select_related("person"), pk)
    require(request.user, "prescription.change", about=prescription)
    form = WithdrawPrescriptionForm(request.POST or None)
    if submitted(request, form, lambda data: services.withdraw_prescription(request.user, prescription, **data)):
        return _done(request, prescription.person_id, _("Prescription withdrawn."))
    return render(
        request,
        "pathways/simple_form.html",
        {
            "form": form,
            "person": prescription.person,
            "title": _("Withdraw the prescription of %(date)s") % {"date": short_date(prescription.date)},
            "submit": _("Withdraw"),
        },
    )


def admit(request, pk):
    prescription = scope.get_for_person(request.user, Prescription.objects.select_related("person__organisation"), pk)
    person = prescription.person
    require(request.user, "episode.admit", about=prescription)
    form = AdmissionForm(request.POST or None, organisation=person.organisation)
    if submitted(request, form, lambda data: services.admit(request.user, prescription, **data)):
        return _done(request, person.pk, _("%(name)s is admitted.") % {"name": person.full_name})
    return render(
        request, "pathways/admission_form.html", {"form": form, "person": person, "prescription": prescription}
    )


@permission_required("waiting_list.view")
def waiting_list(request):
    day = today()
    priority = Case(
        *[When(situation=value, then=Value(rank)) for value, rank in Prescription.SITUATION_PRIORITY.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    prescriptions = (
        waiting_prescriptions(day)
        .filter(person__in=scope.persons_for(request.user))
        .select_related("person__organisation")
        .annotate(priority_rank=priority)
        .order_by("-urgent", "priority_rank", "date", "pk")
    )
    rows = [{"prescription": p, "days": (day - p.date).days} for p in prescriptions]
    record_read(request.user, "waiting_list", persons=[row["prescription"].person_id for row in rows])
    return render(request, "pathways/waiting_list.html", {"rows": rows, "today": day})


def _episode(request, pk) -> Episode:
    return scope.get_for_person(request.user, Episode.objects.select_related("person__organisation"), pk)


def entry_situation_edit(request, pk):
    episode = _episode(request, pk)
    require(request.user, "episode.change", about=episode)
    form = EntrySituationForm(request.POST or None, instance=Episode.objects.get(pk=episode.pk))
    if submitted(
        request, form, lambda data: services.update_entry_situation(request.user, episode, data, data["version"])
    ):
        return _done(request, episode.person_id, _("Situation at entry saved."))
    return render(
        request,
        "pathways/simple_form.html",
        {"form": form, "person": episode.person, "title": _("Situation at entry"), "submit": _("Save")},
    )


def change_counsellor(request, pk):
    episode = _episode(request, pk)
    require(request.user, "episode.assign", about=episode)
    form = ChangeCounsellorForm(request.POST or None, organisation=episode.person.organisation)
    if submitted(request, form, lambda data: services.change_counsellor(request.user, episode, **data)):
        return _done(request, episode.person_id, _("Counsellor changed."))
    return render(
        request,
        "pathways/simple_form.html",
        {"form": form, "person": episode.person, "title": _("Change the counsellor"), "submit": _("Change")},
    )


def veille_start(request, pk):
    episode = _episode(request, pk)
    require(request.user, "episode.change", about=episode)
    form = VeilleForm(request.POST or None, initial={"start": today()})
    if submitted(request, form, lambda data: services.start_veille(request.user, episode, **data)):
        return _done(request, episode.person_id, _("Veille started."))
    return render(request, "pathways/veille_form.html", {"form": form, "person": episode.person, "episode": episode})


def _pause(request, pk) -> Pause:
    return scope.get_for_person(request.user, Pause.objects.select_related("episode__person"), pk)


def veille_end(request, pk):
    pause = _pause(request, pk)
    require(request.user, "episode.change", about=pause)
    form = EndVeilleForm(request.POST or None)
    if submitted(
        request, form, lambda data: services.end_veille_early(request.user, pause, resume_on=data["resume_on"])
    ):
        return _done(request, pause.episode.person_id, _("Veille ended: support resumes."))
    return render(
        request,
        "pathways/simple_form.html",
        {
            "form": form,
            "person": pause.episode.person,
            "title": _("End the veille early"),
            "submit": _("End the veille"),
        },
    )


def veille_extend(request, pk):
    pause = _pause(request, pk)
    require(request.user, "episode.change", about=pause)
    form = ExtendVeilleForm(request.POST or None)
    if submitted(request, form, lambda data: services.extend_veille(request.user, pause, **data)):
        return _done(request, pause.episode.person_id, _("Veille extended."))
    return render(
        request,
        "pathways/simple_form.html",
        {"form": form, "person": pause.episode.person, "title": _("Extend the veille"), "submit": _("Extend")},
    )


@require_POST
def veille_resume(request, pk):
    pause = _pause(request, pk)
    require(request.user, "episode.change", about=pause)
    try:
        services.record_resumption(request.user, pause)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("person_detail", pk=pause.episode.person_id)
    return _done(request, pause.episode.person_id, _("Resumption of support recorded."))


def outreach_add(request, pk):
    episode = _episode(request, pk)
    require(request.user, "episode.change", about=episode)
    form = OutreachForm(request.POST or None)
    if submitted(request, form, lambda data: services.record_outreach(request.user, episode, **data)):
        return _done(request, episode.person_id, _("Outreach attempt recorded."))
    return render(
        request,
        "pathways/simple_form.html",
        {"form": form, "person": episode.person, "title": _("Record an outreach attempt"), "submit": _("Record")},
    )


def exit_episode(request, pk):
    episode = _episode(request, pk)
    require(request.user, "episode.change", about=episode)
    form = ExitForm(request.POST or None, initial={"version": episode.version}, programme=episode.programme_rules)
    if submitted(request, form, lambda data: services.exit_episode(request.user, episode, **data)):
        return _done(request, episode.person_id, _("Support closed."))
    last_contact = services.last_contact(episode, today()) if episode.is_open else None
    attempts = list(episode.outreach_attempts.all()) if episode.is_open else []
    return render(
        request,
        "pathways/exit_form.html",
        {
            "form": form,
            "person": episode.person,
            "episode": episode,
            "last_contact": last_contact,
            "attempts": attempts,
        },
    )
