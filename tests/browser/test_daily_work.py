"""A counsellor's day in a browser, in French: three interventions logged from the caseload with
the keyboard only (htmx, no page reload), the intensity of the month changing; axe-core finds no
serious violation on the caseload, the person's page, the to-do list and the team page."""

from __future__ import annotations

import datetime as dt

from tests.activity.conftest import supported
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, PauseFactory, PersonFactory, StaffFactory
from tremplin.activity.models import Intervention
from tremplin.lib.dates import today


def focused_name(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; if (!e || e === document.body) return '';"
        " return (e.textContent || e.value || '').replace(/\\s+/g, ' ').trim(); }"
    )


def tab_to(page, text: str, limit: int = 120) -> None:
    """Press Tab until the focused element's text contains `text` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in focused_name(page):
            return
    raise AssertionError(f"{text!r} never reached with the Tab key")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def tab_to_field(page, field_id: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_id(page) == field_id:
            return
    raise AssertionError(f"#{field_id} never reached with the Tab key")


def wait_focus_on(page, *, element_id: str = "", text: str = "") -> None:
    """Wait until the focus is where it should be (htmx moves it after the swap has settled)."""
    page.wait_for_function(
        """([id, text]) => { const e = document.activeElement;
            if (!e || e === document.body) return false;  // the body's text holds the whole page's
            return id ? e.id === id : (e.textContent || '').replace(/\\s+/g, ' ').includes(text); }""",
        arg=[element_id, text],
    )


def row_of(page, person):
    return page.locator(f"#cl-{person.pk}")


def test_a_counsellor_logs_three_interventions_from_the_caseload_with_the_keyboard(
    page, axe, counsellor, coordinator, lead
):
    counsellor.user.username = "claire.martin"
    counsellor.user.save()
    coordinator.user.username = "marc.alibert"
    coordinator.user.save()
    jeanne = PersonFactory(organisation=lead, first_name="Jeanne", last_name="Durand")
    supported(jeanne, counsellor)
    karim = PersonFactory(organisation=lead, first_name="Karim", last_name="Bousquet")
    PauseFactory(
        episode=supported(karim, counsellor), start=today() - dt.timedelta(days=30), end=today() - dt.timedelta(days=2)
    )
    supported(PersonFactory(organisation=lead, first_name="Léa", last_name="Costes"), counsellor)
    leaver = StaffFactory(organisation=lead, name="Bruno Parti", end=today() - dt.timedelta(days=3))
    supported(PersonFactory(organisation=lead, first_name="Lou", last_name="Seule"), leaver)

    sign_in(page, "claire.martin", PASSWORD)
    page.get_by_role("link", name="Mon portefeuille").first.click()
    page.wait_for_url("**/portefeuille/")
    assert "léger" in row_of(page, jeanne).inner_text()
    assert "0 min ce mois-ci" in row_of(page, jeanne).inner_text()
    axe.check(page, "daily-01-caseload")

    for number in range(1, 4):
        if number == 1:
            tab_to(page, "Noter une intervention pour Jeanne DURAND")
        page.keyboard.press("Enter")
        page.locator(f"#log{jeanne.pk}_place").wait_for()
        wait_focus_on(page, element_id=f"log{jeanne.pk}_duration_0")  # the form takes the focus: quick durations
        if number == 1:
            axe.check(page, "daily-02-caseload-log-form")
        page.keyboard.press("Space")  # 15 min
        for _ in range(5):
            page.keyboard.press("ArrowRight")  # ... 120 min
        tab_to_field(page, f"log{jeanne.pk}_place")  # past the free duration and today's date
        page.keyboard.press("ArrowDown")  # workplace
        tab_to(page, "Enregistrer l’intervention")
        page.keyboard.press("Enter")
        page.locator(f"#log{jeanne.pk}_place").wait_for(state="detached")  # the row is back, without the form
        status = page.locator("#caseload-status")
        status.get_by_text("Intervention de 120 min enregistrée pour Jeanne DURAND").wait_for()
        assert Intervention.objects.filter(person=jeanne).count() == number
        assert f"{2 * number} h ce mois-ci" in row_of(page, jeanne).inner_text()
        # Focus comes back to the row's action, ready for the next one.
        wait_focus_on(page, text="Noter une intervention pour Jeanne DURAND")

    row = row_of(page, jeanne).inner_text()
    assert "suivi" in row and "léger" not in row  # 6 h this month: follow-up (2 to 8 h)
    assert page.url.endswith("/portefeuille/")  # never left the page
    assert set(Intervention.objects.values_list("minutes", "place")) == {(120, "workplace")}
    axe.check(page, "daily-03-caseload-after")

    # The person's page: the chart and its table show the current month.
    page.get_by_role("link", name="DURAND Jeanne").click()
    page.wait_for_url(f"**/personnes/{jeanne.pk}/")
    assert "6 h — suivi" in page.locator("#person-activity").inner_text()
    page.get_by_text("Tableau des 12 derniers mois").click()
    axe.check(page, "daily-04-person")

    # What is due: the veille past its end, linking to where it is resolved.
    page.get_by_role("link", name="À faire").first.click()
    page.wait_for_url("**/a-faire/")
    assert "la reprise de l’accompagnement n’est pas enregistrée" in page.content()
    axe.check(page, "daily-05-due")

    # The team, for the coordinator.
    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, "marc.alibert", PASSWORD)
    page.get_by_role("link", name="Suivi d’équipe").first.click()
    page.wait_for_url("**/suivi-equipe/")
    assert "Lou SEULE" in page.locator("#orphans-title + p + form").inner_text()
    axe.check(page, "daily-06-team")
    page.get_by_role("link", name="L’équipe").first.click() if page.get_by_role(
        "link", name="L’équipe"
    ).count() else None
    page.goto("/a-faire/?view=team")
    axe.check(page, "daily-07-team-due")


def test_logging_from_the_persons_page_without_a_page_reload(page, axe, counsellor, lead):
    counsellor.user.username = "claire.martin"
    counsellor.user.save()
    jeanne = PersonFactory(organisation=lead, first_name="Jeanne", last_name="Durand")
    supported(jeanne, counsellor)
    sign_in(page, "claire.martin", PASSWORD)
    page.goto(f"/personnes/{jeanne.pk}/")
    page.evaluate("() => { window.__marker = 'same page'; }")
    page.locator(f"#log{jeanne.pk}_duration_3").check()  # 60 min
    page.locator(f"#log{jeanne.pk}_place").select_option("premises")
    page.get_by_role("button", name="Enregistrer l’intervention").click()
    page.locator("#activity-status").get_by_text("Intervention de 60 min enregistrée").wait_for()
    assert page.evaluate("() => window.__marker") == "same page"
    assert "1 h — léger" in page.locator("#person-activity").inner_text()
    # A refused duration: the message sits next to the field, nothing is written.
    page.locator(f"#log{jeanne.pk}_minutes").fill("800")
    page.locator(f"#log{jeanne.pk}_place").select_option("premises")
    page.get_by_role("button", name="Enregistrer l’intervention").click()
    page.locator(f"#log{jeanne.pk}_minutes_error").wait_for()
    assert "entre 1 et 720 minutes" in page.locator(f"#log{jeanne.pk}_minutes_error").inner_text()
    assert Intervention.objects.count() == 1
    assert "enregistrée" not in page.locator("#activity-status").inner_text()  # no stale success message
    axe.check(page, "daily-08-person-refused")
