"""Account workflows: external accounts, second-factor reset, unlocking."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from tremplin.audit.log import record
from tremplin.lib.errors import DomainError

from . import otp
from .models import ExternalAccount
from .permissions import can
from .scope import accounts_for, staff_of


def may_create_account(user, kind: str) -> bool:
    """Administrator accounts: the lead organisation's direction only. Funder and prescriber
    accounts: the lead organisation's direction or an administrator. A partner organisation's
    staff create no external account (docs/permissions.md, "Qui peut attribuer quoi")."""
    action = "account.create_administrator" if kind == ExternalAccount.Kind.ADMINISTRATOR else "account.create_external"
    if not can(user, action):
        return False
    staff = staff_of(user)
    return staff is None or staff.organisation.is_lead


def creatable_kinds(user) -> list[str]:
    return [kind for kind in ExternalAccount.Kind.values if may_create_account(user, kind)]


def _check_manages(user, target) -> None:
    if target.pk == user.pk:
        raise DomainError(
            _("You cannot reset the security of your own account: another administrator or the direction must do it."),
            code="own_account",
        )
    if not accounts_for(user).filter(pk=target.pk).exists():
        raise DomainError(_("This account is not one you manage."), code="account_scope")


@transaction.atomic
def create_external_account(user, platform, data: dict) -> ExternalAccount:
    if not may_create_account(user, data["kind"]):
        raise DomainError(
            _("Only the lead organisation's direction creates administrator accounts.")
            if data["kind"] == ExternalAccount.Kind.ADMINISTRATOR
            else _("Only the lead organisation's direction or an administrator creates funder and prescriber accounts."),
            field="kind",
            code="account_kind",
        )
    account_user = get_user_model().objects.create_user(
        username=data["username"], email=data.get("email") or "", password=data["password"]
    )
    account = ExternalAccount.objects.create(
        user=account_user,
        platform=platform,
        kind=data["kind"],
        name=data["name"],
        institution=data.get("institution", ""),
        prescriber_kind=data.get("prescriber_kind", "") if data["kind"] == "prescriber" else "",
        prescriber_organisation=data.get("prescriber_organisation", "") if data["kind"] == "prescriber" else "",
        prescriber_contact=data.get("prescriber_contact", "") if data["kind"] == "prescriber" else "",
    )
    record(user, "account.created", account, detail={"kind": account.kind, "login": account_user.username})
    return account


@transaction.atomic
def reset_second_factor(user, target) -> None:
    _check_manages(user, target)
    otp.reset(target)
    record(user, "account.otp_reset", target)


def unlock(user, target) -> None:
    from axes.utils import reset

    _check_manages(user, target)
    reset(username=target.get_username())
    record(user, "account.unlocked", target)
