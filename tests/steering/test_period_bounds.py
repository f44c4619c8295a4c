"""Issue 10 item 7: steering periods are bounded (1900-01-01 to 2100-12-31), ordered and at most
five years long, on every door: the Pilotage page, its downloads, the persons lists, the transmit
action and the `indicators` command. A refused period is said in French next to the field; no
500, no minute-long computation."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import client_for
from tests.steering.helpers import D, admit, make_person
from tremplin.steering.forms import previous_period
from tremplin.steering.models import Transmission

pytestmark = pytest.mark.django_db

RANGE = "La date doit être comprise entre le 01/01/1900 et le 31/12/2100."
SPAN = "Une période couvre au plus 5 ans"


def custom(start, end):
    return {"kind": "custom", "start": start, "end": end, "scope": "platform"}


@pytest.fixture
def someone(lead):
    admit(make_person(lead), D(2025, 1, 6))


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("0001-01-01", "2025-03-31", RANGE),
        ("2025-01-01", "9999-12-31", RANGE),
        ("1899-12-31", "1900-03-31", RANGE),
        ("2000-01-01", "2025-12-31", SPAN),
    ],
)
def test_item7_extreme_periods_are_refused_next_to_the_field(manager, someone, start, end, message):
    client = client_for(manager)
    began = time.monotonic()
    response = client.get(reverse("steering"), custom(start, end))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context.get("figures") is None
    # Its downloads and persons lists: no 500, nothing computed; the transmit action records nothing.
    for fmt in ("csv", "xlsx", "pdf"):
        download = client.get(reverse("steering_export", args=[fmt]), custom(start, end))
        assert download.status_code == 302 and download.url.startswith(reverse("steering"))
    persons = client.get(reverse("steering_persons"), {**custom(start, end), "key": "activity.supported"})
    assert persons.status_code == 302 and persons.url.startswith(reverse("steering"))
    assert client.get(persons.url).status_code == 200
    transmitted = client.post(reverse("steering_transmit"), custom(start, end), follow=True)
    assert transmitted.status_code == 200 and not Transmission.objects.exists()
    assert time.monotonic() - began < 10


def test_item7_the_first_accepted_days_have_no_previous_period_and_answer(manager, someone):
    assert previous_period(D(1900, 1, 1), D(1900, 3, 31)) is None
    response = client_for(manager).get(reverse("steering"), custom("1900-01-01", "1900-03-31"))
    assert response.status_code == 200 and response.context["figures"] is not None
    assert "Pas de période précédente" in response.content.decode()
    download = client_for(manager).get(reverse("steering_export", args=["pdf"]), custom("1900-01-01", "1900-03-31"))
    assert download.status_code == 200


def test_item7_five_years_are_accepted(manager, someone):
    response = client_for(manager).get(reverse("steering"), custom("2021-01-01", "2025-12-31"))
    assert response.status_code == 200 and response.context["figures"] is not None


@pytest.mark.parametrize(
    "start, end, message",
    [("0001-01-01", "2025-03-31", RANGE), ("2025-01-01", "9999-12-31", RANGE), ("2000-01-01", "2025-12-31", SPAN)],
)
def test_item7_indicators_command_refuses_extreme_periods(platform, someone, start, end, message):
    with pytest.raises(CommandError, match=message.split(" le ")[0]):
        call_command("indicators", "--start", start, "--end", end, stdout=StringIO(), stderr=StringIO())
