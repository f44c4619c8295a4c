"""Rate limit of the forgotten-password page (docs/permissions.md, Connexion).

At most `TREMPLIN_RESET_PER_ADDRESS` e-mails to one address and `TREMPLIN_RESET_PER_IP`
requests from one client address per hour. Beyond, the page answers exactly as usual (the
"link sent" page) but sends nothing: the answer tells nothing about the account, nor about the
limit. Requests are kept one day (address as a keyed hash) and counted in the database, so the
limit holds across the server's processes. A refused request is logged (account.reset_throttled).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.utils import timezone

from tremplin.audit.log import record

from .models import PasswordResetRequest

WINDOW = dt.timedelta(hours=1)
KEEP = dt.timedelta(days=1)


def address_hash(email: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def allow(request, email: str) -> bool:
    """Record this request; True when the e-mail may be sent."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(at__lt=now - KEEP).delete()
    ip = get_client_ip_address(request)
    digest = address_hash(email)
    recent = PasswordResetRequest.objects.filter(at__gte=now - WINDOW)
    reason = ""
    if ip and recent.filter(ip=ip).count() >= settings.TREMPLIN_RESET_PER_IP:
        reason = "ip"
    elif recent.filter(address_hash=digest, sent=True).count() >= settings.TREMPLIN_RESET_PER_ADDRESS:
        reason = "address"
    PasswordResetRequest.objects.create(ip=ip, address_hash=digest, sent=not reason)
    if reason:
        record(None, "account.reset_throttled", detail={"status": reason})
    return not reason
