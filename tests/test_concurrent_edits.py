"""Issue 10 item 6: concurrent edits of prescriptions, recognitions and staff records are detected.

Like the person, contract and employer forms: the form sends the version it showed; when someone
else saved the record since, the save is refused with a message and the page shows their version.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PrescriptionFactory
from tremplin.organisations.models import Staff
from tremplin.pathways.models import Prescription
from tremplin.people.models import Recognition

pytestmark = pytest.mark.django_db

REFUSED = "Quelqu’un d’autre a enregistré"


def form_data(form) -> dict:
    """What the browser posts for the form as shown (its initial values)."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[bound.name] = value
    return data


def _two_editors(first, second, url, change_first, change_second):
    """Both open the form; `first` saves; `second` saves from the stale form: the response."""
    page_a = first.get(url)
    page_b = second.get(url)
    assert 'name="version"' in page_b.content.decode()  # the form carries the version it shows
    assert first.post(url, {**form_data(page_a.context["form"]), **change_first}).status_code == 302
    return second.post(url, {**form_data(page_b.context["form"]), **change_second})


def _refused(response, shown: dict):
    content = response.content.decode()
    assert response.status_code == 200
    assert REFUSED in content.replace("'", "’")
    form = response.context["form"]
    for name, value in shown.items():  # the other person's version, to make one's changes again
        assert str(form[name].value()) == value


def test_item6_concurrent_edit_of_a_prescription_is_refused(person, counsellor, colleague):
    prescription = PrescriptionFactory(person=person, date=dt.date(2025, 1, 10))
    url = reverse("prescription_edit", args=[prescription.pk])
    response = _two_editors(
        client_for(counsellor),
        client_for(colleague),
        url,
        {"prescriber_contact": "Mme Roux"},
        {"prescriber_contact": "M. Vidal"},
    )
    _refused(response, {"prescriber_contact": "Mme Roux"})
    prescription.refresh_from_db()
    assert (prescription.prescriber_contact, prescription.version) == ("Mme Roux", 2)


def test_item6_concurrent_edit_of_a_recognition_is_refused(person, counsellor, colleague):
    recognition = Recognition.objects.create(person=person, kind="rqth", start=dt.date(2024, 1, 1))
    url = reverse("recognition_edit", args=[recognition.pk])
    response = _two_editors(
        client_for(counsellor), client_for(colleague), url, {"end": "2029-01-01"}, {"end": "2030-06-30"}
    )
    _refused(response, {"end": "2029-01-01"})
    recognition.refresh_from_db()
    assert (recognition.end, recognition.version) == (dt.date(2029, 1, 1), 2)


def test_item6_concurrent_edit_of_a_staff_record_is_refused(coordinator, manager, counsellor):
    url = reverse("staff_edit", args=[counsellor.pk])
    response = _two_editors(client_for(coordinator), client_for(manager), url, {"fte": "0,5"}, {"fte": "0,8"})
    _refused(response, {"fte": "0.50"})
    counsellor = Staff.objects.get(pk=counsellor.pk)
    assert (str(counsellor.fte), counsellor.version) == ("0.50", 2)


def test_item6_a_withdrawal_makes_an_open_edit_form_of_the_prescription_stale(person, counsellor, colleague):
    prescription = PrescriptionFactory(person=person, date=dt.date(2025, 1, 10))
    url = reverse("prescription_edit", args=[prescription.pk])
    stale = client_for(colleague).get(url).context["form"]
    withdrawn = client_for(counsellor).post(
        reverse("prescription_withdraw", args=[prescription.pk]), {"withdrawn_on": "2025-02-01", "reason": "Déménagé"}
    )
    assert withdrawn.status_code == 302
    response = client_for(colleague).post(url, {**form_data(stale), "prescriber_contact": "M. Vidal"})
    assert response.status_code == 200 and REFUSED in response.content.decode().replace("'", "’")
    assert Prescription.objects.get(pk=prescription.pk).prescriber_contact != "M. Vidal"
