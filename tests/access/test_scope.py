"""Who sees which person: a grid of named users by pages, for a person of the lead organisation
and a person of the partner. Outside one's scope the answer is 404, never 403 (nothing leaks)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, PauseFactory, PrescriptionFactory

PERSON_PAGES = ["person_detail", "person_edit", "prescription_add", "recognition_add"]
EPISODE_PAGES = ["veille_start", "exit_episode", "outreach_add", "change_counsellor", "entry_situation_edit"]

# user fixture -> (sees the lead's person, sees the partner's person)
GRID = {
    "counsellor": (True, False),
    "coordinator": (True, True),
    "manager": (True, True),
    "partner_counsellor": (False, True),
    "partner_coordinator": (False, True),
    "outsider": (False, False),
}


@pytest.fixture
def records(person, partner_person, counsellor, partner_counsellor):
    lead_episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    partner_episode = EpisodeFactory(
        prescription=PrescriptionFactory(person=partner_person), counsellor=partner_counsellor
    )
    return {
        "lead": {
            "person": person,
            "episode": lead_episode,
            "pause": PauseFactory(episode=lead_episode),
            "prescription": PrescriptionFactory(person=person, date=lead_episode.admitted_on),
        },
        "partner": {
            "person": partner_person,
            "episode": partner_episode,
            "pause": PauseFactory(episode=partner_episode),
            "prescription": PrescriptionFactory(person=partner_person, date=partner_episode.admitted_on),
        },
    }


def urls_for(record):
    urls = [reverse(name, args=[record["person"].pk]) for name in PERSON_PAGES]
    urls += [reverse(name, args=[record["episode"].pk]) for name in EPISODE_PAGES]
    urls += [reverse(name, args=[record["pause"].pk]) for name in ("veille_end", "veille_extend")]
    urls += [
        reverse(name, args=[record["prescription"].pk])
        for name in ("admit", "prescription_edit", "prescription_withdraw")
    ]
    return urls


@pytest.mark.parametrize("who", list(GRID))
def test_persons_are_visible_only_within_scope(request, records, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    sees_lead, sees_partner = GRID[who]
    for side, sees in (("lead", sees_lead), ("partner", sees_partner)):
        for url in urls_for(records[side]):
            status = client.get(url).status_code
            assert status == (200 if sees else 404), f"{who} {url} -> {status}"


@pytest.mark.parametrize("who", list(GRID))
def test_lists_show_only_persons_within_scope(request, records, who):
    client = client_for(request.getfixturevalue(who))
    sees_lead, sees_partner = GRID[who]
    content = client.get(reverse("person_list")).content.decode()
    for side, sees in (("lead", sees_lead), ("partner", sees_partner)):
        link = reverse("person_detail", args=[records[side]["person"].pk])
        assert (link in content) is sees, f"{who} {side}"


def test_posts_outside_scope_are_404_and_change_nothing(records, counsellor):
    client = client_for(counsellor)
    episode = records["partner"]["episode"]
    response = client.post(
        reverse("exit_episode", args=[episode.pk]), {"exit_date": "2024-06-01", "reason": "death", "version": 1}
    )
    assert response.status_code == 404
    episode.refresh_from_db()
    assert episode.is_open


def test_anonymous_users_are_sent_to_the_sign_in_page(client, records):
    response = client.get(reverse("person_detail", args=[records["lead"]["person"].pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_staff_who_left_see_nothing(records, counsellor):
    import datetime as dt

    counsellor.end = dt.date(2024, 1, 1)
    counsellor.save()
    client = client_for(counsellor)
    assert client.get(reverse("person_detail", args=[records["lead"]["person"].pk])).status_code == 404


def test_only_coordinators_and_managers_manage_staff(counsellor, coordinator):
    assert client_for(counsellor).get(reverse("staff_create")).status_code == 403
    assert client_for(coordinator).get(reverse("staff_create")).status_code == 200
    assert client_for(counsellor).get(reverse("staff_list")).status_code == 200
