"""The database's guard of the audit log: what the connected role could do to it.

The triggers (audit/migrations/0004_strict_guard.py) refuse every change but the redaction, every
DELETE and (PostgreSQL) TRUNCATE. They hold only against a role that cannot switch them off: the
table's owner (or a member of the owner role, or a superuser) can disable or drop them. In
production the application connects with a role that does not own the table
(docs/data-protection.md, "Rôles de la base de données"); `problems()` says when that is not
so, for `tremplin check --deploy` and `tremplin audit_check`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core import checks
from django.db import DatabaseError, connections

TABLE = "audit_auditentry"
PG_TRIGGERS = ("audit_entry_no_update_delete", "audit_entry_no_truncate")
SQLITE_TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")
# The only columns the application's role may update (the redaction; the trigger checks the rest).
REDACTION_COLUMNS = ("changes", "detail", "redacted")


@dataclass
class Finding:
    level: str  # "warning" or "info"
    code: str
    message: str
    hint: str = ""


def _table_exists(connection) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def _postgresql(connection) -> list[Finding]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_user, r.rolsuper,
                   pg_get_userbyid(c.relowner),
                   pg_has_role(current_user, c.relowner, 'MEMBER')
            FROM pg_class c, pg_roles r
            WHERE c.oid = %s::regclass AND r.rolname = current_user
            """,
            [TABLE],
        )
        user, superuser, owner, owner_member = cursor.fetchone()
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
        )
        triggers = dict(cursor.fetchall())
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) p "
            "WHERE has_table_privilege(current_user, %s, p)",
            [TABLE],
        )
        table_privileges = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND has_column_privilege(current_user, %s, attname, 'UPDATE') ORDER BY attnum",
            [TABLE, TABLE],
        )
        updatable = [row[0] for row in cursor.fetchall() if row[0] not in REDACTION_COLUMNS]
    for name in PG_TRIGGERS:
        if name not in triggers:
            found.append(Finding("warning", "W001", f"The audit log's trigger {name} is missing.", "Run migrate."))
        elif triggers[name] == "D":
            found.append(
                Finding(
                    "warning",
                    "W002",
                    f"The audit log's trigger {name} is disabled: the log can be rewritten.",
                    f"ALTER TABLE {TABLE} ENABLE TRIGGER {name};",
                )
            )
    if superuser:
        found.append(
            Finding(
                "warning",
                "W003",
                f"The application connects as {user}, a PostgreSQL superuser: it can switch off the audit log's "
                "triggers and rewrite or empty the log.",
                "Connect the application with its own role (docs/data-protection.md, database roles).",
            )
        )
    if owner_member:
        found.append(
            Finding(
                "warning",
                "W004",
                f"The application's role {user} owns the audit table (owner {owner}), or is a member of its owner: "
                "it can disable or drop the triggers and rewrite or empty the log.",
                "Let another role own the tables and run the migrations; give the application's role only "
                "INSERT, SELECT and UPDATE (changes, detail, redacted) on the audit table "
                "(docs/data-protection.md, database roles).",
            )
        )
    extra = table_privileges + [f"UPDATE ({name})" for name in updatable]
    if extra and not (superuser or owner_member):
        found.append(
            Finding(
                "warning",
                "W005",
                f"The application's role {user} holds more than it needs on the audit table: {', '.join(extra)}.",
                f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {TABLE} FROM {user}; "
                f"GRANT UPDATE ({', '.join(REDACTION_COLUMNS)}) ON {TABLE} TO {user};",
            )
        )
    return found


def _sqlite(connection) -> list[Finding]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        triggers = {row[0] for row in cursor.fetchall()}
    found = [
        Finding("warning", "W001", f"The audit log's trigger {name} is missing.", "Run migrate.")
        for name in SQLITE_TRIGGERS
        if name not in triggers
    ]
    found.append(
        Finding(
            "info",
            "I001",
            "SQLite: triggers refuse any change to the audit log from the application, but whoever can write "
            "the database file can drop them and rewrite the log.",
            "Use PostgreSQL with a separate owner role in production (docs/data-protection.md).",
        )
    )
    return found


def problems(using: str = "default") -> list[Finding]:
    """What the connected role could do to the audit log; empty when the guard holds.
    Nothing is said before the audit table exists (migrations not run yet)."""
    connection = connections[using]
    try:
        if not _table_exists(connection):
            return []
        if connection.vendor == "postgresql":
            return _postgresql(connection)
        if connection.vendor == "sqlite":
            return _sqlite(connection)
    except DatabaseError as error:
        return [Finding("info", "I002", f"The audit log's guard could not be inspected: {error}")]
    return [Finding("warning", "W006", f"No audit guard for the {connection.vendor} database.")]


@checks.register("audit", deploy=True)
def audit_guard_check(app_configs=None, **kwargs):
    """Part of `tremplin check --deploy`: the audit log cannot be rewritten by the application."""
    messages = []
    for finding in problems():
        kind = checks.Warning if finding.level == "warning" else checks.Info
        messages.append(kind(finding.message, hint=finding.hint or None, id=f"tremplin.audit.{finding.code}"))
    return messages


@contextlib.contextmanager
def suspended(connection):
    """Switch the guard off for the block, inside the current transaction, to empty the tables
    (the test suite's flush). Only the table's owner can: an application role set up as documented
    gets a permission error here, which is the point."""
    if not _table_exists(connection):
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check: run the pending ones now (Django's foreign
            # keys are deferred), as a flush would have to anyway before emptying the tables.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_entry_no_delete'")
            row = cursor.fetchone()
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            elif connection.vendor == "sqlite" and row:
                cursor.execute(row[0])
