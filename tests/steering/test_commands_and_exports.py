"""`tremplin indicators`: JSON of exactly the contract's shape, CSV and XLSX with the same numbers
and French labels, a readable PDF; bad input gives a clear message, a non-zero status and no file."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import EmployerFactory
from tests.steering.helpers import D, admit, contract, log, make_person, veille
from tremplin.audit.models import AuditEntry
from tremplin.steering import indicators

pytestmark = pytest.mark.django_db
ARGS = ["--start", "2025-07-01", "--end", "2025-09-30"]


@pytest.fixture
def data(platform, lead, partner):
    p = make_person(lead)
    veille(admit(p, D(2025, 1, 6)), D(2025, 9, 1), D(2025, 12, 31))
    log(p, D(2025, 7, 2), 90, place="workplace")
    q = make_person(partner)
    admit(q, D(2025, 3, 1), exit_date=D(2025, 9, 30), reason="moved_out")
    contract(q, EmployerFactory(platform=platform), D(2025, 8, 1))
    return platform


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("indicators", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json_output_has_the_contract_shape(data):
    figures = json.loads(_run(*ARGS))
    assert figures == indicators.compute(D(2025, 7, 1), D(2025, 9, 30), "platform", platform=data)
    assert figures["activity"]["workplace_hours"] == 1.5
    assert set(figures) == {"period", "scope", "activity", "resources", "profile", "employment"}
    assert json.loads(_run(*ARGS, "--scope", "PART"))["activity"]["exits"]["by_reason"]["moved_out"] == 1


def test_csv_and_xlsx_carry_the_same_numbers_with_french_labels(data, tmp_path):
    from openpyxl import load_workbook

    figures = indicators.compute(D(2025, 7, 1), D(2025, 9, 30), "platform", platform=data)
    expected = dict(indicators.flatten(figures))
    _run(*ARGS, "--format", "csv", "--output", str(tmp_path / "i.csv"))
    raw = (tmp_path / "i.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Famille", "Indicateur", "Clé", "Valeur"]
    by_key = {row[2]: row for row in rows[1:]}
    assert by_key["activity.workplace_hours"][1] == "Heures sur le lieu de travail"
    assert by_key["activity.workplace_hours"][3] == "1,5"
    for key, value in expected.items():
        text = by_key[key][3]
        assert (None if text == "" else float(text.replace(",", "."))) == value, key

    _run(*ARGS, "--format", "xlsx", "--output", str(tmp_path / "i.xlsx"))
    sheet = load_workbook(tmp_path / "i.xlsx").active
    cells = {row[4]: row for row in sheet.iter_rows(values_only=True) if row and row[4]}
    for key, value in expected.items():
        assert cells[key][2] == value, key
    assert cells["activity.in_veille"][1] == "dont en veille"
    assert sheet["B2"].value == data.name


def test_pdf_is_a_readable_report_with_the_platform_name_period_and_charts(data, tmp_path):
    from pypdf import PdfReader

    _run(*ARGS, "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    assert data.name in text
    assert "01/07/2025" in text and "30/09/2025" in text
    assert "Intensité de l’accompagnement" in text and "Maintien dans l’emploi" in text
    assert "Handicap principal" in text and "Sorties par motif" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2025-07-01", "--end", "2025-06-30"], "antérieure"),
        (["--start", "2025-07-01", "--end", "2025-09-31"], "AAAA-MM-JJ"),
        (["--start", "1/7/2025", "--end", "2025-09-30"], "AAAA-MM-JJ"),
        ([*ARGS, "--scope", "NOPE"], "NOPE"),
    ],
)
def test_bad_input_gives_a_clear_message_and_writes_nothing(data, tmp_path, args, message):
    target = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        _run(*args, "--output", str(target))
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action="steering.exported").exists()


def test_every_export_is_logged_with_period_scope_and_format(data, tmp_path):
    _run(*ARGS, "--scope", "PART", "--format", "csv", "--output", str(tmp_path / "a.csv"))
    entry = AuditEntry.objects.get(action="steering.exported")
    assert entry.detail == {"start": "2025-07-01", "end": "2025-09-30", "scope": "PART", "format": "csv"}
