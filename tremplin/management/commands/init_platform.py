"""`tremplin init_platform`: start a real installation with its platform, chef de file and a manager."""

from __future__ import annotations

import datetime as dt
import getpass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from tremplin.audit.log import record
from tremplin.organisations.models import Organisation, Platform, Staff


class Command(BaseCommand):
    help = "Create the platform, its lead organisation and a first manager account."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="platform code, for example EA12")
        parser.add_argument("--name", required=True, help="platform name")
        parser.add_argument("--department", required=True, help="département number, for example 12")
        parser.add_argument("--lead-code", required=True)
        parser.add_argument("--lead-name", required=True)
        parser.add_argument("--manager-login", required=True)
        parser.add_argument("--manager-name", required=True)
        parser.add_argument("--password", help="the manager's password (asked for when absent)")

    def handle(self, *args, **options):
        if Platform.objects.filter(code=options["code"]).exists():
            raise CommandError(_("A platform with this code already exists (nothing was changed)."))
        user_model = get_user_model()
        if user_model.objects.filter(username=options["manager_login"]).exists():
            raise CommandError(_("This login is already taken."))
        password = options["password"] or getpass.getpass(_("Password for the manager: "))
        try:
            password_validation.validate_password(password, user_model(username=options["manager_login"]))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            platform = Platform.objects.create(
                code=options["code"], name=options["name"], department=options["department"]
            )
            lead = Organisation.objects.create(
                platform=platform, code=options["lead_code"], name=options["lead_name"], role=Organisation.Role.LEAD
            )
            user = user_model.objects.create_user(username=options["manager_login"], password=password)
            Staff.objects.create(
                organisation=lead,
                code="S1",
                name=options["manager_name"],
                function=Staff.Function.MANAGER,
                fte=1,
                start=dt.date.today(),
                user=user,
            )
            record(None, "platform.initialised", platform, detail={"manager": options["manager_login"]})
        self.stdout.write(_("Platform created. Sign in as %(login)s.") % {"login": options["manager_login"]})
