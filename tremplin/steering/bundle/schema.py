"""Validation of a bundle (BUNDLE.md version 1): types, closed enumerations, references and the
consistency rules, with every error located by its JSON path and explained in French.

`Checker` cleans each record into plain Python values (dates, Decimals at the database's
precision) and collects errors; the importer uses the same cleaning on its second pass, so
what is written is exactly what was checked. The pathway rules are the ones the forms use
(`pathways.rules`): periods_overlap for episodes and veilles, silence_long_enough for exits
for disengagement.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tremplin.activity.models import Intervention, Kind, Place, With
from tremplin.employment.models import Contract, ContractEndReason, ContractType, Employer, EmployerKind, Placement
from tremplin.lib.dates import date_in_range, date_range_message
from tremplin.organisations.models import Funding, Organisation, Platform, Staff, Training
from tremplin.pathways import rules
from tremplin.pathways.models import EntryStatus, ExitReason, Prescription
from tremplin.people.models import Disability, EducationLevel, Person, Recognition, Sex

from .reader import shorten

FORMAT = "tremplin-bundle"
VERSION = 1
MAX_ERRORS = 1000  # errors listed (with their count beyond): enough to correct a file, bounded
ONE_DAY = dt.timedelta(days=1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
INVALID = object()

TOP_KEYS = {
    "format",
    "version",
    "platform",
    "organisations",
    "staff",
    "employers",
    "persons",
    "funding",
    "trainings",
    "time_allocation",
}
TOP_REQUIRED = ("format", "version", "platform", "organisations")

PLACES = frozenset(Place.values)
WITHS = frozenset(With.values)
KINDS = frozenset(Kind.values)
INTERVENTION_KEYS = frozenset({"date", "minutes", "place", "with", "kind"})
MAX_MINUTES = Intervention.MAX_MINUTES


def qualified_code(organisation_code: str, code: str, collides: bool) -> str:
    """Staff and person codes are unique per organisation in Tremplin but must be unique in the
    bundle's list: on export a colliding code is qualified as "ORGANISATION/CODE"."""
    return f"{organisation_code}/{code}" if collides else code


def local_code(organisation_code: str, code: str) -> str:
    """The code stored for a staff member or person: a qualifying "ORGANISATION/" is removed."""
    prefix = f"{organisation_code}/"
    return code[len(prefix) :] if code.startswith(prefix) else code


@dataclass(frozen=True)
class BundleError:
    path: str
    message: str

    def as_dict(self) -> dict:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Sections:
    """The small top-level sections, cleaned (kept in memory between the two passes)."""

    platform: dict | None = None
    organisations: list[dict] = field(default_factory=list)
    staff: list[dict] | None = None
    employers: list[dict] | None = None
    funding: list[dict] | None = None
    trainings: list[dict] | None = None
    time_allocation: list[dict] | None = None
    persons_present: bool = False


