"""What a prescriber sees: the status of the prescriptions they made, nothing else.

A prescription belongs to a prescriber account when it is on the account's platform, its
prescriber kind is the account's, its prescribing organisation is the account's (compared
without case, accents or extra spaces) and, when the account names a person, its prescriber's
contact contains that name. Shown: reference, date, the person's initials, and the status
(waiting, admitted, withdrawn, support ended) with its date; never the reason of an exit, the
counsellor, notes or any other detail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin.lib.text import normalise
from tremplin.pathways.models import Prescription

WAITING, ADMITTED, WITHDRAWN, ENDED = "waiting", "admitted", "withdrawn", "ended"
LABELS = {
    WAITING: _("waiting"),
    ADMITTED: _("admitted, support in progress"),
    WITHDRAWN: _("withdrawn"),
    ENDED: _("support ended"),
}


@dataclass
class Status:
    reference: str
    date: dt.date
    initials: str
    status: str
    since: dt.date | None

    @property
    def label(self) -> str:
        return str(LABELS[self.status])


def prescriptions_of(account):
    if account is None or account.kind != "prescriber":
        return Prescription.objects.none()
    candidates = Prescription.objects.filter(
        person__organisation__platform_id=account.platform_id, prescriber=account.prescriber_kind
    )
    wanted_org = normalise(account.prescriber_organisation)
    wanted_contact = normalise(account.prescriber_contact)
    ids = [
        p.pk
        for p in candidates.only("pk", "prescriber_organisation", "prescriber_contact")
        if normalise(p.prescriber_organisation) == wanted_org
        and (not wanted_contact or wanted_contact in normalise(p.prescriber_contact))
    ]
    return Prescription.objects.filter(pk__in=ids)


def statuses(account, day: dt.date) -> list[Status]:
    rows = []
    prescriptions = prescriptions_of(account).select_related("person").prefetch_related("episodes")
    for p in prescriptions.order_by("-date", "-pk"):
        episode = next(iter(sorted(p.episodes.all(), key=lambda e: e.admitted_on)), None)
        if episode is not None and episode.admitted_on <= day:
            if episode.exit_date is not None and episode.exit_date <= day:
                status, since = ENDED, episode.exit_date
            else:
                status, since = ADMITTED, episode.admitted_on
        elif p.is_withdrawn_on(day):
            status, since = WITHDRAWN, p.withdrawn_on
        else:
            status, since = WAITING, p.date
        person = p.person
        initials = " ".join(f"{name[:1].upper()}." for name in (person.first_name, person.last_name) if name)
        rows.append(Status(reference=p.code, date=p.date, initials=initials, status=status, since=since))
    return rows
