from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dates import today
from tremplin.lib.forms import DateField, DateInput, ServiceModelForm, VersionedForm, VersionField
from tremplin.organisations.models import Staff

from . import programmes
from .models import Episode, OutreachAttempt, Pause, Prescription


class PrescriptionForm(VersionedForm, ServiceModelForm):
    version = VersionField()
    constraint_errors = {
        "subsidiarity_justified_when_already_supported": (
            "subsidiarity_justification",
            _(
                "The person is already supported by an EA, EI, SIAE or medico-social service: explain why "
                "emploi accompagné is still needed (subsidiarity, no double public funding)."
            ),
        ),
    }

    class Meta:
        model = Prescription
        fields = [
            "date",
            "prescriber",
            "prescriber_organisation",
            "prescriber_contact",
            "urgent",
            "situation",
            "consent_given",
            "consent_date",
            "current_support",
            "subsidiarity_justification",
        ]
        widgets = {
            "date": DateInput(),
            "consent_date": DateInput(),
            "subsidiarity_justification": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "current_support": _(
                "Leave at “none” unless an EA, EI, SIAE or medico-social service already supports the person."
            ),
            "subsidiarity_justification": _("Required when the person is already supported elsewhere."),
            "urgent": _("Urgent CDAPH decision (article R. 241-28 5° of the CASF)."),
        }


class WithdrawPrescriptionForm(forms.Form):
    withdrawn_on = DateField(label=_("Withdrawn on"), widget=DateInput(), initial=today)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def counsellor_field(organisation, day=None) -> forms.ModelChoiceField:
    day = day or today()
    queryset = (
        Staff.objects.filter(organisation=organisation, function=Staff.Function.COUNSELLOR, start__lte=day)
        .exclude(end__lt=day)
        .order_by("name")
    )
    return forms.ModelChoiceField(label=_("Counsellor (conseiller unique)"), queryset=queryset)


class AdmissionForm(forms.Form):
    admitted_on = DateField(label=_("Admission date"), widget=DateInput(), initial=today)
    entry_status = forms.ChoiceField(
        label=_("Status at entry"), choices=[("", _("unknown"))] + list(Episode.EntryStatus.choices), required=False
    )
    months_without_work = forms.IntegerField(
        label=_("Months without work before entry"), min_value=0, max_value=900, required=False
    )
    years_worked = forms.DecimalField(
        label=_("Years worked in all"), min_value=0, max_value=80, decimal_places=1, required=False, localize=True
    )
    over_ceiling_justification = forms.CharField(
        label=_("Justification if the counsellor is over the ceiling of 20 persons per FTE"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"counsellor": counsellor_field(organisation), **self.fields}


class EntrySituationForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Episode
        fields = ["entry_status", "months_without_work", "years_worked"]
        widgets = {"years_worked": forms.NumberInput(attrs={"step": "0.5", "min": "0"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.fields["months_without_work"].max_value = 900
        self.fields["months_without_work"].validators.append(MaxValueValidator(900))


class ChangeCounsellorForm(forms.Form):
    start = DateField(label=_("From"), widget=DateInput(), initial=today)
    over_ceiling_justification = AdmissionForm.base_fields["over_ceiling_justification"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"counsellor": counsellor_field(organisation), **self.fields}
        self.fields["counsellor"].label = _("New counsellor")


class VeilleForm(ServiceModelForm):
    constraint_errors = {  # the service's messages (services.start_veille)
        "veille_end_after_start": ("end", _("The end cannot be before the start.")),
        "veille_proposed_by_counsellor_needs_agreement": (
            "agreement_date",
            _("A veille proposed by the counsellor needs the person's formal agreement: give its date."),
        ),
    }

    class Meta:
        model = Pause
        fields = ["start", "end", "requested_by", "agreement_date", "reactivation_conditions", "employer_informed"]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "agreement_date": DateInput(),
            "requested_by": forms.RadioSelect,
            "employer_informed": forms.RadioSelect,
            "reactivation_conditions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "end": _("Mandatory, agreed in writing; at most 12 months after the start."),
            "agreement_date": _("Required when the counsellor proposed the veille."),
            "reactivation_conditions": _("When and how support resumes, as agreed with the person."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].required = True
        self.fields["reactivation_conditions"].required = True
        self.fields["end"].error_messages["required"] = _(
            "A veille always has an end date, agreed in writing with the person."
        )


class EndVeilleForm(forms.Form):
    resume_on = DateField(label=_("Support resumes on"), widget=DateInput(), initial=today)


class ExtendVeilleForm(forms.Form):
    decided_on = DateField(label=_("Date of the new decision"), widget=DateInput(), initial=today)
    new_end = DateField(label=_("New end of the veille"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OutreachForm(ServiceModelForm):
    class Meta:
        model = OutreachAttempt
        fields = ["date", "channel", "outcome", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", today())


class ExitForm(forms.Form):
    exit_date = DateField(
        label=_("Exit date"),
        widget=DateInput(),
        initial=today,
        help_text=_("The first day the person is no longer supported."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=(), widget=forms.RadioSelect)
    low_intensity_offered = forms.BooleanField(
        label=_("The person was told that low-intensity support remains possible and can be resumed at any time"),
        required=False,
        help_text=_("Required for an exit at the person's request."),
    )
    receiving_platform = forms.CharField(
        label=_("Receiving platform"),
        required=False,
        max_length=200,
        help_text=_("For a move: the platform of the new département, when there is one."),
    )
    note = forms.CharField(
        label=_("Analysis and consultation of the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required for disengagement: what was tried, possible causes of the silence."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, programme: programmes.Programme = programmes.EMPLOI_ACCOMPAGNE, **kwargs):
        super().__init__(*args, **kwargs)
        # The reasons the episode's programme accepts (emploi accompagné: the five of §IV.E).
        self.fields["reason"].choices = list(programme.exit_reasons)