def _d(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@cache
def _choices(enum) -> tuple[str, ...]:
    """An enumeration's values, computed once (Django builds a new list on every `.values`)."""
    return tuple(enum.values)


def _values(choices) -> str:
    return ", ".join(choices)


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Checker:
    """Collects errors (path, French message) while cleaning records."""

    def __init__(self, max_errors: int = MAX_ERRORS):
        self.errors: list[BundleError] = []
        self.error_count = 0
        self.max_errors = max_errors
        self._dates: dict[str, dt.date] = {}
        # References from persons to the top-level lists, checked once the whole file is read:
        # (kind, code, path).
        self.references: list[tuple[str, str, str]] = []

    # Basic values -------------------------------------------------------------------------

    def error(self, path: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(BundleError(path, str(message)))

    def record(self, value, path: str, required: tuple, optional: tuple = ()) -> bool:
        """An object with every required key and no unknown key."""
        if not isinstance(value, dict):
            self.error(path, _("Expected an object { … }."))
            return False
        ok = True
        for key in required:
            if key not in value:
                self.error(f"{path}.{key}", _("This key is required."))
                ok = False
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.error(
                    f"{path}.{shorten(key)}",
                    _("Unknown key “%(key)s” (accepted: %(keys)s).")
                    % {"key": shorten(key), "keys": _values(sorted(allowed))},
                )
                ok = False
        return ok

    def text(self, obj: dict, key: str, path: str, max_length: int, required: bool = True, blank: bool = False):
        value = obj.get(key)
        if value is None:
            if required and not blank:
                self.error(f"{path}.{key}", _("A text is required here."))
                return INVALID
            return ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}", _("Expected a text between quotes."))
            return INVALID
        value = value.strip()
        if not value and required and not blank:
            self.error(f"{path}.{key}", _("This text cannot be empty."))
            return INVALID
        if len(value) > max_length:
            self.error(f"{path}.{key}", _("Too long: at most %(max)s characters.") % {"max": max_length})
            return INVALID
        return value

    def date(self, obj: dict, key: str, path: str, required: bool = True):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A date (YYYY-MM-DD) is required here."))
                return INVALID
            return None
        cached = self._dates.get(value) if isinstance(value, str) else None
        if cached is not None:
            return cached
        if isinstance(value, str) and _DATE.match(value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if not date_in_range(day):  # the range of every date (tremplin.lib.dates); not cached
                    self.error(f"{path}.{key}", date_range_message())
                    return INVALID
                self._dates[value] = day
                return day
        self.error(f"{path}.{key}", _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": shorten(value)})
        return INVALID

    def choice(self, obj: dict, key: str, path: str, choices, required: bool = True):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A value is required here (%(values)s).") % {"values": _values(choices)})
                return INVALID
            return None
        if value not in choices:
            self.error(
                f"{path}.{key}",
                _("“%(value)s” is not an accepted value (%(values)s).")
                % {"value": shorten(value), "values": _values(choices)},
            )
            return INVALID
        return value

    def integer(self, obj: dict, key: str, path: str, low: int, high: int, required: bool = True):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A whole number is required here."))
                return INVALID
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is not int:
            self.error(f"{path}.{key}", _("Expected a whole number."))
            return INVALID
        if not low <= value <= high:
            self.error(f"{path}.{key}", _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high})
            return INVALID
        return value

    def number(self, obj: dict, key: str, path: str, places: int, low, high, required: bool = True, low_open=False):
        """A number, rounded to the database's precision, then checked against [low, high]."""
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A number is required here."))
                return INVALID
            return None
        if type(value) not in (int, float) or not math.isfinite(value):
            self.error(f"{path}.{key}", _("Expected a number."))
            return INVALID
        if abs(value) > 1e15:  # beyond every bound (and beyond what quantize handles)
            value = high * 10 if value > 0 else low - 1
        number = _quantize(Decimal(str(value)), places)
        if number < Decimal(str(low)) or number > Decimal(str(high)) or (low_open and number == Decimal(str(low))):
            bounds = (
                _("greater than %(low)s and at most %(high)s") if low_open else _("between %(low)s and %(high)s")
            ) % {"low": low, "high": high}
            self.error(
                f"{path}.{key}",
                _("Must be %(bounds)s (with %(places)s decimals at most).") % {"bounds": bounds, "places": places},
            )
            return INVALID
        return number

    def boolean(self, obj: dict, key: str, path: str, default: bool = False):
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(f"{path}.{key}", _("Expected true or false."))
            return INVALID
        return value

    def items(self, obj: dict, key: str, path: str, required: bool = False):
        """A list (None when absent and optional)."""
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A list [ … ] is required here."))
                return INVALID
            return None
        if not isinstance(value, list):
            self.error(f"{path}.{key}", _("Expected a list [ … ]."))
            return INVALID
        return value

    def unique(self, seen: dict, value, path: str, what: str) -> None:
        if value is INVALID:
            return
        if value in seen:
            self.error(
                path,
                _("“%(code)s” is already used by %(other)s: %(what)s codes are unique.")
                % {"code": value, "other": seen[value], "what": what},
            )
        else:
            seen[value] = path

    # Top-level sections ---------------------------------------------------------------------

    def header(self, key: str, value) -> None:
        if key == "format" and value != FORMAT:
            self.error("format", _("Expected “%(format)s”: is this a Tremplin bundle?") % {"format": FORMAT})
        if key == "version" and (type(value) is not int or value != VERSION):
            self.error(
                "version",
                _("Version %(version)s is not supported: this Tremplin reads version %(expected)s.")
                % {"version": shorten(value), "expected": VERSION},
            )

    def platform(self, value) -> dict | None:
        path = "platform"
        if not self.record(value, path, ("code", "name", "department")):
            return None
        result = {
            "code": self.text(value, "code", path, Platform._meta.get_field("code").max_length),
            "name": self.text(value, "name", path, Platform._meta.get_field("name").max_length),
            "department": self.text(value, "department", path, 3),
        }
        return None if INVALID in result.values() else result

    def organisations(self, value) -> list[dict]:
        items = value if isinstance(value, list) else self.items({"organisations": value}, "organisations", "", True)
        if items is INVALID:
            return []
        result, seen, leads = [], {}, []
        for index, item in enumerate(items):
            path = f"organisations[{index}]"
            if not self.record(item, path, ("code", "name", "role")):
                continue
            clean = {
                "code": self.text(item, "code", path, Organisation._meta.get_field("code").max_length),
                "name": self.text(item, "name", path, Organisation._meta.get_field("name").max_length),
                "role": self.choice(item, "role", path, _choices(Organisation.Role)),
            }
            self.unique(seen, clean["code"], f"{path}.code", _("organisation"))
            if clean["role"] == Organisation.Role.LEAD:
                leads.append(path)
            if INVALID not in clean.values():
                result.append(clean)
        for path in leads[1:]:
            self.error(f"{path}.role", _("A platform has only one lead organisation (chef de file)."))
        return result

    def staff(self, value, organisations: set[str]) -> list[dict]:
        items = self.items({"staff": value}, "staff", "")
        result, seen = [], {}
        for index, item in enumerate(items or []) if items is not INVALID else ():
            path = f"staff[{index}]"
            if not self.record(
                item, path, ("code", "organisation", "name", "function", "fte", "start"), ("end", "rncp37779")
            ):
                continue
            clean = {
                "code": self.text(item, "code", path, 61),
                "organisation": self.reference(item, "organisation", path, organisations, _("organisation")),
                "name": self.text(item, "name", path, Staff._meta.get_field("name").max_length),
                "function": self.choice(item, "function", path, _choices(Staff.Function)),
                "fte": self.number(item, "fte", path, 2, 0, 1, low_open=True),
                "start": self.date(item, "start", path),
                "end": self.date(item, "end", path, required=False),
                "rncp37779": self.choice(item, "rncp37779", path, _choices(Staff.Rncp), required=False) or "none",
            }
            self.unique(seen, clean["code"], f"{path}.code", _("staff"))
            if clean["code"] is not INVALID and clean["organisation"] is not INVALID:
                if len(local_code(clean["organisation"], clean["code"])) > Staff._meta.get_field("code").max_length:
                    self.error(f"{path}.code", _("Too long: at most %(max)s characters.") % {"max": 30})
                    clean["code"] = INVALID
            if _dates_ok(clean["start"], clean["end"]) and clean["end"] < clean["start"]:
                self.error(f"{path}.end", _("The end date cannot be before the start date."))
                clean["end"] = INVALID
            if INVALID not in clean.values():
                result.append(clean)
        return result

    def employers(self, value) -> list[dict]:
        items = self.items({"employers": value}, "employers", "")
        result, seen = [], {}
        for index, item in enumerate(items or []) if items is not INVALID else ():
            path = f"employers[{index}]"
            if not self.record(item, path, ("code", "name", "kind"), ("naf",)):
                continue
            clean = {
                "code": self.text(item, "code", path, Employer._meta.get_field("code").max_length),
                "name": self.text(item, "name", path, Employer._meta.get_field("name").max_length),
                "kind": self.choice(item, "kind", path, _choices(EmployerKind)),
                "naf": self.text(item, "naf", path, 6, required=False),
            }
            self.unique(seen, clean["code"], f"{path}.code", _("employer"))
            if INVALID not in clean.values():
                result.append(clean)
        return result

    def funding(self, value) -> list[dict]:
        items = self.items({"funding": value}, "funding", "")
        result = []
        for index, item in enumerate(items or []) if items is not INVALID else ():
            path = f"funding[{index}]"
            if not self.record(item, path, ("year", "funder", "amount_eur")):
                continue
            clean = {
                "year": self.integer(item, "year", path, 1900, 2200),
                "funder": self.choice(item, "funder", path, _choices(Funding.Funder)),
                "amount_eur": self.number(item, "amount_eur", path, 2, 0, 9_999_999_999),
            }
            if INVALID not in clean.values():
                result.append(clean)
        return result

    def trainings(self, value, staff: set[str]) -> list[dict]:
        items = self.items({"trainings": value}, "trainings", "")
        result = []
        for index, item in enumerate(items or []) if items is not INVALID else ():
            path = f"trainings[{index}]"
            if not self.record(item, path, ("staff", "title", "year", "status")):
                continue
            clean = {
                "staff": self.reference(item, "staff", path, staff, _("staff")),
                "title": self.text(item, "title", path, Training._meta.get_field("title").max_length),
                "year": self.integer(item, "year", path, 1900, 2200),
                "status": self.choice(item, "status", path, _choices(Training.Status)),
            }
            if INVALID not in clean.values():
                result.append(clean)
        return result

    def time_allocation(self, value, staff: set[str]) -> list[dict]:
        items = self.items({"time_allocation": value}, "time_allocation", "")
        result, seen = [], {}
        shares = ("support", "coordination", "management", "partnership")
        for index, item in enumerate(items or []) if items is not INVALID else ():
            path = f"time_allocation[{index}]"
            if not self.record(item, path, ("staff", "year", *shares)):
                continue
            clean = {
                "staff": self.reference(item, "staff", path, staff, _("staff")),
                "year": self.integer(item, "year", path, 1900, 2200),
            }
            for share in shares:
                clean[share] = self.number(item, share, path, 3, 0, 1)
            if any(clean[share] is INVALID for share in shares):
                continue
            total = sum(clean[share] for share in shares)
            if abs(total - 1) > Decimal("0.001"):
                self.error(path, _("The four shares add up to %(total)s: they must add up to 1.") % {"total": total})
                continue
            if INVALID in clean.values():
                continue
            key = (clean["staff"], clean["year"])
            if key in seen:
                self.error(
                    path,
                    _("This staff member already has a time allocation for %(year)s at %(other)s.")
                    % {"year": clean["year"], "other": seen[key]},
                )
                continue
            seen[key] = path
            result.append(clean)
        return result

    def reference(self, obj: dict, key: str, path: str, known, what: str, required: bool = True):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("A code is required here."))
                return INVALID
            return None
        if not isinstance(value, str):
            self.error(f"{path}.{key}", _("Expected a code between quotes."))
            return INVALID
        if known is not None and value not in known:
            self.error(
                f"{path}.{key}",
                _("No %(what)s with the code “%(code)s” in this bundle.") % {"what": what, "code": shorten(value)},
            )
            return INVALID
        return value

    # Persons ----------------------------------------------------------------------------------

    def person(self, item, index: int, organisations, staff, employers) -> dict | None:
        """Clean one person with everything hanging off it; None if invalid. `staff` and
        `employers` may be None when those lists come later in the file (then the caller
        checks the collected references at the end)."""
        path = f"persons[{index}]"
        before = self.error_count
        if not self.record(
            item,
            path,
            ("code", "organisation", "first_name", "last_name"),
            (
                "birth_date",
                "sex",
                "disabilities",
                "education_level",
                "recognitions",
                "prescriptions",
                "episodes",
                "interventions",
                "contracts",
                "placements",
            ),
        ):
            return None
        person = {
            "code": self.text(item, "code", path, 61),
            "organisation": self.reference(item, "organisation", path, organisations, _("organisation")),
            "first_name": self.text(
                item, "first_name", path, Person._meta.get_field("first_name").max_length, blank=True
            ),
            "last_name": self.text(item, "last_name", path, Person._meta.get_field("last_name").max_length, blank=True),
            "birth_date": self.date(item, "birth_date", path, required=False),
            "sex": self.choice(item, "sex", path, _choices(Sex), required=False) or "",
            "education_level": self.choice(item, "education_level", path, _choices(EducationLevel), required=False)
            or "",
            "disabilities": self.disabilities(item, path),
        }
        if person["organisation"] is not INVALID and organisations is None:
            self.references.append(("organisation", person["organisation"], f"{path}.organisation"))
        if person["code"] is not INVALID and person["organisation"] is not INVALID:
            if len(local_code(person["organisation"], person["code"])) > Person._meta.get_field("code").max_length:
                self.error(f"{path}.code", _("Too long: at most %(max)s characters.") % {"max": 30})
        person["recognitions"] = self.recognitions(item, path)
        person["prescriptions"] = self.prescriptions(item, path)
        person["interventions"] = self.interventions(item, path)
        person["episodes"] = self.episodes(item, path, person, staff)
        person["contracts"] = self.contracts(item, path, person, employers)
        person["placements"] = self.placements(item, path, person, employers)
        if self.error_count != before:
            return None
        return person

    def disabilities(self, item, path):
        values = self.items(item, "disabilities", path)
        if values is None or values is INVALID:
            return [] if values is None else INVALID
        result = []
        for index, value in enumerate(values):
            if value not in _choices(Disability):
                self.error(
                    f"{path}.disabilities[{index}]",
                    _("“%(value)s” is not an accepted value (%(values)s).")
                    % {"value": shorten(value), "values": _values(_choices(Disability))},
                )
                return INVALID
            if value in result:
                self.error(f"{path}.disabilities[{index}]", _("This disability is already in the list."))
                return INVALID
            result.append(value)
        return result

    def recognitions(self, item, path):
        values = self.items(item, "recognitions", path)
        if values is None or values is INVALID:
            return values
        result = []
        for index, value in enumerate(values):
            p = f"{path}.recognitions[{index}]"
            if not self.record(value, p, ("kind", "start"), ("end",)):
                continue
            clean = (
                self.choice(value, "kind", p, _choices(Recognition.Kind)),
                self.date(value, "start", p),
                self.date(value, "end", p, required=False),
            )
            if _dates_ok(clean[1], clean[2]) and clean[2] < clean[1]:
                self.error(f"{p}.end", _("The end date cannot be before the start date."))
                continue
            if INVALID not in clean:
                result.append(clean)
        return result

    def prescriptions(self, item, path):
        values = self.items(item, "prescriptions", path)
        if values is None or values is INVALID:
            return values
        result, seen = {}, {}
        for index, value in enumerate(values):
            p = f"{path}.prescriptions[{index}]"
            if not self.record(value, p, ("code", "date", "prescriber"), ("urgent", "withdrawn_on")):
                continue
            clean = {
                "code": self.text(value, "code", p, Prescription._meta.get_field("code").max_length),
                "date": self.date(value, "date", p),
                "prescriber": self.choice(value, "prescriber", p, _choices(Prescription.Prescriber)),
                "urgent": self.boolean(value, "urgent", p),
                "withdrawn_on": self.date(value, "withdrawn_on", p, required=False),
                "path": p,
            }
            self.unique(seen, clean["code"], f"{p}.code", _("prescription"))
            if _dates_ok(clean["date"], clean["withdrawn_on"]) and clean["withdrawn_on"] < clean["date"]:
                self.error(f"{p}.withdrawn_on", _("A prescription cannot be withdrawn before its date."))
                continue
            if INVALID not in clean.values():
                result[clean["code"]] = clean
        return result

    def interventions(self, item, path):
        values = self.items(item, "interventions", path)
        if values is None or values is INVALID:
            return values
        result = []
        dates = self._dates
        for index, value in enumerate(values):
            # The hot loop of large bundles: a fast path for well-formed interventions.
            if type(value) is dict and value.keys() == INTERVENTION_KEYS:
                day = dates.get(value["date"]) if type(value["date"]) is str else None
                minutes = value["minutes"]
                try:
                    if (
                        day is not None
                        and type(minutes) is int
                        and 0 < minutes <= MAX_MINUTES
                        and value["place"] in PLACES
                        and value["with"] in WITHS
                        and value["kind"] in KINDS
                    ):
                        result.append((day, minutes, value["place"], value["with"], value["kind"]))
                        continue
                except TypeError:  # a list or an object where a code is expected: the slow path says so
                    pass
            p = f"{path}.interventions[{index}]"
            if not self.record(value, p, ("date", "minutes", "place", "with", "kind")):
                continue
            clean = (
                self.date(value, "date", p),
                self.integer(value, "minutes", p, 1, MAX_MINUTES),
                self.choice(value, "place", p, _choices(Place)),
                self.choice(value, "with", p, _choices(With)),
                self.choice(value, "kind", p, _choices(Kind)),
            )
            if INVALID not in clean:
                result.append(clean)
        return result

    def episodes(self, item, path, person, staff):
        values = self.items(item, "episodes", path)
        if values is None or values is INVALID:
            return values
        prescriptions = person["prescriptions"] if isinstance(person["prescriptions"], dict) else {}
        result, used = [], {}
        for index, value in enumerate(values):
            p = f"{path}.episodes[{index}]"
            if not self.record(
                value,
                p,
                ("admitted_on",),
                (
                    "prescription",
                    "entry_status",
                    "months_without_work",
                    "years_worked",
                    "counsellors",
                    "pauses",
                    "exit",
                ),
            ):
                continue
            clean = {
                "prescription": self.reference(
                    value, "prescription", p, prescriptions, _("prescription of this person"), required=False
                ),
                "admitted_on": self.date(value, "admitted_on", p),
                "entry_status": self.choice(value, "entry_status", p, _choices(EntryStatus), required=False) or "",
                "months_without_work": self.integer(value, "months_without_work", p, 0, 1200, required=False),
                "years_worked": self.number(value, "years_worked", p, 2, 0, 99, required=False),
                "exit_date": None,
                "exit_reason": "",
                "path": p,
            }
            code = clean["prescription"]
            if code not in (None, INVALID):
                if code in used:
                    self.error(
                        f"{p}.prescription",
                        _("Prescription “%(code)s” already led to the admission at %(other)s.")
                        % {"code": code, "other": used[code]},
                    )
                    clean["prescription"] = INVALID
                else:
                    used[code] = p
                    presc_date = prescriptions[code]["date"]
                    if clean["admitted_on"] is not INVALID and clean["admitted_on"] < presc_date:
                        self.error(
                            f"{p}.admitted_on",
                            _("The admission cannot be before the prescription's date (%(date)s).")
                            % {"date": _d(presc_date)},
                        )
            exit_ = value.get("exit")
            if exit_ is not None:
                ep = f"{p}.exit"
                if self.record(exit_, ep, ("date", "reason")):
                    clean["exit_date"] = self.date(exit_, "date", ep)
                    clean["exit_reason"] = self.choice(exit_, "reason", ep, _choices(ExitReason))
                    if (
                        _dates_ok(clean["admitted_on"], clean["exit_date"])
                        and clean["exit_date"] <= clean["admitted_on"]
                    ):
                        self.error(f"{ep}.date", _("The exit must be after the admission."))
                        clean["exit_date"] = INVALID
                else:
                    clean["exit_date"] = INVALID
            if INVALID not in (clean["admitted_on"], clean["exit_date"]):
                clean["pauses"] = self.pauses(value, p, clean)
                clean["counsellors"] = self.counsellors(value, p, clean, staff, person)
                if clean["exit_reason"] == ExitReason.DISENGAGEMENT:
                    self.disengagement(clean, person, p)
            else:
                clean["pauses"] = clean["counsellors"] = None
            if INVALID not in clean.values():
                result.append(clean)
        # Episodes do not overlap (the exit day is outside the episode).
        ordered = sorted(result, key=lambda e: e["admitted_on"])
        for before, after in zip(ordered, ordered[1:], strict=False):
            last = before["exit_date"] - ONE_DAY if before["exit_date"] else None
            if rules.periods_overlap(before["admitted_on"], last, after["admitted_on"], None):
                self.error(
                    f"{after['path']}.admitted_on",
                    _(
                        "This episode overlaps the episode admitted on %(date)s: a person has one support at a time (a new admission is possible from the exit day)."
                    )
                    % {"date": _d(before["admitted_on"])},
                )
        return result

    def pauses(self, value, path, episode):
        values = self.items(value, "pauses", path)
        if values is None or values is INVALID:
            return values
        last_day = episode["exit_date"] - ONE_DAY if episode["exit_date"] else None
        result = []
        for index, item in enumerate(values):
            p = f"{path}.pauses[{index}]"
            if not self.record(item, p, ("start", "end")):
                continue
            start, end = self.date(item, "start", p), self.date(item, "end", p)
            if INVALID in (start, end):
                continue
            if end < start:
                self.error(f"{p}.end", _("The end of the veille cannot be before its start."))
                continue
            if start < episode["admitted_on"] or (last_day is not None and end > last_day):
                self.error(p, _("A veille lies inside its episode (from the admission to the day before the exit)."))
                continue
            clash = next((other for other in result if rules.periods_overlap(start, end, other[0], other[1])), None)
            if clash is not None:
                self.error(p, _("This veille overlaps the veille starting on %(date)s.") % {"date": _d(clash[0])})
                continue
            result.append((start, end))
        return result

    def counsellors(self, value, path, episode, staff, person):
        values = self.items(value, "counsellors", path)
        if values is None or values is INVALID:
            return values
        last_day = episode["exit_date"] - ONE_DAY if episode["exit_date"] else None
        result = []
        for index, item in enumerate(values):
            p = f"{path}.counsellors[{index}]"
            if not self.record(item, p, ("staff", "from")):
                continue
            code = self.reference(item, "staff", p, staff, _("staff"))
            start = self.date(item, "from", p)
            if INVALID in (code, start):
                continue
            if staff is None:
                self.references.append(("staff", code, f"{p}.staff"))
            if start < episode["admitted_on"] or (last_day is not None and start > last_day):
                self.error(f"{p}.from", _("A counsellor's assignment starts inside the episode."))
                continue
            if result and start <= result[-1][1]:
                self.error(
                    f"{p}.from",
                    _("Counsellor assignments are listed in date order, each starting after the previous one."),
                )
                continue
            result.append((code, start))
        return result

    def disengagement(self, episode, person, path) -> None:
        """Exit for disengagement: the last interview (with the person, alone or with the
        employer) on or before the exit date, plus 6 calendar months, is on or before the exit
        date. Without any interview, the admission counts as the last contact (as in the
        pathway's rule)."""
        exit_date = episode["exit_date"]
        last = episode["admitted_on"]
        for day, _minutes, _place, with_whom, _kind in person["interventions"] or ():
            if with_whom in ("person", "both") and last < day <= exit_date:
                last = day
        if not rules.silence_long_enough(last, exit_date):
            self.error(
                f"{path}.exit.reason",
                _("An exit for disengagement needs six months without contact: the last contact was on %(date)s.")
                % {"date": _d(last)},
            )

    def contracts(self, item, path, person, employers):
        values = self.items(item, "contracts", path)
        if values is None or values is INVALID:
            return values
        result = []
        for index, value in enumerate(values):
            p = f"{path}.contracts[{index}]"
            if not self.record(
                value, p, ("employer", "type", "start"), ("planned_end", "end", "end_reason", "weekly_hours")
            ):
                continue
            clean = {
                "employer": self.reference(value, "employer", p, employers, _("employer")),
                "type": self.choice(value, "type", p, _choices(ContractType)),
                "start": self.date(value, "start", p),
                "planned_end": self.date(value, "planned_end", p, required=False),
                "end": self.date(value, "end", p, required=False),
                "end_reason": self.choice(value, "end_reason", p, _choices(ContractEndReason), required=False) or "",
                "weekly_hours": self.number(value, "weekly_hours", p, 1, 0, 168, required=False),
            }
            if clean["employer"] is not INVALID and employers is None:
                self.references.append(("employer", clean["employer"], f"{p}.employer"))
            for key, message in (
                ("end", _("The end of the contract cannot be before its start.")),
                ("planned_end", _("The planned end cannot be before the start.")),
            ):
                if _dates_ok(clean["start"], clean[key]) and clean[key] < clean["start"]:
                    self.error(f"{p}.{key}", message)
                    clean[key] = INVALID
            if clean["end"] is None and clean["end_reason"]:
                self.error(f"{p}.end_reason", _("An end reason is given only with an end date."))
                clean["end_reason"] = INVALID
            elif clean["end"] not in (None, INVALID) and not clean["end_reason"]:
                self.error(f"{p}.end_reason", _("An ended contract needs its end reason."))
                clean["end_reason"] = INVALID
            if INVALID not in clean.values():
                result.append(clean)
        return result

    def placements(self, item, path, person, employers):
        values = self.items(item, "placements", path)
        if values is None or values is INVALID:
            return values
        result = []
        for index, value in enumerate(values):
            p = f"{path}.placements[{index}]"
            if not self.record(value, p, ("kind", "start", "end"), ("employer",)):
                continue
            clean = {
                "employer": self.reference(value, "employer", p, employers, _("employer"), required=False),
                "kind": self.choice(value, "kind", p, _choices(Placement.Kind)),
                "start": self.date(value, "start", p),
                "end": self.date(value, "end", p),
            }
            if clean["employer"] not in (None, INVALID) and employers is None:
                self.references.append(("employer", clean["employer"], f"{p}.employer"))
            if _dates_ok(clean["start"], clean["end"]) and clean["end"] < clean["start"]:
                self.error(f"{p}.end", _("The end of the placement cannot be before its start."))
                continue
            if INVALID not in clean.values():
                result.append(clean)
        return result


def _dates_ok(*values) -> bool:
    return all(isinstance(v, dt.date) for v in values)


# Kept for the importer: the model classes whose rows hang off a person.
CHILD_MODELS = (Recognition, Prescription, Contract, Placement, Intervention)
