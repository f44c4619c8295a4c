"""Steering indicators: the definitions of INDICATORS.md, one function per family.

Each family function takes a period (start, end, both included) and a scope (the platform or
one organisation) and returns plain numbers, in exactly the shape of INDICATORS.md: every key
present, counts as integers, hours/means/rates/FTEs as unrounded floats, None where the
definition says null. The screen, the exports (JSON, CSV, XLSX, PDF), the transmissions and
the funder view all call these functions.

States over the period come from `pathways.periods` and intensity and the quarterly interview
from `activity.measures` (the one implementation shared with the person's page and the due
list). Behind every count of persons or records, `compute_with_members` also gives the ids of
the persons counted, so that the steering page can list them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db.models import Sum
from django.utils.translation import gettext as _

from tremplin.activity import measures
from tremplin.employment.models import COVERS, Contract, EmployerKind, Placement
from tremplin.lib.dates import add_months, date_in_range, date_range_message, month_end
from tremplin.organisations.models import IN_POST, Funding, Organisation, Platform, Staff, TimeAllocation, Training
from tremplin.pathways.models import SUPPORTED, EntryStatus, Episode
from tremplin.pathways.periods import contains, period_states
from tremplin.pathways.programmes import EMPLOI_ACCOMPAGNE
from tremplin.pathways.states import supported_episodes, waiting_prescriptions
from tremplin.people.models import Disability, EducationLevel, Person

# The indicators of INDICATORS.md are emploi accompagné's: they count only its episodes, whatever
# other programme the platform's persons follow.
PROGRAMME = EMPLOI_ACCOMPAGNE
EXIT_REASONS = list(PROGRAMME.exit_reason_values)
FUNDERS = list(Funding.Funder.values)
SHARES = ["support", "coordination", "management", "partnership"]
DISABILITIES = list(Disability.values)
EDUCATION_LEVELS = list(EducationLevel.values)
ENTRY_STATUSES = list(EntryStatus.values)
EMPLOYER_KINDS = list(EmployerKind.values)
MONTHS_WITHOUT_WORK = ["0", "1-5", "6-11", "12-23", "24-59", "60+"]
YEARS_WORKED = ["0", "under_1", "1-4", "5-9", "10+"]
UNKNOWN = "unknown"
RETENTION_MONTHS = (6, 12, 24)
DAYS_PER_MONTH = Fraction("30.4375")
PLATFORM = "platform"
# The longest period computed (docs/indicators.md, "Periods"): five years is more than any report
# asks (a quarter, a year, a multi-year agreement) and keeps one computation to seconds.
MAX_PERIOD_YEARS = 5


class IndicatorError(ValueError):
    """Bad input: unknown scope, end before start, no platform. The message is translated."""


# Scope and period -------------------------------------------------------------------------


@dataclass
class Scope:
    platform: Platform
    organisation: Organisation | None = None

    @property
    def code(self) -> str:
        return self.organisation.code if self.organisation else PLATFORM

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation else self.platform.name

    @cached_property
    def organisation_ids(self) -> list[int]:
        if self.organisation is not None:
            return [self.organisation.pk]
        return list(Organisation.objects.filter(platform=self.platform).values_list("pk", flat=True))

    def persons(self):
        return Person.objects.filter(organisation_id__in=self.organisation_ids)

    def staff(self):
        return Staff.objects.filter(organisation_id__in=self.organisation_ids)


def default_platform(code: str | None = None) -> Platform:
    platforms = Platform.objects.all()
    if code:
        platform = platforms.filter(code=code).first()
        if platform is None:
            raise IndicatorError(_("Unknown platform code “%(code)s”.") % {"code": code})
        return platform
    found = list(platforms[:2])
    if not found:
        raise IndicatorError(_("This installation has no platform yet."))
    if len(found) > 1:
        raise IndicatorError(_("This installation holds several platforms: give the platform's code."))
    return found[0]


def resolve_scope(code: str | None = PLATFORM, platform: Platform | None = None) -> Scope:
    """ "platform" or the code of one of the platform's organisations; anything else is an error."""
    platform = platform or default_platform()
    code = (code or PLATFORM).strip()
    if code == PLATFORM:
        return Scope(platform)
    organisation = Organisation.objects.filter(platform=platform, code=code).first()
    if organisation is None:
        codes = ", ".join(
            Organisation.objects.filter(platform=platform).order_by("code").values_list("code", flat=True)
        )
        raise IndicatorError(
            _("Unknown scope “%(code)s”: use “platform” or an organisation code (%(codes)s).")
            % {"code": code, "codes": codes or "—"}
        )
    return Scope(platform, organisation)


