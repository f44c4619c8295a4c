"""Redaction for the retention: the one change the append-only guard allows.

When the retention anonymises a person, the values recorded in their history (old and new
names, addresses...) must go too. The trigger now allows an UPDATE only when `redacted` goes
from false to true and every column other than `changes` and `detail` is unchanged; any other
UPDATE, any UPDATE of an already redacted row, and (on PostgreSQL) every DELETE is refused.
"""

from django.db import migrations, models

PG_FORWARD = """
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
"""
PG_BACKWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_FORWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_update;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.id = OLD.id AND NEW.at = OLD.at
          AND NEW.action = OLD.action AND NEW.actor = OLD.actor AND NEW.object_type = OLD.object_type
          AND NEW.object_id = OLD.object_id AND NEW.user_id IS OLD.user_id AND NEW.person_id IS OLD.person_id
          AND NEW.ip IS OLD.ip)
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""
SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_update;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in ("DROP TRIGGER IF EXISTS audit_entry_no_update", SQLITE_FORWARD.split(";\n", 1)[1]):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in ("DROP TRIGGER IF EXISTS audit_entry_no_update", SQLITE_BACKWARD.split(";\n", 1)[1]):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_guard")]
    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="redacted",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(forward, backward),
    ]
