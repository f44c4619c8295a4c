"""Model fields shared by every app."""

from __future__ import annotations

from django.db import models

from .dates import validate_date_range


class DateField(models.DateField):
    """Every date of the application: a `models.DateField` limited to [MIN_DATE, MAX_DATE]
    (`tremplin.lib.dates`), on the model (`full_clean`) and on the form field a model form builds
    from it (`tremplin.lib.forms.DateField`), so the range holds even where model validation is
    skipped."""

    default_validators = [validate_date_range]

    def formfield(self, **kwargs):
        from .forms import DateField as DateFormField

        return super().formfield(**{"form_class": DateFormField, **kwargs})
