"""Who may see what: the one place that scopes every list and every record.

A user sees the persons of their own organisation; staff of the lead
organisation with the coordinator or manager function see the whole platform; a user without
a staff record in post sees nothing. Anything outside the scope answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tremplin.audit import context
from tremplin.lib.dates import today
from tremplin.organisations.models import Organisation, Staff
from tremplin.people.models import Person


def staff_of(user) -> Staff | None:
    """The user's staff record if it is in post today, else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_tremplin_staff", "unset")
    if cached != "unset":
        return cached
    staff = Staff.objects.select_related("organisation__platform").filter(user=user).first()
    if staff is not None and not staff.is_in_post(today()):
        staff = None
    user._tremplin_staff = staff
    return staff


def external_of(user):
    """The user's active external account (administrator, funder, prescriber), else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_tremplin_external", "unset")
    if cached != "unset":
        return cached
    from .models import ExternalAccount

    account = ExternalAccount.objects.select_related("platform").filter(user=user, active=True).first()
    user._tremplin_external = account
    return account


def platform_of(user):
    """The platform the user works for (staff or external account), else None."""
    staff = staff_of(user)
    if staff is not None:
        return staff.organisation.platform
    account = external_of(user)
    return account.platform if account is not None else None


def organisations_for(user) -> QuerySet[Organisation]:
    staff = staff_of(user)
    if staff is None:
        return Organisation.objects.none()
    if staff.sees_whole_platform:
        return Organisation.objects.filter(platform=staff.organisation.platform)
    return Organisation.objects.filter(pk=staff.organisation_id)


def persons_for(user) -> QuerySet[Person]:
    staff = staff_of(user)
    if staff is None:
        return Person.objects.none()
    if staff.sees_whole_platform:
        return Person.objects.filter(organisation__platform_id=staff.organisation.platform_id)
    return Person.objects.filter(organisation_id=staff.organisation_id)


def staff_for(user) -> QuerySet[Staff]:
    staff = staff_of(user)
    if staff is None:
        return Staff.objects.none()
    if staff.sees_whole_platform:
        return Staff.objects.filter(organisation__platform_id=staff.organisation.platform_id)
    return Staff.objects.filter(organisation_id=staff.organisation_id)


class OutOfScope(Http404):
    """404: the record is outside the user's scope (or does not exist). `person_id` names the
    person the refused record is about, when there is one, for the audit of the refusal."""

    def __init__(self, person_id=None):
        super().__init__()
        self.person_id = person_id


def get_person(user, pk) -> Person:
    """The person if the user may see them, else 404 (never 403: outsiders learn nothing)."""
    try:
        person = persons_for(user).select_related("organisation__platform").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError) as error:
        person_id = None
        if isinstance(error, Person.DoesNotExist):
            person_id = Person.objects.filter(pk=pk).values_list("pk", flat=True).first()
        raise OutOfScope(person_id) from error
    context.note_person(person.pk)  # the page is about this person (audit.middleware._log_person_page)
    return person


def get_for_person(user, queryset, pk):
    """A record hanging off a person (prescription, episode, veille...), scoped the same way."""
    person_path = _person_path(queryset.model)
    visible = persons_for(user)
    try:
        record = queryset.filter(**{f"{person_path}__in": visible}).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        person_id = None
        if isinstance(error, queryset.model.DoesNotExist):
            person_id = queryset.model.objects.filter(pk=pk).values_list(f"{person_path}_id", flat=True).first()
        raise OutOfScope(person_id) from error
    context.note_person(_person_id_of(record, person_path))
    return record


def person_id_of(record) -> int | None:
    """The id of the person `record` (a person, or a record hanging off one) is about."""
    if isinstance(record, Person):
        return record.pk
    return _person_id_of(record, _person_path(type(record)))


def _person_id_of(record, person_path: str):
    obj = record
    parts = person_path.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    return getattr(obj, f"{parts[-1]}_id")


def _person_path(model) -> str:
    paths = {
        "pathways.prescription": "person",
        "pathways.episode": "person",
        "pathways.pause": "episode__person",
        "pathways.outreachattempt": "episode__person",
        "pathways.counsellorassignment": "episode__person",
        "people.recognition": "person",
        "people.note": "person",
        "people.consent": "person",
        "people.objection": "person",
        "people.informationrecord": "person",
        "activity.intervention": "person",
        "activity.appointment": "person",
        "employment.contract": "person",
        "employment.placement": "person",
        "employment.supportagreement": "episode__person",
    }
    return paths[model._meta.label_lower]


def person_path(model) -> str | None:
    """The lookup path from `model` to its person, or None when it does not hang off a person."""
    try:
        return _person_path(model)
    except KeyError:
        return None


def get_staff(user, pk) -> Staff:
    try:
        return staff_for(user).select_related("organisation").get(pk=pk)
    except (Staff.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def employers_for(user):
    """The employer directory is shared by the whole platform (every organisation of it sees it);
    the persons' contracts, placements and interventions stay scoped by `persons_for`."""
    from tremplin.employment.models import Employer

    staff = staff_of(user)
    if staff is None:
        return Employer.objects.none()
    return Employer.objects.filter(platform_id=staff.organisation.platform_id)


def get_employer(user, pk):
    from tremplin.employment.models import Employer

    try:
        return employers_for(user).get(pk=pk)
    except (Employer.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def accounts_for(user):
    """User accounts the user may manage: the whole platform (staff and external accounts) for
    an administrator or a manager of the lead organisation; the staff of one's organisation for
    a partner organisation's manager; none for anybody without `account.manage` (so that an
    existing and a missing account answer the same: 404)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .permissions import can

    users = get_user_model().objects
    if not can(user, "account.manage"):
        return users.none()
    staff = staff_of(user)
    if staff is not None and not staff.sees_whole_platform:
        return users.filter(staff__organisation_id=staff.organisation_id)
    platform = platform_of(user)
    if platform is None:
        return users.none()
    return users.filter(Q(staff__organisation__platform=platform) | Q(external__platform=platform)).distinct()
