"""Supported persons and their disability recognitions."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import add_months
from tremplin.lib.text import normalise


class Sex(models.TextChoices):
    F = "F", _("female")
    M = "M", _("male")
    X = "X", _("other / not specified")


class Disability(models.TextChoices):
    PSYCHIC = "psychic", _("psychic")
    AUTISM = "autism", _("autism spectrum disorder")
    INTELLECTUAL = "intellectual", _("intellectual development disorder")
    COGNITIVE = "cognitive", _("cognitive")
    SENSORY = "sensory", _("sensory")
    MOTOR = "motor", _("motor")
    CHRONIC_DISEASE = "chronic_disease", _("chronic disease")
    MULTIPLE = "multiple", _("multiple disabilities")
    OTHER = "other", _("other")


class EducationLevel(models.TextChoices):
    NONE = "none", _("no diploma")
    L3 = "3", _("level 3 (CAP, BEP)")
    L4 = "4", _("level 4 (baccalauréat)")
    L5 = "5", _("level 5 (bac + 2)")
    L6 = "6", _("level 6 (bac + 3 or 4)")
    L7 = "7", _("level 7 (bac + 5)")
    L8 = "8", _("level 8 (doctorate)")


class Person(models.Model):
    """A person with a disability recognition, supported (or to be) by the platform."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("organisation"),
    )
    code = models.CharField(_("file number"), max_length=30)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    legal_representative = models.CharField(
        _("legal representative"),
        max_length=200,
        blank=True,
        help_text=_("Name and measure (guardianship, curatorship...), if any."),
    )
    legal_representative_contact = models.CharField(
        _("legal representative's contact details"), max_length=200, blank=True
    )
    disabilities = models.JSONField(_("disabilities"), default=list, blank=True, help_text=_("Main disability first."))
    education_level = models.CharField(_("education level"), max_length=4, choices=EducationLevel.choices, blank=True)
    search_name = models.CharField(max_length=210, editable=False, db_index=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="person_code_unique"),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = normalise(f"{self.first_name} {self.last_name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def main_disability(self) -> str | None:
        return self.disabilities[0] if self.disabilities else None

    def disability_labels(self) -> list[str]:
        labels = dict(Disability.choices)
        return [str(labels.get(value, value)) for value in self.disabilities]


class Recognition(models.Model):
    """A disability recognition giving access to emploi accompagné (RQTH or another BOE title)."""

    class Kind(models.TextChoices):
        RQTH = "rqth", _("RQTH")
        OTHER_BOE = "other_boe", _("other beneficiary-of-the-employment-obligation title")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty if permanent."))

    EXPIRY_WARNING_MONTHS = 6

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="recognition_end_after_start",
            ),
            models.CheckConstraint(condition=Q(kind__in=["rqth", "other_boe"]), name="recognition_kind_valid"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def is_valid_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def expires_soon(self, day: dt.date) -> bool:
        """Valid today and ending within six months: renewal is to be prepared."""
        return self.end is not None and self.end >= day and self.end <= add_months(day, self.EXPIRY_WARNING_MONTHS)

    def is_expired(self, day: dt.date) -> bool:
        return self.end is not None and self.end < day
