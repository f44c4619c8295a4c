"""Issue 10 items 5 and 19: far dates stored before the range was enforced break no page.

The range of accepted dates (1900-01-01 to 2100-12-31, `tremplin.lib.dates`) is enforced by every
door, but a database filled before that (or by hand) may hold 9999-12-31 ("no end") or 0001-01-01.
Here every date column of every record of a small platform is set directly in the database to such
a value (where the database constraints allow it), then every page is called: none may answer 500.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from tests.conftest import client_for

from . import urlmap

FAR_FUTURE = dt.date(9999, 12, 31)
FAR_PAST = dt.date(1, 1, 1)


def _date_columns():
    for model in apps.get_models():
        if not model.__module__.startswith("tremplin."):
            continue
        for field in model._meta.concrete_fields:
            if type(field) is not models.DateTimeField and isinstance(field, models.DateField):
                yield model, field.name


# Columns that open a period; the others end one or date a single event.
STARTS = {"start", "admitted_on", "date", "decided_on", "made_on", "given_on", "written_on", "birth_date"}


def _store_everywhere(value: dt.date, columns: str) -> list[str]:
    """Set the date columns (`columns`: "all", "starts" or "ends") to `value` where the database
    accepts it; the columns set."""
    done = []
    for _round in range(2):  # a start refused before its end moved: the second round sets it
        for model, name in _date_columns():
            if columns != "all" and (name in STARTS) != (columns == "starts"):
                continue
            if f"{model._meta.label}.{name}" in done:
                continue
            try:
                with transaction.atomic():
                    model.objects.update(**{name: value})
            except IntegrityError:
                continue
            done.append(f"{model._meta.label}.{name}")
    return done


def _broken_pages(world, who_list) -> list[str]:
    broken = []
    for who in who_list:
        client = client_for(world.users[who])
        client.raise_request_exception = False
        for name in urlmap.routes():
            spec = urlmap.SPEC[name]
            if spec.public or spec.method == "post":
                continue
            record = world.records["lead"][spec.kind] if spec.kind else None
            response = client.get(urlmap.url_for(name, record))
            if response.status_code >= 500:
                broken.append(f"{who} GET {name}: {response.status_code}")
    return broken


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, columns",
    [(FAR_FUTURE, "ends"), (FAR_PAST, "starts"), (FAR_FUTURE, "all"), (FAR_PAST, "all")],
    ids=["ends-9999-12-31", "starts-0001-01-01", "all-9999-12-31", "all-0001-01-01"],
)
def test_item5_stored_far_dates_make_no_page_fail(value, columns):
    world = urlmap.build_world()
    stored = _store_everywhere(value, columns)
    # The case of the issue: a placement ending 9999-12-31 (and a contract, an episode's exit...).
    assert ("employment.Placement.start" if columns == "starts" else "employment.Placement.end") in stored
    who = {"ends": ["manager", "counsellor", "funder", "prescriber"], "starts": ["manager", "counsellor"]}
    broken = _broken_pages(world, who.get(columns, ["manager"]))
    assert not broken, "\n".join(broken)
