"""`tremplin audit_check`: can the application's database role rewrite the audit log?

Run it with the application's own DATABASE_URL after `tremplin migrate` (the same findings appear
in `tremplin check --deploy`). Exit status 1 when the guard does not hold.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from tremplin.audit import guard


class Command(BaseCommand):
    help = "Check that the application's database role cannot rewrite, empty or unguard the audit log."

    def handle(self, *args, **options):
        if not guard._table_exists(connection):
            raise CommandError(_("The audit table does not exist yet: run “tremplin migrate” first."))
        findings = guard.problems()
        for finding in findings:
            self.stdout.write(f"{finding.level.upper()} tremplin.audit.{finding.code}: {finding.message}")
            if finding.hint:
                self.stdout.write(f"    {finding.hint}")
        if any(f.level == "warning" for f in findings):
            raise CommandError(_("The audit log is not protected against the application's database role."))
        self.stdout.write(_("The audit log's guard holds for this database role."))
