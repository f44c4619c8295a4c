"""Factories for tests: small, explicit records; every date is given or obviously derived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tremplin.activity.models import Intervention
from tremplin.employment.models import Contract, Employer, Placement
from tremplin.organisations.models import Organisation, Platform, Staff
from tremplin.pathways.models import CounsellorAssignment, Episode, OutreachAttempt, Pause, Prescription
from tremplin.people.models import Person, Recognition

PASSWORD = "correct-horse-battery-staple"


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ("code",)

    code = "EA12"
    name = "Plateforme emploi accompagné de test"
    department = "12"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    platform = factory.SubFactory(PlatformFactory)
    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    role = Organisation.Role.PARTNER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Conseiller {n}")
    function = Staff.Function.COUNSELLOR
    fte = Decimal("1")
    start = dt.date(2020, 1, 1)
    rncp37779 = Staff.Rncp.CERTIFIED
    user = factory.SubFactory(UserFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    birth_date = dt.date(1990, 5, 17)
    sex = "F"
    disabilities = factory.LazyFunction(lambda: ["psychic"])

    @factory.post_generation
    def rqth(self, create, extracted, **kwargs):
        """Every person gets a valid RQTH from 2015 unless rqth=False."""
        if create and extracted is not False:
            Recognition.objects.create(person=self, kind="rqth", start=dt.date(2015, 1, 1), end=None)


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    person = factory.SubFactory(PersonFactory)
    code = factory.Sequence(lambda n: f"PR{n}")
    date = dt.date(2024, 1, 10)
    prescriber = Prescription.Prescriber.CAP_EMPLOI
    consent_given = True
    consent_date = factory.SelfAttribute("date")
    situation = Prescription.Situation.JOB_SEEKER


class EpisodeFactory(factory.django.DjangoModelFactory):
    """An admitted episode with its counsellor (pass counsellor=...)."""

    class Meta:
        model = Episode
        skip_postgeneration_save = True

    prescription = factory.SubFactory(PrescriptionFactory)
    person = factory.SelfAttribute("prescription.person")
    admitted_on = dt.date(2024, 2, 1)
    entry_status = Episode.EntryStatus.JOB_SEEKER

    @factory.post_generation
    def counsellor(self, create, extracted, **kwargs):
        if create and extracted is not None:
            CounsellorAssignment.objects.create(episode=self, staff=extracted, start=self.admitted_on)


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pause

    episode = factory.SubFactory(EpisodeFactory)
    start = dt.date(2024, 6, 1)
    end = dt.date(2024, 8, 31)
    requested_by = Pause.RequestedBy.PERSON
    reactivation_conditions = "Reprise à la demande de la personne."
    employer_informed = Pause.EmployerInformed.NO_EMPLOYER


class OutreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachAttempt

    episode = factory.SubFactory(EpisodeFactory)
    date = dt.date(2024, 6, 1)
    channel = OutreachAttempt.Channel.PHONE
    outcome = OutreachAttempt.Outcome.NO_ANSWER


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    person = factory.SubFactory(PersonFactory)
    date = dt.date(2024, 3, 1)
    minutes = 60
    place = Intervention.Place.PREMISES
    with_whom = Intervention.With.PERSON
    kind = Intervention.Kind.INTERVIEW


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    platform = factory.SubFactory(PlatformFactory)
    code = factory.Sequence(lambda n: f"E{n}")
    name = factory.Sequence(lambda n: f"Employeur {n}")
    kind = "private"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    person = factory.SubFactory(PersonFactory)
    employer = factory.SubFactory(EmployerFactory)
    type = "cdd"
    start = dt.date(2024, 4, 1)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    person = factory.SubFactory(PersonFactory)
    employer = factory.SubFactory(EmployerFactory)
    kind = "pmsmp"
    start = dt.date(2024, 3, 1)
    end = dt.date(2024, 3, 14)


def staff_form_data(staff, **changes) -> dict:
    """What the staff form posts for `staff`, with `changes` (tests of the staff pages)."""
    data = {
        "organisation": staff.organisation_id,
        "name": staff.name,
        "function": staff.function,
        "clinical_domain": staff.clinical_domain,
        "fte": str(staff.fte).replace(".", ","),
        "start": staff.start.isoformat(),
        "end": staff.end.isoformat() if staff.end else "",
        "rncp37779": staff.rncp37779,
        # The version the form shows (concurrent edits are refused, issue 10 item 6).
        "version": type(staff).objects.get(pk=staff.pk).version,
    }
    return {**data, **changes}
