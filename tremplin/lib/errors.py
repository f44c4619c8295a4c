"""The error every workflow raises when a rule refuses an action."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action.

    `message` is translated and meant for the user; `field` names the form field it
    belongs to, when there is one, so the view can show it next to that field.
    `code` is a stable identifier for tests and logs.
    """

    def __init__(self, message, *, field: str | None = None, code: str = "refused"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class ConcurrentEditError(DomainError):
    """Somebody else saved the same record since this form was opened."""


def concurrent_edit_error() -> ConcurrentEditError:
    """The refusal shown when a record changed since the form showing it was opened."""
    from django.utils.translation import gettext as _

    return ConcurrentEditError(
        _(
            "Someone else saved this record while you were editing it. Your changes were not saved: "
            "the page now shows their version, please make your changes again."
        ),
        code="concurrent_edit",
    )


def check_version(instance, version: int | None) -> None:
    """Refuse the save when `instance` (read locked) is no longer the version the form showed."""
    if version is None or instance.version != version:
        raise concurrent_edit_error()


def check_not_future(day, field: str) -> None:
    """Refuse a date after today (Europe/Paris), next to `field`."""
    from django.utils.translation import gettext as _

    from .dates import today

    if day is not None and day > today():
        raise DomainError(_("This date is in the future."), field=field, code="future_date")
