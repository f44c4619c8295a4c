from __future__ import annotations

from .permissions import actions_of, role_of
from .scope import external_of, staff_of


def navigation(request):
    """`current_staff`, `current_account` (external), `role` and `allowed` (the set of actions
    the user may do) for templates."""
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    account = external_of(user) if user is not None and staff is None else None
    role = role_of(user) if (staff is not None or account is not None) else None
    return {"current_staff": staff, "current_account": account, "role": role, "allowed": actions_of(role)}
