"""The employment parts of the person's page, as inclusion tags (the person view stays untouched).

`{% employment_overview person %}`: the employment status and the pathway timeline.
`{% employment_details person %}`: contracts, placements, support agreements and workplace support.
Both share one load of the data (5 queries), kept on the person object for the request.
"""

from __future__ import annotations

from django import template
from django.db.models import Q

from tremplin.access.permissions import can
from tremplin.activity.models import Intervention
from tremplin.lib.dates import today

from .. import status, timeline
from ..due import agreement_findings
from ..models import Contract, Placement, SupportAgreement

register = template.Library()

WORKPLACE_INTERVENTIONS_SHOWN = 10


def employment_data(person) -> dict:
    cached = getattr(person, "_employment_data", None)
    if cached is not None:
        return cached
    day = today()
    episodes = list(person.episodes.all())
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
    workplace = Intervention.objects.filter(person=person).filter(Q(employer__isnull=False) | Q(contract__isnull=False))
    interventions = list(
        workplace.select_related("employer", "contract__employer", "staff").order_by("-date", "-pk")[
            : WORKPLACE_INTERVENTIONS_SHOWN + 1
        ]
    )
    more = len(interventions) > WORKPLACE_INTERVENTIONS_SHOWN
    interventions = interventions[:WORKPLACE_INTERVENTIONS_SHOWN]
    employment_status = status.status_from_contracts(contracts, day)
    data = {
        "day": day,
        "contracts": contracts,
        "current_contracts": status.current_contracts(contracts, day),
        "placements": placements,
        "episode_rows": episode_rows,
        "workplace_interventions": interventions,
        "workplace_more": more,
        "employment_status": employment_status,
        "employment_status_label": status.LABELS[employment_status],
        "last_contract": next((c for c in contracts if c.start <= day), None),
        "timeline": timeline.build(
            person,
            episodes=episodes,
            contracts=contracts,
            placements=placements,
            minutes=timeline.monthly_minutes(person),
            day=day,
        ),
    }
    person._employment_data = data
    return data


def _context(context, person) -> dict:
    user = context["request"].user
    return {
        "person": person,
        "request": context["request"],
        "may_change": can(user, "employment.change"),
        "may_generate": can(user, "agreement.generate"),
        **employment_data(person),
    }


@register.inclusion_tag("employment/_person_overview.html", takes_context=True)
def employment_overview(context, person):
    return _context(context, person)


@register.inclusion_tag("employment/_person_employment.html", takes_context=True)
def employment_details(context, person):
    return _context(context, person)
