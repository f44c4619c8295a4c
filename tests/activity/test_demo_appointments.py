"""The demo has appointments to show: coming ones and past ones not recorded yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tremplin import demo
from tremplin.activity.models import Appointment

AS_OF = dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_the_demo_plans_coming_appointments_and_leaves_past_ones_to_record():
    demo.build(seed=2026, as_of=AS_OF, persons=60)
    noon = timezone.make_aware(dt.datetime.combine(AS_OF, dt.time(12)))
    appointments = list(Appointment.objects.select_related("staff", "person"))
    assert any(a.starts_at > noon for a in appointments)
    assert any(a.starts_at < noon for a in appointments)
    for appointment in appointments:
        assert not appointment.cancelled and appointment.intervention is None
        assert appointment.staff.is_in_post(AS_OF)
        assert any(e.is_open for e in appointment.person.episodes.all())
