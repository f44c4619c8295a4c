"""Steering: quarterly transmissions and bundle import jobs (the indicators themselves are
computed, never stored, except as the frozen figures of a transmission)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import short_date
from tremplin.lib.fields import DateField


class Transmission(models.Model):
    """A period's indicators as transmitted (frozen figures), with who transmitted them and when."""

    platform = models.ForeignKey("organisations.Platform", on_delete=models.PROTECT, related_name="transmissions")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transmissions",
        help_text=_("Empty for the whole platform."),
    )
    start = DateField(_("first day"))
    end = DateField(_("last day"))
    figures = models.JSONField(_("figures as transmitted"), editable=False)
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transmitted_by_name = models.CharField(_("transmitted by"), max_length=200, blank=True)
    transmitted_at = models.DateTimeField(_("transmitted on"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-transmitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="transmission_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{short_date(self.start)} – {short_date(self.end)}"

    @property
    def scope_code(self) -> str:
        return self.organisation.code if self.organisation_id else "platform"


class ImportJob(models.Model):
    """A bundle uploaded from the import page, checked then imported by a worker (`steering.jobs`:
    claimed by a compare-and-set update, progress and heartbeat on this row)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RUNNING = "running", _("in progress")
        REFUSED = "refused", _("refused: errors in the file")
        DONE = "done", _("imported")
        FAILED = "failed", _("interrupted")

    class Failure(models.TextChoices):
        ERROR = "error", _("an error during the import")
        LOST = "lost", _("the import service stopped")
        EXPIRED = "expired", _("never started")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, editable=False)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    failure = models.CharField(_("reason of the failure"), max_length=10, choices=Failure.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written by the worker that runs the job (see steering.jobs).
    worker = models.CharField(max_length=100, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=10, default="check", editable=False)  # check, then import
    percent = models.PositiveSmallIntegerField(default=0, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bundle import")
        verbose_name_plural = _("bundle imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.REFUSED, self.Status.DONE, self.Status.FAILED)
