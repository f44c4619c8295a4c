"""The main journey, in a browser, in French: sign in, create a person, record a prescription,
admit, start and end a veille, exit. axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tremplin.lib.dates import today
from tremplin.pathways.models import Episode, Pause


def test_main_journey_from_person_to_exit(page, axe, counsellor, lead):
    counsellor.user.username = "claire.martin"
    counsellor.user.save()
    page.goto("/")
    assert "/connexion/" in page.url
    axe.check(page, "01-login")
    sign_in(page, "claire.martin", PASSWORD)
    axe.check(page, "02-home")

    # A new person.
    page.get_by_role("link", name="Nouvelle personne").first.click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Vidal")
    page.get_by_label("Prénom").fill("Élodie")
    page.get_by_label("Date de naissance").fill("1988-03-14")
    page.get_by_label("Handicap principal").select_option("psychic")
    axe.check(page, "03-person-form")
    page.get_by_role("button", name="Créer le dossier").click()
    page.wait_for_url("**/personnes/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Élodie VIDAL")

    # A recognition, then a prescription.
    page.get_by_role("link", name="Ajouter une reconnaissance").first.click()
    page.get_by_label("Type").select_option("rqth")
    page.get_by_label("Date de début").fill("2020-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Nouvelle prescription").click()
    day = today() - dt.timedelta(days=20)
    page.get_by_label("Date de la prescription").fill(day.isoformat())
    page.get_by_role("combobox", name="Prescripteur", exact=True).select_option("cap_emploi")
    page.get_by_label("La personne a donné son accord").check()
    page.get_by_label("Date de l’accord de la personne").fill(day.isoformat())
    axe.check(page, "04-prescription-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/personnes/*/")
    axe.check(page, "05-person-waiting")

    # The waiting list shows her; admit from there.
    page.get_by_role("link", name="Liste d’attente").click()
    axe.check(page, "06-waiting-list")
    page.get_by_role("link", name="Admettre Élodie VIDAL").click()
    page.get_by_label("Date d’admission").fill((day + dt.timedelta(days=5)).isoformat())
    page.get_by_label("Conseiller (conseiller unique)").select_option(label="Claire Martin")
    axe.check(page, "07-admission-form")
    page.get_by_role("button", name="Admettre").click()
    page.wait_for_url("**/personnes/*/")
    episode = Episode.objects.get(person__last_name="Vidal")
    assert episode.current_counsellor() == counsellor

    # A veille without end date is refused, then started properly.
    page.get_by_role("link", name="Mettre en veille").click()
    page.get_by_label("Début de la veille").fill((today() - dt.timedelta(days=1)).isoformat())
    page.get_by_label("La personne l’a demandée").check()
    page.get_by_label("Conditions de reprise de l’accompagnement").fill("Reprise après l’hospitalisation.")
    page.get_by_label("Pas d’employeur").check()
    page.get_by_role("button", name="Mettre en veille").click()
    assert page.locator("#id_end_error").is_visible()
    axe.check(page, "08-veille-refused")
    page.get_by_label("Fin de la veille").fill((today() + dt.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Mettre en veille").click()
    page.wait_for_url("**/personnes/*/")
    assert "en veille" in page.locator("h1").inner_text()
    axe.check(page, "09-person-in-veille")

    # End the veille early (support resumes today), then close the support.
    page.get_by_role("link", name="Terminer plus tôt").click()
    page.get_by_label("Reprise de l’accompagnement le").fill(today().isoformat())
    page.get_by_role("button", name="Terminer la veille").click()
    page.wait_for_url("**/personnes/*/")
    assert Pause.objects.get().end == today() - dt.timedelta(days=1)
    page.get_by_role("link", name="Clore l’accompagnement").click()
    page.get_by_label("À la demande de la personne").check()
    page.get_by_role("button", name="Clore l’accompagnement").click()
    assert page.locator("#id_low_intensity_offered_error").is_visible()
    axe.check(page, "10-exit-refused")
    page.get_by_label("La personne a été informée").check()
    page.get_by_role("button", name="Clore l’accompagnement").click()
    page.wait_for_url("**/personnes/*/")
    assert "sorti" in page.locator("h1").inner_text()
    axe.check(page, "11-person-exited")
    episode.refresh_from_db()
    assert episode.exit_reason == "person_request"


def test_coordinator_pages_are_accessible(page, axe, coordinator, counsellor, lead):
    from tests.factories import EpisodeFactory, PersonFactory, PrescriptionFactory

    for _ in range(3):
        EpisodeFactory(prescription=PrescriptionFactory(person=PersonFactory(organisation=lead)), counsellor=counsellor)
    PrescriptionFactory(person=PersonFactory(organisation=lead), date=today(), urgent=True)
    coordinator.user.username = "marc.alibert"
    coordinator.user.save()
    sign_in(page, "marc.alibert", PASSWORD)
    page.get_by_role("link", name="Personnes", exact=True).click()
    page.get_by_label("Statut").select_option("current")
    page.get_by_role("button", name="Rechercher").click()
    axe.check(page, "20-person-list-filtered")
    page.get_by_role("link", name="Équipe", exact=True).click()
    axe.check(page, "21-staff-list")
    page.get_by_role("link", name="Ajouter un professionnel").click()
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator("#form-errors").is_visible()
    axe.check(page, "22-staff-form-errors")
