"""Employers and jobs in a browser, in French: create employers (a bad SIRET is refused), record a CDD,
end it by resignation, record a CDI at another employer, draw up the amendment naming the new
employer, download it, and see all of it on the person's timeline. axe-core checks every page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf

from tests.browser.conftest import sign_in
from tests.employment.conftest import SIRET_A, SIRET_INVALID
from tests.factories import PASSWORD, EpisodeFactory, PrescriptionFactory
from tremplin.employment import services
from tremplin.employment.models import Contract, SupportAgreement
from tremplin.lib.dates import today

PERSON_PAGE = re.compile(r"/personnes/\d+/(#[\w-]*)?$")


def iso(days_ago: int) -> str:
    return (today() - dt.timedelta(days=days_ago)).isoformat()


def test_jobs_of_a_person_from_cdd_to_cdi_with_the_amended_agreement(page, axe, counsellor, person):
    counsellor.user.username = "claire.martin"
    counsellor.user.save()
    prescription = PrescriptionFactory(person=person, date=today() - dt.timedelta(days=200))
    episode = EpisodeFactory(
        prescription=prescription, admitted_on=today() - dt.timedelta(days=190), counsellor=counsellor
    )
    # The agreement, drawn up and signed soon after the admission, before any job.
    drawn_up = today() - dt.timedelta(days=180)
    content = services.agreement_content(
        episode,
        day=drawn_up,
        number=1,
        employer=None,
        pause=None,
        terms="Un entretien toutes les deux semaines.",
        workplace_terms="",
        change_summary="",
    )
    SupportAgreement.objects.create(
        episode=episode,
        number=1,
        kind="initial",
        terms=content["terms"],
        content=content,
        signed_by_person_on=drawn_up,
        signed_by_platform_on=drawn_up,
    )
    sign_in(page, "claire.martin", PASSWORD)

    # The employer directory: a bad SIRET is refused with a French message, then the employer is created.
    page.get_by_role("link", name="Employeurs").click()
    axe.check(page, "emp-01-employer-list-empty")
    page.get_by_role("link", name="Nouvel employeur").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Boulangerie du Tarn")
    page.get_by_role("combobox", name="Type", exact=True).select_option("private")
    page.get_by_label("SIRET").fill(SIRET_INVALID)
    page.get_by_label("Code NAF").fill("10.71C")
    page.get_by_role("button", name="Créer l’employeur").click()
    assert page.locator("#id_siret_error").is_visible()
    assert "14 chiffres" in page.locator("#id_siret_error").inner_text()
    axe.check(page, "emp-02-employer-siret-refused")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_label("Service de prévention et de santé au travail").fill("SPST Aveyron")
    page.get_by_role("button", name="Créer l’employeur").click()
    page.wait_for_url("**/employeurs/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Boulangerie du Tarn"
    page.get_by_role("link", name="Ajouter un contact").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Mme Fabre")
    page.get_by_label("Fonction").fill("gérante")
    page.get_by_role("button", name="Ajouter le contact").click()
    page.wait_for_url("**/employeurs/*/")
    axe.check(page, "emp-03-employer-page")

    # A CDD at the bakery, from the person's page.
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Enregistrer un contrat").click()
    page.get_by_role("combobox", name="Employeur", exact=True).select_option(label=f"Boulangerie du Tarn ({SIRET_A})")
    page.get_by_label("Intitulé du poste").fill("vendeuse")
    page.get_by_label("Type de contrat").select_option("cdd")
    page.get_by_label("Date de début").fill(iso(150))
    page.get_by_label("Fin prévue").fill(iso(150 - 180))
    page.get_by_role("combobox", name="Motif de fin").select_option("resignation")  # a reason without an end: refused
    page.get_by_role("button", name="Enregistrer le contrat").click()
    assert page.locator("#id_end_error").is_visible()
    axe.check(page, "emp-04-contract-form-refused")
    assert not Contract.objects.exists()
    page.get_by_role("combobox", name="Motif de fin").select_option("")
    page.get_by_role("button", name="Enregistrer le contrat").click()
    page.wait_for_url(PERSON_PAGE)

    # It ends by resignation.
    page.get_by_role("link", name="Mettre fin au contrat").click()
    page.get_by_label("Dernier jour du contrat").fill(iso(40))
    page.get_by_role("combobox", name="Motif de fin").select_option("resignation")
    page.get_by_role("button", name="Mettre fin au contrat").click()
    page.wait_for_url(PERSON_PAGE)
    assert "entre deux emplois" in page.locator(".employment-status").inner_text()

    # A CDI at a garage that is not in the directory yet: created from the contract form.
    page.get_by_role("link", name="Enregistrer un contrat").click()
    page.get_by_role("link", name="Créer l’employeur").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Garage Bousquet")
    page.get_by_role("combobox", name="Type", exact=True).select_option("private")
    page.get_by_role("button", name="Créer l’employeur").click()
    page.wait_for_url("**/contrats/nouveau/?employer=*")
    assert (
        page.get_by_role("combobox", name="Employeur", exact=True).evaluate("el => el.options[el.selectedIndex].text")
        == "Garage Bousquet"
    )
    page.get_by_label("Intitulé du poste").fill("mécanicien")
    page.get_by_label("Type de contrat").select_option("cdi")
    page.get_by_label("Date de début").fill(iso(20))
    page.get_by_label("Durée hebdomadaire (heures)").fill("35")
    axe.check(page, "emp-05-contract-form")
    page.get_by_role("button", name="Enregistrer le contrat").click()
    page.wait_for_url(PERSON_PAGE)
    assert "en emploi" in page.locator(".employment-status").inner_text()
    # The agreement does not name the new employer: the page says so.
    assert "ne nomme pas l’employeur actuel (Garage Bousquet)" in page.content()

    # The amendment naming the garage, downloaded as a PDF.
    page.get_by_role("link", name="Établir un avenant").click()
    assert (
        page.get_by_label("Employeur signataire de la convention").evaluate("el => el.options[el.selectedIndex].text")
        == "Garage Bousquet"
    )
    page.get_by_label("Ce que modifie cet avenant").fill(
        "Prise de poste en CDI chez Garage Bousquet après la démission."
    )
    axe.check(page, "emp-06-amendment-form")
    page.get_by_role("button", name="Établir l’avenant").click()
    page.wait_for_url(PERSON_PAGE)
    amendment = SupportAgreement.objects.get(number=2)
    assert amendment.employer.name == "Garage Bousquet" and amendment.kind == "amendment"
    with page.expect_download() as download_info:
        page.locator(f"#agreement-{amendment.pk}").get_by_role("link", name="Télécharger (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "avenant-1-durand-jeanne-v2.pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)
    assert "Avenant n° 1" in text and "Garage Bousquet" in text and "Jeanne DURAND" in text

    # Everything on the timeline, and in its text alternative.
    page.goto(f"/personnes/{person.pk}/")
    chart = page.locator("svg.timeline-chart")
    assert chart.get_attribute("role") == "img"
    labels = chart.locator("text").all_text_contents()
    assert "CDD · Boulangerie du Tarn" in labels and "CDI · Garage Bousquet" in labels
    page.get_by_text("Le parcours sous forme de tableaux").click()
    table = page.get_by_role("table", name="Étapes du parcours")
    assert "CDD · Boulangerie du Tarn" in table.inner_text() and "fin : Démission" in table.inner_text()
    assert "CDI · Garage Bousquet" in table.inner_text()
    axe.check(page, "emp-07-person-page-timeline")
    page.locator("section[aria-labelledby=pathway-chart-title]").screenshot(
        path=str(axe_screens() / "emp-08-timeline-only.png")
    )


def axe_screens():
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
