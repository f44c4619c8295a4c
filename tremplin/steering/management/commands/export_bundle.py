"""`tremplin export_bundle PATH [--organisation CODE]`: write the platform (or one organisation) as a bundle."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tremplin.organisations.models import Organisation
from tremplin.steering import indicators, services
from tremplin.steering.bundle.exporter import export_bundle


class Command(BaseCommand):
    help = "Export the platform, or one organisation, as an interchange bundle (BUNDLE.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write")
        parser.add_argument("--organisation", help="only this organisation's persons and staff")
        parser.add_argument("--platform", help="platform code, when the installation holds several")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            platform = indicators.default_platform(options["platform"])
        except indicators.IndicatorError as error:
            raise CommandError(str(error)) from error
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(platform=platform, code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(_("Unknown organisation code “%(code)s”.") % {"code": options["organisation"]})
        directory = path.parent
        if not directory.is_dir():
            raise CommandError(_("The folder %(folder)s does not exist (nothing was written).") % {"folder": directory})
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tremplin-", suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                counts = export_bundle(out, platform, organisation)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        services.bundle_exported(None, platform, organisation, counts)
        self.stdout.write(
            _("Bundle written to %(path)s: %(persons)s persons, %(interventions)s interventions.")
            % {"path": path, "persons": counts["persons"], "interventions": counts["interventions"]}
        )
