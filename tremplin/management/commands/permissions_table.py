"""`tremplin permissions_table`: print the permission table (role x action) as Markdown, in French,
for docs/permissions.md (a test checks that the document shows exactly the table of the code)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from tremplin.access.permissions import markdown_table


class Command(BaseCommand):
    help = "Print the permission table (docs/permissions.md) from access.permissions.TABLE."

    def handle(self, *args, **options):
        with translation.override("fr"):
            self.stdout.write(markdown_table())
