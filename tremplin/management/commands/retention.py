"""`tremplin retention [--dry-run] [--as-of YYYY-MM-DD]`: anonymise the files past the retention period."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tremplin.lib.dates import today
from tremplin.people import retention


class Command(BaseCommand):
    help = "Anonymise the files of persons whose last contact is older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the files, change nothing")
        parser.add_argument("--as-of", default=None, help="the day to count from, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        as_of = today()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": options["as_of"]}
                ) from error
        years = settings.TREMPLIN_RETENTION_YEARS
        limit = retention.cutoff(as_of, years)
        found = retention.run(as_of, dry_run=options["dry_run"], years=years)
        self.stdout.write(
            _("Retention: %(years)s years after the last contact, so files whose last contact is before %(date)s.")
            % {"years": years, "date": date_format(limit, "SHORT_DATE_FORMAT")}
        )
        for candidate in found:
            person = candidate.person
            self.stdout.write(
                f"  {person.organisation.name} · {person.code} · "
                + _("last contact %(date)s") % {"date": date_format(candidate.last_contact, "SHORT_DATE_FORMAT")}
            )
        if options["dry_run"]:
            self.stdout.write(
                _("%(count)s file(s) would be anonymised (dry run: nothing changed).") % {"count": len(found)}
            )
        else:
            self.stdout.write(_("%(count)s file(s) anonymised.") % {"count": len(found)})
