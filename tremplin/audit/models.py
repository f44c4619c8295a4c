"""The append-only log of changes and of reads of sensitive records.

One table serves two purposes: the history shown on a person's page (who changed which
fields, old and new values) and the audit trail (who read what, when, from where).
Rows are never updated or deleted by the application; the database refuses it too (triggers:
UPDATE and DELETE on both databases, TRUNCATE on PostgreSQL), except the one redaction below.
What each database guarantees, and the roles to set up in production: docs/data-protection.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def naming(self, person) -> AuditQuerySet:
        """The entries about the person, and the lists of persons (persons.listed) that showed them."""
        from django.db import connection
        from django.db.models.expressions import RawSQL

        pk = getattr(person, "pk", person)
        if connection.vendor == "postgresql":
            listed = models.Q(action="persons.listed", detail__persons__contains=[pk])
        else:  # SQLite has no JSON containment lookup: look inside the list with json_each.
            listed = models.Q(
                pk__in=RawSQL(
                    "SELECT a.id FROM audit_auditentry a, json_each(a.detail, '$.persons') j "
                    "WHERE a.action = 'persons.listed' AND j.value = %s",
                    [pk],
                )
            )
        return self.filter(models.Q(person_id=pk) | listed)


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(_("who"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Set once, by the retention (anonymisation of the person): `changes` then holds field names
    # only. The database trigger allows exactly this change and nothing else
    # (migrations/0004_strict_guard.py).
    redacted = models.BooleanField(default=False, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="audit_person_at_idx")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")


REDACTED = None  # the value that replaces old and new values in a redacted entry
REDACTED_PAIR = (REDACTED, REDACTED)  # the marker of a redacted change: [null, null] in the database


def redact_person(person_id: int) -> int:
    """Remove the values (keep the field names) of every change recorded about an anonymised
    person, and the details other than their codes. The one update the append-only guard lets
    through, and the database checks that it is exactly this one: the person's file is anonymised,
    `redacted` goes from false to true, every value of `changes` becomes REDACTED_PAIR, `detail`
    keeps only SAFE_DETAIL_KEYS, and nothing else changes."""
    from tremplin.people.models import Person

    if not Person.objects.filter(pk=person_id, anonymised_on__isnull=False).exists():
        raise ValueError("Only the history of an anonymised person can be redacted.")
    count = 0
    for entry in AuditEntry.objects.filter(person_id=person_id, redacted=False).only("id", "changes", "detail"):
        changes = {name: list(REDACTED_PAIR) for name in (entry.changes or {})}
        detail = {k: v for k, v in (entry.detail or {}).items() if k in SAFE_DETAIL_KEYS}
        count += AuditEntry.objects.filter(pk=entry.pk, redacted=False).update(
            changes=changes, detail=detail, redacted=True
        )
    return count


# Detail keys that never hold personal values (codes, statuses, formats). The database trigger
# holds the same list (audit/migrations/0004_strict_guard.py): changing it needs a migration.
SAFE_DETAIL_KEYS = {
    "status", "path", "method", "action", "format", "domain", "decision", "second_factor", "kind", "page"
}
