"""What each role may do: the permission table, in one place.

Two questions are asked for every page:
1. may the user see this record? `access.scope` answers; outside the scope: 404.
2. may the user's role do this action? this table answers; seen but not allowed: 403.

`docs/permissions.md` shows this table for people; a test walks it.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tremplin.organisations.models import Staff

from .scope import external_of, person_id_of, staff_of


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("counsellor")
    COORDINATOR = "coordinator", _("coordinator")
    MANAGER = "manager", _("manager")
    ADMINISTRATIVE = "administrative", _("administrative staff")
    CLINICIAN = "clinician", _("clinician (medical, psychological or social)")
    OTHER = "other", _("other staff")
    ADMINISTRATOR = "administrator", _("administrator of the information system")
    FUNDER = "funder", _("funder or authority")
    PRESCRIBER = "prescriber", _("prescriber")


R = Role
STAFF_ROLES = {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE, R.CLINICIAN, R.OTHER}
EXTERNAL_ROLES = {R.ADMINISTRATOR, R.FUNDER, R.PRESCRIBER}
# The team that follows a person day to day and reads the professional notes.
TEAM = {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.CLINICIAN}

# action -> roles allowed. Actions are dotted: <area>.<verb>.
TABLE: dict[str, set[str]] = {
    # Persons and their pathway
    "person.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE, R.CLINICIAN, R.OTHER},
    "person.create": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "person.change": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "prescription.change": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "episode.admit": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER},
    "episode.change": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER},  # entry situation, veille, outreach, exit
    "episode.assign": {R.COORDINATOR, R.MANAGER, R.COUNSELLOR},  # change of counsellor
    "waiting_list.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    # Daily activity
    "intervention.log": {R.COUNSELLOR, R.COORDINATOR, R.CLINICIAN},
    "caseload.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER},
    "team.view": {R.COORDINATOR, R.MANAGER},
    "team.reassign": {R.COORDINATOR, R.MANAGER},
    "intervention.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.CLINICIAN},
    "due.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER},
    "appointment.plan": {R.COUNSELLOR, R.COORDINATOR, R.CLINICIAN},
    # Employers and jobs
    "employer.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "employer.change": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "employment.change": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    "agreement.generate": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE},
    # Steering
    "steering.view": {R.COORDINATOR, R.MANAGER},
    "steering.transmit": {R.MANAGER},
    "bundle.import": {R.MANAGER},
    "bundle.export": {R.MANAGER},
    # Organisation
    "staff.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE, R.CLINICIAN, R.OTHER},
    "staff.manage": {R.COORDINATOR, R.MANAGER},
    # Who grants what (docs/permissions.md, "Qui peut attribuer quoi"); always within one's scope,
    # never to oneself (organisations.services.check_authority).
    "staff.grant_function": {R.COORDINATOR, R.MANAGER},  # counsellor, administrative staff, other
    "staff.grant_senior_function": {R.MANAGER},  # coordinator, manager; changing theirs
    "staff.grant_clinical_domain": {R.MANAGER},  # medical, psychological, social: reads clinical notes
    "organisation.create": {R.MANAGER},
    # Notes by domain (which notes a user may read is decided by people.notes, per note)
    "note.view": TEAM,
    "note.write": TEAM,
    # The person's rights: information, consents, objections; export of the whole file
    "consent.view": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.ADMINISTRATIVE, R.CLINICIAN},
    "consent.record": {R.COUNSELLOR, R.COORDINATOR, R.MANAGER, R.CLINICIAN},
    "person.export": {R.COORDINATOR, R.MANAGER, R.CLINICIAN},
    # Audit: who accessed a person's file; the whole access log
    "audit.person": {R.COORDINATOR, R.MANAGER},
    "audit.view": {R.MANAGER, R.ADMINISTRATOR},
    # Accounts and security (2FA reset, lockouts, external accounts)
    "account.manage": {R.MANAGER, R.ADMINISTRATOR},
    # Creating external accounts: only the lead organisation's manager (access.services).
    "account.create_administrator": {R.MANAGER},
    "account.create_external": {R.MANAGER, R.ADMINISTRATOR},  # funder, prescriber
    # External accounts
    "funder.view": {R.FUNDER, R.MANAGER},
    "prescriber.view": {R.PRESCRIBER},
}


def role_of(user) -> str | None:
    """The role of a signed-in user, or None (no access to anything).

    A staff record in post gives the staff role; otherwise an active external account gives
    its kind (administrator, funder, prescriber)."""
    staff = staff_of(user)
    if staff is not None:
        if staff.function == Staff.Function.OTHER and staff.clinical_domain:
            return R.CLINICIAN
        return staff.function
    account = external_of(user)
    return account.kind if account is not None else None


def actions_of(role: str | None) -> set[str]:
    return {action for action, roles in TABLE.items() if role in roles} if role else set()


def markdown_table() -> str:
    """The permission table as Markdown, for docs/permissions.md (a test keeps them equal)."""
    roles = list(Role)
    head = "| action | " + " | ".join(capfirst(str(role.label)) for role in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = [
        f"| `{action}` | " + " | ".join("✔" if role in allowed else "·" for role in roles) + " |"
        for action, allowed in TABLE.items()
    ]
    return "\n".join([head, rule, *rows])


def can(user, action: str) -> bool:
    if action not in TABLE:
        raise KeyError(f"Unknown action {action!r}: add it to access.permissions.TABLE")
    role = role_of(user)
    return role is not None and role in TABLE[action]


class NotAllowed(PermissionDenied):
    """403: the user's role may not do `action`. `person_id` names the person of the record the
    view had looked up (`about`), for the audit of the refusal."""

    def __init__(self, action: str, person_id=None):
        super().__init__(action)
        self.person_id = person_id


def require(user, action: str, *, about=None) -> None:
    """403 unless the user's role may do `action`; `about` is the person (or a record hanging off
    a person) the view looked up, named in the audit entry of a refusal."""
    if not can(user, action):
        raise NotAllowed(action, person_id=person_id_of(about) if about is not None else None)


def permission_required(action: str):
    """Decorator for views: 403 when the user's role may not do `action`.

    Use it on views that do not load a scoped record first; views that do should call
    `require()` after the scope lookup so that outsiders get 404 rather than 403.
    """
    if action not in TABLE:
        raise KeyError(f"Unknown action {action!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
