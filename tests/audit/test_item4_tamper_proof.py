"""Issue 10, item 4: the audit log cannot be rewritten in the database.

Redaction (retention) may only erase, exactly as retention does it; TRUNCATE and DELETE are
refused; the documented production roles leave the application unable to switch the guard off,
and `tremplin check --deploy` / `tremplin audit_check` say when the connected role could.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.factories import PersonFactory, UserFactory
from tremplin.audit import guard
from tremplin.audit.log import record
from tremplin.audit.models import SAFE_DETAIL_KEYS, AuditEntry, redact_person

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no TRUNCATE and no roles"
)


def _anonymise(person):
    type(person).objects.filter(pk=person.pk).update(anonymised_on=dt.date(2026, 1, 1))


def _refused(queryset, **values):
    with pytest.raises(DatabaseError), transaction.atomic():
        queryset.update(**values)


REDACTION = {"changes": {"last_name": [None, None]}, "detail": {"status": 200}, "redacted": True}


@pytest.fixture
def entry(person, counsellor):
    return record(
        counsellor.user,
        "person.updated",
        person,
        person=person,
        changes={"last_name": ["Durand", "Dupont"]},
        detail={"status": 200, "reason": "moved to Rodez"},
    )


def test_item4_redaction_cannot_write_invented_values(entry, person):
    _anonymise(person)
    rows = AuditEntry.objects.filter(pk=entry.pk)
    # The hole of the former trigger: any value as long as `redacted` goes to true.
    _refused(rows, changes={"last_name": ["Durand", "Forged"]}, detail={"status": 200}, redacted=True)
    _refused(rows, changes={"last_name": [None, None]}, detail={"status": 200, "forged": "x"}, redacted=True)
    _refused(rows, changes={"last_name": [None, None]}, detail={"status": 500}, redacted=True)  # a code changed
    _refused(rows, changes={"last_name": [None, None]}, detail={}, redacted=True)  # a code dropped
    _refused(rows, changes={}, detail={"status": 200}, redacted=True)  # a field name dropped
    _refused(rows, changes={"last_name": [None, None], "x": [None, None]}, detail={"status": 200}, redacted=True)
    _refused(rows, changes={"last_name": [None, None]}, detail={"status": 200})  # not marked redacted
    entry.refresh_from_db()
    assert entry.changes == {"last_name": ["Durand", "Dupont"]} and not entry.redacted
    # Exactly the redaction goes through, once.
    assert rows.update(**REDACTION) == 1
    _refused(rows, changes={"last_name": [None, None]}, detail={}, redacted=True)


def test_item4_only_the_history_of_an_anonymised_person_can_be_redacted(entry, person):
    # The database refuses it on PostgreSQL. On SQLite the trigger reads no other table (one that
    # names people_person breaks the later migrations that rebuild that table): the application does.
    if connection.vendor == "postgresql":
        _refused(AuditEntry.objects.filter(pk=entry.pk), **REDACTION)
    with pytest.raises(ValueError):
        redact_person(person.pk)
    entry.refresh_from_db()
    assert entry.changes == {"last_name": ["Durand", "Dupont"]}


def test_item4_redaction_cannot_change_any_other_column(entry, person, colleague):
    other = PersonFactory(organisation=person.organisation)
    _anonymise(person)
    _anonymise(other)
    changed = {
        "id": entry.pk + 1000,
        "at": entry.at - dt.timedelta(days=30),
        "user": colleague.user,
        "actor": "Someone else",
        "action": "person.viewed",
        "object_type": "people.note",
        "object_id": "999",
        "person": other,
        "ip": "10.9.9.9",
    }
    concrete = {f.name for f in AuditEntry._meta.concrete_fields} - {"changes", "detail", "redacted"}
    assert set(changed) == concrete, "a column of the audit table is not covered by this test"
    for name, value in changed.items():
        _refused(AuditEntry.objects.filter(pk=entry.pk), **REDACTION, **{name: value})
    assert AuditEntry.objects.filter(pk=entry.pk).update(**REDACTION) == 1


def test_item4_retention_keeps_the_codes_and_erases_the_rest_of_detail(person, counsellor):
    every_code = {key: f"code-{key}" for key in sorted(SAFE_DETAIL_KEYS)}
    entry = record(counsellor.user, "person.updated", person, person=person, detail={**every_code, "name": "Jeanne"})
    _anonymise(person)
    assert redact_person(person.pk) == 1  # the trigger's list of codes is the application's list
    entry.refresh_from_db()
    assert entry.detail == every_code and entry.redacted


def test_item4_the_database_refuses_every_delete(entry, person):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    _anonymise(person)
    redact_person(person.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@postgresql_only
def test_item4_truncate_is_refused_even_by_cascade(entry):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else TRUNCATE waits on the deferred foreign keys
    for statement in ("TRUNCATE audit_auditentry", "TRUNCATE people_person CASCADE"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def _documented_grants(role: str) -> list[str]:
    text = DOC.read_text()
    block = re.search(r"<!-- audit-app-role-grants -->\s*```sql\n(.*?)```", text, re.S).group(1)
    return [s.strip().replace("tremplin_app", role) for s in block.split(";") if s.strip()]


@postgresql_only
def test_item4_the_documented_application_role_cannot_rewrite_empty_or_unguard_the_log(entry, person, counsellor):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("needs a PostgreSQL superuser to create a role for the test")
    # As the test's role (the tables' owner, a superuser), the check warns.
    codes = {f.code for f in guard.problems()}
    assert {"W003", "W004"} <= codes
    role = f"tremplin_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test's transaction
        for statement in _documented_grants(role):
            cursor.execute(statement)
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        assert guard.problems() == []
        # The application works: it writes and reads the log, and the retention's redaction goes through.
        written = record(counsellor.user, "person.viewed", person, person=person)
        assert AuditEntry.objects.filter(pk=written.pk).exists()
        _anonymise(person)
        assert redact_person(person.pk) == 2
        # A temporary table cannot pretend that a person is anonymised (the guard's search path).
        living = PersonFactory(organisation=person.organisation)
        entry_of_living = record(counsellor.user, "person.updated", living, person=living, changes={"phone": ["1", "2"]})
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE people_person (id bigint, anonymised_on date)")
            cursor.execute("INSERT INTO people_person VALUES (%s, '2026-01-01')", [living.pk])
        exact = {"changes": {"phone": [None, None]}, "detail": {}, "redacted": True}
        _refused(AuditEntry.objects.filter(pk=entry_of_living.pk), **exact)
        # It cannot change, delete, empty, nor switch the guard off.
        for statement in (
            f"UPDATE audit_auditentry SET action = 'x' WHERE id = {written.pk}",
            f"DELETE FROM audit_auditentry WHERE id = {written.pk}",
            "TRUNCATE audit_auditentry",
            "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
            "DROP TRIGGER audit_entry_no_truncate ON audit_auditentry",
            "SET session_replication_role = replica",
            "CREATE TRIGGER after_the_guard BEFORE UPDATE ON audit_auditentry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@postgresql_only
def test_item4_deploy_check_warns_when_the_application_role_owns_the_audit_table(db):
    ids = {message.id for message in guard.audit_guard_check()}
    assert "tremplin.audit.W004" in ids
    with pytest.raises(CommandError):
        call_command("audit_check", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_truncate")
    assert "tremplin.audit.W002" in {message.id for message in guard.audit_guard_check()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own finding")
def test_item4_deploy_check_on_sqlite_says_what_is_guaranteed_and_warns_when_a_trigger_is_gone(db):
    messages = guard.audit_guard_check()
    assert [m.id for m in messages] == ["tremplin.audit.I001"]
    assert "whoever can write the database file" in messages[0].msg
    out = StringIO()
    call_command("audit_check", stdout=out)
    assert "La protection du journal tient" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_entry_no_delete")  # rolled back with the test's transaction
    assert "tremplin.audit.W001" in {m.id for m in guard.audit_guard_check()}
    with pytest.raises(CommandError):
        call_command("audit_check", stdout=StringIO())


def test_item4_the_owner_alone_empties_the_tables_by_suspending_the_guard(entry):
    """What the test suite's flush does: allowed to the owner, inside its transaction only."""
    with transaction.atomic(), guard.suspended(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert not AuditEntry.objects.exists()
    record(UserFactory(), "person.viewed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
