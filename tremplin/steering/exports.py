"""The indicators as JSON, CSV, XLSX and PDF: the same numbers, with French labels.

- JSON: exactly the shape of INDICATORS.md, unrounded.
- CSV: one line per number (family; indicator; key; value), semicolon-separated, decimal comma,
  UTF-8 with a byte order mark, as French spreadsheets expect; numbers unrounded.
- XLSX: the same lines with real numeric cells (unrounded; displayed rounded) and definitions.
- PDF: the quarterly report, readable, with charts (WeasyPrint).
"""

from __future__ import annotations

import io
import json

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tremplin.lib import spreadsheet

from . import labels
from .charts import report_charts
from .indicators import Scope

FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(figures: dict, fmt: str) -> str:
    return f"indicateurs_{figures['scope']}_{figures['period']['start']}_{figures['period']['end']}.{fmt}"


def to_json(figures: dict) -> bytes:
    return (json.dumps(figures, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_number(value) -> str:
    """Unrounded, with a decimal comma; empty for null."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def to_csv(figures: dict, scope: Scope) -> bytes:
    out = io.StringIO()
    writer = spreadsheet.csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Family"), _("Indicator"), _("Key"), _("Value")])
    writer.writerow(["", _("Platform"), "platform", scope.platform.name])
    writer.writerow(["", _("Scope"), "scope", figures["scope"]])
    writer.writerow(["", _("Start of the period"), "period.start", figures["period"]["start"]])
    writer.writerow(["", _("End of the period"), "period.end", figures["period"]["end"]])
    for row in labels.rows(figures):
        writer.writerow([row.family_label, row.label, row.key, csv_number(row.value)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


XLSX_FORMATS = {
    labels.COUNT: "#,##0",
    labels.HOURS: "#,##0.0",
    labels.MEAN_DAYS: "0.0",
    labels.MONTHS: "0.0",
    labels.RATIO: "0.0",
    labels.FTE: "0.00",
    labels.AMOUNT: '#,##0 "€"',
    labels.RATE: "0.0%",
    labels.SHARE: "0.0%",
}


def to_xlsx(figures: dict, scope: Scope) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Indicators")[:31]
    bold = Font(bold=True)
    spreadsheet.append(sheet, [_("Steering indicators")])
    sheet["A1"].font = Font(bold=True, size=14)
    spreadsheet.append(sheet, [_("Platform"), scope.platform.name])
    spreadsheet.append(sheet, [_("Scope"), scope.name if scope.organisation else _("whole platform"), figures["scope"]])
    spreadsheet.append(sheet, [_("Period"), figures["period"]["start"], figures["period"]["end"]])
    spreadsheet.append(sheet, [])
    header = [_("Family"), _("Indicator"), _("Value"), _("Definition"), _("Key")]
    spreadsheet.append(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.freeze_panes = sheet.cell(row=sheet.max_row + 1, column=1)
    for row in labels.rows(figures):
        spreadsheet.append(sheet, [row.family_label, row.label, row.value, row.definition, row.key])
        cell = sheet.cell(row=sheet.max_row, column=3)
        cell.number_format = XLSX_FORMATS.get(row.kind, "General")
        sheet.cell(row=sheet.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDE", (34, 46, 14, 70, 44), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_context(figures: dict, scope: Scope, previous: dict | None = None) -> dict:
    rows = labels.rows(figures)
    previous_values = dict((row.key, row) for row in labels.rows(previous)) if previous else {}
    families = []
    for family, family_label in labels.FAMILIES.items():
        family_rows = [row for row in rows if row.family == family]
        families.append(
            {
                "key": family,
                "label": family_label,
                "rows": [(row, previous_values.get(row.key)) for row in family_rows],
            }
        )
    return {
        "figures": figures,
        "scope": scope,
        "platform": scope.platform,
        "families": families,
        "charts": report_charts(figures),
        "start": _date(figures["period"]["start"]),
        "end": _date(figures["period"]["end"]),
        "generated_at": timezone.localtime(),
        "previous": previous,
    }


def _date(value: str):
    import datetime as dt

    return dt.date.fromisoformat(value)


def to_pdf(figures: dict, scope: Scope, previous: dict | None = None) -> bytes:
    from weasyprint import HTML

    context = report_context(figures, scope, previous)
    context["generated_label"] = date_format(context["generated_at"], "SHORT_DATETIME_FORMAT")
    html = render_to_string("steering/report_pdf.html", context)
    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    stylesheet = finders.find("tremplin/report-print.css")
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def render(figures: dict, scope: Scope, fmt: str, previous: dict | None = None) -> bytes:
    if fmt == "json":
        return to_json(figures)
    if fmt == "csv":
        return to_csv(figures, scope)
    if fmt == "xlsx":
        return to_xlsx(figures, scope)
    if fmt == "pdf":
        return to_pdf(figures, scope, previous)
    raise ValueError(fmt)
