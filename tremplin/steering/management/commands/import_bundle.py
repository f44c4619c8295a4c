"""`tremplin import_bundle PATH`: check a bundle whole, then import it in one transaction.

The command line has the administrator's power (importer.CONSOLE): any platform, created if the
installation is empty. It says which platform it writes, and whether it creates it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tremplin.steering.bundle import importer


class Command(BaseCommand):
    help = "Import an interchange bundle (BUNDLE.md): every error is listed and nothing is written unless all is valid."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the bundle file (JSON)")
        parser.add_argument("--check", action="store_true", help="only check the file, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        progress, bar = None, None
        if not options["no_progress"]:
            from tqdm import tqdm

            size = path.stat().st_size
            labels = {"check": _("Checking"), "import": _("Importing")}
            state = {"phase": None}

            def progress(phase, done, total):
                nonlocal bar
                if state["phase"] != phase:
                    if bar is not None:
                        bar.close()
                    bar = tqdm(total=size, unit="B", unit_scale=True, desc=str(labels[phase]), file=self.stderr._out)
                    state["phase"] = phase
                bar.update(done - bar.n)

        try:
            if options["check"]:
                report = importer.validate(path, importer.CONSOLE, progress)
            else:
                report = importer.import_bundle(path, importer.CONSOLE, progress, source=path.name)
        except importer.BundleChangedError as error:
            raise CommandError(str(error)) from error
        finally:
            if bar is not None:
                bar.close()
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{error.path}: {error.message}")
            if report.error_count > len(report.errors):
                self.stderr.write(
                    _("… and %(count)s more errors.") % {"count": report.error_count - len(report.errors)}
                )
            raise CommandError(_("%(count)s errors: nothing was imported.") % {"count": report.error_count})
        counts = ", ".join(f"{key} {value}" for key, value in sorted(report.counts.items()))
        self.stdout.write(self._platform_line(report, options["check"]))
        if options["check"]:
            self.stdout.write(_("The bundle is valid (%(counts)s). Nothing was written.") % {"counts": counts})
            return
        changes = ", ".join(f"{key} {value}" for key, value in sorted(report.changes.items()) if value)
        self.stdout.write(
            _("Bundle imported (%(counts)s). Changes: %(changes)s.")
            % {"counts": counts, "changes": changes or _("none")}
        )

    @staticmethod
    def _platform_line(report, check: bool) -> str:
        values = {"code": report.platform["code"], "name": report.platform["name"]}
        if report.platform["created"]:
            if check:
                return _("Platform %(code)s (%(name)s): it does not exist yet, the import would create it.") % values
            return _("Platform %(code)s (%(name)s): created by this import.") % values
        if check:
            return _("Platform %(code)s (%(name)s): the import would write into this existing platform.") % values
        return _("Platform %(code)s (%(name)s): written into this existing platform.") % values
