"""User accounts. What a user may see is decided in `tremplin.access.scope`.

Staff accounts are linked to a `Staff` record (organisations app). Accounts that are not staff
of the platform (an administrator of the information system, a funder, a prescriber) have an
`ExternalAccount` naming their kind and their platform.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Staff accounts are linked to a `Staff` record."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def staff_member(self):
        """The linked staff record, or None (never raises)."""
        try:
            return self.staff
        except ObjectDoesNotExist:  # no Staff row for this user
            return None

    @property
    def external_account(self):
        """The linked external account, or None (never raises)."""
        try:
            return self.external
        except ObjectDoesNotExist:  # no ExternalAccount row for this user
            return None


class ExternalAccount(models.Model):
    """An account that is not a member of staff: administrator, funder or prescriber.

    A prescriber sees the status of the prescriptions they made. A prescription is theirs when
    it is on the same platform, its prescriber kind is `prescriber_kind`, its prescribing
    organisation is `prescriber_organisation` (compared without case or accents) and, when
    `prescriber_contact` is set, its prescriber's contact contains that name. The pathway's
    Prescription model is not changed: the link is this rule (docs/permissions.md).
    """

    class Kind(models.TextChoices):
        ADMINISTRATOR = "administrator", _("administrator of the information system")
        FUNDER = "funder", _("funder or authority")
        PRESCRIBER = "prescriber", _("prescriber")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external", verbose_name=_("user account")
    )
    platform = models.ForeignKey(
        "organisations.Platform", on_delete=models.PROTECT, related_name="external_accounts", verbose_name=_("platform")
    )
    kind = models.CharField(_("kind of account"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("full name"), max_length=200)
    institution = models.CharField(
        _("institution"), max_length=200, blank=True, help_text=_("For example: ARS Occitanie, AGEFIPH, Cap emploi.")
    )
    prescriber_kind = models.CharField(
        _("kind of prescriber"),
        max_length=20,
        blank=True,
        choices=[
            ("france_travail", _("France Travail")),
            ("cap_emploi", _("Cap emploi")),
            ("mission_locale", _("Mission locale")),
            ("cdaph", _("CDAPH decision (MDPH)")),
        ],
    )
    prescriber_organisation = models.CharField(
        _("prescribing organisation"),
        max_length=200,
        blank=True,
        help_text=_("Written as in the prescriptions, for example: Cap emploi Aveyron."),
    )
    prescriber_contact = models.CharField(
        _("prescriber's name"),
        max_length=200,
        blank=True,
        help_text=_("Optional: only the prescriptions whose contact contains this name."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external account")
        verbose_name_plural = _("external accounts")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["administrator", "funder", "prescriber"]), name="external_account_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="prescriber") | (~Q(prescriber_kind="") & ~Q(prescriber_organisation="")),
                name="prescriber_account_names_its_prescriptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class FormSubmission(models.Model):
    """A creation form posted once (issue: double submits): its one-time token, who posted it and
    the record it created. A second post of the same form (double click, two tabs, a retried
    request) finds the token taken and answers with that record instead of creating another one.
    See `tremplin.access.submissions`."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=100)  # app_label.model of the record created
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")


class PasswordResetRequest(models.Model):
    """One request of the forgotten-password page, kept a day to rate-limit the page
    (tremplin.access.throttle). The address is kept as a keyed hash, never in clear."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    address_hash = models.CharField(max_length=64, db_index=True)
    sent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
