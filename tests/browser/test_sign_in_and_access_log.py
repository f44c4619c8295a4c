"""In a browser, in French: first sign-in with enrolment of the second factor (QR code and key),
recovery codes, a later sign-in with the code, then the access log pages. axe-core checks each."""

from __future__ import annotations

import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tremplin.access import otp


def code_from_key(key_text: str) -> str:
    key = key_text.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(base64.b32decode(key)).token():06d}"


def test_first_sign_in_enrols_the_second_factor_then_signs_in_with_a_code(page, axe, counsellor):
    counsellor.user.username = "claire.martin"
    counsellor.user.save()
    page.goto("/personnes/")
    assert "/connexion/" in page.url
    axe.check(page, "20-sign-in")
    page.get_by_label("Nom d’utilisateur").fill("claire.martin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification/activer/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Configurer la double authentification"
    assert page.get_by_role("img", name="QR code à scanner avec votre application d’authentification").is_visible()
    axe.check(page, "21-otp-enrolment")
    # What a person does with an authenticator application: type the key, read the code.
    page.get_by_role("textbox", name="Code", exact=True).fill(code_from_key(page.locator(".otp-key").inner_text()))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url("**/compte/codes-de-secours/**")
    assert page.locator(".recovery-codes li").count() == 10
    axe.check(page, "22-recovery-codes")
    page.get_by_role("link", name="J’ai conservé mes codes, continuer").click()
    page.wait_for_url("**/personnes/")

    # Sign out, sign in again: the code of the application is asked.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/**")
    page.get_by_label("Nom d’utilisateur").fill("claire.martin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/double-authentification/**")
    page.get_by_role("textbox", name="Code", exact=True).fill("000000")
    page.get_by_role("button", name="Vérifier").click()
    assert page.locator("#id_token_error").is_visible()
    axe.check(page, "23-otp-verification-refused")
    device = TOTPDevice.objects.get(user=counsellor.user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    page.get_by_role("textbox", name="Code", exact=True).fill(otp.current_token(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")


def test_a_manager_sees_who_accessed_a_file(page, axe, manager, counsellor, person):
    from tests.conftest import client_for

    client_for(counsellor).get(f"/personnes/{person.pk}/")
    manager.user.username = "helene.vergnes"
    manager.user.save()
    sign_in(page, "helene.vergnes", PASSWORD)
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Qui a accédé à ce dossier").click()
    page.wait_for_url("**/acces/")
    assert page.get_by_role("cell", name="Claire Martin").first.is_visible()
    axe.check(page, "24-person-accesses")
    page.get_by_role("link", name="Journal des accès").click()
    page.wait_for_url("**/journal/")
    axe.check(page, "25-access-log")
    page.goto(f"/personnes/{person.pk}/notes/")
    axe.check(page, "26-notes")
    page.goto(f"/personnes/{person.pk}/droits/")
    axe.check(page, "27-rights")
