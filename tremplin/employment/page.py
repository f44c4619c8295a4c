"""The employment section of the person's page (registered in `EmploymentConfig.ready`): the
employment status and the pathway timeline near the top, the contracts, placements, support
agreements and workplace support further down; one load for both places."""

from __future__ import annotations

from tremplin.access.permissions import can
from tremplin.activity.page import WORKPLACE_SHOWN, latest_interventions, minutes_by_day
from tremplin.pathways.page import episodes_of

from . import status, timeline
from .due import agreement_findings
from .models import Contract, Placement, SupportAgreement


def _monthly_minutes(by_day: dict) -> dict[tuple[int, int], int]:
    """Minutes of every intervention of the person per calendar month (the timeline's hours)."""
    result: dict[tuple[int, int], int] = {}
    for day, total in by_day.items():
        key = (day.year, day.month)
        result[key] = result.get(key, 0) + total
    return result


def employment_section(file) -> dict:
    person, day = file.person, file.day
    episodes = episodes_of(file)
    contracts = list(Contract.objects.filter(person=person).select_related("employer").order_by("-start", "-pk"))
    placements = list(Placement.objects.filter(person=person).select_related("employer").order_by("-start", "-pk"))
    agreements = list(
        SupportAgreement.objects.filter(episode__person=person).select_related("employer", "pause").order_by("number")
    )
    by_episode = {}
    for agreement in agreements:
        by_episode.setdefault(agreement.episode_id, []).append(agreement)
    episode_rows = []
    for episode in sorted(episodes, key=lambda e: e.admitted_on, reverse=True):
        versions = by_episode.get(episode.pk, [])
        episode_rows.append(
            {
                "episode": episode,
                "agreements": versions,
                "findings": agreement_findings(episode, versions, contracts, day),
            }
        )
    interventions = latest_interventions(file)[1]
    employment_status = status.status_from_contracts(contracts, day)
    return {
        "may_change": can(file.user, "employment.change"),
        "may_generate": can(file.user, "agreement.generate"),
        "day": day,
        "contracts": contracts,
        "current_contracts": status.current_contracts(contracts, day),
        "placements": placements,
        "episode_rows": episode_rows,
        "workplace_interventions": interventions[:WORKPLACE_SHOWN],
        "workplace_more": len(interventions) > WORKPLACE_SHOWN,
        "employment_status": employment_status,
        "employment_status_label": status.LABELS[employment_status],
        "last_contract": next((c for c in contracts if c.start <= day), None),
        "timeline": timeline.build(
            person,
            episodes=episodes,
            contracts=contracts,
            placements=placements,
            minutes=_monthly_minutes(minutes_by_day(file)),
            day=day,
        ),
    }
