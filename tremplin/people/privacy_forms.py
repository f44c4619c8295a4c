from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.lib.forms import DateField, DateInput, SubmissionTokenField

from .models import Consent, InformationRecord, NoteDomain, Objection


class NoteForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=NoteDomain.choices)
    written_on = DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    submission = SubmissionTokenField()

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(NoteDomain.choices)
        self.fields["domain"].choices = [(d, labels[d]) for d in domains]
        if len(domains) == 1:
            self.fields["domain"].initial = domains[0]


class InformationForm(forms.Form):
    given_on = DateField(label=_("Date"), widget=DateInput())
    topics = forms.MultipleChoiceField(
        label=_("What the person was told"),
        choices=InformationRecord.Topic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.ChoiceField(label=_("How"), choices=InformationRecord.Channel.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(forms.Form):
    domain = forms.ChoiceField(label=_("Notes shared"), choices=Consent._meta.get_field("domain").choices)
    recipient = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=None,
        required=False,
        empty_label=_("the professionals following the person"),
    )
    purpose = forms.CharField(label=_("Why (as told to the person)"), max_length=300)
    decision = forms.ChoiceField(
        label=_("Decision of the person"), choices=Consent.Decision.choices, widget=forms.RadioSelect
    )
    decided_on = DateField(label=_("Date of the decision"), widget=DateInput())

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = staff


class ObjectionForm(forms.Form):
    domain = forms.ChoiceField(label=_("Notes concerned"), choices=Objection._meta.get_field("domain").choices)
    made_on = DateField(label=_("Date of the objection"), widget=DateInput())
    reason = forms.CharField(
        label=_("What the person said"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DateForm(forms.Form):
    on = DateField(label=_("Date"), widget=DateInput())
