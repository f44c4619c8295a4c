"""The request being served, kept at hand for the audit log (who, from which address).

`RequestContextMiddleware` (audit/middleware.py) sets it; `log.record` reads it. Kept apart from
the middleware so that the log and the middleware do not import each other."""

from __future__ import annotations

import contextvars

_current_request = contextvars.ContextVar("tremplin_current_request", default=None)


def current_request():
    return _current_request.get()


def serving(request) -> contextvars.Token:
    """Make `request` the current one; give the token back to `done` at the end."""
    return _current_request.set(request)


def done(token: contextvars.Token) -> None:
    _current_request.reset(token)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
