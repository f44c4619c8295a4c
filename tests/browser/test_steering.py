"""Steering in a browser: a manager opens the indicators, changes the period and the scope, opens
the persons behind a count, downloads the XLSX; axe-core checks every page on the way."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.browser.conftest import sign_in
from tremplin import demo
from tremplin.lib.dates import today


def test_manager_reads_the_indicators_and_downloads_them(page, axe, tmp_path):
    demo.build(seed=5, as_of=today(), persons=60)
    sign_in(page, "helene.vergnes", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Pilotage").click()
    page.wait_for_url("**/pilotage/")
    assert page.get_by_role("heading", level=1).inner_text() == "Indicateurs de pilotage"
    axe.check(page, "steering-01-default-quarter")

    # A calendar year, for one partner.
    page.get_by_role("combobox", name="Période").select_option("year")
    assert page.get_by_role("combobox", name="Trimestre").is_hidden()  # only the fields of the chosen period show
    page.get_by_role("spinbutton", name="Année").fill(str(today().year - 1))
    page.get_by_role("combobox", name="Périmètre").select_option(label="SAVS du Lévézou")
    page.get_by_role("button", name="Afficher").click()
    summary = page.get_by_role("heading", level=2, name="SAVS du Lévézou")
    assert f"du 01/01/{today().year - 1} au 31/12/{today().year - 1}" in summary.inner_text()
    axe.check(page, "steering-02-year-partner")

    # The persons behind a count.
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Personnes accompagnées le dernier jour")
    )
    count = int(row.get_by_role("cell").first.inner_text().split()[0])
    assert count > 0
    row.get_by_role("link").click()
    page.wait_for_url("**/pilotage/personnes/**")
    assert page.get_by_role("heading", level=1).inner_text() == f"Personnes accompagnées le dernier jour : {count}"
    assert page.locator("tbody tr").count() == count
    axe.check(page, "steering-03-persons")
    page.go_back()

    # Download the spreadsheet.
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger (XLSX)").click()
    download = info.value
    assert download.suggested_filename == f"indicateurs_LEVZ_{today().year - 1}-01-01_{today().year - 1}-12-31.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    cells = {row[4]: row[2] for row in load_workbook(target).active.iter_rows(values_only=True) if row and row[4]}
    assert cells["activity.supported"] == count

    # The other steering pages.
    page.get_by_role("link", name="Importer un lot de données").click()
    axe.check(page, "steering-04-import")
    page.get_by_role("link", name="Pilotage").first.click()
    page.get_by_role("link", name="Transmissions").click()
    axe.check(page, "steering-05-transmissions")
