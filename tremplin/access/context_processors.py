from __future__ import annotations

from .permissions import TABLE, role_of
from .scope import staff_of


def navigation(request):
    """`current_staff`, `role` and `allowed` (the set of actions the user may do) for templates."""
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    role = role_of(user) if staff is not None else None
    allowed = {action for action, roles in TABLE.items() if role in roles} if role else set()
    return {"current_staff": staff, "role": role, "allowed": allowed}
