"""Workflows of steering: exports written to the audit log, quarterly transmissions.

Each takes the acting user (None for the command line), runs in one transaction and writes
the audit log.
"""

from __future__ import annotations

from django.db import transaction

from tremplin.audit.log import record


@transaction.atomic
def record_export(user, what: str, *, detail: dict) -> None:
    """Every export (indicators in any format, bundles) leaves an audit entry."""
    record(user, what, detail=detail)


def indicators_exported(user, figures: dict, fmt: str) -> None:
    record_export(
        user,
        "steering.exported",
        detail={
            "start": figures["period"]["start"],
            "end": figures["period"]["end"],
            "scope": figures["scope"],
            "format": fmt,
        },
    )


def bundle_exported(user, platform, organisation, counts) -> None:
    record_export(
        user,
        "bundle.exported",
        detail={
            "platform": platform.code,
            "organisation": organisation.code if organisation else None,
            "persons": counts.get("persons", 0),
            "interventions": counts.get("interventions", 0),
        },
    )


# Transmissions ------------------------------------------------------------------------------


@transaction.atomic
def transmit(user, scope, start, end, note: str = ""):
    """Record that the period's indicators were transmitted: who, when, the frozen figures."""
    from .indicators import compute
    from .models import Transmission

    figures = compute(start, end, scope)
    staff = getattr(user, "staff", None)
    transmission = Transmission.objects.create(
        platform=scope.platform,
        organisation=scope.organisation,
        start=start,
        end=end,
        figures=figures,
        transmitted_by=user if user is not None and user.is_authenticated else None,
        transmitted_by_name=(staff.name if staff is not None else "") or (user.get_username() if user else ""),
        note=note.strip(),
    )
    record(
        user,
        "steering.transmitted",
        transmission,
        detail={"start": start.isoformat(), "end": end.isoformat(), "scope": scope.code},
    )
    return transmission


def changes_since(transmission, current: dict | None = None) -> list[dict]:
    """Field by field, what differs between the transmitted figures and a recomputation now."""
    from . import labels
    from .indicators import compute, flatten, period_error, resolve_scope

    if current is None:
        if period_error(transmission.start, transmission.end):
            return []  # a period stored before periods were checked: its frozen figures only
        scope = resolve_scope(transmission.scope_code, transmission.platform)
        current = compute(transmission.start, transmission.end, scope)
    before = dict(flatten(transmission.figures))
    result = []
    for key, value in flatten(current):
        old = before.get(key)
        if old != value:
            label, _definition, kind = labels.describe(key)
            result.append(
                {
                    "key": key,
                    "label": label,
                    "old": old,
                    "new": value,
                    "old_display": labels.display(old, kind),
                    "new_display": labels.display(value, kind),
                }
            )
    return result
