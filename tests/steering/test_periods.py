"""A veille counts only inside its own episode (fix in pathways/periods.py)."""

from __future__ import annotations

import pytest

from tests.steering.helpers import D, admit, make_person, veille
from tremplin.pathways.models import Pause
from tremplin.pathways.periods import period_states

pytestmark = pytest.mark.django_db


def test_a_veille_running_past_its_episode_exit_does_not_count_in_the_next_episode(lead):
    person = make_person(lead)
    first = admit(person, D(2025, 1, 6), exit_date=D(2025, 8, 1), reason="person_request")
    admit(person, D(2025, 8, 1))  # readmitted on the exit day
    pause = veille(first, D(2025, 7, 1), D(2025, 7, 31))
    Pause.objects.filter(pk=pause.pk).update(end=D(2025, 8, 20))  # inconsistent data past the exit
    states = period_states([person.pk], D(2025, 7, 1), D(2025, 9, 30))
    assert states.veille[person.pk] == [(D(2025, 7, 1), D(2025, 7, 31))]
    assert states.active[person.pk] == [(D(2025, 8, 1), D(2025, 9, 30))]
