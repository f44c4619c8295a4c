"""The audit guard, strict (issue 10, item 4).

Before: the one UPDATE the trigger let through (redaction) could write anything into `changes`
and `detail` of any entry not yet redacted; TRUNCATE emptied the table; on SQLite, DELETE was
allowed (for the test suite's teardown).

Now the database allows exactly one change, computed from the old row, and nothing else:
- the entry is about a person whose file is anonymised (people_person.anonymised_on set);
- `redacted` goes from false to true;
- `changes` keeps exactly its field names, each value replaced by the marker [null, null];
- `detail` keeps exactly the keys that never hold personal values (SAFE_DETAIL_KEYS in
  tremplin/audit/models.py, same list below), with their values unchanged; the others go;
- every other column is unchanged (PostgreSQL compares the whole row as JSON, so a column added
  later is covered too; SQLite lists the columns, a test checks that the list is complete).
The functions' search path is pinned to the tables' schema (then pg_temp), so that a temporary
table named people_person cannot pretend that a person is anonymised.
Any other UPDATE, every DELETE (SQLite too, now) and, on PostgreSQL, TRUNCATE (a statement
trigger, which also fires for a TRUNCATE ... CASCADE from another table) are refused.

The test suite empties tables between some tests: it suspends the guard as the table's owner
(tremplin.audit.guard.suspended), which a production application role cannot do
(docs/data-protection.md, "Rôles de la base de données").
"""

from django.db import migrations

SAFE_DETAIL_KEYS = (
    "status", "path", "method", "action", "format", "domain", "decision", "second_factor", "kind", "page"
)
_SAFE_SQL = ", ".join(f"'{key}'" for key in SAFE_DETAIL_KEYS)

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_entry_redacted_changes(old jsonb) RETURNS jsonb AS $$
    SELECT coalesce(jsonb_object_agg(key, '[null, null]'::jsonb), '{{}}'::jsonb)
    FROM jsonb_each(CASE WHEN jsonb_typeof(old) = 'object' THEN old ELSE '{{}}'::jsonb END)
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION audit_entry_redacted_detail(old jsonb) RETURNS jsonb AS $$
    SELECT coalesce(jsonb_object_agg(key, value), '{{}}'::jsonb)
    FROM jsonb_each(CASE WHEN jsonb_typeof(old) = 'object' THEN old ELSE '{{}}'::jsonb END)
    WHERE key IN ({_SAFE_SQL})
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted = false AND NEW.redacted = true
       AND OLD.person_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM people_person p WHERE p.id = OLD.person_id AND p.anonymised_on IS NOT NULL)
       AND (to_jsonb(NEW) - 'changes' - 'detail' - 'redacted') = (to_jsonb(OLD) - 'changes' - 'detail' - 'redacted')
       AND NEW.changes = audit_entry_redacted_changes(OLD.changes)
       AND NEW.detail = audit_entry_redacted_detail(OLD.detail) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_entry_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate();
"""

PG_FUNCTIONS = (
    "audit_entry_redacted_changes(jsonb)",
    "audit_entry_redacted_detail(jsonb)",
    "audit_entry_append_only()",
    "audit_entry_no_truncate()",
)

PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_no_truncate();
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted = false AND NEW.redacted = true
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.actor = OLD.actor
       AND NEW.object_type = OLD.object_type AND NEW.object_id = OLD.object_id
       AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id
       AND NEW.ip IS NOT DISTINCT FROM OLD.ip THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS audit_entry_redacted_changes(jsonb);
DROP FUNCTION IF EXISTS audit_entry_redacted_detail(jsonb);
"""

# Every column but changes, detail and redacted must stay the same (tests/audit check the list).
# SQLite: the trigger reads no other table. A trigger naming people_person breaks every later
# migration that rebuilds that table (SQLite's ALTER TABLE ... RENAME re-checks the triggers), so
# on SQLite "the person is anonymised" is checked by the application (people.retention), not by
# the database; docs/data-protection.md says so.
SQLITE_SAME_COLUMNS = ("id", "at", "user_id", "actor", "action", "object_type", "object_id", "person_id", "ip")

SQLITE_UPDATE = f"""
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
WHEN NOT coalesce((
    OLD.redacted = 0 AND NEW.redacted = 1
    AND OLD.person_id IS NOT NULL
    AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in SQLITE_SAME_COLUMNS)}
    AND json_type(NEW.changes) = 'object'
    AND NOT EXISTS (
        SELECT 1 FROM json_each(NEW.changes) n
        WHERE (CASE WHEN n.type = 'array' THEN json(n.value) <> '[null,null]' ELSE 1 END)
           OR NOT EXISTS (SELECT 1 FROM json_each(OLD.changes) o WHERE o.key = n.key))
    AND NOT EXISTS (
        SELECT 1 FROM json_each(OLD.changes) o
        WHERE NOT EXISTS (SELECT 1 FROM json_each(NEW.changes) n WHERE n.key = o.key))
    AND json_type(NEW.detail) = 'object'
    AND NOT EXISTS (
        SELECT 1 FROM json_each(NEW.detail) n
        WHERE n.key NOT IN ({_SAFE_SQL})
           OR NOT EXISTS (
               SELECT 1 FROM json_each(OLD.detail) o
               WHERE o.key = n.key AND o.type = n.type AND o.atom IS n.atom
                 AND (CASE WHEN o.type IN ('array', 'object') THEN json(o.value) = json(n.value) ELSE 1 END)))
    AND NOT EXISTS (
        SELECT 1 FROM json_each(OLD.detail) o
        WHERE o.key IN ({_SAFE_SQL})
          AND NOT EXISTS (SELECT 1 FROM json_each(NEW.detail) n WHERE n.key = o.key))
), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
"""
SQLITE_DELETE = """
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
"""
SQLITE_OLD_UPDATE = """
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.id = OLD.id AND NEW.at = OLD.at
          AND NEW.action = OLD.action AND NEW.actor = OLD.actor AND NEW.object_type = OLD.object_type
          AND NEW.object_id = OLD.object_id AND NEW.user_id IS OLD.user_id AND NEW.person_id IS OLD.person_id
          AND NEW.ip IS OLD.ip)
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
        # The functions find tables by name: pin their search path to the schema of the tables, so
        # that a temporary table (pg_temp comes first by default) cannot stand in for people_person.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = schema_editor.quote_name(cursor.fetchone()[0])
        for function in PG_FUNCTIONS:
            schema_editor.execute(f"ALTER FUNCTION {function} SET search_path = {schema}, pg_temp")
    elif vendor == "sqlite":
        for statement in (
            "DROP TRIGGER IF EXISTS audit_entry_no_update",
            SQLITE_UPDATE,
            "DROP TRIGGER IF EXISTS audit_entry_no_delete",
            SQLITE_DELETE,
        ):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in (
            "DROP TRIGGER IF EXISTS audit_entry_no_delete",
            "DROP TRIGGER IF EXISTS audit_entry_no_update",
            SQLITE_OLD_UPDATE,
        ):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_redaction"), ("people", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
