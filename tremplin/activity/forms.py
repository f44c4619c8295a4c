"""Forms of the daily activity. They validate and normalise; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tremplin.employment.models import Contract, Employer
from tremplin.lib.dates import today
from tremplin.lib.forms import DateField, DateInput, SubmissionTokenField, TimeInput
from tremplin.organisations.models import Staff
from tremplin.pathways.states import supported_episode

from .models import ActionFamily, Kind, Place, With

QUICK_DURATIONS = [15, 30, 45, 60, 90, 120]


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contract):
        start = date_format(contract.start, "SHORT_DATE_FORMAT")
        if contract.end:
            end = date_format(contract.end, "SHORT_DATE_FORMAT")
            return _("%(type)s · %(employer)s (%(start)s – %(end)s)") % {
                "type": contract.get_type_display(),
                "employer": contract.employer.name,
                "start": start,
                "end": end,
            }
        return _("%(type)s · %(employer)s (since %(start)s)") % {
            "type": contract.get_type_display(),
            "employer": contract.employer.name,
            "start": start,
        }


class QuickChoices(forms.RadioSelect):
    """Radio buttons whose first one can take the focus when the form opens (htmx `autofocus`)."""

    autofocus_first = False

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if self.autofocus_first and index == 0:
            option["attrs"]["autofocus"] = True
        return option


class InterventionForm(forms.Form):
    """A compact form: date, duration (quick choice or free entry), place, with whom, kind,
    action family, optional employer and contract, note."""

    duration = forms.TypedChoiceField(
        label=_("Duration"),
        choices=[(m, _("%(minutes)s min") % {"minutes": m}) for m in QUICK_DURATIONS],
        coerce=int,
        empty_value=None,
        required=False,
        widget=QuickChoices,
    )
    minutes = forms.IntegerField(
        label=_("or another duration (minutes)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "max": "720", "step": "1", "inputmode": "numeric"}),
    )
    date = DateField(label=_("Date"), widget=DateInput())
    place = forms.ChoiceField(label=_("Place"), choices=[("", "—")] + list(Place.choices))
    with_whom = forms.ChoiceField(label=_("With"), choices=With.choices, initial=With.PERSON)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.INTERVIEW)
    action_family = forms.ChoiceField(
        label=_("Action family"), choices=[("", "—")] + list(ActionFamily.choices), required=False
    )
    employer = forms.ModelChoiceField(
        label=_("Employer"), queryset=Employer.objects.none(), required=False, empty_label="—"
    )
    contract = ContractChoiceField(
        label=_("Contract"), queryset=Contract.objects.none(), required=False, empty_label="—"
    )
    note = forms.CharField(
        label=_("Note for the team"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = SubmissionTokenField()  # a new intervention is recorded once per form

    def __init__(self, *args, person, instance=None, author=None, **kwargs):
        self.person = person
        initial = kwargs.pop("initial", None) or {}
        if instance is not None:
            initial = {
                "date": instance.date,
                "place": instance.place,
                "with_whom": instance.with_whom,
                "kind": instance.kind,
                "action_family": instance.action_family,
                "employer": instance.employer_id,
                "contract": instance.contract_id,
                "note": instance.note,
                "version": instance.version,
                **(
                    {"duration": instance.minutes}
                    if instance.minutes in QUICK_DURATIONS
                    else {"minutes": instance.minutes}
                ),
            }
        else:
            initial.setdefault("date", today())
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["employer"].queryset = Employer.objects.filter(
            platform_id=person.organisation.platform_id
        ).order_by("name")
        self.fields["contract"].queryset = (
            Contract.objects.filter(person=person).select_related("employer").order_by("-start", "-id")
        )
        self.fields["note"].help_text = note_help(person, author, instance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("minutes") is None and cleaned.get("duration") is not None:
            cleaned["minutes"] = cleaned["duration"]
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("duration", None)
        data.pop("version", None)
        data.pop("submission", None)
        return data


def note_help(person, author, instance=None):
    """What the note field says (issue 10, item 12): the note is read by the whole team; medical,
    psychological or social information goes in a note of that domain. A clinician is told that
    their intervention's note is read as a note of their domain, with a link to the notes."""
    from django.urls import reverse
    from django.utils.html import format_html

    from tremplin.people import privacy

    domain = (
        instance.note_domain if instance is not None else (privacy.intervention_note_domain(author) if author else "")
    )
    team = _(
        "Read by the whole team that follows the person. Medical, psychological or social information goes in a "
        "note of that domain, not here."
    )
    veille = _("Required for a contact during a veille.")
    if not domain:
        return format_html("{} {}", team, veille)
    label = str(dict(Staff.ClinicalDomain.choices).get(domain, domain)).lower()
    return format_html(
        '{} {} <a href="{}">{}</a>. {}',
        team,
        _("As you are a %(domain)s professional, this note is shown only to the readers of %(domain)s notes.")
        % {"domain": label},
        reverse("person_notes", args=[person.pk]),
        _("Write a %(domain)s note") % {"domain": label},
        veille,
    )


class AppointmentForm(forms.Form):
    date = DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    minutes = forms.IntegerField(
        label=_("Planned duration (minutes)"),
        initial=60,
        widget=forms.NumberInput(attrs={"min": "1", "max": "720", "step": "5", "inputmode": "numeric"}),
    )
    place = forms.ChoiceField(label=_("Place"), choices=[("", "—")] + list(Place.choices))
    with_whom = forms.ChoiceField(label=_("With"), choices=With.choices, initial=With.PERSON)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Not sent to the calendar feed."),
    )


class CounsellorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, staff):
        return f"{staff.name} ({staff.organisation.name})"


class EpisodesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, episode):
        return episode.person.full_name


class ReassignForm(forms.Form):
    episodes = EpisodesField(
        label=_("Persons to re-assign"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    counsellor = CounsellorChoiceField(label=_("New counsellor"), queryset=Staff.objects.none(), empty_label="—")
    start = DateField(label=_("From"), widget=DateInput(), initial=today)
    justification = forms.CharField(
        label=_("Justification if the counsellor goes over the ceiling of 20 persons per FTE"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Recorded on the assignments beyond the ceiling and shown as an alert until resolved."),
    )

    def __init__(self, *args, episodes, counsellors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episodes"].queryset = episodes
        self.fields["counsellor"].queryset = counsellors


def log_form(person, data=None, *, focus: bool = False, **kwargs) -> InterventionForm:
    """The compact logging form of a person; "contact" is proposed when the person is in veille today."""
    initial = {"date": today()}
    day = today()
    episode = supported_episode(person, day)
    if episode is not None and episode.pause_on(day) is not None:
        initial["kind"] = Kind.CONTACT
    form = InterventionForm(data, person=person, auto_id=f"log{person.pk}_%s", initial=initial, **kwargs)
    if focus and data is None:
        form.fields["duration"].widget.autofocus_first = True
    return form
