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
