"""Every page needs a signed-in user whose second factor is verified, except the sign-in pages,
the password-reset pages and a few public addresses (static files, language switch, the secret
calendar feeds)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

PUBLIC_PREFIXES = ("/connexion/", "/static/", "/i18n/", "/mot-de-passe-oublie/", "/reinitialiser/", "/calendrier/")
# Pages a user signed in with a password only may open: the second-factor steps and sign-out.
SECOND_FACTOR_PREFIXES = ("/connexion/", "/deconnexion/", "/static/", "/i18n/")


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


class LoginRequiredMiddleware:
    """Anonymous: sent to the sign-in page. Signed in without a verified second factor: sent to
    the enrolment page (no confirmed device yet) or to the verification page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            if not is_public(request.path):
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        elif not user.is_verified() and not request.path.startswith(SECOND_FACTOR_PREFIXES):
            from .otp import has_confirmed_device

            step = "otp_verify" if has_confirmed_device(user) else "otp_enrol"
            return redirect(f"{_url(step)}?next={_quote(request.get_full_path())}")
        return self.get_response(request)


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")
