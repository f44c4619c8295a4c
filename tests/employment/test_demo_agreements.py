"""The demo's support agreements: realistic, within the rules, and feeding the due list."""

from __future__ import annotations

import datetime as dt

import pytest

from tremplin import demo
from tremplin.activity.due import collect
from tremplin.activity.models import Intervention
from tremplin.employment import due
from tremplin.employment.models import Employer, SupportAgreement, siret_is_valid
from tremplin.pathways.models import Episode
from tremplin.people.models import Person

AS_OF = dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_demo_agreements_respect_the_rules_and_feed_the_due_list():
    demo.build(seed=2026, as_of=AS_OF, persons=250)
    agreements = list(SupportAgreement.objects.select_related("episode"))
    assert agreements
    for agreement in agreements:
        generated = agreement.generated_on
        assert agreement.episode.admitted_on <= generated <= AS_OF
        for signed in (agreement.signed_by_person_on, agreement.signed_by_platform_on, agreement.signed_by_employer_on):
            assert signed is None or generated <= signed <= AS_OF
    supported = Episode.objects.filter(admitted_on__lte=AS_OF - dt.timedelta(days=31), exit_date__isnull=True)
    with_signed = sum(
        1 for e in supported.prefetch_related("agreements") if any(a.is_signed for a in e.agreements.all())
    )
    assert 0.8 <= with_signed / supported.count() < 1  # most, not all
    assert SupportAgreement.objects.filter(kind="amendment", pause__isnull=False).exists()  # veilles
    assert SupportAgreement.objects.filter(kind="amendment", pause__isnull=True, employer__isnull=False).exists()
    kinds = {
        item.kind
        for item in collect(Person.objects.all(), AS_OF, producers=[due.missing_agreements, due.employer_not_named])
    }
    assert {"agreement_missing", "agreement_employer_not_named"} <= kinds
    sirets = [e.siret for e in Employer.objects.exclude(kind="self_employed")]
    assert sirets and all(siret_is_valid(s) for s in sirets)
    linked = Intervention.objects.filter(contract__isnull=False).select_related("contract")[:200]
    assert linked and all(i.contract.covers(i.date) and i.employer_id == i.contract.employer_id for i in linked)
