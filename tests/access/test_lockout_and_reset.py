"""Issue 10, items 17 and 18: the forgotten-password page is rate-limited without telling
anything, and a login is locked per (login, address) pair, with a higher threshold for the login
from every address (docs/permissions.md, Connexion)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD
from tremplin.audit.models import AuditEntry

WRONG = "wrong-password-123"


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password, "next": ""})


def from_address(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


@pytest.fixture
def user(counsellor):
    counsellor.user.email = "claire@example.org"
    counsellor.user.save()
    return counsellor.user


# Item 18 ---------------------------------------------------------------------------------------


def test_item18_five_failures_lock_the_login_from_that_address_only(user, settings):
    attacker = from_address("203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(attacker, user.username, WRONG).status_code == 200
    assert sign_in(attacker, user.username, WRONG).status_code == 429
    # Even the right password does not get through from the attacker's address...
    assert sign_in(attacker, user.username).status_code == 429
    # ...but the owner, at the office, still signs in.
    assert sign_in(from_address("192.0.2.10"), user.username).status_code == 302


def test_item18_a_guess_spread_over_many_addresses_locks_the_login_everywhere(user, settings):
    assert settings.TREMPLIN_LOCKOUT_LOGIN_FAILURES == 20
    failures = 0
    address = 0
    # Four failures per address, never reaching the pair's threshold.
    while failures < settings.TREMPLIN_LOCKOUT_LOGIN_FAILURES - 1:
        address += 1
        client = from_address(f"198.51.100.{address}")
        for _ in range(min(settings.AXES_FAILURE_LIMIT - 1, settings.TREMPLIN_LOCKOUT_LOGIN_FAILURES - 1 - failures)):
            assert sign_in(client, user.username, WRONG).status_code == 200
            failures += 1
    # The 20th failure locks the login, from any address, the owner's too.
    assert sign_in(from_address("198.51.100.200"), user.username, WRONG).status_code == 429
    owner = sign_in(from_address("192.0.2.10"), user.username)
    assert owner.status_code == 429
    assert "Trop d’échecs de connexion" in owner.content.decode()


def test_item18_failures_while_locked_do_not_count_towards_the_login_threshold(user, settings):
    attacker = from_address("203.0.113.7")
    for _ in range(settings.TREMPLIN_LOCKOUT_LOGIN_FAILURES + 5):
        sign_in(attacker, user.username, WRONG)
    # One address hammering alone cannot lock the owner out from elsewhere.
    assert sign_in(from_address("192.0.2.10"), user.username).status_code == 302


def test_item18_the_accounts_page_shows_both_locks_and_unlocks_them(user, manager, settings):
    for address in range(1, 6):
        client = from_address(f"198.51.100.{address}")
        for _ in range(4):
            sign_in(client, user.username, WRONG)
    as_manager = client_for(manager)
    assert "bloqué" in as_manager.get(reverse("account_list")).content.decode()
    as_manager.post(reverse("account_unlock", args=[user.pk]))
    assert sign_in(from_address("192.0.2.10"), user.username).status_code == 302


# Item 17 ---------------------------------------------------------------------------------------


def reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_item17_at_most_three_emails_per_address_per_hour_and_the_page_answers_the_same(user, settings):
    assert settings.TREMPLIN_RESET_PER_ADDRESS == 3
    answers = [reset(from_address(f"198.51.100.{i}"), "Claire@example.org") for i in range(1, 10)]
    assert len(mail.outbox) == 3
    assert {(a.status_code, a.url) for a in answers} == {(302, reverse("password_reset_done"))}
    assert AuditEntry.objects.filter(action="account.reset_throttled").count() == 6


def test_item17_at_most_ten_requests_per_client_address_per_hour(user, settings):
    assert settings.TREMPLIN_RESET_PER_IP == 10
    client = from_address("203.0.113.7")
    for i in range(10):
        assert reset(client, f"nobody{i}@example.org").status_code == 302
    # The 11th request from that address, even for an existing account, sends nothing but
    # answers exactly as before.
    answer = reset(client, "claire@example.org")
    assert (answer.status_code, answer.url) == (302, reverse("password_reset_done"))
    assert mail.outbox == []
    # From another address, the owner gets the link.
    reset(from_address("192.0.2.10"), "claire@example.org")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["claire@example.org"]


def test_item17_the_address_is_not_stored_in_clear(user):
    from tremplin.access.models import PasswordResetRequest

    reset(Client(), "claire@example.org")
    row = PasswordResetRequest.objects.get()
    assert "claire" not in row.address_hash and len(row.address_hash) == 64
