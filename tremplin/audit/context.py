"""The request being served, kept at hand for the audit log (who, from which address), and what
the audit needs to know about it: which person the page is about, and whether the page logged its
own read.

`RequestContextMiddleware` (audit/middleware.py) sets it; `log.record` reads it; the scope's
successful lookups (access/scope.py) note the person. Kept apart from the middleware so that the
log and the middleware do not import each other, and so that the scope need not know about either.
Everything lives in a contextvar, never on the request object."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class _Serving:
    """What the audit knows about the request being served. Mutable on purpose: a view run in
    another thread (asgiref's sync_to_async copies the context) still updates the same state."""

    request: object
    person_id: int | None = None
    read_logged: bool = False


_serving = contextvars.ContextVar("tremplin_serving", default=None)


def current_request():
    state = _serving.get()
    return state.request if state is not None else None


def serving(request) -> contextvars.Token:
    """Make `request` the current one; give the token back to `done` at the end."""
    return _serving.set(_Serving(request))


def done(token: contextvars.Token) -> None:
    _serving.reset(token)


def note_person(person_id) -> None:
    """The page being served is about this person (a successful scope lookup said so). Outside a
    request, nothing is noted. The last lookup wins, as on a page that looks up a record and then
    its person (always the same person)."""
    state = _serving.get()
    if state is not None and person_id is not None:
        state.person_id = person_id


def noted_person() -> int | None:
    state = _serving.get()
    return state.person_id if state is not None else None


def note_read_logged() -> None:
    """The page logged its own read (audit.log.record with a read action): the middleware's
    fallback (`_log_person_page`) must not log a second one."""
    state = _serving.get()
    if state is not None:
        state.read_logged = True


def read_logged() -> bool:
    state = _serving.get()
    return state.read_logged if state is not None else False


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
