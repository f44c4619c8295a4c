"""Employers, contracts, placements and individual support agreements.

A person's employment status (in work, between jobs) is derived from contracts, never typed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tremplin.lib.dated import DatedState
from tremplin.lib.fields import DateField

# INDICATORS.md: a contract covers D when start <= D and (end is null or end >= D). The one
# definition (tremplin/lib/dated.py) of `Contract.covers`, `status.covering` and the indicators.
COVERS = DatedState("start", "end", end_included=True)


def siret_is_valid(value: str) -> bool:
    """14 digits with a valid Luhn checksum (La Poste's establishments use their own rule)."""
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith("356000000"):
        return sum(int(c) for c in value) % 5 == 0
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    if value and not siret_is_valid(value):
        raise ValidationError(
            _("A SIRET number has 14 digits and a valid checksum: please check it."), code="invalid_siret"
        )


class EmployerKind(models.TextChoices):
    PRIVATE = "private", _("private company")
    PUBLIC = "public", _("public employer")
    SELF_EMPLOYED = "self_employed", _("the person's own self-employed activity")


class Employer(models.Model):
    class SizeBand(models.TextChoices):
        MICRO = "0-9", _("fewer than 10 employees")
        SMALL = "10-49", _("10 to 49 employees")
        MEDIUM = "50-249", _("50 to 249 employees")
        LARGE = "250+", _("250 employees or more")

    Kind = EmployerKind

    platform = models.ForeignKey("organisations.Platform", on_delete=models.PROTECT, related_name="employers")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=15, choices=EmployerKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    naf = models.CharField(_("NAF sector code"), max_length=6, blank=True)
    size_band = models.CharField(_("size"), max_length=8, choices=SizeBand.choices, blank=True)
    address = models.TextField(_("address"), blank=True)
    occupational_health_service = models.CharField(_("occupational health service"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "code"], name="employer_code_unique"),
            models.UniqueConstraint(fields=["platform", "siret"], condition=~Q(siret=""), name="employer_siret_unique"),
            models.CheckConstraint(condition=Q(kind__in=EmployerKind.values), name="employer_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def siret_display(self) -> str:
        """SIREN (9 digits, in threes) then the establishment's NIC (5 digits): 790 380 719 44355."""
        s = self.siret
        return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}" if len(s) == 14 else s


class EmployerContact(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("employer contact")
        verbose_name_plural = _("employer contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContractType(models.TextChoices):
    CDI = "cdi", _("permanent contract (CDI)")
    CDD = "cdd", _("fixed-term contract (CDD)")
    INTERIM = "interim", _("temporary work (intérim)")
    APPRENTICESHIP = "apprenticeship", _("apprenticeship")
    PROFESSIONALISATION = "professionalisation", _("professionalisation contract")
    SUBSIDISED = "subsidised", _("subsidised contract")
    SELF_EMPLOYED = "self_employed", _("self-employment")
    OTHER = "other", _("other")


class ContractEndReason(models.TextChoices):
    TERM = "term", _("planned end reached")
    RESIGNATION = "resignation", _("resignation")
    DISMISSAL = "dismissal", _("dismissal")
    MUTUAL_TERMINATION = "mutual_termination", _("mutual termination")
    TRIAL_PERIOD = "trial_period", _("end of trial period")
    OTHER = "other", _("other")


class Contract(models.Model):
    Type = ContractType
    EndReason = ContractEndReason

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="contracts")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("employer")
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    start = DateField(_("start date"))
    planned_end = DateField(_("planned end"), null=True, blank=True)
    end = DateField(_("actual end"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=ContractEndReason.choices, blank=True)
    weekly_hours = models.DecimalField(_("weekly hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    adjustments = models.TextField(_("workplace adjustments made"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="contract_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("start")),
                name="contract_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True, end_reason="")
                | Q(end__isnull=False, end_reason__in=ContractEndReason.values),
                name="contract_end_reason_exactly_when_ended",
            ),
            models.CheckConstraint(condition=Q(type__in=ContractType.values), name="contract_type_valid"),
            models.CheckConstraint(
                condition=Q(weekly_hours__isnull=True) | (Q(weekly_hours__gt=0) & Q(weekly_hours__lte=70)),
                name="contract_weekly_hours_range",
            ),
        ]
        indexes = [models.Index(fields=["person", "start"], name="contract_person_start_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.employer}"

    def covers(self, day: dt.date) -> bool:
        return COVERS.holds(self.start, self.end, day)


class PlacementKind(models.TextChoices):
    PMSMP = "pmsmp", _("PMSMP (work-situation placement)")
    INTERNSHIP = "internship", _("internship")
    IMMERSION = "immersion", _("immersion")
    VOLUNTEER = "volunteer", _("volunteering")


class Placement(models.Model):
    """A placement never counts as employment (INDICATORS.md)."""

    Kind = PlacementKind

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="placements")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="placements", null=True, blank=True, verbose_name=_("host")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PlacementKind.choices)
    start = DateField(_("start date"))
    end = DateField(_("end date"))
    tutor = models.CharField(_("tutor"), max_length=200, blank=True)
    objective = models.TextField(_("objective"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="placement_end_after_start"),
            models.CheckConstraint(condition=Q(kind__in=PlacementKind.values), name="placement_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employer or ''}"


class SupportAgreement(models.Model):
    """A version of the convention individuelle d'accompagnement (initial, or an amendment)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("agreement")
        AMENDMENT = "amendment", _("amendment (avenant)")

    episode = models.ForeignKey("pathways.Episode", on_delete=models.CASCADE, related_name="agreements")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements")
    pause = models.ForeignKey("pathways.Pause", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    terms = models.TextField(_("terms of intervention"), blank=True)
    change_summary = models.TextField(_("what this amendment changes"), blank=True)
    content = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by_person_on = DateField(_("signed by the person on"), null=True, blank=True)
    signed_by_platform_on = DateField(_("signed by the platform on"), null=True, blank=True)
    signed_by_employer_on = DateField(_("signed by the employer on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("support agreement")
        verbose_name_plural = _("support agreements")
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="agreement_version_unique"),
            # Version 1 is the agreement itself; every later version is an amendment (avenant).
            models.CheckConstraint(
                condition=Q(number=1, kind="initial") | Q(number__gt=1, kind="amendment"),
                name="agreement_first_is_initial_then_amendments",
            ),
            # An amendment records what it changes.
            models.CheckConstraint(
                condition=Q(kind="initial") | ~Q(change_summary=""), name="amendment_states_its_change"
            ),
            # Only an employer named in the agreement signs it.
            models.CheckConstraint(
                condition=Q(employer__isnull=False) | Q(signed_by_employer_on__isnull=True),
                name="agreement_employer_signs_only_when_named",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.INITIAL:
            return str(_("Support agreement"))
        return str(_("Amendment no. %(number)s")) % {"number": self.number - 1}

    @property
    def generated_on(self) -> dt.date:
        """The day the version was drawn up (kept in its content snapshot)."""
        # A list that leaves the (large) content unread gives the date alone: see employment.due.
        value = self.__dict__.get("generated_iso") or (self.content or {}).get("generated_on")
        if value:
            return dt.date.fromisoformat(value)
        return self.created_at.date()

    @property
    def is_signed(self) -> bool:
        """Signed by the person (or legal representative), the platform and, when named, the employer."""
        return (
            self.signed_by_person_on is not None
            and self.signed_by_platform_on is not None
            and (self.employer_id is None or self.signed_by_employer_on is not None)
        )

    @property
    def missing_signatures(self) -> list[str]:
        missing = []
        if self.signed_by_person_on is None:
            missing.append(str(pgettext_lazy("signatory", "the person")))
        if self.signed_by_platform_on is None:
            missing.append(str(pgettext_lazy("signatory", "the platform")))
        if self.employer_id is not None and self.signed_by_employer_on is None:
            missing.append(str(pgettext_lazy("signatory", "the employer")))
        return missing
