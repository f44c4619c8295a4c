"""A refused page names the person it was about from the refusal itself (the 404 of the scope,
the 403 of the permission table), not from an attribute left on the request; the audit log and
its middleware do not import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import EpisodeFactory, PauseFactory, PrescriptionFactory, StaffFactory
from tremplin.access import scope
from tremplin.access.permissions import NotAllowed, require
from tremplin.audit.models import AuditEntry
from tremplin.organisations.models import Staff

AUDIT = Path(__file__).resolve().parents[2] / "tremplin" / "audit"


def _imports(name: str) -> set[str]:
    tree = ast.parse((AUDIT / name).read_text())
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_the_audit_log_and_its_middleware_do_not_import_each_other():
    assert "middleware" not in _imports("log.py")
    assert "context" in _imports("log.py") and "log" in _imports("middleware.py")


def test_a_403_on_a_record_hanging_off_a_person_names_that_person(person, lead):
    assistant = StaffFactory(organisation=lead, function=Staff.Function.ADMINISTRATIVE)
    pause = PauseFactory(episode=EpisodeFactory(prescription=PrescriptionFactory(person=person)))
    assert client_for(assistant).get(reverse("veille_extend", args=[pause.pk])).status_code == 403
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.person == person
    assert entry.detail == {
        "status": 403,
        "path": f"/veilles/{pause.pk}/prolonger/",
        "method": "GET",
        "action": "episode.change",
    }


def test_the_refusals_carry_the_person_they_are_about(person, partner_person, counsellor, lead):
    assistant = StaffFactory(organisation=lead, function=Staff.Function.ADMINISTRATIVE)
    with pytest.raises(scope.OutOfScope) as refusal:
        scope.get_person(counsellor.user, partner_person.pk)
    assert refusal.value.person_id == partner_person.pk
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person))
    with pytest.raises(NotAllowed) as denial:
        require(assistant.user, "episode.change", about=episode)
    assert denial.value.person_id == person.pk and str(denial.value) == "episode.change"