def period_error(start: dt.date, end: dt.date) -> str | None:
    """Why the period cannot be computed (translated), or None: both days in the accepted range
    (`tremplin.lib.dates`), the end not before the start, at most MAX_PERIOD_YEARS years."""
    if not (date_in_range(start) and date_in_range(end)):
        return date_range_message()
    if end < start:
        return _("The end of the period is before its start.")
    if end >= add_months(start, 12 * MAX_PERIOD_YEARS):
        return _("A period covers at most %(years)s years: choose a shorter one.") % {"years": MAX_PERIOD_YEARS}
    return None


def check_period(start: dt.date, end: dt.date) -> None:
    message = period_error(start, end)
    if message:
        raise IndicatorError(message)


# Shared context of one computation ----------------------------------------------------------


@dataclass
class Context:
    """What several families share for one period and scope (loaded once)."""

    start: dt.date
    end: dt.date
    scope: Scope
    members: dict[str, list[int]] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.end.year

    @cached_property
    def persons(self):
        return self.scope.persons()

    @cached_property
    def states(self):
        return period_states(self.persons, self.start, self.end, programme=PROGRAMME.code)

    @cached_property
    def sums(self) -> dict[int, measures.Sums]:
        """Per person: minutes, interviews and workplace minutes of the period (one scan)."""
        return measures.period_sums(self.persons, self.start, self.end)

    @cached_property
    def supported_during(self) -> set[int]:
        return set(self.states.person_ids)

    @cached_property
    def supported_on_end(self) -> set[int]:
        return {pid for pid in self.supported_during if contains(self.states.supported[pid], self.end)}

    @cached_property
    def in_veille_on_end(self) -> set[int]:
        return {pid for pid in self.supported_on_end if contains(self.states.veille.get(pid, []), self.end)}

    @cached_property
    def active_on_end(self) -> set[int]:
        return self.supported_on_end - self.in_veille_on_end

    @cached_property
    def contracts_until_end(self) -> dict[int, list[tuple]]:
        """Every contract of the scope's persons starting on or before `end`, by person:
        (employer id, employer kind, start, end, end reason)."""
        rows = Contract.objects.filter(person__organisation_id__in=self.scope.organisation_ids, start__lte=self.end)
        result: dict[int, list[tuple]] = defaultdict(list)
        for person_id, employer_id, kind, start, end, reason in rows.values_list(
            "person_id", "employer_id", "employer__kind", "start", "end", "end_reason"
        ).order_by("person_id", "start", "id"):
            result[person_id].append((employer_id, kind, start, end, reason))
        return result

    def note(self, key: str, person_ids) -> None:
        self.members[key] = sorted(person_ids)


def _float(value) -> float:
    return float(value)


def _mean(values) -> float | None:
    values = list(values)
    if not values:
        return None
    return float(Fraction(sum(values), len(values)))


# 1. Activity --------------------------------------------------------------------------------


