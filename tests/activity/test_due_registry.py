"""Due producers are registered by their app (AppConfig.ready), never listed by path: none can be
forgotten, and employment's items reach À faire (issue 11 item 2, issue 15)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
from django.apps import apps
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, PersonFactory, PrescriptionFactory
from tremplin.activity import due
from tremplin.lib.dates import today


def _producers_defined_in_due_modules():
    """Every public function of an app's `due` module shaped as a producer:
    `(persons, day) -> list[DueItem]`."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tremplin"):
            continue
        try:
            module = importlib.import_module(f"{config.name}.due")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.due":
                raise
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters == ["persons", "day"] and "DueItem" in str(function.__annotations__.get("return", "")):
                found.append(function)
    return found


def test_item2_every_producer_of_every_app_is_registered():
    defined = _producers_defined_in_due_modules()
    modules = {f.__module__ for f in defined}
    assert {"tremplin.activity.due", "tremplin.employment.due"} <= modules
    missing = [f"{f.__module__}.{f.__name__}" for f in defined if f not in due.registered()]
    assert missing == [], f"producers defined but not registered in their AppConfig.ready(): {missing}"


def test_item2_employment_kinds_are_named_in_the_filter():
    for kind in ("agreement_missing", "agreement_unsigned", "agreement_employer_not_named"):
        assert kind in due.KIND_LABELS and str(due.KIND_LABELS[kind]) != kind


@pytest.mark.parametrize("view", ["mine", "team"])
def test_item2_admission_60_days_ago_without_agreement_shows_on_a_faire(lead, counsellor, coordinator, view):
    admitted_on = today() - dt.timedelta(days=60)
    person = PersonFactory(organisation=lead, first_name="Inès", last_name="Sansconvention")
    prescription = PrescriptionFactory(person=person, date=admitted_on - dt.timedelta(days=5))
    episode = EpisodeFactory(prescription=prescription, admitted_on=admitted_on, counsellor=counsellor)
    other = PersonFactory(organisation=lead, first_name="Paul", last_name="Récent")
    recent = EpisodeFactory(
        prescription=PrescriptionFactory(person=other, date=today() - dt.timedelta(days=15)),
        admitted_on=today() - dt.timedelta(days=10),
        counsellor=counsellor,
    )
    client = client_for(counsellor if view == "mine" else coordinator)
    page = client.get(reverse("due_list"), {"view": view}).content.decode()
    assert "Inès SANSCONVENTION" in page
    assert "Pas encore de convention d’accompagnement, 60 jours après l’admission" in page
    assert reverse("agreement_create", args=[episode.pk]) in page
    # Admitted 10 days ago: the agreement is not due yet.
    assert reverse("agreement_create", args=[recent.pk]) not in page
