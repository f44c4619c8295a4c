"""French labels and short definitions of every indicator (English msgids, translated).

`rows(figures)` walks the JSON of `indicators.compute` in its order and gives, for each
number, its family, its label, its definition and how to format it. The screen, the CSV,
the XLSX and the PDF all use it, so they show the same numbers under the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tremplin.activity.measures import SHORT_LABELS as INTENSITY_LABELS
from tremplin.employment.models import EmployerKind
from tremplin.organisations.models import Funding
from tremplin.pathways.models import EntryStatus, ExitReason
from tremplin.people.models import Disability, EducationLevel

from .indicators import flatten

FAMILIES = {
    "activity": _("Activity"),
    "resources": _("Resources"),
    "profile": _("Distance from employment (persons supported on the last day)"),
    "employment": _("Employment"),
}

COUNT, HOURS, MEAN_DAYS, RATE, FTE, AMOUNT, SHARE, MONTHS, RATIO = (
    "count",
    "hours",
    "days",
    "rate",
    "fte",
    "amount",
    "share",
    "months",
    "ratio",
)

# key -> (label, definition, kind). Buckets are added below.
INDICATORS = {
    "activity.supported": (
        _("Persons supported on the last day"),
        _("Admitted on or before the last day of the period and not exited by then (the exit day is outside)."),
        COUNT,
    ),
    "activity.in_veille": (
        _("of whom in veille"),
        _("Supported persons with a veille covering the last day."),
        COUNT,
    ),
    "activity.active": (_("of whom active"), _("Supported persons not in veille on the last day."), COUNT),
    "activity.admissions": (
        _("Admissions"),
        _("Episodes admitted during the period (a person admitted twice counts twice)."),
        COUNT,
    ),
    "activity.exits.total": (_("Exits"), _("Episodes closed during the period."), COUNT),
    "activity.waiting": (
        _("Prescriptions waiting on the last day"),
        _("Dated on or before the last day, not withdrawn by then, and not yet followed by an admission."),
        COUNT,
    ),
    "activity.mean_days_to_admission": (
        _("Mean days from prescription to admission"),
        _("Over the episodes admitted during the period; empty if none."),
        MEAN_DAYS,
    ),
    "activity.workplace_hours": (
        _("Hours at the workplace"),
        _("Interventions dated in the period at the workplace, whatever the person's state that day."),
        HOURS,
    ),
    "activity.without_interview": (
        _("Active all period without an interview"),
        _(
            "Persons active on every day of the period with no interview (with the person, or the person and the employer)."
        ),
        COUNT,
    ),
    "resources.fte_total": (_("Staff FTE"), _("Full-time equivalents of the staff in post on the last day."), FTE),
    "resources.fte_counsellors": (
        _("Counsellor FTE"),
        _("Full-time equivalents of the counsellors in post on the last day."),
        FTE,
    ),
    "resources.persons_per_counsellor_fte": (
        _("Active persons per counsellor FTE"),
        _("Active persons on the last day divided by the counsellor FTE (ceiling: 20)."),
        RATIO,
    ),
    "resources.funding.total": (_("Funding: total"), _("Amounts of the year of the last day (platform only)."), AMOUNT),
    "resources.trainings_delivered": (
        _("Trainings delivered"),
        _("Trainings of the year with the status delivered."),
        COUNT,
    ),
    "resources.trainings_planned": (
        _("Trainings planned"),
        _("Trainings of the next year with the status planned."),
        COUNT,
    ),
    "resources.rncp37779.certified": (
        _("Staff holding the RNCP37779 title"),
        _("Staff in post on the last day, any function."),
        COUNT,
    ),
    "resources.rncp37779.in_training": (
        _("Staff training for the RNCP37779 title"),
        _("Staff in post on the last day, any function."),
        COUNT,
    ),
    "employment.persons_employed": (
        _("Persons in employment"),
        _("Persons supported during the period with a contract covering at least one day of it."),
        COUNT,
    ),
    "employment.contracts.total": (
        _("Contracts"),
        _("Contracts of persons supported during the period that overlap it."),
        COUNT,
    ),
    "employment.contracts.started": (
        _("of which started in the period"),
        _("Contracts starting during the period."),
        COUNT,
    ),
    "employment.contracts.ongoing": (
        _("of which started before"),
        _("Contracts that started before the period."),
        COUNT,
    ),
    "employment.placements": (
        _("Placements (PMSMP, internships...)"),
        _("Placements of persons supported during the period that overlap it. They are not employment."),
        COUNT,
    ),
    "employment.mean_months_same_employer": (
        _("Mean months with the same employer"),
        _(
            "Persons supported and in work on the last day: time since the start of their run of contracts with that employer (30.4375 days a month)."
        ),
        MONTHS,
    ),
    "employment.job_breaks": (
        _("Job breaks"),
        _("Contracts ending during the period for another reason than their planned term."),
        COUNT,
    ),
}

BUCKET_FAMILIES = {
    "activity.exits.by_reason": (
        _("Exits: %(bucket)s"),
        dict(ExitReason.choices),
        COUNT,
        _("Episodes closed during the period for this reason."),
    ),
    "activity.intensity": (
        _("Intensity: %(bucket)s"),
        dict(INTENSITY_LABELS),
        COUNT,
        _(
            "Persons supported during the period, by hours a month on active days (more than 12, 8 to 12, 2 to 8, under 2; under half a month active: unclassified)."
        ),
    ),
    "resources.time_split": (
        _("Time share: %(bucket)s"),
        {
            "support": _("support"),
            "coordination": _("coordination"),
            "management": _("management"),
            "partnership": _("partnership"),
        },
        SHARE,
        _("Mean of the year's time allocations, weighted by FTE."),
    ),
    "resources.funding": (
        _("Funding: %(bucket)s"),
        dict(Funding.Funder.choices),
        AMOUNT,
        _("Amounts of the year of the last day (platform only)."),
    ),
    "profile.disability": (
        _("Main disability: %(bucket)s"),
        {**dict(Disability.choices), "unknown": _("unknown")},
        COUNT,
        _("First disability of the list."),
    ),
    "profile.months_without_work": (
        _("Months without work at entry: %(bucket)s"),
        {
            "0": "0",
            "1-5": _("1 to 5"),
            "6-11": _("6 to 11"),
            "12-23": _("12 to 23"),
            "24-59": _("24 to 59"),
            "60+": _("60 or more"),
            "unknown": _("unknown"),
        },
        COUNT,
        _("From the current episode."),
    ),
    "profile.years_worked": (
        _("Years worked at entry: %(bucket)s"),
        {
            "0": _("none"),
            "under_1": _("under 1"),
            "1-4": _("1 to under 5"),
            "5-9": _("5 to under 10"),
            "10+": _("10 or more"),
            "unknown": _("unknown"),
        },
        COUNT,
        _("From the current episode."),
    ),
    "profile.education_level": (
        _("Education: %(bucket)s"),
        {**dict(EducationLevel.choices), "unknown": _("unknown")},
        COUNT,
        _("Highest diploma."),
    ),
    "profile.entry_status": (
        _("Status at entry: %(bucket)s"),
        {**dict(EntryStatus.choices), "unknown": _("unknown")},
        COUNT,
        _("From the current episode."),
    ),
    "employment.contracts.by_employer_kind": (
        _("Contracts by employer: %(bucket)s"),
        dict(EmployerKind.choices),
        COUNT,
        _("Contracts of the period by kind of employer."),
    ),
}

RETENTION = {
    "cohort": (
        _("Retention at %(n)s months: entries"),
        _("Employment entries whose %(n)s-month mark falls in the period."),
        COUNT,
    ),
    "retained": (
        _("Retention at %(n)s months: still employed"),
        _("Of those, persons with a contract (any employer) covering the mark."),
        COUNT,
    ),
    "rate": (_("Retention at %(n)s months: rate"), _("Still employed divided by entries; empty if no entry."), RATE),
}


@dataclass(frozen=True)
class Row:
    key: str
    family: str
    label: str
    definition: str
    kind: str
    value: object

    @property
    def family_label(self) -> str:
        return str(FAMILIES[self.family])

    @property
    def is_count(self) -> bool:
        return self.kind == COUNT

    @property
    def display(self) -> str:
        return display(self.value, self.kind)


def describe(key: str) -> tuple[str, str, str]:
    """(label, definition, kind) of a dotted key."""
    if key in INDICATORS:
        label, definition, kind = INDICATORS[key]
        return str(label), str(definition), kind
    parent, _dot, bucket = key.rpartition(".")
    if parent in BUCKET_FAMILIES:
        template, names, kind, definition = BUCKET_FAMILIES[parent]
        return str(template) % {"bucket": names.get(bucket, bucket)}, str(definition), kind
    if key.startswith("employment.retention."):
        _e, _r, months, part = key.split(".")
        template, definition, kind = RETENTION[part]
        return str(template) % {"n": months}, str(definition) % {"n": months}, kind
    return key, "", COUNT


def rows(figures: dict) -> list[Row]:
    result = []
    for key, value in flatten(figures):
        label, definition, kind = describe(key)
        result.append(Row(key, key.split(".")[0], label, definition, kind, value))
    return result


def display(value, kind: str) -> str:
    """French display, rounded for reading (the exports keep unrounded numbers)."""
    if value is None:
        return "—"
    if kind == COUNT:
        return number_format(value, force_grouping=True)
    if kind in (RATE, SHARE):
        return number_format(value * 100, decimal_pos=1) + " %"
    if kind == AMOUNT:
        return number_format(value, decimal_pos=0, force_grouping=True) + " €"
    if kind == FTE:
        return number_format(value, decimal_pos=2)
    if kind == HOURS:
        return number_format(value, decimal_pos=1, force_grouping=True) + " h"
    return number_format(value, decimal_pos=1)
