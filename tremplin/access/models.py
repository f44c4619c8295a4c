"""User accounts. What a user may see is decided in `tremplin.access.scope`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
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
        except Exception:  # RelatedObjectDoesNotExist
            return None