def _activity(ctx: Context) -> dict:
    start, end, org_ids = ctx.start, ctx.end, ctx.scope.organisation_ids
    ctx.note("activity.supported", ctx.supported_on_end)
    ctx.note("activity.in_veille", ctx.in_veille_on_end)
    ctx.note("activity.active", ctx.active_on_end)

    admitted = list(
        Episode.objects.filter(
            programme=PROGRAMME.code, person__organisation_id__in=org_ids, admitted_on__gte=start, admitted_on__lte=end
        )
        .values_list("person_id", "admitted_on", "prescription__date")
        .order_by("person_id", "admitted_on")
    )
    ctx.note("activity.admissions", [row[0] for row in admitted])
    delays = [(admitted_on - presc_date).days for _pid, admitted_on, presc_date in admitted if presc_date is not None]

    exits = list(
        Episode.objects.filter(
            programme=PROGRAMME.code, person__organisation_id__in=org_ids, exit_date__gte=start, exit_date__lte=end
        )
        .values_list("person_id", "exit_reason")
        .order_by("person_id", "exit_date")
    )
    ctx.note("activity.exits.total", [pid for pid, _r in exits])
    by_reason = {}
    for reason in EXIT_REASONS:
        pids = [pid for pid, r in exits if r == reason]
        by_reason[reason] = len(pids)
        ctx.note(f"activity.exits.by_reason.{reason}", pids)

    waiting = list(
        waiting_prescriptions(end)
        .filter(person__organisation_id__in=org_ids)
        .values_list("person_id", flat=True)
        .order_by("person_id")
    )
    ctx.note("activity.waiting", waiting)

    levels = measures.intensity(ctx.persons, start, end, states=ctx.states, sums=ctx.sums)
    intensity = {}
    for level in measures.LEVELS:
        pids = [pid for pid, value in levels.items() if value.level == level]
        intensity[level] = len(pids)
        ctx.note(f"activity.intensity.{level}", pids)

    # Minutes of the scope's interventions at the workplace dated in the period.
    workplace_minutes = sum(person_sums.workplace_minutes for person_sums in ctx.sums.values())
    without = measures.persons_without_interview(ctx.persons, start, end, states=ctx.states, sums=ctx.sums)
    ctx.note("activity.without_interview", without)

    return {
        "supported": len(ctx.supported_on_end),
        "in_veille": len(ctx.in_veille_on_end),
        "active": len(ctx.supported_on_end) - len(ctx.in_veille_on_end),
        "admissions": len(admitted),
        "exits": {"total": len(exits), "by_reason": by_reason},
        "waiting": len(waiting),
        "mean_days_to_admission": _mean(delays),
        "intensity": intensity,
        "workplace_hours": workplace_minutes / 60,
        "without_interview": len(without),
    }


# 2. Resources -------------------------------------------------------------------------------


def _resources(ctx: Context) -> dict:
    end, year = ctx.end, ctx.year
    staff = ctx.scope.staff()
    counted = list(staff.filter(IN_POST.q(end)).values_list("pk", "fte", "function", "rncp37779"))
    fte = {pk: value for pk, value, _f, _r in counted}
    fte_total = sum((value for value in fte.values()), Decimal(0))
    fte_counsellors = sum((value for _pk, value, f, _r in counted if f == Staff.Function.COUNSELLOR), Decimal(0))
    active = len(ctx.active_on_end)
    per_fte = float(Fraction(active) / Fraction(fte_counsellors)) if fte_counsellors else None

    allocations = list(
        TimeAllocation.objects.filter(staff_id__in=list(fte), year=year).values_list("staff_id", *SHARES)
    )
    weight = sum((fte[row[0]] for row in allocations), Decimal(0))
    time_split = {}
    for index, share in enumerate(SHARES, start=1):
        if weight:
            weighted = sum((fte[row[0]] * row[index] for row in allocations), Decimal(0))
            time_split[share] = float(Fraction(weighted) / Fraction(weight))
        else:
            time_split[share] = None

    if ctx.scope.organisation is None:
        sums = dict(
            Funding.objects.filter(platform=ctx.scope.platform, year=year)
            .values("funder")
            .annotate(total=Sum("amount_eur"))
            .values_list("funder", "total")
        )
        funding = {funder: _amount(sums.get(funder) or Decimal(0)) for funder in FUNDERS}
        funding["total"] = _amount(sum((sums.get(funder) or Decimal(0) for funder in FUNDERS), Decimal(0)))
    else:
        funding = {funder: None for funder in FUNDERS}
        funding["total"] = None

    trainings = Training.objects.filter(staff__organisation_id__in=ctx.scope.organisation_ids)
    return {
        "fte_total": _float(fte_total),
        "fte_counsellors": _float(fte_counsellors),
        "persons_per_counsellor_fte": per_fte,
        "time_split": time_split,
        "funding": funding,
        "trainings_delivered": trainings.filter(year=year, status=Training.Status.DELIVERED).count(),
        "trainings_planned": trainings.filter(year=year + 1, status=Training.Status.PLANNED).count(),
        "rncp37779": {
            "certified": sum(1 for *_x, r in counted if r == Staff.Rncp.CERTIFIED),
            "in_training": sum(1 for *_x, r in counted if r == Staff.Rncp.IN_TRAINING),
        },
    }


