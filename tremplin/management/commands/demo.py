"""`tremplin demo`: fill an empty database with an invented platform and print the demo logins."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tremplin import demo


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}) from error


class Command(BaseCommand):
    help = "Fill an empty database with an invented, realistic platform and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--as-of", default=None, help="the demo's today, YYYY-MM-DD (default: today)")
        parser.add_argument("--persons", type=int, default=250, help="number of persons (default 250)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) if data exists")

    def handle(self, *args, **options):
        persons = options["persons"]
        if persons < 30 or persons > 100000:
            raise CommandError(_("--persons must be between 30 and 100000."))
        as_of = _date(options["as_of"]) if options["as_of"] else None
        if not demo.database_is_empty():
            if options["if_empty"]:
                self.stdout.write(_("The database already holds data: demo data not loaded again."))
                print_accounts(self.stdout, existing_demo_accounts(), existing_demo_key())
                return
            raise CommandError(
                _("The database is not empty: the demo only fills an empty database (nothing was changed).")
            )
        result = demo.build(seed=options["seed"], as_of=as_of, persons=persons)
        self.stdout.write(
            _("Demo platform “%(name)s” created: %(persons)s persons, %(interventions)s interventions.")
            % {"name": result.platform.name, "persons": result.persons, "interventions": result.interventions}
        )
        print_accounts(self.stdout, result.accounts, result.otp_key)


def existing_demo_accounts():
    from tremplin.organisations.models import Staff

    staff = Staff.objects.filter(user__isnull=False, organisation__platform__code="EA12").select_related(
        "user", "organisation"
    )
    from tremplin.access.models import ExternalAccount

    external = ExternalAccount.objects.filter(platform__code="EA12").select_related("user").order_by("pk")
    return [
        (s.user.username, s.name, f"{s.get_function_display()} · {s.organisation.name}") for s in staff.order_by("pk")
    ] + [(a.user.username, a.name, f"{a.get_kind_display()} · {a.institution}") for a in external]


def existing_demo_key() -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tremplin.access.otp import DEMO_NAME, base32_key

    device = TOTPDevice.objects.filter(name=DEMO_NAME, confirmed=True).order_by("pk").first()
    return base32_key(device.key) if device else ""


def print_accounts(out, accounts, otp_key: str = "") -> None:
    if not accounts:
        return
    out.write("")
    out.write(_("Demo accounts (password for all: %(password)s):") % {"password": demo.DEMO_PASSWORD})
    for login, name, role in accounts:
        out.write(f"  {login:<22} {name:<22} {role}")
    if otp_key:
        out.write("")
        out.write(
            _(
                "Second factor: add this key to an authenticator application (one entry works for every demo "
                "account): %(key)s"
            )
            % {"key": otp_key}
        )
        out.write(_("or print the current code in another terminal: tremplin demo_code LOGIN"))
