"""Who accessed what: the list of accesses to one person's file (to give to the person), and
the platform's access log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tremplin.access import scope
from tremplin.access.permissions import permission_required, require
from tremplin.lib import spreadsheet
from tremplin.lib.downloads import no_store

from . import display
from .log import record
from .models import AuditEntry


def _accesses(person):
    return AuditEntry.objects.naming(person).order_by("-at", "-id")


def _rows(entries):
    return [{"entry": e, "sentence": display.describe(e), "status": (e.detail or {}).get("status")} for e in entries]


def person_accesses(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "audit.person", about=person)
    record(request.user, "audit.person_viewed", person, person=person)
    page = Paginator(_accesses(person), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/person_accesses.html",
        {"person": person, "page": page, "rows": _rows(page.object_list), "now": timezone.now()},
    )


@no_store
def person_accesses_csv(request, pk):
    person = scope.get_person(request.user, pk)
    require(request.user, "audit.person", about=person)
    record(request.user, "audit.person_exported", person, person=person, detail={"format": "csv"})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="acces-{person.code}.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads UTF-8
    writer = spreadsheet.csv_writer(response, delimiter=";")
    writer.writerow([_("When"), _("Who"), _("What"), _("From (address)")])
    for entry in _accesses(person).order_by("at", "id"):
        writer.writerow(
            [
                date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT"),
                entry.actor or _("system"),
                display.describe(entry),
                entry.ip or "",
            ]
        )
    return response


@permission_required("audit.view")
def access_log(request):
    """The access log of the platform (or of one's organisation), newest first, filterable."""
    persons = scope.persons_for(request.user)
    accounts = scope.accounts_for(request.user)
    entries = AuditEntry.objects.filter(Q(person__in=persons) | Q(user__in=accounts)).select_related("person")
    action = request.GET.get("action", "")
    if action in display.SENTENCES:
        entries = entries.filter(action=action)
    else:
        action = ""
    # A NUL character cannot be searched for (PostgreSQL refuses it in text): dropped.
    who = (request.GET.get("who") or "").replace("\x00", "").strip()[:100]
    if who:
        entries = entries.filter(actor__icontains=who)
    only_refusals = request.GET.get("refusals") == "1"
    if only_refusals:
        entries = entries.filter(action="access.denied")
    record(request.user, "audit.viewed", None, detail={"action": action} if action else None)
    page = Paginator(entries.order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    actions = sorted(((code, str(sentence)) for code, sentence in display.SENTENCES.items()), key=lambda p: p[1])
    return render(
        request,
        "audit/access_log.html",
        {
            "page": page,
            "rows": _rows(page.object_list),
            "actions": actions,
            "action": action,
            "who": who,
            "only_refusals": only_refusals,
            "visible_person_ids": set(
                persons.filter(pk__in=[e.person_id for e in page.object_list if e.person_id]).values_list(
                    "pk", flat=True
                )
            ),
        },
    )
