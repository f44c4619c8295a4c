from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.lib.forms import DateInput, ServiceModelForm, SubmissionTokenField, VersionedForm, VersionField

from .models import Disability, Person, Recognition


class PersonForm(ServiceModelForm):
    main_disability = forms.ChoiceField(
        label=_("Main disability"),
        choices=[("", _("unknown"))] + list(Disability.choices),
        required=False,
    )
    other_disabilities = forms.MultipleChoiceField(
        label=_("Other disabilities"),
        choices=Disability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "sex",
            "phone",
            "email",
            "address",
            "legal_representative",
            "legal_representative_contact",
            "education_level",
        ]
        widgets = {
            "birth_date": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        if self.instance.pk:
            disabilities = list(self.instance.disabilities or [])
            self.initial.setdefault("main_disability", disabilities[0] if disabilities else "")
            self.initial.setdefault("other_disabilities", disabilities[1:])
            self.initial.setdefault("version", self.instance.version)

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date and birth_date > dt.date.today():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        if birth_date and birth_date.year < 1900:
            raise forms.ValidationError(_("Please check the year of birth."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        main = cleaned.get("main_disability") or ""
        others = [value for value in cleaned.get("other_disabilities") or [] if value != main]
        if not main and others:
            self.add_error("main_disability", _("Choose the main disability first."))
        cleaned["disabilities"] = ([main] if main else []) + others
        return cleaned

    def person_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["disabilities"] = self.cleaned_data["disabilities"]
        return data


class NewPersonForm(PersonForm):
    confirm_not_duplicate = forms.BooleanField(label=_("I have checked: this is a different person"), required=False)
    submission = SubmissionTokenField()

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(organisations or [])
        if len(organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organisation following the person"), queryset=None, empty_label=None
            )
            self.fields["organisation"].queryset = organisations[0].__class__.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
        self.organisations = organisations


class RecognitionForm(VersionedForm, ServiceModelForm):
    version = VersionField()

    class Meta:
        model = Recognition
        fields = ["kind", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, birth date (dd/mm/yyyy) or file number"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("all")),
            ("current", _("supported now (active or in veille)")),
            ("active", _("active")),
            ("in_veille", _("in veille")),
            ("waiting", _("waiting")),
            ("exited", _("exited")),
        ],
    )
