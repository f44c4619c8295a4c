from __future__ import annotations

from .scope import can_manage_staff, staff_of


def navigation(request):
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    return {
        "current_staff": staff,
        "can_manage_staff": can_manage_staff(user) if staff else False,
    }
