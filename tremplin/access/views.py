"""Sign-in steps (second factor: enrolment, verification, recovery codes), the lockout page,
the accounts page, and the pages of external accounts (funder, prescriber)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tremplin.audit.log import record
from tremplin.lib.dates import today
from tremplin.lib.errors import DomainError
from tremplin.lib.forms import submitted

from . import funder, otp, prescriber, scope, services, throttle
from .forms import EnrolForm, ExternalAccountForm, TokenForm
from .permissions import Role, permission_required, require, role_of

RECOVERY_SESSION_KEY = "tremplin_new_recovery_codes"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def landing_for(user) -> str | None:
    """Where an account that does not follow persons lands after signing in."""
    role = role_of(user)
    if role == Role.FUNDER:
        return reverse("funder_indicators")
    if role == Role.PRESCRIBER:
        return reverse("prescriber_status")
    if role == Role.ADMINISTRATOR:
        return reverse("account_list")
    return None


def otp_enrol(request):
    """First sign-in: scan the QR code (or type the key), then give the first code."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_verified():
        return redirect(_next(request))
    if otp.has_confirmed_device(request.user):
        return redirect(f"{reverse('otp_verify')}?next={_next(request)}")
    device = otp.enrolment_device(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_enrolment(request.user, device, form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("This code is not the one expected: check the time of your phone and try again."))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            record(request.user, "account.otp_enrolled", request.user)
            request.session[RECOVERY_SESSION_KEY] = codes
            return redirect(f"{reverse('recovery_codes')}?next={_next(request)}")
    context = {"form": form, "qr": otp.qr_svg(device), "key": otp.manual_key(device), "next": _next(request)}
    return render(request, "access/otp_enrol.html", context)


def otp_verify(request):
    """Every sign-in: the code of the authenticator application, or a recovery code."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_verified():
        return redirect(_next(request))
    if not otp.has_confirmed_device(request.user):
        return redirect(f"{reverse('otp_enrol')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(request.user, form.cleaned_data["token"])
        if device is None:
            record(request.user, "account.otp_failed", request.user)
            form.add_error("token", _("This code is not valid. Wait for the next code and try again."))
        else:
            otp_login(request, device)
            record(request.user, "account.signed_in", request.user, detail={"second_factor": device.name})
            if device.name == otp.RECOVERY_NAME:
                messages.warning(
                    request,
                    _("You used a recovery code: %(left)s left. Create new ones from “Recovery codes”.")
                    % {"left": otp.recovery_codes_left(request.user)},
                )
            target = landing_for(request.user)
            return redirect(target if target and not request.POST.get("next") else _next(request))
    return render(request, "access/otp_verify.html", {"form": form, "next": _next(request)})


def recovery_codes(request):
    """Shows new recovery codes once (after enrolment, or when the user asks for new ones)."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if request.method == "POST":
        codes = otp.new_recovery_codes(request.user)
        record(request.user, "account.recovery_codes_renewed", request.user)
    return render(
        request,
        "access/recovery_codes.html",
        {"codes": codes, "left": otp.recovery_codes_left(request.user), "next": _next(request)},
    )


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """The forgotten-password page, rate-limited (tremplin.access.throttle): beyond the limit it
    answers the same "link sent" page and sends nothing."""

    def form_valid(self, form):
        if throttle.allow(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes: too many failed sign-ins for this login."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "access/locked_out.html", {"minutes": minutes}, status=429)


# Accounts ----------------------------------------------------------------------------------


@permission_required("account.manage")
def account_list(request):
    users = scope.accounts_for(request.user).select_related("staff__organisation", "external").order_by("username")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .lockout import locked_logins

    enrolled = set(TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True))
    locked = locked_logins(u.username for u in users)
    rows = [
        {
            "user": u,
            "staff": u.staff_member,
            "external": u.external_account,
            "enrolled": u.pk in enrolled,
            "locked": u.username in locked,
        }
        for u in users
    ]
    may_create = bool(services.creatable_kinds(request.user))
    return render(request, "access/account_list.html", {"rows": rows, "may_create": may_create})


@permission_required("account.create_external")
def account_create(request):
    kinds = services.creatable_kinds(request.user)
    if not kinds:
        raise PermissionDenied  # a partner organisation's direction creates no external account
    platform = scope.platform_of(request.user)
    if platform is None:
        raise Http404
    form = ExternalAccountForm(request.POST or None, kinds=kinds)
    if submitted(request, form, lambda data: _created(request, platform, data)):
        return redirect("account_list")
    return render(request, "access/account_form.html", {"form": form})


def _created(request, platform, data):
    account = services.create_external_account(request.user, platform, data)
    messages.success(request, _("Account created for %(name)s.") % {"name": account.name})


def _account(request, pk):
    try:
        return scope.accounts_for(request.user).get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@require_POST
def account_reset_otp(request, pk):
    target = _account(request, pk)
    require(request.user, "account.manage")
    try:
        services.reset_second_factor(request.user, target)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Two-factor authentication reset: %(login)s enrols again at the next sign-in.") % {"login": target}
        )
    return redirect("account_list")


@require_POST
def account_unlock(request, pk):
    target = _account(request, pk)
    require(request.user, "account.manage")
    try:
        services.unlock(request.user, target)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(login)s can sign in again.") % {"login": target})
    return redirect("account_list")


# External accounts -------------------------------------------------------------------------


@permission_required("funder.view")
def funder_indicators(request):
    platform = scope.platform_of(request.user)
    if platform is None:
        raise Http404
    quarters = funder.last_quarters(today(), 4)
    table = funder.table(platform, quarters)
    record(request.user, "funder.viewed", platform)
    return render(
        request,
        "access/funder_indicators.html",
        {"platform": platform, "quarters": quarters, "table": table, "threshold": funder.THRESHOLD},
    )


@permission_required("prescriber.view")
def prescriber_status(request):
    account = scope.external_of(request.user)
    rows = prescriber.statuses(account, today())
    record(request.user, "prescriber.viewed", account)
    return render(request, "access/prescriber_status.html", {"account": account, "rows": rows})