def _amount(value: Decimal) -> int | float:
    """Whole euros as an integer (as in INDICATORS.md's example), cents as a float."""
    return int(value) if value == value.to_integral_value() else float(value)


# 3. Distance from employment (profile) -----------------------------------------------------


def months_without_work_bucket(value: int | None) -> str:
    if value is None:
        return UNKNOWN
    if value == 0:
        return "0"
    if value <= 5:
        return "1-5"
    if value <= 11:
        return "6-11"
    if value <= 23:
        return "12-23"
    if value <= 59:
        return "24-59"
    return "60+"


def years_worked_bucket(value) -> str:
    if value is None:
        return UNKNOWN
    if value == 0:
        return "0"
    if value < 1:
        return "under_1"
    if value < 5:
        return "1-4"
    if value < 10:
        return "5-9"
    return "10+"


def _profile(ctx: Context) -> dict:
    rows = (
        supported_episodes(ctx.end)
        .filter(programme=PROGRAMME.code, person__organisation_id__in=ctx.scope.organisation_ids)
        .values_list(
            "person_id",
            "person__disabilities",
            "person__education_level",
            "entry_status",
            "months_without_work",
            "years_worked",
        )
        .order_by("person_id", "-admitted_on")
    )
    current = {}
    for row in rows:
        current.setdefault(row[0], row)  # one current episode per person (the latest if data overlap)
    groups: dict[str, dict[str, list[int]]] = {
        "disability": {value: [] for value in DISABILITIES + [UNKNOWN]},
        "months_without_work": {value: [] for value in MONTHS_WITHOUT_WORK + [UNKNOWN]},
        "years_worked": {value: [] for value in YEARS_WORKED + [UNKNOWN]},
        "education_level": {value: [] for value in EDUCATION_LEVELS + [UNKNOWN]},
        "entry_status": {value: [] for value in ENTRY_STATUSES + [UNKNOWN]},
    }
    for pid, disabilities, education, entry_status, mww, yw in current.values():
        main = disabilities[0] if isinstance(disabilities, list) and disabilities else None
        groups["disability"][main if main in DISABILITIES else UNKNOWN].append(pid)
        groups["months_without_work"][months_without_work_bucket(mww)].append(pid)
        groups["years_worked"][years_worked_bucket(yw)].append(pid)
        groups["education_level"][education if education in EDUCATION_LEVELS else UNKNOWN].append(pid)
        groups["entry_status"][entry_status if entry_status in ENTRY_STATUSES else UNKNOWN].append(pid)
    result = {}
    for name, buckets in groups.items():
        result[name] = {}
        for bucket, pids in buckets.items():
            result[name][bucket] = len(pids)
            ctx.note(f"profile.{name}.{bucket}", pids)
    return result


# 4. Employment ------------------------------------------------------------------------------


