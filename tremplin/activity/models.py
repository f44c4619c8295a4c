"""Interventions (every contact and action, with its time) and appointments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import short_date, validate_date_range
from tremplin.lib.fields import DateField


class Place(models.TextChoices):
    WORKPLACE = "workplace", _("workplace")
    PREMISES = "premises", _("platform premises")
    TRAINING_SITE = "training_site", _("training site")
    HOME = "home", _("home")
    THIRD_PLACE = "third_place", _("third place")
    REMOTE = "remote", _("remote")


class With(models.TextChoices):
    PERSON = "person", _("the person")
    EMPLOYER = "employer", _("the employer")
    BOTH = "both", _("the person and the employer")
    PARTNER = "partner", _("a partner")


class Kind(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    WORKPLACE_VISIT = "workplace_visit", _("workplace visit")
    EMPLOYER_MEETING = "employer_meeting", _("employer meeting")
    JOB_SEARCH = "job_search", _("job search")
    MEDIATION = "mediation", _("mediation")
    EVALUATION = "evaluation", _("evaluation")
    CONTACT = "contact", _("contact")
    OTHER = "other", _("other")


class ActionFamily(models.TextChoices):
    """The families of actions of the national specification (§IV.A and §IV.C)."""

    SHARED_EVALUATION = "shared_evaluation", _("shared evaluation")
    PROFESSIONAL_PROJECT = "professional_project", _("professional project")
    JOB_SEARCH = "job_search", _("job search and employer matching")
    SUPPORT_IN_EMPLOYMENT = "support_in_employment", _("support in employment")
    EMPLOYER_SUPPORT = "employer_support", _("employer support")


class Intervention(models.Model):
    Place = Place
    With = With
    Kind = Kind
    ActionFamily = ActionFamily

    MAX_MINUTES = 720

    # Indexes (Meta.indexes): the person's own is the first column of (person, date); those of
    # staff, employer, contract and created_by are partial (non-null values only), since
    # imported interventions leave these columns empty.
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="interventions", db_index=False)
    episode = models.ForeignKey(
        "pathways.Episode", on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    staff = models.ForeignKey(
        "organisations.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("professional"),
        db_index=False,
    )
    date = DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    place = models.CharField(_("place"), max_length=15, choices=Place.choices)
    with_whom = models.CharField(_("with"), max_length=10, choices=With.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    action_family = models.CharField(_("action family"), max_length=25, choices=ActionFamily.choices, blank=True)
    employer = models.ForeignKey(
        "employment.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        db_index=False,
    )
    contract = models.ForeignKey(
        "employment.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
        db_index=False,
    )
    note = models.TextField(_("note"), blank=True)
    # Empty: a professional note, read by the team. Set, when a clinician logs the intervention,
    # to their domain: the note is then read as a note of that domain (people.privacy).
    note_domain = models.CharField(
        _("domain of the note"),
        max_length=16,
        choices=[("medical", _("medical")), ("psychological", _("psychological")), ("social", _("social"))],
        blank=True,
        default="",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=720), name="intervention_minutes_1_to_720"
            ),
            models.CheckConstraint(condition=Q(place__in=Place.values), name="intervention_place_valid"),
            models.CheckConstraint(condition=Q(with_whom__in=With.values), name="intervention_with_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="intervention_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["person", "date"], name="intervention_person_date_idx"),
            models.Index(fields=["date"], name="intervention_date_idx"),
            models.Index(fields=["staff"], condition=Q(staff__isnull=False), name="intervention_staff_idx"),
            models.Index(fields=["employer"], condition=Q(employer__isnull=False), name="intervention_employer_idx"),
            models.Index(fields=["contract"], condition=Q(contract__isnull=False), name="intervention_contract_idx"),
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="intervention_created_by_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {short_date(self.date)} · {self.minutes} min"


class Appointment(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointments")
    staff = models.ForeignKey("organisations.Staff", on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("date and time"), validators=[validate_date_range])
    minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=15, choices=Place.choices)
    with_whom = models.CharField(_("with"), max_length=10, choices=With.choices, default=With.PERSON)
    note = models.TextField(_("note"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    intervention = models.OneToOneField(
        Intervention, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["staff", "starts_at"], name="appointment_staff_idx")]


class CalendarFeed(models.Model):
    """A user's personal iCalendar feed of their appointments, reached through a secret URL.

    Only a SHA-256 hash of the secret is stored: the URL is shown once, when it is created.
    Revoking deletes the row (the old URL answers 404); a new URL can be created at any time.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
