"""Staff and organisations: workflows with their audit entries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tremplin.audit.log import diff, record, snapshot
from tremplin.lib.errors import DomainError, check_version

from .models import Organisation, Platform, Staff

STAFF_FIELDS = ["organisation", "name", "function", "clinical_domain", "fte", "start", "end", "rncp37779"]

SENIOR_FUNCTIONS = {Staff.Function.COORDINATOR, Staff.Function.MANAGER}
# What decides a staff member's role and scope: nobody changes these on their own record, and
# only the direction changes them on a coordinator's or a manager's record.
AUTHORITY_FIELDS = ["organisation", "function", "clinical_domain", "start", "end"]


def _self_messages() -> dict:
    return {
        "organisation": _("You cannot move yourself to another organisation: someone with authority over it must do it."),
        "function": _("You cannot change your own function: someone with authority over it must do it."),
        "clinical_domain": _(
            "You cannot change your own clinical domain: someone with authority over it must do it."
        ),
        "start": _("You cannot change the dates of your own post: someone with authority over it must do it."),
        "end": _("You cannot change the dates of your own post: someone with authority over it must do it."),
    }


def clinical_domain_of(function: str, domain: str) -> str:
    """The clinical domain that makes a staff member a clinician (function "other" only)."""
    return domain if function == Staff.Function.OTHER else ""


def may_grant_clinical_domain(user, organisation: Organisation) -> bool:
    """A manager of the staff member's organisation, or of the platform's lead organisation."""
    from tremplin.access.permissions import can
    from tremplin.access.scope import staff_of

    actor = staff_of(user)
    if actor is None or not can(user, "staff.grant_clinical_domain"):
        return False
    if actor.organisation.platform_id != organisation.platform_id:
        return False
    return actor.organisation_id == organisation.pk or actor.organisation.is_lead


def check_authority(user, staff: Staff | None, data: dict, username: str = "") -> None:
    """Refuse (DomainError, next to the field) what the user has no authority to grant.

    `staff` is the record before the change (None when creating it). The rules are written in
    docs/permissions.md, "Qui peut attribuer quoi"; the actions in access.permissions.TABLE."""
    from tremplin.access.permissions import can
    from tremplin.access.scope import organisations_for

    if staff is not None and staff.user_id is not None and staff.user_id == user.pk:
        messages = _self_messages()
        for name in AUTHORITY_FIELDS:
            if name in data and data[name] != getattr(staff, name):
                raise DomainError(messages[name], field=name, code="own_authority")
    organisation = data.get("organisation") or (staff.organisation if staff else None)
    if organisation is None or not organisations_for(user).filter(pk=organisation.pk).exists():
        raise DomainError(
            _("You cannot add or move staff to this organisation."), field="organisation", code="organisation_scope"
        )
    function = data.get("function", staff.function if staff else "")
    domain = data.get("clinical_domain", staff.clinical_domain if staff else "") or ""
    senior = can(user, "staff.grant_senior_function")
    if staff is not None and staff.function in SENIOR_FUNCTIONS and not senior:
        for name in AUTHORITY_FIELDS:
            if name in data and data[name] != getattr(staff, name):
                raise DomainError(
                    _(
                        "Only the direction may change the function, clinical domain, organisation or dates "
                        "of post of a coordinator or a manager."
                    ),
                    field=name,
                    code="senior_staff",
                )
    if staff is None or function != staff.function:
        if function in SENIOR_FUNCTIONS and not senior:
            raise DomainError(
                _("Only the direction may give the function of coordinator or manager."),
                field="function",
                code="senior_function",
            )
        if not can(user, "staff.grant_function"):
            raise DomainError(_("You may not change functions."), field="function", code="grant_function")
    before_domain = staff.clinical_domain if staff else ""
    before_clinical = clinical_domain_of(staff.function, staff.clinical_domain) if staff else ""
    if (domain != before_domain or clinical_domain_of(function, domain) != before_clinical) and not (
        may_grant_clinical_domain(user, organisation)
        and (staff is None or may_grant_clinical_domain(user, staff.organisation))
    ):
        raise DomainError(
            _(
                "Only the direction of this person's organisation, or the lead organisation's direction, "
                "may grant or remove a clinical domain."
            ),
            field="clinical_domain",
            code="clinical_domain",
        )
    if username and (staff is None or staff.user_id is None):
        # Whoever sets the first password of an account holds its powers.
        if function in SENIOR_FUNCTIONS and not senior:
            raise DomainError(
                _("Only the direction may create the account of a coordinator or a manager."),
                field="username",
                code="senior_account",
            )
        if clinical_domain_of(function, domain) and not may_grant_clinical_domain(user, organisation):
            raise DomainError(
                _("Only the direction may create the account of a clinician."), field="username", code="clinical_account"
            )


def _record_clinical_domain(user, staff: Staff, before: str) -> None:
    after = clinical_domain_of(staff.function, staff.clinical_domain)
    if after == before:
        return
    if after:
        record(user, "staff.clinical_domain_granted", staff, changes={"clinical_domain": [before, after]})
    else:
        record(user, "staff.clinical_domain_removed", staff, changes={"clinical_domain": [before, after]})


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
    check_authority(user, None, data, username)
    staff = Staff(code=next_staff_code(data["organisation"]), **{k: data[k] for k in STAFF_FIELDS if k in data})
    if username:
        staff.user = _create_account(username, password)
    staff.save()
    record(user, "staff.created", staff, changes=diff({}, snapshot(staff, STAFF_FIELDS)))
    _record_clinical_domain(user, staff, "")
    return staff


@transaction.atomic
def update_staff(
    user, staff: Staff, data: dict, username: str = "", password: str = "", *, version: int | None
) -> Staff:
    """`version`: the one the form showed; refused (concurrent edit) when someone saved since."""
    staff = Staff.objects.select_for_update().select_related("organisation").get(pk=staff.pk)
    check_version(staff, version)
    check_authority(user, staff, data, username)
    before_clinical = clinical_domain_of(staff.function, staff.clinical_domain)
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
    _record_clinical_domain(user, staff, before_clinical)
    return staff


@transaction.atomic
def create_organisation(user, platform: Platform, code: str, name: str) -> Organisation:
    if Organisation.objects.filter(platform=platform, code__iexact=code).exists():
        raise DomainError(_("This code is already used by another organisation."), field="code", code="code_taken")
    organisation = Organisation.objects.create(platform=platform, code=code, name=name, role=Organisation.Role.PARTNER)
    record(user, "organisation.created", organisation, changes=diff({}, snapshot(organisation)))
    return organisation
