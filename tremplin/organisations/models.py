"""Platforms, their organisations (chef de file and co-porteurs), staff and resources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dated import DatedState
from tremplin.lib.fields import DateField

IN_POST = DatedState("start", "end", end_included=True)  # a staff member in post on D


class Platform(models.Model):
    """A plateforme départementale d'emploi accompagné."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.CharField(
        _("département"), max_length=3, help_text=_("Département number, for example 12, 2A or 974.")
    )

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def lead(self) -> Organisation | None:
        return self.organisations.filter(role=Organisation.Role.LEAD).first()


class Organisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead organisation (chef de file)")
        PARTNER = "partner", _("partner organisation (co-porteur)")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="organisations")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the platform"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "code"], name="organisation_code_unique"),
            models.UniqueConstraint(
                fields=["platform"], condition=Q(role="lead"), name="one_lead_organisation_per_platform"
            ),
            models.CheckConstraint(condition=Q(role__in=["lead", "partner"]), name="organisation_role_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class Staff(models.Model):
    """A member of staff of one organisation of the platform."""

    class Function(models.TextChoices):
        COUNSELLOR = "counsellor", _("counsellor")
        COORDINATOR = "coordinator", _("coordinator")
        MANAGER = "manager", _("manager")
        ADMINISTRATIVE = "administrative", _("administrative staff")
        OTHER = "other", _("other")

    class Rncp(models.TextChoices):
        CERTIFIED = "certified", _("certified")
        IN_TRAINING = "in_training", _("in training")
        NONE = "none", _("none")

    class ClinicalDomain(models.TextChoices):
        MEDICAL = "medical", _("medical")
        PSYCHOLOGICAL = "psychological", _("psychological")
        SOCIAL = "social", _("social")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("full name"), max_length=200)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_("Full-time equivalent, from 0.01 to 1."),
    )
    start = DateField(_("start date"))
    end = DateField(_("end date"), null=True, blank=True)
    rncp37779 = models.CharField(
        _("RNCP37779 title (conseiller en emploi accompagné)"),
        max_length=12,
        choices=Rncp.choices,
        default=Rncp.NONE,
    )
    clinical_domain = models.CharField(
        _("clinical domain"),
        max_length=16,
        choices=ClinicalDomain.choices,
        blank=True,
        help_text=_("For medical, psychological or social professionals only."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("user account"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="staff_code_unique"),
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="staff_fte_in_range"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="staff_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def platform(self) -> Platform:
        return self.organisation.platform

    def is_in_post(self, day: dt.date) -> bool:
        return IN_POST.holds(self.start, self.end, day)

    @property
    def sees_whole_platform(self) -> bool:
        """Coordinators and managers of the lead organisation see every partner's persons."""
        return self.organisation.is_lead and self.function in (
            self.Function.COORDINATOR,
            self.Function.MANAGER,
        )


class TimeAllocation(models.Model):
    """How a staff member's time splits over a year (steering indicator)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="time_allocations")
    year = models.PositiveSmallIntegerField(_("year"))
    support = models.DecimalField(_("support"), max_digits=4, decimal_places=3)
    coordination = models.DecimalField(_("coordination"), max_digits=4, decimal_places=3)
    management = models.DecimalField(_("management"), max_digits=4, decimal_places=3)
    partnership = models.DecimalField(_("partnership"), max_digits=4, decimal_places=3)

    class Meta:
        verbose_name = _("time allocation")
        verbose_name_plural = _("time allocations")
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="time_allocation_unique"),
        ]


class Training(models.Model):
    class Status(models.TextChoices):
        DELIVERED = "delivered", _("delivered")
        PLANNED = "planned", _("planned")

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")


class Funding(models.Model):
    class Funder(models.TextChoices):
        STATE = "state", _("State")
        AGEFIPH = "agefiph", _("AGEFIPH")
        FIPHFP = "fiphfp", _("FIPHFP")
        OTHER = "other", _("other")

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="fundings")
    year = models.PositiveSmallIntegerField(_("year"))
    funder = models.CharField(_("funder"), max_length=10, choices=Funder.choices)
    amount_eur = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("fundings")
