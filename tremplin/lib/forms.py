"""Small form helpers shared by every app."""

from __future__ import annotations

import copy
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from .dates import MAX_DATE, MIN_DATE, validate_date_range
from .errors import DomainError


class DateInput(forms.DateInput):
    """A date picker bounded to the accepted range (browsers refuse other dates before posting)."""

    input_type = "date"

    def __init__(self, attrs=None):
        attrs = {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SubmissionTokenField(forms.UUIDField):
    """The one-time token of a creation form (hidden): a new one each time the empty form is
    shown, kept when the form comes back with errors. `tremplin.access.submissions.once` uses it
    so that posting the same form twice creates one record. A missing or malformed token is None
    (the form is not refused for it)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(**{"required": False, "initial": uuid.uuid4, **kwargs})

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            return None


class VersionField(forms.IntegerField):
    """The version of the record a form shows, sent back with it (hidden) so the service can
    refuse a save over someone else's (`lib.errors.check_version`)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(**{"required": False, **kwargs})


class VersionedForm(forms.BaseForm):
    """Mixin of a model form editing a versioned record: a hidden `version` holding the version
    of the instance shown. Declare `version = VersionField()` on the form too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.initial.setdefault("version", instance.version)


class DateField(forms.DateField):
    """The form field of every date: refuses a date outside [MIN_DATE, MAX_DATE] next to the
    field (« La date doit être comprise entre le 01/01/1900 et le 31/12/2100. »)."""

    widget = DateInput
    default_validators = [validate_date_range]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a refused rule next to its field (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def submitted(request, form: forms.Form, action) -> bool:
    """The usual POST of a form page: True once the form is valid and `action(cleaned_data)` ran.

    A rule the service refuses (DomainError) is shown next to its field; the service's transaction
    was rolled back, so nothing is saved.
    """
    return submitted_edit(request, form, action)[0]


def submitted_edit(request, form: forms.Form, action, refresh=None) -> tuple[bool, forms.Form]:
    """`submitted`, for a record edited with its version number: returns (done, form to show).

    When someone else saved the record first (a concurrent edit), the page says so and shows
    their version: the form `refresh()` builds from the database, instead of overwriting it.
    """
    if request.method != "POST" or not form.is_valid():
        return False, form
    try:
        action(form.cleaned_data)
    except DomainError as error:
        if refresh is not None and error.code == "concurrent_edit":
            messages.error(request, str(error.message))
            return False, refresh()
        add_domain_error(form, error)
        return False, form
    return True, form


class ServiceModelForm(forms.ModelForm):
    """A plain Django model form: fields, `Model.clean()`, uniqueness and constraints are
    validated as Django does (no private API overridden).

    The rules and their messages belong to the service functions, which run once the form is
    valid. A database constraint that repeats one of those rules would otherwise stop the form
    first with Django's generic sentence at the top of the page; `constraint_errors` gives, for
    such a constraint, the field and the rule's own message (the sentence the service uses), so
    the user reads it next to the field. Django then leaves that constraint out (a field in error
    is excluded from model validation), so it is reported once.
    """

    # constraint name: (field, message), or a function of the unsaved instance giving them
    constraint_errors: dict = {}

    def clean(self):
        cleaned_data = super().clean()
        if self.constraint_errors:
            self._check_named_constraints()
        return cleaned_data

    def _check_named_constraints(self) -> None:
        model = self._meta.model
        instance = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
        exclude = {f.name for f in model._meta.get_fields() if f.name not in self.fields or f.name in self.errors}
        for constraint in model._meta.constraints:
            if constraint.name not in self.constraint_errors:
                continue
            try:
                constraint.validate(model, instance, exclude=exclude)
            except ValidationError:
                error = self.constraint_errors[constraint.name]
                field, message = error(instance) if callable(error) else error
                if field not in self.errors:
                    self.add_error(field, str(message))
