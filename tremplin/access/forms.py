from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from tremplin.lib.forms import ServiceModelForm

from .models import ExternalAccount


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code shown by your authenticator application, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code your authenticator application shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ExternalAccountForm(ServiceModelForm):
    username = forms.CharField(label=_("Login"), max_length=150, help_text=_("Letters, digits and . @ + - _ only."))
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("For the forgotten-password link."))
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )

    class Meta:
        model = ExternalAccount
        fields = ["kind", "name", "institution", "prescriber_kind", "prescriber_organisation", "prescriber_contact"]

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            # Only the kinds the user may create are offered (access.services.may_create_account).
            field = self.fields["kind"]
            field.widget.choices = [choice for choice in field.choices if choice[0] in ("", *kinds)]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user_model = get_user_model()
        try:
            user_model._meta.get_field("username").run_validators(username)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        if user_model.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This login is already taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ExternalAccount.Kind.PRESCRIBER:
            if not cleaned.get("prescriber_kind"):
                self.add_error("prescriber_kind", _("Say which kind of prescriber this account is."))
            if not (cleaned.get("prescriber_organisation") or "").strip():
                self.add_error("prescriber_organisation", _("Name the prescribing organisation."))
        password, username = cleaned.get("password"), cleaned.get("username")
        if password and username:
            try:
                password_validation.validate_password(password, get_user_model()(username=username))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the lengths enforced before any authentication attempt (a very
    long login must be refused as invalid, not reach the lockout counters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(150))
        self.fields["password"].validators.append(MaxLengthValidator(1024))

    def clean(self):
        if self.errors:
            return self.cleaned_data
        return super().clean()
