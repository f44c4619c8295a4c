"""Issue 10 items 5 and 19: every date lies between 1900-01-01 and 2100-12-31, whatever the door.

One definition (`tremplin.lib.dates.MIN_DATE`, `MAX_DATE`, docs/pathway-rules.md): every model
date field validates it, every form date field refuses it next to the field (even where model
validation is skipped), and the bundle import refuses it with its location in the file.
Pages that a stored far date used to break: tests/security/test_stored_dates.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

import tremplin
from tests.factories import EmployerFactory
from tremplin.employment.models import Contract, Placement
from tremplin.lib import dates
from tremplin.lib.forms import DateField
from tremplin.people.forms import RecognitionForm
from tremplin.people.models import Objection, Recognition

RANGE = "La date doit être comprise entre le 01/01/1900 et le 31/12/2100."


def test_item5_the_range_is_defined_once():
    assert (dates.MIN_DATE, dates.MAX_DATE) == (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
    assert dates.date_in_range(dt.date(1900, 1, 1)) and dates.date_in_range(dt.date(2100, 12, 31))
    assert not dates.date_in_range(dt.date(1899, 12, 31)) and not dates.date_in_range(dt.date(2101, 1, 1))
    assert dates.clamp(dt.date(9999, 12, 31)) == dates.MAX_DATE and dates.clamp(dt.date(1, 1, 1)) == dates.MIN_DATE


def test_item5_every_model_date_field_validates_the_range():
    """Every date of a record (typed or imported); timestamps the application sets itself (created
    at, last sign-in...) are datetimes and stay out, except the appointment's time, typed."""
    from tremplin.activity.models import Appointment

    unchecked = []
    for model in apps.get_models():
        if not model.__module__.startswith("tremplin."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                if dates.validate_date_range not in field.validators:
                    unchecked.append(f"{model._meta.label}.{field.name}")
    assert not unchecked, unchecked
    assert dates.validate_date_range in Appointment._meta.get_field("starts_at").validators


def _form_classes():
    for module_info in pkgutil.walk_packages(tremplin.__path__, "tremplin."):
        if "forms" not in module_info.name.rsplit(".", 1)[-1]:
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            # Concrete forms only (mixins such as lib.forms.VersionedForm declare no fields).
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__ and hasattr(cls, "base_fields"):
                yield cls


def test_item5_every_form_date_field_refuses_dates_out_of_range():
    checked, unchecked = [], []
    for cls in _form_classes():
        for name, field in getattr(cls, "base_fields", {}).items():  # mixins have none
            if isinstance(field, forms.DateField):
                target = checked if dates.validate_date_range in field.validators else unchecked
                target.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not unchecked, unchecked
    assert len(checked) > 30  # the forms of every app were found


@pytest.mark.django_db
def test_item5_model_validation_refuses_far_dates(person):
    recognition = Recognition(person=person, kind="rqth", start=dt.date(1, 1, 1))
    with pytest.raises(ValidationError) as refused:
        recognition.full_clean()
    assert refused.value.message_dict["start"] == [RANGE]


@pytest.mark.django_db
def test_item5_the_form_field_refuses_even_without_model_validation(person):
    class WithoutModelValidation(RecognitionForm):
        def _post_clean(self):  # what a form skipping model validation does
            pass

    form = WithoutModelValidation({"kind": "rqth", "start": "0001-01-01", "end": "9999-12-31"})
    assert not form.is_valid()
    assert form.errors["start"] == [RANGE] and form.errors["end"] == [RANGE]
    assert 'min="1900-01-01"' in str(form["start"]) and 'max="2100-12-31"' in str(form["start"])
    assert DateField().clean("2100-12-31") == dt.date(2100, 12, 31)


@pytest.mark.django_db
def test_item19_recognition_objection_and_contract_of_0001_01_01_are_refused_next_to_the_field(
    as_counsellor, person, platform
):
    response = as_counsellor.post(
        reverse("recognition_add", args=[person.pk]), {"kind": "rqth", "start": "0001-01-01", "end": ""}
    )
    assert response.status_code == 200 and RANGE in response.content.decode()
    assert 'id="id_start_error"' in response.content.decode()
    assert not Recognition.objects.filter(start__year=1).exists()

    response = as_counsellor.post(
        reverse("objection_add", args=[person.pk]), {"domain": "medical", "made_on": "0001-01-01", "reason": "Non"}
    )
    assert response.status_code == 200 and RANGE in response.content.decode()
    assert not Objection.objects.exists()

    employer = EmployerFactory(platform=platform)
    response = as_counsellor.post(
        reverse("contract_add", args=[person.pk]),
        {"employer": employer.pk, "type": "cdd", "start": "0001-01-01", "weekly_hours": "24"},
    )
    assert response.status_code == 200 and RANGE in response.content.decode()
    assert not Contract.objects.exists()


@pytest.mark.django_db
def test_item5_a_placement_ending_9999_12_31_is_refused(as_counsellor, person, platform):
    host = EmployerFactory(platform=platform)
    data = {"kind": "pmsmp", "employer": host.pk, "start": "2025-03-10", "end": "9999-12-31", "objective": "Essai"}
    response = as_counsellor.post(reverse("placement_add", args=[person.pk]), data)
    assert response.status_code == 200 and RANGE in response.content.decode()
    assert 'id="id_end_error"' in response.content.decode()
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_item5_the_bundle_import_refuses_far_dates_with_their_location(tmp_path):
    from tests.steering.test_bundle import EXAMPLE, write
    from tremplin.steering.bundle import importer

    bundle = copy.deepcopy(EXAMPLE)
    jeanne = bundle["persons"][0]
    jeanne["placements"][0]["end"] = "9999-12-31"
    jeanne["birth_date"] = "0001-01-01"
    jeanne["interventions"][0]["date"] = "2101-01-01"
    report = importer.import_bundle(write(tmp_path, bundle), importer.CONSOLE)
    assert not report.ok and not report.written
    messages = {e.path: e.message for e in report.errors}
    for path in ("persons[0].placements[0].end", "persons[0].birth_date", "persons[0].interventions[0].date"):
        assert messages.get(path) == RANGE, (path, messages)
    assert not Placement.objects.exists()
