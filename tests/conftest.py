"""Named users of a small platform: a lead organisation (chef de file) and a partner (co-porteur).

- counsellor, colleague: counsellors of the lead organisation
- coordinator: coordinator of the lead organisation (sees the whole platform)
- partner_counsellor, partner_coordinator: staff of the partner (see the partner only)
- outsider: a user with no staff record (sees nothing)
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OrganisationFactory, PersonFactory, PlatformFactory, StaffFactory, UserFactory
from tremplin.organisations.models import Organisation, Staff


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Tests under tests/browser/ carry the `browser` mark (scripts/test.sh runs them last, alone)."""
    for item in items:
        if "/tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _flush_suspends_the_audit_guard():
    """Emptying the tables between transactional tests (Django's flush: TRUNCATE on PostgreSQL,
    DELETE on SQLite) is refused by the audit log's triggers; the test role owns the tables, so
    the flush switches the guard off for its own transaction (tremplin.audit.guard.suspended)."""
    from django.db import transaction
    from django.db.backends.base.operations import BaseDatabaseOperations

    from tremplin.audit import guard

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with transaction.atomic(using=self.connection.alias), guard.suspended(self.connection):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _french(settings):
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture
def platform(db):
    return PlatformFactory()


@pytest.fixture
def lead(platform):
    return OrganisationFactory(
        platform=platform, code="LEAD", name="Association chef de file", role=Organisation.Role.LEAD
    )


@pytest.fixture
def partner(platform):
    return OrganisationFactory(platform=platform, code="PART", name="SAVS partenaire", role=Organisation.Role.PARTNER)


@pytest.fixture
def counsellor(lead):
    return StaffFactory(organisation=lead, name="Claire Martin", function=Staff.Function.COUNSELLOR)


@pytest.fixture
def colleague(lead):
    return StaffFactory(organisation=lead, name="Paul Roux", function=Staff.Function.COUNSELLOR)


@pytest.fixture
def coordinator(lead):
    return StaffFactory(organisation=lead, name="Marc Alibert", function=Staff.Function.COORDINATOR)


@pytest.fixture
def manager(lead):
    return StaffFactory(organisation=lead, name="Hélène Vergnes", function=Staff.Function.MANAGER)


@pytest.fixture
def partner_counsellor(partner):
    return StaffFactory(organisation=partner, name="Laura Delmas", function=Staff.Function.COUNSELLOR)


@pytest.fixture
def partner_coordinator(partner):
    return StaffFactory(organisation=partner, name="Julien Mazars", function=Staff.Function.COORDINATOR)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def person(lead):
    return PersonFactory(organisation=lead, first_name="Jeanne", last_name="Durand")


@pytest.fixture
def partner_person(partner):
    return PersonFactory(organisation=partner, first_name="Karim", last_name="Haddad")


def client_for(user_or_staff) -> Client:
    """A test client signed in as the user (or the staff member's user), second factor passed:
    the user gets a confirmed TOTP device if they have none, and the session is marked verified."""
    from tremplin.access import otp

    user = getattr(user_or_staff, "user", None) or user_or_staff
    client = Client()
    client.force_login(user)
    otp.mark_session_verified(client.session, otp.confirmed_device(user))
    return client


@pytest.fixture
def as_counsellor(counsellor):
    return client_for(counsellor)


@pytest.fixture
def as_coordinator(coordinator):
    return client_for(coordinator)
