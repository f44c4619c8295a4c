"""Account workflows: external accounts, second-factor reset, unlocking."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from tremplin.audit.log import record

from . import otp
from .models import ExternalAccount


@transaction.atomic
def create_external_account(user, platform, data: dict) -> ExternalAccount:
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
    otp.reset(target)
    record(user, "account.otp_reset", target)


def unlock(user, target) -> None:
    from axes.utils import reset

    reset(username=target.get_username())
    record(user, "account.unlocked", target)
