"""`tremplin demo_code LOGIN`: the current second-factor code of a demo account.

Only for the devices created by `tremplin demo` (named "demo"): a real account's code is never
printed. On a real installation there is no such device."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.access.otp import DEMO_NAME, current_token


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (devices created by `tremplin demo` only)."

    def add_arguments(self, parser):
        parser.add_argument("login")

    def handle(self, *args, **options):
        device = TOTPDevice.objects.filter(user__username=options["login"], name=DEMO_NAME, confirmed=True).first()
        if device is None:
            raise CommandError(_("No demo account with this login (this command only serves the demo accounts)."))
        self.stdout.write(current_token(device))
