"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Screenshots of every checked page land in test-artifacts/screenshots/ (look at them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TREMPLIN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


class Axe:
    """Runs axe-core on the current page; serious and critical violations fail the test."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe as _Axe

        self._axe = _Axe()

    def check(self, page, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        result = self._axe.run(page)
        # After a full-page screenshot (the viewport is resized for a moment), Chromium may drop the
        # next mouse click on a lower part of a long page: back to the top, mouse moved, as a user.
        page.evaluate("() => window.scrollTo(0, 0)")
        page.mouse.move(1, 1)
        bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
        assert not bad, f"axe-core on {name}: {summary}"


@pytest.fixture(scope="session")
def axe():
    return Axe()


def sign_in(page, username: str, password: str):
    """Sign in with the password, then the second factor: the user gets a confirmed TOTP device
    if they have none, and the current code is computed and typed like an authenticator app."""
    from django.contrib.auth import get_user_model

    from tremplin.access import otp

    user = get_user_model().objects.get(username=username)
    device = otp.confirmed_device(user)
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/double-authentification/**")
    # A code is accepted once: let this sign-in use the current one even if an earlier one did.
    type(device).objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    page.get_by_role("textbox", name="Code", exact=True).fill(otp.current_token(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)
