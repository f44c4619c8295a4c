"""Forms of employers and jobs: they validate and normalise fields; the rules live in services.py."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import short_date
from tremplin.lib.forms import DateField, DateInput, ServiceModelForm

from .models import Contract, Employer, EmployerContact, Placement, SupportAgreement, siret_is_valid
from .services import MAX_WEEKLY_HOURS

NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
SIRET_MESSAGE = _("A SIRET number has 14 digits and a valid checksum: please check it.")

DEFAULT_TERMS = _(
    "The counsellor meets the person as often as the person's needs require, at the platform's premises, "
    "at the workplace, at a training site, at home or in a third place chosen with the person, and by "
    "phone or video. Support has no predetermined duration: its intensity varies with the person's needs "
    "and may be lightened or reactivated at any time. At least one interview takes place every quarter. "
    "The person may ask for a veille (pause) at any time; it is then agreed in writing by an amendment."
)
DEFAULT_WORKPLACE_TERMS = _(
    "With the person's agreement, the counsellor intervenes at the workplace and with the employer: "
    "support for integration into the team, mediation, analysis of the workstation and of the working "
    "environment, adjustments proposed with the occupational health service, awareness of the team, "
    "prevention of difficulties and support for career development. Visits are arranged in advance with "
    "the employer. The counsellor is the single contact of the employer and of the person."
)


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def set_initial_version(self):
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)


class EmployerForm(VersionMixin, ServiceModelForm):
    siret = forms.CharField(
        label=_("SIRET"),
        required=False,
        max_length=20,
        help_text=_("14 digits, spaces allowed. Leave empty for a person's own activity not yet registered."),
    )
    naf = forms.CharField(
        label=_("NAF code"),
        required=False,
        max_length=8,
        help_text=_("The sector of activity (code APE), for example 10.71C."),
    )

    class Meta:
        model = Employer
        fields = ["name", "kind", "siret", "naf", "size_band", "address", "occupational_health_service"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_initial_version()
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["occupational_health_service"].help_text = _(
            "The occupational health service (service de prévention et de santé au travail) of this employer."
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_siret(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data.get("siret") or "")
        if value and not siret_is_valid(value):
            raise forms.ValidationError(SIRET_MESSAGE, code="invalid_siret")
        return value

    def clean_naf(self):
        value = re.sub(r"\s", "", self.cleaned_data.get("naf") or "").upper()
        if not value:
            return ""
        match = NAF_RE.match(value)
        if not match:
            raise forms.ValidationError(
                _("A NAF code looks like 10.71C: two digits, a dot, two digits and a letter."), code="invalid_naf"
            )
        return f"{match.group(1)}.{match.group(2)}{match.group(3)}"

    def employer_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ContactForm(VersionMixin, ServiceModelForm):
    class Meta:
        model = EmployerContact
        fields = ["name", "role", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_initial_version()
        self.fields["role"].help_text = _("For example: HR manager, team leader, tutor.")
        self.fields["phone"].widget.input_type = "tel"

    def contact_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class EmployerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.siret})" if obj.siret else obj.name


def _end_before_start(contract):
    return "end", _("The actual end cannot be before the start (%(date)s).") % {"date": short_date(contract.start)}


def _end_and_reason(contract):
    if contract.end is None:
        return "end", _("An end reason is given: give the actual end date too, or remove the reason.")
    return "end_reason", _("The contract has an actual end: say why it ended.")


class ContractForm(VersionMixin, ServiceModelForm):
    employer = EmployerChoiceField(label=_("Employer"), queryset=Employer.objects.none())
    # The service's messages for the rules the database repeats (services._check_contract).
    constraint_errors = {
        "contract_end_after_start": _end_before_start,
        "contract_planned_end_after_start": lambda contract: (
            "planned_end",
            _("The planned end cannot be before the start (%(date)s).") % {"date": short_date(contract.start)},
        ),
        "contract_end_reason_exactly_when_ended": _end_and_reason,
        "contract_weekly_hours_range": lambda contract: (
            "weekly_hours",
            _("Weekly hours are more than 0 and at most %(max)s.") % {"max": MAX_WEEKLY_HOURS},
        ),
    }

    class Meta:
        model = Contract
        fields = [
            "employer",
            "job_title",
            "type",
            "start",
            "planned_end",
            "end",
            "end_reason",
            "weekly_hours",
            "adjustments",
        ]
        widgets = {
            "start": DateInput(),
            "planned_end": DateInput(),
            "end": DateInput(),
            "adjustments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_initial_version()
        self.fields["employer"].queryset = employers if employers is not None else Employer.objects.none()
        self.fields["planned_end"].help_text = _("For a fixed-term contract, the end written in the contract.")
        self.fields["end"].help_text = _("Only when the contract has ended (or its last day is known).")
        self.fields["end_reason"].help_text = _("Required with the actual end, and only then.")
        self.fields["weekly_hours"].widget.attrs.update({"step": "0.5", "min": "0.5", "max": "70"})
        self.fields["adjustments"].help_text = _("Adjustments of the workstation, hours or organisation.")

    def contract_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class EndContractForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end = DateField(label=_("Last day of the contract"), widget=DateInput())
    end_reason = forms.ChoiceField(
        label=_("Why it ended"), choices=[("", "---------")] + list(Contract.EndReason.choices)
    )


class PlacementForm(VersionMixin, ServiceModelForm):
    employer = EmployerChoiceField(label=_("Host"), queryset=Employer.objects.none())
    constraint_errors = {  # the service's message (services._check_placement)
        "placement_end_after_start": lambda placement: (
            "end",
            _("The end cannot be before the start (%(date)s).") % {"date": short_date(placement.start)},
        ),
    }

    class Meta:
        model = Placement
        fields = ["kind", "employer", "start", "end", "tutor", "objective", "outcome"]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "objective": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_initial_version()
        self.fields["employer"].queryset = employers if employers is not None else Employer.objects.none()
        self.fields["tutor"].help_text = _("The person who welcomes and guides the person at the host.")
        self.fields["outcome"].help_text = _("What the placement showed; can be filled in afterwards.")

    def placement_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class AgreementForm(forms.Form):
    employer = EmployerChoiceField(
        label=_("Employer, party to the agreement"),
        queryset=Employer.objects.none(),
        required=False,
        empty_label=_("no employer"),
        help_text=_(
            "The employer of a current or coming contract. Leave empty when the person is not employed, "
            "or does not wish the employer to be involved."
        ),
    )
    pause = forms.ModelChoiceField(
        label=_("Veille written into this amendment"),
        queryset=None,
        required=False,
        empty_label=_("no veille"),
        help_text=_("Its dates and the conditions for resuming support are written into the amendment."),
    )
    change_summary = forms.CharField(
        label=_("What this amendment changes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    terms = forms.CharField(
        label=_("Terms of intervention"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How, where and how often the counsellor intervenes with the person."),
    )
    workplace_terms = forms.CharField(
        label=_("Terms of intervention at the workplace and with the employer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    def __init__(self, *args, employers=(), pauses=None, amendment=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.filter(pk__in=[e.pk for e in employers])
        if amendment:
            self.fields["pause"].queryset = pauses
            self.fields["change_summary"].required = True
            self.fields["change_summary"].help_text = _(
                "For example: new employer after the end of the previous contract; veille agreed with the person."
            )
        else:
            del self.fields["pause"]
            del self.fields["change_summary"]


class SignatureForm(VersionMixin, ServiceModelForm):
    class Meta:
        model = SupportAgreement
        fields = ["signed_by_person_on", "signed_by_platform_on", "signed_by_employer_on"]
        widgets = {name: DateInput() for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_initial_version()
        self.fields["signed_by_person_on"].label = _("Signed by the person (or legal representative) on")
        self.fields["signed_by_platform_on"].label = _("Signed by the managing organisation on")
        if self.instance.employer_id is None:
            del self.fields["signed_by_employer_on"]
        else:
            self.fields["signed_by_employer_on"].label = _("Signed by the employer (%(name)s) on") % {
                "name": self.instance.employer.name
            }

    def signature_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields if name.startswith("signed_")}


class EmployerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, SIRET or NAF code"),
    )
