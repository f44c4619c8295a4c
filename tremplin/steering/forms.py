"""Forms of the steering pages: the period and scope, the transmission, the bundle upload."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import MIN_DATE, previous_quarter, quarter_bounds, today
from tremplin.lib.forms import DateField, DateInput

from .indicators import period_error

QUARTER, YEAR, CUSTOM = "quarter", "year", "custom"


def default_period() -> tuple[dt.date, dt.date]:
    """The last complete quarter: the one to transmit."""
    return previous_quarter(today())


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Period"),
        choices=[(QUARTER, _("a quarter")), (YEAR, _("a calendar year")), (CUSTOM, _("any dates"))],
        initial=QUARTER,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[
            (1, _("1st quarter (January to March)")),
            (2, _("2nd quarter (April to June)")),
            (3, _("3rd quarter (July to September)")),
            (4, _("4th quarter (October to December)")),
        ],
        coerce=int,
        required=False,
    )
    start = DateField(label=_("From"), widget=DateInput, required=False)
    end = DateField(label=_("To (included)"), widget=DateInput, required=False)
    scope = forms.ChoiceField(label=_("Scope"))

    def __init__(self, data=None, *, scopes: list[tuple[str, str]]):
        start, end = default_period()
        initial = {
            "kind": QUARTER,
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
            "start": start,
            "end": end,
        }
        if data is not None and not data.get("kind"):
            data = None  # first visit: the defaults
        super().__init__(data, initial=initial)
        self.fields["scope"].choices = scopes
        self.fields["scope"].initial = scopes[0][0] if scopes else None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (QUARTER, YEAR) and not data.get("year"):
            self.add_error("year", _("Give the year."))
        if kind == QUARTER and not data.get("quarter"):
            self.add_error("quarter", _("Choose the quarter."))
        if kind == CUSTOM:
            if not data.get("start"):
                self.add_error("start", _("Give the first day."))
            if not data.get("end"):
                self.add_error("end", _("Give the last day."))
            if data.get("start") and data.get("end"):
                if data["end"] < data["start"]:
                    self.add_error("end", _("The last day cannot be before the first day."))
                else:
                    message = period_error(data["start"], data["end"])
                    if message:
                        self.add_error("end", message)
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_bound else None
        if data is None:
            return default_period()
        if data["kind"] == QUARTER:
            return quarter_bounds(dt.date(data["year"], 3 * (data["quarter"] - 1) + 1, 1))
        if data["kind"] == YEAR:
            return dt.date(data["year"], 1, 1), dt.date(data["year"], 12, 31)
        return data["start"], data["end"]

    def scope_code(self) -> str:
        if self.is_bound:
            return self.cleaned_data["scope"]
        return self.fields["scope"].initial


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period of the same kind just before: previous quarter, previous year, or as many days;
    None when it would start before the first accepted date (nothing to compare with)."""
    if start - MIN_DATE <= (end - start) + dt.timedelta(days=366):
        return None
    if (start.month - 1) % 3 == 0 and start.day == 1 and quarter_bounds(start) == (start, end):
        return previous_quarter(start)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return dt.date(start.year - 1, 1, 1), dt.date(start.year - 1, 12, 31)
    length = end - start
    return start - length - dt.timedelta(days=1), start - dt.timedelta(days=1)


class TransmissionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: sent to the ARS on this date, corrections to come."),
    )


class BundleUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bundle file (JSON)"),
        help_text=_("A Tremplin interchange bundle, version 1. The whole file is checked before anything is written."),
    )

    def clean_file(self):
        """Only a JSON file, of a bounded size, whose content starts like a JSON object."""
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Choose a .json file."))
        limit = settings.TREMPLIN_IMPORT_MAX_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB; at most %(limit)s MB).")
                % {"size": uploaded.size // 1_000_000, "limit": limit // 1_000_000}
            )
        head = uploaded.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        uploaded.seek(0)
        if not head.startswith(b"{"):
            raise forms.ValidationError(_("This file is not a JSON bundle: its content does not start with “{”."))
        return uploaded
