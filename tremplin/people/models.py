"""Supported persons and their disability recognitions."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dated import DatedState
from tremplin.lib.dates import add_months, short_date
from tremplin.lib.fields import DateField
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
    birth_date = DateField(_("birth date"), null=True, blank=True)
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
    anonymised_on = DateField(_("anonymised on"), null=True, blank=True, editable=False)

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

    def lock(self) -> Person:
        """This person's row, locked until the transaction ends: every workflow changing a person's
        pathway, jobs or activity takes this lock first, so two of them never interleave."""
        return Person.objects.select_for_update().get(pk=self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def main_disability(self) -> str | None:
        return self.disabilities[0] if self.disabilities else None

    def disability_labels(self) -> list[str]:
        labels = dict(Disability.choices)
        return [str(labels.get(value, value)) for value in self.disabilities]


# A recognition is valid on D when start <= D and (no end or end >= D): the one definition
# (tremplin/lib/dated.py) of the admission rule, the person's page and the due list.
RECOGNITION_VALID = DatedState("start", "end", end_included=True)


class Recognition(models.Model):
    """A disability recognition giving access to emploi accompagné (RQTH or another BOE title)."""

    class Kind(models.TextChoices):
        RQTH = "rqth", _("RQTH")
        OTHER_BOE = "other_boe", _("other beneficiary-of-the-employment-obligation title")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = DateField(_("start date"))
    end = DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty if permanent."))
    version = models.PositiveIntegerField(default=1, editable=False)

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
        return RECOGNITION_VALID.holds(self.start, self.end, day)

    def expires_soon(self, day: dt.date) -> bool:
        """Valid today and ending within six months: renewal is to be prepared."""
        return self.end is not None and self.end >= day and self.end <= add_months(day, self.EXPIRY_WARNING_MONTHS)


# Notes by domain, information, consents and objections (data protection) -----------------------


class NoteDomain(models.TextChoices):
    """Who reads a note: the support team (professional) or the clinicians of one domain."""

    PROFESSIONAL = "professional", _("professional (the support team)")
    MEDICAL = "medical", _("medical")
    PSYCHOLOGICAL = "psychological", _("psychological")
    SOCIAL = "social", _("social")


RESTRICTED_DOMAINS = (NoteDomain.MEDICAL, NoteDomain.PSYCHOLOGICAL, NoteDomain.SOCIAL)


class Note(models.Model):
    """A note in the person's file. Medical, psychological and social notes are read only by
    their author and the clinicians of that domain, unless the person agreed to share them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    domain = models.CharField(_("domain"), max_length=16, choices=NoteDomain.choices)
    author = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, related_name="notes", verbose_name=_("author")
    )
    written_on = DateField(_("date"))
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-written_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=["professional", "medical", "psychological", "social"]),
                name="note_domain_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {short_date(self.written_on)}"

    @property
    def is_restricted(self) -> bool:
        return self.domain in RESTRICTED_DOMAINS


class InformationRecord(models.Model):
    """What the person was told about the processing of their data, when and how."""

    class Topic(models.TextChoices):
        PROCESSING = "processing", _("what data is kept, why, and for how long")
        RIGHTS = "rights", _("their rights: access, rectification, objection, complaint to the CNIL")
        SHARING = "sharing", _("who may see their data and the shared professional secrecy")
        ACCESS_LOG = "access_log", _("that every access to their file is recorded")

    class Channel(models.TextChoices):
        ORAL = "oral", _("orally")
        WRITTEN = "written", _("in writing (leaflet or letter)")
        BOTH = "both", _("orally and in writing")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="information_records")
    given_on = DateField(_("date"))
    topics = models.JSONField(_("what the person was told"), default=list)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    given_by = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("information given to the person")
        verbose_name_plural = _("information given to the person")
        ordering = ["-given_on", "-id"]

    def topic_labels(self) -> list[str]:
        labels = dict(self.Topic.choices)
        return [str(labels.get(value, value)) for value in self.topics]


class Consent(models.Model):
    """The person's decision (agreed or refused) about sharing notes of a domain beyond it.

    It names what is shared (the notes of one domain) and with whom (one member of staff, or the
    professionals following the person: counsellors, coordinators and managers)."""

    class Decision(models.TextChoices):
        AGREED = "agreed", _("agreed")
        REFUSED = "refused", _("refused")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    domain = models.CharField(
        _("notes shared"),
        max_length=16,
        choices=[(d.value, d.label) for d in RESTRICTED_DOMAINS],
    )
    recipient = models.ForeignKey(
        "organisations.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
        help_text=_("Leave empty for the professionals following the person (counsellors, coordinators, managers)."),
    )
    purpose = models.CharField(_("why"), max_length=300, help_text=_("What the sharing is for, as told to the person."))
    decision = models.CharField(_("decision of the person"), max_length=8, choices=Decision.choices)
    decided_on = DateField(_("date of the decision"))
    withdrawn_on = DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=["medical", "psychological", "social"]), name="consent_domain_restricted"
            ),
            models.CheckConstraint(condition=Q(decision__in=["agreed", "refused"]), name="consent_decision_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("decided_on")),
                name="consent_withdrawn_after_decision",
            ),
        ]

    def is_in_force(self, day: dt.date) -> bool:
        return (
            self.decision == self.Decision.AGREED
            and self.decided_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
        )


class Objection(models.Model):
    """The person objects to the sharing of the notes of a domain (or of every domain), even
    within the clinicians of that domain: only the author reads them while it stands."""

    ALL = "all"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="objections")
    domain = models.CharField(
        _("notes concerned"),
        max_length=16,
        choices=[(d.value, d.label) for d in RESTRICTED_DOMAINS] + [(ALL, _("every domain"))],
    )
    made_on = DateField(_("date of the objection"))
    reason = models.TextField(_("what the person said"), blank=True)
    lifted_on = DateField(_("lifted on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-made_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=F("made_on")),
                name="objection_lifted_after_made",
            ),
        ]

    def is_in_force(self, day: dt.date) -> bool:
        return self.made_on <= day and (self.lifted_on is None or self.lifted_on > day)

    def covers(self, domain: str) -> bool:
        return self.domain in (self.ALL, domain)
