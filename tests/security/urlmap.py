"""Every URL of the application, built from the URL configuration, with the records it needs.

`all_url_names()` walks `django.urls.get_resolver()`; `SPEC` says, for each URL name, which kind
of record its parameter is, which action of `access.permissions.TABLE` it needs, and how to call
it. A URL missing from SPEC (a page added by another area) makes the grid and the form tests
fail with the instruction to add it here: nothing is skipped silently.

To add a page: one line in SPEC, `"url_name": Page(kind, action)`, where kind is the kind of
record of its `pk` (a key of World.records, or None for a page without parameter) and action
the TABLE action the view requires (None: any signed-in user). If its record kind is new, add a
builder in `_side` (it is built for the four sides: the lead organisation and a partner of the
users' platform EA12, and of a second platform EA81 whose records are out of everybody's scope).
A page that only the lead organisation's staff may use whatever their role: `lead_only=True`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    EpisodeFactory,
    OrganisationFactory,
    PauseFactory,
    PersonFactory,
    PlatformFactory,
    PrescriptionFactory,
    StaffFactory,
    UserFactory,
)
from tremplin.access.models import ExternalAccount
from tremplin.organisations.models import Organisation, Staff
from tremplin.people.models import Consent, Note, Objection, Recognition

PUBLIC = "public"  # reachable without signing in


@dataclass(frozen=True)
class Page:
    kind: str | None = None  # kind of record of the URL's `pk`
    action: str | None = None  # TABLE action required; None: any signed-in user
    method: str = "get"  # "post" for views that only accept POST (the action is done)
    public: bool = False
    kwargs: dict = field(default_factory=dict)  # fixed values of other URL parameters
    signed_in_status: int | None = None  # a fixed answer for every signed-in user (e.g. a redirect)
    form: bool = True  # the fuzz test posts to it when its page shows a form
    query: str = ""  # query string the page needs (e.g. which count's persons to list)
    author_only: bool = False  # only the record's author may use it (others: 403)
    lead_only: bool = False  # a partner organisation's staff may not, whatever their role (403)


SPEC: dict[str, Page] = {
    # Home and sign-in
    "home": Page(),
    "login": Page(public=True),
    "otp_enrol": Page(public=True, signed_in_status=302, form=False),
    "otp_verify": Page(public=True, signed_in_status=302, form=False),
    "recovery_codes": Page(form=False),
    "password_reset": Page(public=True),
    "password_reset_done": Page(public=True),
    "password_reset_confirm": Page(public=True, kwargs={"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Page(public=True),
    # Persons
    "person_list": Page(None, "person.view"),
    "person_create": Page(None, "person.create"),
    "duplicates_hint": Page(None, "person.create", form=False),
    "person_detail": Page("person", "person.view"),
    "person_edit": Page("person", "person.change"),
    "recognition_add": Page("person", "person.change"),
    "recognition_edit": Page("recognition", "person.change"),
    "recognition_delete": Page("recognition", "person.change", method="post"),
    # Pathway
    "prescription_add": Page("person", "prescription.change"),
    "prescription_edit": Page("prescription", "prescription.change"),
    "prescription_withdraw": Page("prescription", "prescription.change"),
    "admit": Page("prescription", "episode.admit"),
    "waiting_list": Page(None, "waiting_list.view"),
    "entry_situation_edit": Page("episode", "episode.change"),
    "change_counsellor": Page("episode", "episode.assign"),
    "veille_start": Page("episode", "episode.change"),
    "outreach_add": Page("episode", "episode.change"),
    "exit_episode": Page("episode", "episode.change"),
    "veille_end": Page("pause", "episode.change"),
    "veille_extend": Page("pause", "episode.change"),
    "veille_resume": Page("pause", "episode.change", method="post"),
    # Organisation
    "staff_list": Page(None, "staff.view"),
    "staff_create": Page(None, "staff.manage"),
    "staff_edit": Page("staff", "staff.manage"),
    "organisation_create": Page(None, "organisation.create", lead_only=True),
    # Notes, the person's rights, export, access log
    "person_notes": Page("person", "note.view"),
    "person_rights": Page("person", "consent.view"),
    "information_add": Page("person", "consent.record"),
    "consent_add": Page("person", "consent.record"),
    "objection_add": Page("person", "consent.record"),
    "consent_withdraw": Page("consent", "consent.record"),
    "objection_lift": Page("objection", "consent.record"),
    "person_export_json": Page("person", "person.export"),
    "person_export_pdf": Page("person", "person.export"),
    "person_accesses": Page("person", "audit.person"),
    "person_accesses_csv": Page("person", "audit.person"),
    "access_log": Page(None, "audit.view"),
    # Accounts and external accounts
    "account_list": Page(None, "account.manage"),
    "account_create": Page(None, "account.create_external", lead_only=True),
    "account_reset_otp": Page("user", "account.manage", method="post"),
    "account_unlock": Page("user", "account.manage", method="post"),
    "funder_indicators": Page(None, "funder.view"),
    # A counsellor's day
    "caseload": Page(None, "caseload.view"),
    "caseload_row": Page("person", "caseload.view", form=False),
    "due_list": Page(None, "due.view"),
    "team": Page(None, "team.view"),
    "team_reassign": Page(None, "team.reassign"),
    "resolve_alerts": Page("staff", "team.reassign", method="post"),
    "intervention_list": Page("person", "intervention.view"),
    "intervention_add": Page("person", "intervention.log"),
    "intervention_edit": Page("intervention", "intervention.log", author_only=True),
    "intervention_delete": Page("intervention", "intervention.log", author_only=True, form=False),
    "appointment_add": Page("person", "appointment.plan"),
    "appointment_detail": Page("appointment", "appointment.plan"),
    "appointment_held": Page("appointment", "intervention.log", method="post"),
    "appointment_cancel": Page("appointment", "appointment.plan", method="post"),
    "calendar_settings": Page(None, "appointment.plan", form=False),  # buttons only; answers 200 with the new address
    # Steering
    "steering": Page(None, "steering.view"),
    "steering_persons": Page(None, "steering.view", query="key=activity.supported", form=False),
    "steering_export": Page(None, "steering.view", kwargs={"fmt": "csv"}, form=False),
    "steering_transmit": Page(None, "steering.transmit", method="post"),
    "transmission_list": Page(None, "steering.view", form=False),
    "transmission_detail": Page("transmission", "steering.view", form=False),
    "bundle_import": Page(None, "bundle.import"),
    "bundle_import_job": Page("import_job", "bundle.import", form=False),
    "bundle_import_progress": Page("import_job", "bundle.import", form=False),
    "bundle_import_errors": Page("import_job", "bundle.import", form=False),
    "bundle_export": Page(None, "bundle.export"),
    # Employers and jobs
    "employer_list": Page(None, "employer.view"),
    "employer_create": Page(None, "employer.change"),
    "employer_detail": Page("employer", "employer.view"),
    "employer_edit": Page("employer", "employer.change"),
    "employer_contact_add": Page("employer", "employer.change"),
    "employer_contact_edit": Page("employer_contact", "employer.change"),
    "employer_contact_delete": Page("employer_contact", "employer.change", form=False),
    "contract_add": Page("person", "employment.change"),
    "contract_edit": Page("contract", "employment.change"),
    "contract_end": Page("contract", "employment.change"),
    "contract_delete": Page("contract", "employment.change", form=False),
    "placement_add": Page("person", "employment.change"),
    "placement_edit": Page("placement", "employment.change"),
    "placement_delete": Page("placement", "employment.change", form=False),
    "agreement_create": Page("episode", "agreement.generate"),
    "agreement_sign": Page("agreement", "agreement.generate"),
    "agreement_pdf": Page("agreement", "agreement.generate", form=False),
    "prescriber_status": Page(None, "prescriber.view", form=False),
}

# URLs the grid does not call, with the reason (each is tested elsewhere).
SKIP = {
    "logout": "sign-out only accepts POST; tests/access/test_two_factor.py signs out",
    "set_language": "language switch (POST, public); tests/test_settings_and_i18n.py",
    "calendar_feed": "public by secret token, 404 for any other; tests/activity/test_appointments.py",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name, list(entry.pattern.converters)


def all_url_names() -> list[tuple[str, str | None, list[str]]]:
    """(route, name, parameter names) of every URL of the application."""
    return list(_walk(get_resolver().url_patterns))


def unknown_urls() -> list[str]:
    problems = []
    for route, name, params in all_url_names():
        if name is None:
            problems.append(f"URL '{route}' has no name: give it one, then add it to SPEC in tests/security/urlmap.py")
        elif name not in SPEC and name not in SKIP:
            problems.append(
                f"URL '{name}' ({route}, parameters {params}) is not in tests/security/urlmap.py SPEC: add "
                f'"{name}": Page(kind_of_its_pk_record, "the.action"), and a record builder if the kind is new'
            )
        elif name in SPEC:
            spec = SPEC[name]
            missing = [p for p in params if p not in spec.kwargs and not (p == "pk" and spec.kind)]
            if missing:
                problems.append(
                    f"URL '{name}' has parameters {missing} that tests/security/urlmap.py cannot build: "
                    "give the record kind (for pk) or fixed kwargs in its SPEC entry"
                )
    return problems


def routes() -> list[str]:
    """Names of every URL the tests call (SPEC entries present in the URL configuration)."""
    return [name for _route, name, _params in all_url_names() if name in SPEC]


def url_for(name: str, record=None, pk=None) -> str:
    spec = SPEC[name]
    kwargs = dict(spec.kwargs)
    if spec.kind:
        kwargs["pk"] = pk if pk is not None else record.pk
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{spec.query}" if spec.query else url


# The records of a small platform, on both sides (lead organisation and partner) --------------

# Fixture name -> role (as in docs/permissions.md).
ROLES = {
    "counsellor": "counsellor",
    "coordinator": "coordinator",
    "manager": "manager",
    "administrative": "administrative",
    "clinician": "clinician",
    "partner_counsellor": "counsellor",
    "partner_coordinator": "coordinator",
    "partner_manager": "manager",
    "administrator": "administrator",
    "funder": "funder",
    "prescriber": "prescriber",
    "outsider": None,
}

# Which side's records each user may see (lead, partner), per kind of record. Persons and what
# hangs off them, and staff: one's organisation, or the platform for the lead's coordinators and
# managers. Accounts: the platform for administrators and the lead's coordinators and managers.
_PERSONS = {
    "counsellor": (True, False),
    "coordinator": (True, True),
    "manager": (True, True),
    "administrative": (True, False),
    "clinician": (True, False),
    "partner_counsellor": (False, True),
    "partner_coordinator": (False, True),
    "partner_manager": (False, True),
    "administrator": (False, False),
    "funder": (False, False),
    "prescriber": (False, False),
    "outsider": (False, False),
}
SEES = {
    kind: _PERSONS
    for kind in (
        "person",
        "episode",
        "pause",
        "prescription",
        "recognition",
        "consent",
        "objection",
        "staff",
        "contract",
        "placement",
        "agreement",
        "intervention",
        "appointment",
    )
}
# The employer directory is shared by every organisation of the platform; nobody else sees it.
_PLATFORM_STAFF = {
    who: (
        (True, True)
        if who in ROLES and ROLES[who] in ("counsellor", "coordinator", "manager", "administrative", "clinician")
        else (False, False)
    )
    for who in _PERSONS
}
SEES["employer"] = _PLATFORM_STAFF
# Transmissions: the platform's (lead side) for the lead's coordinators and managers; a partner's
# (partner side) also for that partner's coordinator. Import jobs: only their author (the manager).
SEES["transmission"] = {who: (False, False) for who in _PERSONS} | {
    "coordinator": (True, True),
    "manager": (True, True),
    "partner_coordinator": (False, True),
    "partner_manager": (False, True),
}
SEES["import_job"] = {who: (False, False) for who in _PERSONS} | {"manager": (True, False)}
SEES["employer_contact"] = _PLATFORM_STAFF
# Accounts: only those who may manage accounts see any (issue 10 item 15: for anybody else an
# existing account answers 404 like a missing one); a partner's manager, her organisation's staff.
SEES["user"] = {who: (False, False) for who in _PERSONS} | {
    "manager": (True, True),
    "administrator": (True, True),
    "partner_manager": (False, True),
}
# The sides of the grid: a lead organisation and a partner of the users' platform, and the same on
# a second platform, all of whose records are out of everybody's scope (404).
SIDES = ["lead", "partner", "other_lead", "other_partner"]


def sees(kind: str, who: str, side: str) -> bool:
    if side.startswith("other_"):
        return False
    return SEES[kind][who][0 if side == "lead" else 1]


@dataclass
class World:
    users: dict
    records: dict  # side -> kind -> record
    other_users: dict = field(default_factory=dict)  # the second platform's users
    organisations: dict = field(default_factory=dict)  # side -> organisation


def _side(org, counsellor, suffix, intervention_author):
    from django.utils import timezone

    from tremplin.activity.models import Appointment, Intervention
    from tremplin.employment import services as employment_services
    from tremplin.employment.models import Contract, Employer, EmployerContact, Placement

    person = PersonFactory(organisation=org, first_name=f"Jeanne{suffix}", last_name="Durand")
    episode = EpisodeFactory(prescription=PrescriptionFactory(person=person), counsellor=counsellor)
    employer = Employer.objects.create(
        platform=org.platform, code=f"E{suffix}", name=f"Employeur {suffix}", kind="private"
    )
    pause = PauseFactory(episode=episode, start=dt.date(2030, 1, 1), end=dt.date(2030, 3, 1))
    author = StaffFactory(organisation=org, function=Staff.Function.OTHER, clinical_domain="social")
    return {
        "person": person,
        "episode": episode,
        "pause": pause,
        "prescription": PrescriptionFactory(person=person, date=episode.admitted_on),
        "recognition": Recognition.objects.filter(person=person).first(),
        "consent": Consent.objects.create(
            person=person,
            domain="medical",
            purpose="coordination",
            decision="agreed",
            decided_on=dt.date(2024, 1, 1),
            recorded_by=counsellor,
        ),
        "objection": Objection.objects.create(
            person=person, domain="social", made_on=dt.date(2024, 1, 1), recorded_by=counsellor
        ),
        "note": Note.objects.create(
            person=person, domain="social", author=author, written_on=dt.date(2024, 1, 1), text="note"
        ),
        "staff": counsellor,
        "user": counsellor.user,
        "employer": employer,
        "employer_contact": EmployerContact.objects.create(employer=employer, name="Contact"),
        "contract": Contract.objects.create(person=person, employer=employer, type="cdd", start=dt.date(2024, 4, 1)),
        "placement": Placement.objects.create(
            person=person, employer=employer, kind="pmsmp", start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 14)
        ),
        "intervention": Intervention.objects.create(
            person=person,
            episode=episode,
            staff=counsellor,
            date=episode.admitted_on,
            minutes=30,
            place="premises",
            with_whom="person",
            kind="interview",
            created_by=intervention_author,
        ),
        "appointment": Appointment.objects.create(
            person=person, staff=counsellor, starts_at=timezone.now() + dt.timedelta(days=3), place="premises"
        ),
        "agreement": employment_services.generate_agreement(
            counsellor.user, episode, terms="Entretiens mensuels et visites sur le lieu de travail."
        ),
    }


def _platform(code: str, name: str, department: str, prefix: str = "") -> tuple[dict, dict, dict]:
    """One platform with a lead organisation and a partner: (users, records by side, organisations)."""
    platform = PlatformFactory(code=code, name=name, department=department)
    lead = OrganisationFactory(platform=platform, code="LEAD", role=Organisation.Role.LEAD)
    partner = OrganisationFactory(platform=platform, code="PART", role=Organisation.Role.PARTNER)
    F = Staff.Function
    users = {
        "counsellor": StaffFactory(organisation=lead, function=F.COUNSELLOR).user,
        "coordinator": StaffFactory(organisation=lead, function=F.COORDINATOR).user,
        "manager": StaffFactory(organisation=lead, function=F.MANAGER).user,
        "administrative": StaffFactory(organisation=lead, function=F.ADMINISTRATIVE).user,
        "clinician": StaffFactory(organisation=lead, function=F.OTHER, clinical_domain="medical").user,
        "partner_counsellor": StaffFactory(organisation=partner, function=F.COUNSELLOR).user,
        "partner_coordinator": StaffFactory(organisation=partner, function=F.COORDINATOR).user,
        "partner_manager": StaffFactory(organisation=partner, function=F.MANAGER).user,
    }
    for kind, extra in (
        ("administrator", {}),
        ("funder", {}),
        ("prescriber", {"prescriber_kind": "cap_emploi", "prescriber_organisation": "Cap emploi Aveyron"}),
    ):
        user = UserFactory()
        ExternalAccount.objects.create(user=user, platform=platform, kind=kind, name=kind, **extra)
        users[kind] = user
    records = {
        f"{prefix}lead": _side(
            lead, StaffFactory(organisation=lead, function=F.COUNSELLOR), f"{prefix}L", users[AUTHORS["lead"]]
        ),
        f"{prefix}partner": _side(
            partner, StaffFactory(organisation=partner, function=F.COUNSELLOR), f"{prefix}P", users[AUTHORS["partner"]]
        ),
    }
    from tremplin.steering import services as steering_services
    from tremplin.steering.indicators import resolve_scope
    from tremplin.steering.models import ImportJob

    for side, scope_code, author in (
        ("lead", "platform", users["manager"]),
        ("partner", "PART", users["partner_coordinator"]),
    ):
        records[f"{prefix}{side}"]["transmission"] = steering_services.transmit(
            author, resolve_scope(scope_code, platform), dt.date(2024, 1, 1), dt.date(2024, 3, 31)
        )
        records[f"{prefix}{side}"]["import_job"] = ImportJob.objects.create(
            user=author, file_name="bundle.json", status="done"
        )
    return users, records, {f"{prefix}lead": lead, f"{prefix}partner": partner}


def build_world() -> World:
    """The users' platform (EA12) and a second platform (EA81) with the same kinds of records and
    users: `users` are those of EA12 (plus `outsider`); `other_users` those of EA81."""
    users, records, organisations = _platform("EA12", "Plateforme emploi accompagné de test", "12")
    users["outsider"] = UserFactory()
    other_users, other_records, other_organisations = _platform("EA81", "Plateforme du Tarn", "81", prefix="other_")
    return World(
        users=users,
        records={**records, **other_records},
        other_users=other_users,
        organisations={**organisations, **other_organisations},
    )


# Who wrote each side's intervention (pages where only the author may act).
AUTHORS = {"lead": "counsellor", "partner": "partner_counsellor"}


def expected(name: str, who: str | None, side: str | None) -> set[int]:
    """The statuses the grid accepts for `who` (None: anonymous) on URL `name` with the record of
    `side`: signed out -> sign-in page; outside the scope -> 404 (403 also when the role may not do
    the action at all: then the answer does not depend on the record); seen but not allowed -> 403;
    allowed -> 200 (302 for POST-only actions, which redirect once done)."""
    from tremplin.access.permissions import TABLE

    spec = SPEC[name]
    if who is None:
        return {200} if spec.public and spec.signed_in_status is None else {302}
    if spec.signed_in_status is not None:
        return {spec.signed_in_status}
    role = ROLES[who]
    allowed = spec.action is None or role in TABLE[spec.action]
    done = {302} if spec.method == "post" else {200}
    if name == "home" and role in ("administrator", "funder", "prescriber"):
        return {302}  # they land on their own page
    if spec.lead_only and allowed and who.startswith("partner_"):
        return {403}
    if spec.kind is None:
        return done if allowed else {403}
    if not sees(spec.kind, who, side):
        return {404} if allowed else {403, 404}
    if allowed and spec.author_only and AUTHORS[side] != who:
        return {403}
    return done if allowed else {403}