def _run_start(contracts: list[tuple[dt.date, dt.date | None]], covering_index: int) -> dt.date:
    """First start of the chain holding contracts[covering_index].

    `contracts` are one person's contracts with one employer, sorted by start. A contract joins
    the run when it starts at most one day after the latest end so far in the run; an open
    contract extends the run indefinitely."""
    run_start = None
    latest_end: dt.date | None = None
    open_run = False
    for index, (start, end) in enumerate(contracts):
        joins = run_start is not None and (open_run or start <= latest_end + dt.timedelta(days=1))
        if not joins:
            run_start, latest_end, open_run = start, end, end is None
        else:
            if end is None:
                open_run = True
            elif not open_run and end > latest_end:
                latest_end = end
        if index == covering_index:
            return run_start
    raise IndexError(covering_index)


def tenure_days(contracts, day: dt.date) -> int | None:
    """Longest tenure in days on `day` over the covering contracts of one person (INDICATORS.md
    `mean_months_same_employer`); `contracts` are (employer id, start, end), any order."""
    by_employer: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for employer_id, start, end in contracts:
        if start <= day:
            by_employer[employer_id].append((start, end))
    best = None
    for chain in by_employer.values():
        chain.sort(key=lambda c: (c[0], c[1] is None, c[1] or c[0]))
        for index, (start, end) in enumerate(chain):
            if COVERS.holds(start, end, day):
                days = (day - _run_start(chain, index)).days
                best = days if best is None else max(best, days)
    return best


def employment_entries(contracts, episodes, first: dt.date | None = None, last: dt.date | None = None) -> list[dt.date]:
    """Days s of one person's employment entries: supported on s (veille included), a contract
    starts on s, and none of the person's contracts covers s - 1 day (several contracts starting
    the same day make one entry). `contracts` are ALL the person's (start, end); `episodes` their
    (admitted_on, exit_date); only days in [first, last]."""
    starts = sorted({start for start, _end in contracts})
    result = []
    for day in starts:
        if (first is not None and day < first) or (last is not None and day > last):
            continue
        if not any(SUPPORTED.holds(admitted_on, exit_date, day) for admitted_on, exit_date in episodes):
            continue
        before = day - dt.timedelta(days=1)
        if any(COVERS.holds(start, end, before) for start, end in contracts):
            continue
        result.append(day)
    return result


def _employment(ctx: Context) -> dict:
    start, end, org_ids = ctx.start, ctx.end, ctx.scope.organisation_ids
    during = ctx.supported_during
    contracts_by_person = ctx.contracts_until_end

    overlapping = []  # (person id, start, end, reason, employer kind)
    for pid, contracts in contracts_by_person.items():
        if pid not in during:
            continue
        for _employer, kind, c_start, c_end, reason in contracts:
            if c_end is None or c_end >= start:
                overlapping.append((pid, c_start, c_end, reason, kind))
    employed = {row[0] for row in overlapping}
    ctx.note("employment.persons_employed", employed)
    ctx.note("employment.contracts.total", [row[0] for row in overlapping])
    started = [row[0] for row in overlapping if row[1] >= start]
    ongoing = [row[0] for row in overlapping if row[1] < start]
    ctx.note("employment.contracts.started", started)
    ctx.note("employment.contracts.ongoing", ongoing)
    by_kind = {}
    for kind in EMPLOYER_KINDS:
        pids = [row[0] for row in overlapping if row[4] == kind]
        by_kind[kind] = len(pids)
        ctx.note(f"employment.contracts.by_employer_kind.{kind}", pids)
    breaks = [
        row[0]
        for row in overlapping
        if row[2] is not None and start <= row[2] <= end and row[3] != Contract.EndReason.TERM
    ]
    ctx.note("employment.job_breaks", breaks)

    placements = [
        pid
        for pid in Placement.objects.filter(person__organisation_id__in=org_ids, start__lte=end, end__gte=start)
        .order_by()
        .values_list("person_id", flat=True)
        if pid in during
    ]
    ctx.note("employment.placements", placements)

    tenures = {}
    for pid in ctx.supported_on_end:
        days = tenure_days([(c[0], c[2], c[3]) for c in contracts_by_person.get(pid, [])], end)
        if days is not None:
            tenures[pid] = days
    ctx.note("employment.mean_months_same_employer", tenures)
    mean_months = float(Fraction(sum(tenures.values()), len(tenures)) / DAYS_PER_MONTH) if tenures else None

    return {
        "persons_employed": len(employed),
        "contracts": {
            "total": len(overlapping),
            "started": len(started),
            "ongoing": len(ongoing),
            "by_employer_kind": by_kind,
        },
        "placements": len(placements),
        "mean_months_same_employer": mean_months,
        "retention": _retention(ctx),
        "job_breaks": len(breaks),
    }


