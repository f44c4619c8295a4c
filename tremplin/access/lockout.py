"""Lockout after failed sign-ins (django-axes), on two thresholds (docs/permissions.md, Connexion).

1. The pair (login, client address) is locked after `AXES_FAILURE_LIMIT` failures (5): someone
   who knows a login cannot lock its owner out from another address with a handful of tries.
2. The login itself is locked, from every address, after `TREMPLIN_LOCKOUT_LOGIN_FAILURES`
   failures (20) from any addresses together: a guess spread over many addresses is still
   stopped.

Axes counts the pair (AXES_LOCKOUT_PARAMETERS); this handler adds the second threshold. Both
last `AXES_COOLOFF_TIME` (15 minutes) after the last failure; "Comptes" unlocks both.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def login_limit() -> int:
    return settings.TREMPLIN_LOCKOUT_LOGIN_FAILURES


def login_failures(username: str | None, since=None) -> int:
    """Failures for this login from every address, within the cool-off period."""
    if not username:
        return 0
    since = since or timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def locked_logins(usernames) -> set[str]:
    """Which of these logins are locked: from one address at least (pair threshold) or from all
    addresses (login threshold). For the "Comptes" page."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since).values_list(
        "username", "ip_address", "failures_since_start"
    )
    pairs, totals = {}, {}
    for username, ip, failures in rows:
        pairs[(username, ip)] = pairs.get((username, ip), 0) + failures
        totals[username] = totals.get(username, 0) + failures
    locked = {username for (username, _ip), count in pairs.items() if count >= settings.AXES_FAILURE_LIMIT}
    return locked | {username for username, count in totals.items() if count >= login_limit()}


class LockoutHandler(AxesDatabaseHandler):
    def _login_locked(self, request, credentials) -> bool:
        username = get_client_username(request, credentials)
        return login_failures(username, get_cool_off_threshold(request)) >= login_limit()

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            settings.AXES_LOCK_OUT_AT_FAILURE and self._login_locked(request, credentials)
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        if self._login_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
