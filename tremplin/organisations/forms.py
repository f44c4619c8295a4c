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

    def __init__(self, *args, organisations, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["fte"].localize = True
        if self.instance.pk and self.instance.user_id:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True
            del self.fields["password"]
        self.locked: dict[str, str] = {}
        if actor is not None:
            self._lock_for(actor)

    def _lock_for(self, actor) -> None:
        """Offer only what the actor may grant (organisations.services.check_authority decides;
        here the fields they may not change are shown disabled, with the reason)."""
        from tremplin.access.permissions import can
        from tremplin.access.scope import staff_of

        from .services import AUTHORITY_FIELDS, SENIOR_FUNCTIONS, may_grant_clinical_domain

        editing = self.instance.pk is not None
        senior = can(actor, "staff.grant_senior_function")
        if editing and self.instance.user_id is not None and self.instance.user_id == actor.pk:
            reason = _("You cannot change this on your own record.")
            self.locked.update({name: reason for name in AUTHORITY_FIELDS})
        elif editing and self.instance.function in SENIOR_FUNCTIONS and not senior:
            reason = _("Only the direction changes this for a coordinator or a manager.")
            self.locked.update({name: reason for name in AUTHORITY_FIELDS})
        if not senior:
            field = self.fields["function"]
            field.widget.choices = [
                choice for choice in field.choices if choice[0] not in SENIOR_FUNCTIONS or choice[0] == self.instance.function
            ]
        organisation = self.instance.organisation if editing else getattr(staff_of(actor), "organisation", None)
        if "clinical_domain" not in self.locked and (organisation is None or not may_grant_clinical_domain(actor, organisation)):
            self.locked["clinical_domain"] = _("Only the direction grants or removes a clinical domain.")
        for name, reason in self.locked.items():
            field = self.fields[name]
            field.disabled = True
            field.help_text = f"{field.help_text} {reason}".strip() if field.help_text else reason

    def _check_locked(self) -> None:
        """A locked field posted with another value (a tampered form) is refused, not ignored."""
        for name, reason in self.locked.items():
            if self.add_prefix(name) not in self.data:
                continue
            field = self.fields[name]
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                posted = field.clean(raw)
            except forms.ValidationError:
                posted = raw
            initial = self.get_initial_for_field(field, name)
            if getattr(posted, "pk", posted) != getattr(initial, "pk", initial) and not (
                posted in (None, "") and initial in (None, "")
            ):
                self.add_error(name, reason)

    def clean(self):
        cleaned = super().clean()
        self._check_locked()
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
