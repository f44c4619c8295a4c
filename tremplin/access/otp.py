"""Two-factor authentication: TOTP devices (an authenticator application) and recovery codes.

Every account must confirm a TOTP device at its first sign-in (enrolment), then give a code
from it (or a single-use recovery code) after its password at each sign-in.
"""

from __future__ import annotations

import base64
import time

import segno
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "default"
RECOVERY_NAME = "recovery"
DEMO_NAME = "demo"  # devices created by `tremplin demo` (their code can be printed by `tremplin demo_code`)


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device the user is enrolling (created once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def base32_key(hex_key: str) -> str:
    """A hex TOTP key in base32, by groups of four, for typing into an authenticator application."""
    key = base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def manual_key(device: TOTPDevice) -> str:
    return base32_key(device.key)


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning address as an inline SVG QR code (no script, no style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, svgclass="qr-code", dark="#000", light="#fff")


@transaction.atomic
def confirm_enrolment(user, device: TOTPDevice, token: str) -> list[str] | None:
    """Check the first code; on success confirm the device, drop any other TOTP device and
    return new recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_digits(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ten new single-use codes."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def verify(user, token: str):
    """The device (TOTP or recovery) that accepts `token`, else None. Throttled by django-otp."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token or len(token) > 16:
        return None
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if token.isdigit() and device.verify_token(token):
                return device
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if not token.isdigit() and device.verify_token(token):
                return device
    return None


@transaction.atomic
def reset(user) -> None:
    """Remove every second-factor device of the user: they enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _digits(token: str) -> str:
    return "".join(c for c in (token or "") if c.isdigit())[:8]


# For tests, the demo and the console -------------------------------------------------------


def confirmed_device(user, name: str = TOTP_NAME, key: str | None = None) -> TOTPDevice:
    """The user's confirmed TOTP device, created (with `key` if given) when missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        extra = {"key": key} if key else {}
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True, **extra)
    return device


def current_token(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def mark_session_verified(session, device) -> None:
    """Record in a session that its user passed the second factor with `device`."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
