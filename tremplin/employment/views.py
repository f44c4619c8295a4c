"""Pages of employers and jobs: the employer directory, contracts, placements, the support agreement.

Employers are shared by the whole platform; what hangs off a person (contracts, placements,
interventions, agreements) is fetched through `access.scope`, so an employer's page only lists
the persons the user may see. Outside the scope: 404; seen but not allowed: 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tremplin.access import scope
from tremplin.access.permissions import permission_required, require
from tremplin.activity.models import Intervention
from tremplin.audit.log import record_read
from tremplin.lib.dates import add_months, today
from tremplin.lib.downloads import no_store
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import add_domain_error, submitted, submitted_edit
from tremplin.pathways.models import Episode

from . import services
from .forms import (
    DEFAULT_TERMS,
    DEFAULT_WORKPLACE_TERMS,
    AgreementForm,
    ContactForm,
    ContractForm,
    EmployerForm,
    EmployerSearchForm,
    EndContractForm,
    PlacementForm,
    SignatureForm,
)
from .models import Contract, Employer, EmployerContact, Placement, SupportAgreement
from .status import covering

INTERVENTIONS_SHOWN = 20


def _done(request, url, message):
    messages.success(request, message)
    return redirect(url)


def _person_url(person_id) -> str:
    return reverse("person_detail", args=[person_id])


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return None


# Employers ---------------------------------------------------------------------------------


def search_employers(queryset, q: str):
    q = (q or "").strip()
    if not q:
        return queryset
    digits = "".join(c for c in q if c.isdigit())
    condition = Q(name__icontains=q) | Q(naf__iexact=q.replace(" ", ""))
    if digits and len(digits) >= 3 and not any(c.isalpha() for c in q):
        condition |= Q(siret__startswith=digits)
    return queryset.filter(condition)


@permission_required("employer.view")
def employer_list(request):
    form = EmployerSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    day = today()
    persons = scope.persons_for(request.user)
    in_work_here = Q(contracts__person__in=persons) & covering(day, "contracts__")
    employers = search_employers(scope.employers_for(request.user), q).annotate(
        persons_in_work=Count("contracts__person", filter=in_work_here, distinct=True)
    )
    page = Paginator(employers.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    template = "employment/_employer_rows.html" if request.htmx else "employment/employer_list.html"
    return render(request, template, {"form": form, "page": page, "q": q})


def _staff_platform(request):
    staff = scope.staff_of(request.user)
    if staff is None:
        raise Http404
    return staff.organisation.platform


@permission_required("employer.change")
def employer_create(request):
    platform = _staff_platform(request)
    form = EmployerForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.create_employer(request.user, platform, form.employer_data())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Employer “%(name)s” created.") % {"name": employer.name})
            if next_url:
                separator = "&" if "?" in next_url else "?"
                return redirect(f"{next_url}{separator}employer={employer.pk}")
            return redirect("employer_detail", pk=employer.pk)
    return render(request, "employment/employer_form.html", {"form": form, "creating": True, "next": next_url})


def employer_detail(request, pk):
    employer = scope.get_employer(request.user, pk)
    require(request.user, "employer.view")
    persons = scope.persons_for(request.user)
    day = today()
    contracts = list(
        Contract.objects.filter(employer=employer, person__in=persons)
        .select_related("person")
        .order_by("-start", "-pk")[:200]
    )
    placements = list(
        Placement.objects.filter(employer=employer, person__in=persons)
        .select_related("person")
        .order_by("-start", "-pk")[:200]
    )
    with_employer = Intervention.objects.filter(
        Q(employer=employer) | Q(contract__employer=employer), person__in=persons
    )
    interventions = list(with_employer.select_related("person", "staff").order_by("-date", "-pk")[:INTERVENTIONS_SHOWN])
    interventions_total = with_employer.filter(date__gt=add_months(day, -12), date__lte=day).aggregate(
        count=Count("pk"), minutes=Sum("minutes")
    )
    context = {
        "employer": employer,
        "contacts": list(employer.contacts.all()),
        "contracts": contracts,
        "in_work": [c for c in contracts if c.covers(day)],
        "placements": placements,
        "interventions": interventions,
        "interventions_total": interventions_total,
        "today": day,
    }
    record_read(
        request.user, "employer", persons=[r.person_id for r in (*contracts, *placements, *interventions)]
    )
    return render(request, "employment/employer_detail.html", context)


def employer_edit(request, pk):
    employer = scope.get_employer(request.user, pk)
    require(request.user, "employer.change")
    form = EmployerForm(request.POST or None, instance=Employer.objects.get(pk=employer.pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_employer(request.user, employer, form.employer_data(), data.get("version")),
        refresh=lambda: EmployerForm(instance=Employer.objects.get(pk=pk)),
    )
    if done:
        return _done(request, reverse("employer_detail", args=[employer.pk]), _("Changes saved."))
    return render(request, "employment/employer_form.html", {"form": form, "employer": employer, "creating": False})


def contact_add(request, pk):
    employer = scope.get_employer(request.user, pk)
    require(request.user, "employer.change")
    form = ContactForm(request.POST or None)
    if submitted(request, form, lambda data: services.add_contact(request.user, employer, form.contact_data())):
        return _done(request, reverse("employer_detail", args=[employer.pk]), _("Contact added."))
    return render(
        request,
        "employment/employer_simple_form.html",
        {"form": form, "employer": employer, "title": _("New contact"), "submit": _("Add the contact")},
    )


def _get_contact(request, pk) -> EmployerContact:
    try:
        return EmployerContact.objects.select_related("employer").get(
            pk=pk, employer__in=scope.employers_for(request.user)
        )
    except (EmployerContact.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def contact_edit(request, pk):
    contact = _get_contact(request, pk)
    require(request.user, "employer.change")
    form = ContactForm(request.POST or None, instance=EmployerContact.objects.get(pk=contact.pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_contact(request.user, contact, form.contact_data(), data.get("version")),
        refresh=lambda: ContactForm(instance=EmployerContact.objects.get(pk=pk)),
    )
    if done:
        return _done(request, reverse("employer_detail", args=[contact.employer_id]), _("Contact saved."))
    return render(
        request,
        "employment/employer_simple_form.html",
        {
            "form": form,
            "employer": contact.employer,
            "title": _("Edit the contact %(name)s") % {"name": contact.name},
            "submit": _("Save"),
        },
    )


def contact_delete(request, pk):
    contact = _get_contact(request, pk)
    require(request.user, "employer.change")
    if request.method == "POST":
        services.delete_contact(request.user, contact)
        return _done(request, reverse("employer_detail", args=[contact.employer_id]), _("Contact removed."))
    return render(
        request,
        "employment/confirm_delete.html",
        {
            "title": _("Remove the contact %(name)s?") % {"name": contact.name},
            "explanation": _("The contact is removed from the employer's record. The change is kept in the log."),
            "submit": _("Remove the contact"),
            "cancel_url": reverse("employer_detail", args=[contact.employer_id]),
            "employer": contact.employer,
        },
    )


# Contracts ---------------------------------------------------------------------------------


def _initial_employer(request, employers):
    try:
        return employers.get(pk=request.GET.get("employer")).pk
    except (Employer.DoesNotExist, ValueError, TypeError):
        return None


def contract_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "employment.change", about=person)
    employers = scope.employers_for(request.user)
    initial = {"employer": _initial_employer(request, employers)}
    form = ContractForm(request.POST or None, employers=employers, initial=initial)
    if submitted(request, form, lambda data: services.record_contract(request.user, person, form.contract_data())):
        return _done(request, _person_url(person.pk) + "#employment-title", _("Contract recorded."))
    return render(
        request,
        "employment/contract_form.html",
        {"form": form, "person": person, "creating": True, "new_employer_next": request.path},
    )


def contract_edit(request, pk):
    contract = scope.get_for_person(request.user, Contract.objects.select_related("person", "employer"), pk)
    require(request.user, "employment.change", about=contract)
    employers = scope.employers_for(request.user)
    form = ContractForm(request.POST or None, instance=Contract.objects.get(pk=contract.pk), employers=employers)
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_contract(request.user, contract, form.contract_data(), data.get("version")),
        refresh=lambda: ContractForm(instance=Contract.objects.get(pk=pk), employers=employers),
    )
    if done:
        return _done(request, _person_url(contract.person_id) + "#employment-title", _("Contract saved."))
    return render(
        request,
        "employment/contract_form.html",
        {"form": form, "person": contract.person, "contract": contract, "creating": False},
    )


def contract_end(request, pk):
    contract = scope.get_for_person(request.user, Contract.objects.select_related("person", "employer"), pk)
    require(request.user, "employment.change", about=contract)
    form = EndContractForm(request.POST or None, initial={"version": contract.version, "end": contract.planned_end})
    if submitted(
        request,
        form,
        lambda data: services.end_contract(
            request.user,
            contract,
            end=data["end"],
            end_reason=data["end_reason"],
            version=data.get("version"),
        ),
    ):
        return _done(
            request,
            _person_url(contract.person_id) + "#employment-title",
            _("Contract ended. Support goes on between jobs."),
        )
    return render(
        request, "employment/contract_end.html", {"form": form, "person": contract.person, "contract": contract}
    )


def contract_delete(request, pk):
    contract = scope.get_for_person(request.user, Contract.objects.select_related("person", "employer"), pk)
    require(request.user, "employment.change", about=contract)
    if request.method == "POST":
        services.delete_contract(request.user, contract)
        return _done(request, _person_url(contract.person_id) + "#employment-title", _("Contract deleted."))
    return render(
        request,
        "employment/confirm_delete.html",
        {
            "title": _("Delete this contract (%(contract)s)?") % {"contract": contract},
            "explanation": _(
                "Delete only a contract recorded by mistake. To record that a contract ended, use “End the contract”."
            ),
            "submit": _("Delete the contract"),
            "cancel_url": _person_url(contract.person_id),
            "person": contract.person,
        },
    )


# Placements --------------------------------------------------------------------------------


def placement_add(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "employment.change", about=person)
    employers = scope.employers_for(request.user)
    form = PlacementForm(
        request.POST or None, employers=employers, initial={"employer": _initial_employer(request, employers)}
    )
    if submitted(request, form, lambda data: services.add_placement(request.user, person, form.placement_data())):
        return _done(request, _person_url(person.pk) + "#employment-title", _("Placement recorded."))
    return render(
        request,
        "employment/placement_form.html",
        {"form": form, "person": person, "creating": True, "new_employer_next": request.path},
    )


def placement_edit(request, pk):
    placement = scope.get_for_person(request.user, Placement.objects.select_related("person"), pk)
    require(request.user, "employment.change", about=placement)
    employers = scope.employers_for(request.user)
    form = PlacementForm(request.POST or None, instance=Placement.objects.get(pk=placement.pk), employers=employers)
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.update_placement(request.user, placement, form.placement_data(), data.get("version")),
        refresh=lambda: PlacementForm(instance=Placement.objects.get(pk=pk), employers=employers),
    )
    if done:
        return _done(request, _person_url(placement.person_id) + "#employment-title", _("Placement saved."))
    return render(
        request,
        "employment/placement_form.html",
        {"form": form, "person": placement.person, "placement": placement, "creating": False},
    )


def placement_delete(request, pk):
    placement = scope.get_for_person(request.user, Placement.objects.select_related("person", "employer"), pk)
    require(request.user, "employment.change", about=placement)
    if request.method == "POST":
        services.delete_placement(request.user, placement)
        return _done(request, _person_url(placement.person_id) + "#employment-title", _("Placement deleted."))
    return render(
        request,
        "employment/confirm_delete.html",
        {
            "title": _("Delete this placement (%(placement)s)?") % {"placement": placement},
            "explanation": _("Delete only a placement recorded by mistake."),
            "submit": _("Delete the placement"),
            "cancel_url": _person_url(placement.person_id),
            "person": placement.person,
        },
    )


# Individual support agreement --------------------------------------------------------------


def agreement_create(request, pk):
    episode = scope.get_for_person(
        request.user, Episode.objects.select_related("person__organisation__platform", "prescription"), pk
    )
    require(request.user, "agreement.generate", about=episode)
    person = episode.person
    if not episode.is_open:
        raise Http404
    day = today()
    previous = episode.agreements.order_by("-number").first()
    amendment = previous is not None
    employers = services.agreement_employers(person, day)
    pauses = episode.pauses.order_by("-start")
    if previous is not None:
        initial = {
            "terms": previous.content.get("terms") or previous.terms,
            "workplace_terms": previous.content.get("workplace_terms")
            or (str(DEFAULT_WORKPLACE_TERMS) if employers else ""),
            "employer": employers[0].pk if employers else None,
        }
    else:
        initial = {
            "terms": str(DEFAULT_TERMS),
            "workplace_terms": str(DEFAULT_WORKPLACE_TERMS),
            "employer": employers[0].pk if employers else None,
        }
    form = AgreementForm(request.POST or None, employers=employers, pauses=pauses, amendment=amendment, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.generate_agreement(
                request.user,
                episode,
                employer=data.get("employer"),
                pause=data.get("pause"),
                terms=data["terms"],
                workplace_terms=data.get("workplace_terms") or "",
                change_summary=data.get("change_summary") or "",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = (
                _("Amendment generated: download it, have it signed, then record the signature dates.")
                if agreement.number > 1
                else _("Agreement generated: download it, have it signed, then record the signature dates.")
            )
            return _done(request, _person_url(person.pk) + f"#agreement-{agreement.pk}", message)
    context = {
        "form": form,
        "person": person,
        "episode": episode,
        "previous": previous,
        "next_number": (previous.number + 1) if previous else 1,
        "amendment": amendment,
        "employers": employers,
        "counsellor": episode.current_counsellor(day),
        "lead": person.organisation.platform.lead,
    }
    return render(request, "employment/agreement_form.html", context)


def _get_agreement(request, pk) -> SupportAgreement:
    return scope.get_for_person(
        request.user,
        SupportAgreement.objects.select_related("episode__person__organisation", "employer", "pause"),
        pk,
    )


def agreement_sign(request, pk):
    agreement = _get_agreement(request, pk)
    require(request.user, "agreement.generate", about=agreement)
    person = agreement.episode.person
    form = SignatureForm(request.POST or None, instance=SupportAgreement.objects.select_related("employer").get(pk=pk))
    done, form = submitted_edit(
        request,
        form,
        lambda data: services.record_signatures(request.user, agreement, form.signature_data(), data.get("version")),
        refresh=lambda: SignatureForm(instance=SupportAgreement.objects.get(pk=pk)),
    )
    if done:
        return _done(request, _person_url(person.pk) + f"#agreement-{agreement.pk}", _("Signature dates saved."))
    return render(request, "employment/agreement_sign.html", {"form": form, "person": person, "agreement": agreement})


@no_store
def agreement_pdf(request, pk):
    agreement = _get_agreement(request, pk)
    require(request.user, "agreement.generate", about=agreement)
    from .pdf import agreement_filename, render_agreement_pdf

    data = render_agreement_pdf(agreement)
    services.log_download(request.user, agreement)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_filename(agreement)}"'
    return response
