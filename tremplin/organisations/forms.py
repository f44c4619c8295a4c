from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from tremplin.lib.forms import DateInput, ServiceModelForm, SubmissionTokenField, VersionedForm, VersionField

from .models import Organisation, Staff


class StaffForm(VersionedForm, ServiceModelForm):
    version = VersionField()
    submission = SubmissionTokenField()  # a new staff member is created once per form
    username = forms.CharField(
        label=_("Login"),
        required=False,
        max_length=150,
        help_text=_("To give this person an account. Letters, digits and . @ + - _ only."),
        validators=[UnicodeUsernameValidator()],
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Only for a new account."),
    )

    class Meta:
        model = Staff
        fields = ["organisation", "name", "function", "clinical_domain", "fte", "start", "end", "rncp37779"]
        widgets = {"start": DateInput(), "end": DateInput(), "fte": forms.NumberInput(attrs={"step": "0.05"})}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["fte"].localize = True
        if self.instance.pk and self.instance.user_id:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True
            del self.fields["password"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        username = cleaned.get("username")
        if username and not (self.instance.pk and self.instance.user_id):
            user_model = get_user_model()
            if user_model.objects.filter(username__iexact=username).exists():
                self.add_error("username", _("This login is already taken."))
            password = cleaned.get("password")
            if not password:
                self.add_error("password", _("Give an initial password for the new account."))
            else:
                try:
                    password_validation.validate_password(password, user_model(username=username))
                except forms.ValidationError as error:
                    self.add_error("password", error)
        return cleaned


class OrganisationForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name"]
