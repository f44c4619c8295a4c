"""Plain Django forms (issue 11 item 7): model validation and constraints run in the forms, and a
rule the database repeats still shows its own message next to its field."""

from __future__ import annotations

import pytest

from tremplin.access.models import User
from tremplin.lib.forms import ServiceModelForm


def test_item7_no_private_form_api_is_overridden():
    assert "_post_clean" not in vars(ServiceModelForm)


@pytest.mark.django_db
def test_item7_staff_member_is_none_for_an_account_without_staff_row():
    user = User.objects.create_user("sans.fiche", password="un mot de passe long")
    assert user.staff_member is None and user.external_account is None


def test_item7_staff_member_does_not_hide_other_errors(monkeypatch):
    """Only the missing row means "no staff": any other error is not swallowed."""

    def broken(self):
        raise RuntimeError("database gone")

    monkeypatch.setattr(User, "staff", property(broken))
    with pytest.raises(RuntimeError):
        assert User(username="x").staff_member


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end", "La fin ne peut pas être antérieure au début"),
        ({"requested_by": "counsellor", "agreement_date": ""}, "agreement_date", "accord formel"),
    ],
)
def test_item7_a_constraint_the_service_words_shows_the_rules_message_next_to_its_field(data, field, words):
    from tremplin.pathways.forms import VeilleForm

    form = VeilleForm(
        {
            "start": "2026-03-01",
            "end": "2026-06-01",
            "requested_by": "person",
            "reactivation_conditions": "Reprise en juin.",
            "employer_informed": "no_employer",
            **data,
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert words in form.errors[field][0]