def _retention(ctx: Context) -> dict:
    start, end = ctx.start, ctx.end
    windows = {
        n: (add_months(start.replace(day=1), -n), month_end(add_months(end.replace(day=1), -n)))
        for n in RETENTION_MONTHS
    }
    first = min(w[0] for w in windows.values())
    last = max(w[1] for w in windows.values())
    candidates = {
        pid for pid, contracts in ctx.contracts_until_end.items() if any(first <= c[2] <= last for c in contracts)
    }
    episodes: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    if candidates:
        for chunk in _chunks(sorted(candidates), 5000):
            for pid, admitted_on, exit_date in (
                Episode.objects.filter(programme=PROGRAMME.code, person_id__in=chunk)
                .order_by()
                .values_list("person_id", "admitted_on", "exit_date")
            ):
                episodes[pid].append((admitted_on, exit_date))
    result = {}
    for n in RETENTION_MONTHS:
        cohort, retained = [], []
        w_first, w_last = windows[n]
        for pid in sorted(candidates):
            contracts = [(c[2], c[3]) for c in ctx.contracts_until_end[pid]]
            for day in employment_entries(contracts, episodes[pid], w_first, w_last):
                mark = add_months(day, n)
                if not start <= mark <= end:
                    continue
                cohort.append(pid)
                if any(COVERS.holds(s, e, mark) for s, e in contracts):
                    retained.append(pid)
        ctx.note(f"employment.retention.{n}.cohort", cohort)
        ctx.note(f"employment.retention.{n}.retained", retained)
        result[str(n)] = {
            "cohort": len(cohort),
            "retained": len(retained),
            "rate": float(Fraction(len(retained), len(cohort))) if cohort else None,
        }
    return result


def _chunks(items, size):
    items = list(items)
    for index in range(0, len(items), size):
        yield items[index : index + size]


# Public functions ---------------------------------------------------------------------------


def _context(start: dt.date, end: dt.date, scope: Scope | str | None, platform: Platform | None = None) -> Context:
    check_period(start, end)
    if not isinstance(scope, Scope):
        scope = resolve_scope(scope, platform)
    return Context(start, end, scope)


def activity(start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None) -> dict:
    return _activity(_context(start, end, scope, platform))


def resources(start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None) -> dict:
    return _resources(_context(start, end, scope, platform))


def profile(start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None) -> dict:
    return _profile(_context(start, end, scope, platform))


def employment(start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None) -> dict:
    return _employment(_context(start, end, scope, platform))


def compute_with_members(
    start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None
) -> tuple[dict, dict[str, list[int]]]:
    """The whole JSON of INDICATORS.md and, for each count, the ids of the persons counted
    (a person appears once per record for record counts)."""
    ctx = _context(start, end, scope, platform)
    figures = {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "scope": ctx.scope.code,
        "activity": _activity(ctx),
        "resources": _resources(ctx),
        "profile": _profile(ctx),
        "employment": _employment(ctx),
    }
    return figures, ctx.members


def compute(start: dt.date, end: dt.date, scope: Scope | str = PLATFORM, platform: Platform | None = None) -> dict:
    """The whole JSON of INDICATORS.md for the period and scope."""
    return compute_with_members(start, end, scope, platform)[0]


def flatten(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    """[(dotted key, value)] in the order of the JSON, leaves only (period and scope excluded)."""
    rows = []
    for key, value in figures.items():
        if not prefix and key in ("period", "scope"):
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += flatten(value, path + ".")
        else:
            rows.append((path, value))
    return rows
