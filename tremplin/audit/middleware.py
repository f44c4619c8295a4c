"""Keeps the current request's user and address at hand for the audit log."""

from __future__ import annotations

import contextvars

_current_request = contextvars.ContextVar("tremplin_current_request", default=None)


def current_request():
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            _log_person_page(request, response)
            return response
        finally:
            _current_request.reset(token)


def _log_person_page(request, response) -> None:
    """A page about one person that logged no read itself (a form of a prescription, an exit, a
    contract...) still leaves one: the scope's lookup remembered which person the page is about
    (access.scope._note_person). The pages that log their own read (audit.log.record_read, the
    person's page, exports, notes) set request._tremplin_read_logged and are not logged twice."""
    if response.status_code != 200 or request.method not in ("GET", "POST"):
        return
    person_id = getattr(request, "_tremplin_person_id", None)
    if person_id is None or getattr(request, "_tremplin_read_logged", False):
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    from tremplin.people.models import Person

    from .log import record

    match = getattr(request, "resolver_match", None)
    person = Person(pk=person_id)
    record(user, "person.viewed", person, person=person, detail={"page": (match.url_name if match else "") or ""})


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class RefusalLogMiddleware:
    """Leaves an audit entry (access.denied) when a signed-in user is refused a page: 404
    (the record is outside their scope) or 403 (seen but not allowed). When the refused record
    hangs off a person, the entry names that person, so the person's access list shows it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if not isinstance(exception, Http404 | PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from .log import record

        status = 404 if isinstance(exception, Http404) else 403
        person_id = getattr(request, "_tremplin_refused_person_id", None)
        if person_id is None and status == 403:
            person_id = getattr(request, "_tremplin_person_id", None)
        detail = {"status": status, "path": request.path[:300], "method": request.method}
        if status == 403 and str(exception):
            detail["action"] = str(exception)[:64]
        from tremplin.people.models import Person

        person = Person.objects.filter(pk=person_id).first() if person_id else None
        record(user, "access.denied", person, person=person, detail=detail)
        return None
