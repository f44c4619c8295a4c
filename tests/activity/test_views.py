"""The daily-activity pages as a user meets them: logging with and without JavaScript (htmx),
editing one's own entries, the caseload, the team, what is due, appointments, the calendar feed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.activity.conftest import supported
from tests.conftest import client_for
from tests.factories import (
    ContractFactory,
    EmployerFactory,
    InterventionFactory,
    PauseFactory,
    PersonFactory,
    StaffFactory,
)
from tremplin.activity import services
from tremplin.activity.models import Appointment, CalendarFeed, Intervention
from tremplin.audit.models import AuditEntry
from tremplin.employment.models import SupportAgreement
from tremplin.lib.dates import today
from tremplin.organisations.models import Staff
from tremplin.pathways.models import CounsellorAssignment

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_data(**overrides):
    values = {
        "date": today().isoformat(),
        "duration": "45",
        "minutes": "",
        "place": "premises",
        "with_whom": "person",
        "kind": "interview",
        "action_family": "",
        "employer": "",
        "contract": "",
        "note": "",
    }
    values.update(overrides)
    return values


# Logging ------------------------------------------------------------------------------------------


def test_log_from_the_persons_page_without_javascript(as_counsellor, followed):
    url = reverse("intervention_add", args=[followed.pk])
    response = as_counsellor.post(url, post_data(duration="", minutes="50", note="Bilan"))
    assert response.status_code == 302 and response["Location"].endswith(f"/personnes/{followed.pk}/#person-activity")
    intervention = Intervention.objects.get(person=followed)
    assert (intervention.minutes, intervention.note) == (50, "Bilan")
    page = as_counsellor.get(response["Location"]).content.decode()
    assert "Intervention de 50 min enregistrée" in page and "Bilan" in page


def test_the_free_duration_wins_over_the_quick_choice(as_counsellor, followed):
    as_counsellor.post(reverse("intervention_add", args=[followed.pk]), post_data(duration="30", minutes="200"))
    assert Intervention.objects.get().minutes == 200


def test_log_from_the_caseload_with_htmx_returns_the_updated_row(as_counsellor, followed):
    url = reverse("intervention_add", args=[followed.pk])
    form = as_counsellor.get(url + "?from=caseload&next=/portefeuille/", **HTMX).content.decode()
    assert form.startswith(f'<tbody id="cl-{followed.pk}">') and 'hx-post="' in form and "autofocus" in form
    response = as_counsellor.post(
        url, post_data(duration="120", **{"from": "caseload", "next": "/portefeuille/"}), **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith(f'<tbody id="cl-{followed.pk}">') and "<form" not in content
    assert "2 h ce mois-ci" in content  # the row shows the new hours of the month
    assert 'id="caseload-status"' in content and 'hx-swap-oob="true"' in content
    assert Intervention.objects.get().minutes == 120


def test_a_refused_duration_is_shown_next_to_the_field_and_writes_nothing(as_counsellor, followed):
    url = reverse("intervention_add", args=[followed.pk])
    response = as_counsellor.post(url, post_data(duration="", minutes="900", **{"from": "caseload"}), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="log{followed.pk}_minutes_error"' in content and "entre 1 et 720 minutes" in content
    assert 'aria-invalid="true"' in content
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("minutes", ["-30", "abc", "99999999999999"])
def test_bad_durations_never_give_a_server_error(as_counsellor, followed, minutes):
    response = as_counsellor.post(
        reverse("intervention_add", args=[followed.pk]), post_data(duration="", minutes=minutes)
    )
    assert response.status_code == 200 and not Intervention.objects.exists()
    assert "minutes_error" in response.content.decode()


def test_a_kind_other_than_contact_during_a_veille_is_refused_with_the_reason(as_counsellor, person, counsellor):
    episode = supported(person, counsellor)
    PauseFactory(episode=episode, start=today() - dt.timedelta(days=3), end=today() + dt.timedelta(days=30))
    url = reverse("intervention_add", args=[person.pk])
    assert 'value="contact" selected' in as_counsellor.get(url).content.decode()  # proposed by default
    content = as_counsellor.post(url, post_data()).content.decode()
    assert f'id="log{person.pk}_kind_error"' in content and "pendant une veille" in content
    assert not Intervention.objects.exists()


def test_the_next_address_is_kept_on_this_site(as_counsellor, followed):
    response = as_counsellor.post(
        reverse("intervention_add", args=[followed.pk]), post_data(next="https://ailleurs.example/")
    )
    assert response["Location"].startswith(f"/personnes/{followed.pk}/")


def test_the_person_page_shows_the_log_form_intensity_chart_and_its_table(as_counsellor, followed):
    InterventionFactory(person=followed, date=today(), minutes=150, created_by=None)
    content = as_counsellor.get(reverse("person_detail", args=[followed.pk])).content.decode()
    assert 'id="person-activity"' in content and "<svg" in content and 'role="img"' in content
    assert "Tableau des 12 derniers mois" in content
    assert "2 h 30 — suivi" in content  # 2.5 h this month, active all month: follow-up


def test_outsiders_get_404_and_roles_that_do_not_log_get_403(client, followed, partner_counsellor, lead, outsider):
    url = reverse("intervention_add", args=[followed.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(partner_counsellor).get(url).status_code == 404
    secretary = StaffFactory(organisation=lead, function=Staff.Function.ADMINISTRATIVE)
    assert client_for(secretary).post(url, post_data()).status_code == 403
    page = client_for(secretary).get(reverse("person_detail", args=[followed.pk])).content.decode()
    assert 'id="person-activity"' not in page  # no notes for the secretariat
    assert not Intervention.objects.exists()


def test_edit_and_delete_ones_own_entry_with_history(as_counsellor, counsellor, followed):
    intervention = services.log_intervention(
        counsellor.user,
        followed,
        {"date": today(), "minutes": 45, "place": "premises", "with_whom": "person", "kind": "interview"},
    )
    edit = reverse("intervention_edit", args=[intervention.pk])
    assert re.search(r'value="45" id="[^"]+" checked', as_counsellor.get(edit).content.decode())
    response = as_counsellor.post(edit, post_data(duration="90", version="1"))
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.minutes == 90
    delete = reverse("intervention_delete", args=[intervention.pk])
    assert as_counsellor.post(delete, {"version": "2"}).status_code == 302
    assert not Intervention.objects.exists()
    page = as_counsellor.get(reverse("person_detail", args=[followed.pk])).content.decode()
    assert "a modifié une intervention" in page and "a supprimé une intervention" in page


def test_a_colleague_cannot_edit_or_delete_someone_elses_entry(counsellor, colleague, followed):
    intervention = InterventionFactory(person=followed, created_by=counsellor.user, date=today())
    as_colleague = client_for(colleague)
    assert as_colleague.get(reverse("intervention_edit", args=[intervention.pk])).status_code == 403
    assert (
        as_colleague.post(reverse("intervention_delete", args=[intervention.pk]), {"version": "1"}).status_code == 403
    )
    assert Intervention.objects.filter(pk=intervention.pk).exists()


# Caseload -----------------------------------------------------------------------------------------


def test_my_caseload_shows_my_persons_with_status_intensity_interview_job_and_next_item(
    as_counsellor, counsellor, colleague, lead
):
    day = today()
    active = PersonFactory(organisation=lead, first_name="Inès", last_name="Active")
    supported(active, counsellor)
    InterventionFactory(person=active, date=day, minutes=600, with_whom="person")  # 10 h this month: regular
    ContractFactory(
        person=active, employer=EmployerFactory(platform=lead.platform, name="Boulangerie du Causse"), start=day
    )
    paused = PersonFactory(organisation=lead, first_name="Paul", last_name="Enveille")
    paused_episode = supported(paused, counsellor)
    PauseFactory(episode=paused_episode, start=day - dt.timedelta(days=1), end=day + dt.timedelta(days=10))
    SupportAgreement.objects.create(  # signed: the agreement is not what is due next
        episode=paused_episode,
        number=1,
        kind="initial",
        signed_by_person_on=paused_episode.admitted_on,
        signed_by_platform_on=paused_episode.admitted_on,
    )
    elsewhere = PersonFactory(organisation=lead, last_name="Collegue")
    supported(elsewhere, colleague)
    content = as_counsellor.get(reverse("caseload")).content.decode()
    assert "ACTIVE Inès" in content and "ENVEILLE Paul" in content and "COLLEGUE" not in content
    row = content[content.index(f'id="cl-{active.pk}"') :]
    row = row[: row.index("</tbody>")]
    assert "régulier" in row and "10 h ce mois-ci" in row and "en emploi" in row and "Boulangerie du Causse" in row
    assert day.strftime("%d/%m/%Y") in row  # last interview
    veille_row = content[content.index(f'id="cl-{paused.pk}"') :]
    assert "en veille" in veille_row[: veille_row.index("</tbody>")]
    assert "se termine le" in veille_row[: veille_row.index("</tbody>")]  # next thing due: the veille ends
    assert "1 personne accompagnée activement (hors veille) pour 1 ETP" in content


def test_the_caseload_filters_and_sorts(as_counsellor, counsellor, lead):
    day = today()
    for name, minutes in [("Alpha", 60), ("Bravo", 800), ("Charlie", 0)]:
        person = PersonFactory(organisation=lead, last_name=name)
        supported(person, counsellor)
        if minutes:
            InterventionFactory(person=person, date=day, minutes=min(minutes, 720))
    by_intensity = as_counsellor.get(reverse("caseload") + "?sort=intensity").content.decode()
    assert by_intensity.index("BRAVO") < by_intensity.index("ALPHA") < by_intensity.index("CHARLIE")
    assert 'aria-sort="ascending"' in by_intensity
    by_name_desc = as_counsellor.get(reverse("caseload") + "?sort=-name").content.decode()
    assert by_name_desc.index("CHARLIE") < by_name_desc.index("BRAVO") < by_name_desc.index("ALPHA")
    light = as_counsellor.get(reverse("caseload") + "?level=light").content.decode()
    assert "ALPHA" in light and "CHARLIE" in light and "BRAVO" not in light


def test_a_coordinator_opens_a_counsellors_caseload_a_counsellor_cannot(coordinator, counsellor, colleague, followed):
    url = reverse("caseload") + f"?counsellor={counsellor.pk}"
    content = client_for(coordinator).get(url).content.decode()
    assert "Portefeuille de Claire Martin" in content and "DURAND Jeanne" in content
    assert client_for(colleague).get(url).status_code == 403


def test_a_partner_coordinator_cannot_see_a_lead_counsellors_caseload(partner_coordinator, counsellor, followed):
    assert client_for(partner_coordinator).get(reverse("caseload") + f"?counsellor={counsellor.pk}").status_code == 404


# The team -----------------------------------------------------------------------------------------


def test_the_team_page_shows_loads_against_the_ceiling_and_persons_without_a_counsellor_in_post(
    as_coordinator, counsellor, lead
):
    from decimal import Decimal

    counsellor.fte = Decimal("0.5")
    counsellor.save()
    for index in range(11):
        supported(PersonFactory(organisation=lead, last_name=f"P{index:02d}"), counsellor)
    leaver = StaffFactory(
        organisation=lead, name="Bruno Parti", start=dt.date(2020, 1, 1), end=today() - dt.timedelta(days=3)
    )
    orphan = PersonFactory(organisation=lead, first_name="Lou", last_name="Seule")
    supported(orphan, leaver)
    content = as_coordinator.get(reverse("team")).content.decode()
    row = content[content.index("Claire Martin</a>") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'class="num">([^<]*)<', row)[:5] == ["0,5", "11", "10", "22", "0"]
    assert "au-delà du plafond" in row
    orphans = content[content.index('id="orphans-title"') :]
    assert "Lou SEULE" in orphans and "Bruno Parti" in orphans


def test_counsellors_cannot_open_the_team_page(as_counsellor):
    assert as_counsellor.get(reverse("team")).status_code == 403


def test_reassign_many_persons_at_once_dated_and_kept(as_coordinator, coordinator, counsellor, colleague, lead):
    leaver = StaffFactory(organisation=lead, name="Bruno Parti", end=today() - dt.timedelta(days=3))
    episodes = [supported(PersonFactory(organisation=lead, last_name=f"Orph{i}"), leaver) for i in range(3)]
    start = today() - dt.timedelta(days=1)
    response = as_coordinator.post(
        reverse("team_reassign"),
        {
            "source": "none",
            "episodes": [e.pk for e in episodes[:2]],
            "counsellor": colleague.pk,
            "start": start.isoformat(),
        },
    )
    assert response.status_code == 302
    for episode in episodes[:2]:
        assert episode.current_counsellor(today()) == colleague
        previous = CounsellorAssignment.objects.get(episode=episode, staff=leaver)
        assert previous.end == start - dt.timedelta(days=1)  # the old assignment is kept, dated
    assert episodes[2].current_counsellor(today()) == leaver
    assert AuditEntry.objects.filter(action="episode.counsellor_changed").count() == 2


def test_reassigning_beyond_the_ceiling_needs_a_justification_then_shows_an_alert_until_resolved(
    as_coordinator, coordinator, counsellor, colleague, lead
):
    from decimal import Decimal

    colleague.fte = Decimal("0.1")  # ceiling: 2 persons
    colleague.save()
    mine = [supported(PersonFactory(organisation=lead, last_name=f"Pers{i}"), counsellor) for i in range(3)]
    url = reverse("team_reassign") + f"?source={counsellor.pk}"
    start = today() - dt.timedelta(days=5)
    data = {
        "source": str(counsellor.pk),
        "episodes": [e.pk for e in mine],
        "counsellor": colleague.pk,
        "start": start.isoformat(),
    }
    refused = as_coordinator.post(url, data).content.decode()
    assert "justification" in refused and "reassign_justification" in refused
    assert not CounsellorAssignment.objects.filter(staff=colleague).exists()  # all or nothing
    as_coordinator.post(url, {**data, "justification": "Remplacement pendant un congé."})
    assert CounsellorAssignment.objects.filter(staff=colleague).count() == 3
    justified = CounsellorAssignment.objects.filter(staff=colleague).exclude(over_ceiling_justification="")
    assert justified.count() == 1  # only the third one went over the ceiling
    team = as_coordinator.get(reverse("team")).content.decode()
    assert "Remplacement pendant un congé." in team and "Toujours au-dessus du plafond" in team
    # Resolving is refused while still over the ceiling.
    as_coordinator.post(reverse("resolve_alerts", args=[colleague.pk]))
    assert justified.get().over_ceiling_resolved_on is None
    services.reassign(coordinator.user, [mine[0]], counsellor=counsellor, start=today())
    response = as_coordinator.post(reverse("resolve_alerts", args=[colleague.pk]))
    assert response.status_code == 302
    assert CounsellorAssignment.objects.get(pk=justified.get().pk).over_ceiling_resolved_on == today()
    assert "Remplacement pendant un congé." not in as_coordinator.get(reverse("team")).content.decode()


# What is due --------------------------------------------------------------------------------------


def test_the_due_page_lists_my_items_with_links_and_the_team_view_for_coordinators(
    as_counsellor, as_coordinator, counsellor, colleague, lead
):
    day = today()
    mine = PersonFactory(organisation=lead, first_name="Nina", last_name="Mienne")
    PauseFactory(episode=supported(mine, counsellor), start=day - dt.timedelta(days=40), end=day - dt.timedelta(days=2))
    theirs = PersonFactory(organisation=lead, first_name="Tom", last_name="Autre")
    PauseFactory(
        episode=supported(theirs, colleague), start=day - dt.timedelta(days=40), end=day - dt.timedelta(days=2)
    )
    content = as_counsellor.get(reverse("due_list")).content.decode()
    assert "Nina MIENNE" in content and "Tom AUTRE" not in content
    assert "la reprise de l’accompagnement n’est pas enregistrée" in content
    team = as_coordinator.get(reverse("due_list") + "?view=team").content.decode()
    assert "Nina MIENNE" in team and "Tom AUTRE" in team and "Paul Roux" in team
    only_paul = as_coordinator.get(reverse("due_list") + f"?view=team&counsellor={colleague.pk}").content.decode()
    assert "Tom AUTRE" in only_paul and "Nina MIENNE" not in only_paul
    assert as_counsellor.get(reverse("due_list") + "?view=team").status_code == 403


# Appointments and the calendar feed ---------------------------------------------------------------


def test_plan_an_appointment_then_record_it_held_in_one_click(as_counsellor, counsellor, followed):
    tomorrow = today() + dt.timedelta(days=1)
    url = reverse("appointment_add", args=[followed.pk])
    response = as_counsellor.post(
        url, {"date": tomorrow.isoformat(), "time": "10:30", "minutes": "60", "place": "workplace", "with_whom": "both"}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.starts_at).strftime("%d/%m %H:%M") == tomorrow.strftime("%d/%m") + " 10:30"
    assert "Rendez-vous" in as_counsellor.get(reverse("due_list")).content.decode()
    # Not yet held: refused. Once it has taken place, one click makes it an intervention.
    as_counsellor.post(reverse("appointment_held", args=[appointment.pk]))
    assert not Intervention.objects.exists()
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    as_counsellor.post(reverse("appointment_held", args=[appointment.pk]))
    intervention = Intervention.objects.get()
    assert (intervention.minutes, intervention.place, intervention.with_whom, intervention.kind) == (
        60,
        "workplace",
        "both",
        "interview",
    )
    appointment.refresh_from_db()
    assert appointment.intervention == intervention
    assert intervention.staff == counsellor and intervention.created_by == counsellor.user


def test_an_appointment_held_is_logged_for_the_professional_who_held_it(
    as_coordinator, coordinator, counsellor, followed
):
    appointment = Appointment.objects.create(
        person=followed, staff=counsellor, starts_at=timezone.now() - dt.timedelta(hours=1), place="premises"
    )
    as_coordinator.post(reverse("appointment_held", args=[appointment.pk]))
    intervention = Intervention.objects.get()
    assert intervention.staff == counsellor and intervention.created_by == coordinator.user


@pytest.mark.parametrize("days", [-1, 400])
def test_appointments_are_planned_from_today_and_at_most_a_year_ahead(as_counsellor, followed, days):
    response = as_counsellor.post(
        reverse("appointment_add", args=[followed.pk]),
        {
            "date": (today() + dt.timedelta(days=days)).isoformat(),
            "time": "10:00",
            "minutes": "60",
            "place": "premises",
            "with_whom": "person",
        },
    )
    assert response.status_code == 200 and "date_error" in response.content.decode()
    assert not Appointment.objects.exists()


def test_cancel_an_appointment(as_counsellor, counsellor, followed):
    appointment = Appointment.objects.create(
        person=followed, staff=counsellor, starts_at=timezone.now() - dt.timedelta(days=1), place="premises"
    )
    as_counsellor.post(reverse("appointment_cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.cancelled and AuditEntry.objects.filter(action="appointment.cancelled").exists()


def test_the_calendar_feed_is_secret_minimal_and_revocable(client, as_counsellor, counsellor, followed):
    Appointment.objects.create(
        person=followed,
        staff=counsellor,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="premises",
        note="Confidentiel : santé",
    )
    page = as_counsellor.post(reverse("calendar_settings"), {"action": "create"}).content.decode()
    url = re.search(r'value="(http://testserver/calendrier/[^"]+\.ics)"', page).group(1)
    path = url.removeprefix("http://testserver")
    assert path.split("/")[2][:-4] not in CalendarFeed.objects.get().token_hash  # only a hash is stored
    response = client.get(path)  # no sign-in: the secret address is the key
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "Jeanne D." in body and "Confidentiel" not in body and "DURAND" not in body
    assert "Copiez-la" in page or "copiez" in page.lower()
    as_counsellor.post(reverse("calendar_settings"), {"action": "revoke"})
    assert client.get(path).status_code == 404
    assert client.get("/calendrier/inconnu.ics").status_code == 404


@pytest.mark.parametrize(
    "url, status",
    [
        ("/portefeuille/?counsellor=abc", 404),
        ("/portefeuille/?sort=nimporte&page=zz&level=xx&status=yy", 200),
        ("/a-faire/?view=team&counsellor=abc&kind=zz&page=-3", 200),
        ("/suivi-equipe/reaffecter/?source=abc", 404),
        ("/suivi-equipe/reaffecter/?source=999999", 404),
        ("/calendrier/x.ics", 404),
    ],
)
def test_bad_addresses_never_give_a_server_error(as_coordinator, url, status):
    assert as_coordinator.get(url).status_code == status
