"""Staff and organisations: workflows with their audit entries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tremplin.audit.log import diff, record, snapshot
from tremplin.lib.errors import DomainError, check_version

from .models import Organisation, Platform, Staff

STAFF_FIELDS = ["organisation", "name", "function", "clinical_domain", "fte", "start", "end", "rncp37779"]


def next_staff_code(organisation: Organisation) -> str:
    """The organisation's next free staff code; locks the organisation's row until the transaction
    ends (see `pathways.services.next_person_code`)."""
    Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).values_list("pk").get()
    existing = set(Staff.objects.filter(organisation=organisation).values_list("code", flat=True))
    number = len(existing) + 1
    while f"S{number}" in existing:
        number += 1
    return f"S{number}"


def _create_account(username: str, password: str):
    """The staff member's account; a login taken meanwhile (two forms posted at once with the
    same login: the form's check passed for both) is refused next to the field, not a 500."""
    try:
        with transaction.atomic():
            return get_user_model().objects.create_user(username=username, password=password)
    except IntegrityError:
        raise DomainError(_("This login is already taken."), field="username", code="login_taken") from None


@transaction.atomic
def create_staff(user, data: dict, username: str = "", password: str = "") -> Staff:
    staff = Staff(code=next_staff_code(data["organisation"]), **{k: data[k] for k in STAFF_FIELDS if k in data})
    if username:
        staff.user = _create_account(username, password)
    staff.save()
    record(user, "staff.created", staff, changes=diff({}, snapshot(staff, STAFF_FIELDS)))
    return staff


@transaction.atomic
def update_staff(
    user, staff: Staff, data: dict, username: str = "", password: str = "", *, version: int | None
) -> Staff:
    """`version`: the one the form showed; refused (concurrent edit) when someone saved since."""
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    check_version(staff, version)
    if data["organisation"].pk != staff.organisation_id and staff.assignments.filter(end__isnull=True).exists():
        raise DomainError(
            _("This counsellor still follows persons: re-assign them before moving to another organisation."),
            field="organisation",
            code="staff_has_caseload",
        )
    before = snapshot(staff, STAFF_FIELDS)
    for name in STAFF_FIELDS:
        setattr(staff, name, data[name])
    if username and staff.user_id is None:
        staff.user = _create_account(username, password)
    changes = diff(before, snapshot(staff, STAFF_FIELDS))
    if changes or (username and staff.user_id):
        staff.version += 1
    staff.save()
    if changes:
        record(user, "staff.updated", staff, changes=changes)
    return staff


@transaction.atomic
def create_organisation(user, platform: Platform, code: str, name: str) -> Organisation:
    if Organisation.objects.filter(platform=platform, code__iexact=code).exists():
        raise DomainError(_("This code is already used by another organisation."), field="code", code="code_taken")
    organisation = Organisation.objects.create(platform=platform, code=code, name=name, role=Organisation.Role.PARTNER)
    record(user, "organisation.created", organisation, changes=diff({}, snapshot(organisation)))
    return organisation
