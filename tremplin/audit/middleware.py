"""Keeps the current request at hand for the audit log, and logs refused pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tremplin.people.models import Person

from . import context
from .log import record


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.serving(request)
        try:
            response = self.get_response(request)
            _log_person_page(request, response)
            return response
        finally:
            context.done(token)


def _log_person_page(request, response) -> None:
    """A page about one person that logged no read itself (a form of a prescription, an exit, a
    contract...) still leaves one: the scope's successful lookup noted which person the page is
    about (`context.note_person`). The pages that log their own read (audit.log.record_read, the
    person's page, exports, notes) are noted too (`context.note_read_logged`) and are not logged
    twice."""
    if response.status_code != 200 or request.method not in ("GET", "POST"):
        return
    person_id = context.noted_person()
    if person_id is None or context.read_logged():
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    match = getattr(request, "resolver_match", None)
    person = Person(pk=person_id)
    record(user, "person.viewed", person, person=person, detail={"page": (match.url_name if match else "") or ""})


class RefusalLogMiddleware:
    """Leaves an audit entry (access.denied) when a signed-in user is refused a page: 404
    (the record is outside their scope) or 403 (seen but not allowed). When the refused record
    hangs off a person, the entry names that person, so the person's access list shows it: the
    refusal says which (`person_id` of `access.scope.OutOfScope` and of
    `access.permissions.NotAllowed`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404 | PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        status = 404 if isinstance(exception, Http404) else 403
        person_id = getattr(exception, "person_id", None)
        if person_id is None and status == 403:
            person_id = context.noted_person()  # refused after a successful lookup: that person
        detail = {"status": status, "path": request.path[:300], "method": request.method}
        if status == 403 and str(exception):
            detail["action"] = str(exception)[:64]
        person = Person.objects.filter(pk=person_id).first() if person_id else None
        record(user, "access.denied", person, person=person, detail=detail)
        return None
