"""`tremplin indicators`: the steering indicators of a period, as JSON, CSV, XLSX or PDF."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tremplin.steering import exports, indicators, services


def parse_date(value: str, option: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date in the form YYYY-MM-DD.") % {"option": option, "value": value}
        ) from error


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename: a failure leaves nothing half-written."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(_("The folder %(folder)s does not exist (nothing was written).") % {"folder": directory})
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tremplin-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Compute the steering indicators of a period (INDICATORS.md) for the platform or one organisation."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day of the period, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last day of the period, YYYY-MM-DD")
        parser.add_argument("--scope", default="platform", help="“platform” (default) or an organisation code")
        parser.add_argument("--format", default="json", choices=exports.FORMATS)
        parser.add_argument("--output", help="file to write (default: standard output for json and csv)")
        parser.add_argument("--platform", help="platform code, when the installation holds several")

    def handle(self, *args, **options):
        start = parse_date(options["start"], "--start")
        end = parse_date(options["end"], "--end")
        fmt = options["format"]
        output = Path(options["output"]) if options["output"] else None
        if output is None and fmt in ("xlsx", "pdf"):
            raise CommandError(_("--output is required for the %(format)s format.") % {"format": fmt})
        try:
            platform = indicators.default_platform(options["platform"])
            scope = indicators.resolve_scope(options["scope"], platform)
            indicators.check_period(start, end)
        except indicators.IndicatorError as error:
            raise CommandError(str(error)) from error
        figures = indicators.compute(start, end, scope)
        data = exports.render(figures, scope, fmt)
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            write_atomically(output, data)
        services.indicators_exported(None, figures, fmt)
        if output is not None:
            self.stderr.write(_("Indicators written to %(path)s.") % {"path": output})
