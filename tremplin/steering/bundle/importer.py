"""Import a bundle: check the whole file first, then write everything in one transaction.

Pass 1 (`validate`) streams the file, checks every record and collects every error with its
JSON path. Pass 2 (`import_bundle`) runs only when pass 1 found nothing: it streams the file
again and writes in one transaction, persons by chunks, with bulk inserts (COPY on
PostgreSQL) for the large tables.

Matching (docs/indicators.md, "Import"): organisations, staff and employers by code, persons by
organisation and code, prescriptions by person and code. Records without codes are matched
by their content, so that importing the same bundle again writes nothing:
- episodes by their prescription (or, without one, their admission date);
- veilles by start date within the episode, counsellor assignments by counsellor and start;
- recognitions, interventions, contracts (employer, type, start) and placements by content,
  as multisets (two identical interventions the same day are two).
For every person in the bundle, the bundle is the whole truth about the lists it carries:
children missing from a list present in the bundle are deleted; a list absent from the
bundle is left untouched. Persons, staff and employers absent from the bundle are kept.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.activity.models import Intervention
from tremplin.audit.log import _plain
from tremplin.audit.models import AuditEntry
from tremplin.employment.models import Contract, Employer, Placement
from tremplin.lib.dates import today
from tremplin.lib.text import normalise
from tremplin.organisations.models import Funding, Organisation, Platform, Staff, TimeAllocation, Training
from tremplin.pathways.models import SUPPORTED, CounsellorAssignment, Episode, Pause, Prescription
from tremplin.people.models import Person, Recognition

from . import reader
from .reader import shorten
from .schema import MAX_ERRORS, TOP_KEYS, TOP_REQUIRED, BundleError, Checker, Sections, local_code

CHUNK_PERSONS = 1000
INSERT_BATCH = 20000
# A first load of at least this many interventions into an empty intervention table, on
# PostgreSQL, rebuilds that table's indexes and foreign keys once at the end ("bulk load").
BULK_LOAD_MIN = 200_000
# Tables whose statistics are refreshed (ANALYZE) after an import of at least this many records.
ANALYZE_MIN = 10_000
ONE_DAY = dt.timedelta(days=1)

Progress = Callable[[str, int, int], None]  # (phase, done bytes, total bytes)


@dataclass
class Report:
    errors: list[BundleError] = field(default_factory=list)
    error_count: int = 0
    counts: Counter = field(default_factory=Counter)  # what the file holds
    changes: Counter = field(default_factory=Counter)  # what the import wrote
    sections: Sections | None = None
    written: bool = False
    # The platform the bundle writes: {"code", "name", "created"} (created: it does not exist yet).
    platform: dict | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class BundleChangedError(RuntimeError):
    """The file changed between the check and the import (nothing was written)."""


# Who imports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """On whose authority a bundle is imported (docs/indicators.md, "Qui peut importer quoi").

    - the console (`tremplin import_bundle`, the administrator of the server): any platform;
    - a manager of the lead organisation, from the page: their own platform only;
    - a manager of a partner organisation, from the page: their own organisation's records only;
    - anybody else: nothing.
    Build it with `authority_for(user)` or use `CONSOLE`; the importer takes either a user (then
    `authority_for` is applied) or an Authority, never nothing."""

    console: bool = False
    user: object = None
    platform: Platform | None = None
    organisation: Organisation | None = None  # set for a partner organisation's staff
    staff_id: int | None = None

    @property
    def may_import(self) -> bool:
        return self.console or self.platform is not None


CONSOLE = Authority(console=True)
CONSOLE_ACTOR = "tremplin import_bundle"


def authority_for(user) -> Authority:
    """A web import's authority: the user's role and organisation (access.permissions, scope)."""
    from tremplin.access.permissions import can
    from tremplin.access.scope import staff_of

    staff = staff_of(user)
    if staff is None or not can(user, "bundle.import"):
        return Authority(user=user)
    organisation = staff.organisation
    return Authority(
        user=user,
        platform=organisation.platform,
        organisation=None if organisation.is_lead else organisation,
        staff_id=staff.pk,
    )


def _authority(user) -> Authority:
    if isinstance(user, Authority):
        return user
    if user is None:
        raise TypeError("Pass the acting user, or importer.CONSOLE for the command line.")
    return authority_for(user)


# Pass 1: check the whole file ----------------------------------------------------------------


def validate(path, user, progress: Progress | None = None) -> Report:
    """Check the whole file: its content, then what the installation and the importer's
    authority (`user`: the acting user, or CONSOLE) allow. Writes nothing."""
    authority = _authority(user)
    size = os.path.getsize(path)
    checker = Checker()
    sections = Sections()
    raw: dict[str, object] = {}
    person_codes: dict[str, str] = {}
    counts: Counter = Counter()
    callback = (lambda done: progress("check", done, size)) if progress else None
    try:
        for key, index, value in reader.read(path, callback):
            if key == "persons":
                sections.persons_present = True
                if index < 0:
                    checker.error("persons", _("Expected a list [ … ]."))
                    continue
                person = checker.person(value, index, None, None, None)
                if isinstance(value, dict) and isinstance(value.get("code"), str):
                    checker.unique(person_codes, value["code"], f"persons[{index}].code", _("person"))
                if person is not None:
                    _count(counts, person)
            elif key in TOP_KEYS:
                raw[key] = value
            else:
                checker.error(
                    shorten(key), _("Unknown key “%(key)s” at the top of the bundle.") % {"key": shorten(key)}
                )
    except reader.BundleSyntaxError as error:
        report = Report(error_count=1, sections=sections)
        report.errors = [
            BundleError(
                _("line %(line)s, column %(column)s") % {"line": error.line, "column": error.column},
                _("The file is not valid JSON: %(detail)s.") % {"detail": error.message},
            )
        ]
        return report
    except OSError:
        return Report(errors=[BundleError("", _("The file could not be read: nothing was imported."))], error_count=1)

    head = Checker()
    for key in TOP_REQUIRED:
        if key not in raw:
            head.error(key, _("This key is required."))
    for key in ("format", "version"):
        if key in raw:
            head.header(key, raw[key])
    if "platform" in raw:
        sections.platform = head.platform(raw["platform"])
    if "organisations" in raw:
        sections.organisations = head.organisations(raw["organisations"])
    organisations = _declared(raw.get("organisations"))
    if "staff" in raw:
        sections.staff = head.staff(raw["staff"], organisations)
    staff = _declared(raw.get("staff"))
    if "employers" in raw:
        sections.employers = head.employers(raw["employers"])
    employers = _declared(raw.get("employers"))
    if "funding" in raw:
        sections.funding = head.funding(raw["funding"])
    if "trainings" in raw:
        sections.trainings = head.trainings(raw["trainings"], staff)
    if "time_allocation" in raw:
        sections.time_allocation = head.time_allocation(raw["time_allocation"], staff)
    known = {"organisation": organisations, "staff": staff, "employer": employers}
    what = {"organisation": _("organisation"), "staff": _("staff"), "employer": _("employer")}
    for kind, code, ref_path in checker.references:
        if code not in known[kind]:
            checker.error(
                ref_path,
                _("No %(what)s with the code “%(code)s” in this bundle.") % {"what": what[kind], "code": shorten(code)},
            )
    allowed = Checker()
    platform = None
    if sections.platform is not None:
        platform = _check_installation(allowed, sections, authority)
    elif not authority.may_import:
        _check_authority(allowed, sections, authority, None)
    counts.update(
        organisations=len(sections.organisations),
        staff=len(sections.staff or []),
        employers=len(sections.employers or []),
    )
    return Report(
        # What the importer may not do comes first: it is the reason to read before any other.
        errors=(allowed.errors + head.errors + checker.errors)[:MAX_ERRORS],
        error_count=allowed.error_count + head.error_count + checker.error_count,
        counts=counts,
        sections=sections,
        platform=None
        if sections.platform is None
        else {
            "code": sections.platform["code"],
            "name": sections.platform["name"],
            "created": platform is None,
        },
    )


def _declared(items) -> set[str]:
    """Codes declared in a top-level list, even by records with other errors (so that one error
    does not cascade into "unknown code" errors everywhere it is referred to)."""
    if not isinstance(items, list):
        return set()
    return {item["code"] for item in items if isinstance(item, dict) and isinstance(item.get("code"), str)}


def _count(counts: Counter, person: dict) -> None:
    counts["persons"] += 1
    for key in ("recognitions", "prescriptions", "episodes", "interventions", "contracts", "placements"):
        counts[key] += len(person[key] or ())


def _check_installation(checker: Checker, sections: Sections, authority: Authority) -> Platform | None:
    """What the installation and the importer's authority allow; returns the existing platform
    the bundle names (None: the import would create it). Run again inside the import's
    transaction, so that what was checked is what is written."""
    code = sections.platform["code"]
    platform = Platform.objects.filter(code=code).first()
    _check_authority(checker, sections, authority, platform)
    if checker.error_count:
        return platform
    if platform is None:
        others = list(Platform.objects.values_list("code", flat=True)[:1])
        if others:
            checker.error(
                "platform.code",
                _("This installation holds the platform “%(existing)s”, not “%(code)s”: nothing was imported.")
                % {"existing": others[0], "code": code},
            )
        return None
    # An import never changes an organisation's role, nor makes a second lead (issue 10, item 2).
    existing = {o.code: o for o in Organisation.objects.filter(platform=platform)}
    leads = [o.code for o in existing.values() if o.role == Organisation.Role.LEAD]
    if sum(org["role"] == Organisation.Role.LEAD for org in sections.organisations) > 1:
        leads = []  # two leads in the bundle itself: already said by the check of the bundle
    labels = dict(Organisation.Role.choices)
    for index, org in enumerate(sections.organisations):
        current = existing.get(org["code"])
        if current is not None and current.role != org["role"]:
            checker.error(
                f"organisations[{index}].role",
                _(
                    "“%(code)s” is %(current)s of the platform; an import never changes an organisation's role"
                    " (the bundle says %(new)s): nothing was imported."
                )
                % {"code": org["code"], "current": labels[current.role], "new": labels[org["role"]]},
            )
        elif current is None and org["role"] == Organisation.Role.LEAD and leads:
            checker.error(
                f"organisations[{index}].role",
                _("The installation already has another lead organisation (%(codes)s): a platform has only one.")
                % {"codes": ", ".join(leads)},
            )
    return platform


def _check_authority(checker: Checker, sections: Sections, authority: Authority, platform) -> None:
    """A web import writes only the importer's platform; a partner organisation's manager only
    their organisation's records. Anything else refuses the whole bundle, with the reason."""
    if authority.console:
        return
    if not authority.may_import:
        checker.error("", _("Your account may not import bundles: nothing was imported."))
        return
    own = authority.platform
    if platform is None or platform.pk != own.pk:
        checker.error(
            "platform.code",
            _(
                "This bundle is for the platform “%(code)s”; you work for the platform “%(own)s” (%(name)s)."
                " An import from this page writes only your own platform: nothing was imported."
            )
            % {"code": sections.platform["code"], "own": own.code, "name": own.name},
        )
        return
    mine = authority.organisation
    if mine is not None:
        if (platform.name, platform.department) != (sections.platform["name"], sections.platform["department"]):
            checker.error(
                "platform.name",
                _(
                    "The platform's name and department are those of its lead organisation: this bundle changes"
                    " them (“%(name)s”, %(department)s), which only the lead organisation's direction may do."
                    " Nothing was imported."
                )
                % {"name": shorten(sections.platform["name"]), "department": sections.platform["department"]},
            )
        for index, org in enumerate(sections.organisations):
            if org["code"] != mine.code:
                checker.error(
                    f"organisations[{index}].code",
                    _(
                        "You import for your organisation “%(own)s” only; this bundle also holds “%(code)s”."
                        " Nothing was imported."
                    )
                    % {"own": mine.code, "code": org["code"]},
                )
        if sections.funding:
            checker.error(
                "funding",
                _(
                    "Funding is the platform's: only the lead organisation's direction imports it. Nothing was imported."
                ),
            )
    # A function with an account is granted on the staff page (where the permission table's rules
    # apply), never by an import from the page; and nobody changes their own function.
    if sections.staff:
        org_codes = dict(Organisation.objects.filter(platform=platform).values_list("code", "pk"))
        holders = {
            (org_id, code): (pk, function, user_id)
            for pk, org_id, code, function, user_id in Staff.objects.filter(
                organisation__platform=platform, user__isnull=False
            ).values_list("pk", "organisation_id", "code", "function", "user_id")
        }
        for index, row in enumerate(sections.staff):
            org_id = org_codes.get(row["organisation"])
            holder = holders.get((org_id, local_code(row["organisation"], row["code"])))
            if holder is None or holder[1] == row["function"]:
                continue
            if holder[0] == authority.staff_id:
                message = _("Nobody changes their own function: this bundle changes yours. Nothing was imported.")
            else:
                message = _(
                    "This staff member has an account: their function is changed on their staff page, not by an"
                    " import. Nothing was imported."
                )
            checker.error(f"staff[{index}].function", message)


# Pass 2: write ---------------------------------------------------------------------------------


def import_bundle(
    path,
    user,
    progress: Progress | None = None,
    source: str = "",
    copy: bool = True,
    bulk_load: bool | None = None,
) -> Report:
    """Check, then (only if everything is valid) write in one transaction.

    `user` is the acting user (a web import: bound to their platform, or to their organisation
    for a partner's manager) or CONSOLE (the command line: any platform).

    On PostgreSQL the large tables are written with COPY (`copy=False`: multi-row INSERTs, as
    on SQLite, for comparison). `bulk_load` (None: automatic, for a first load of at least
    BULK_LOAD_MIN interventions into an empty table) drops the intervention table's secondary
    indexes and foreign keys inside the transaction and recreates them once the rows are in
    (the foreign keys are then checked in one query each); a failure anywhere rolls everything
    back, indexes and constraints included."""
    authority = _authority(user)
    report = validate(path, authority, progress)
    if not report.ok:
        return report
    size = os.path.getsize(path)
    callback = (lambda done: progress("import", done, size)) if progress else None
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            _import(path, authority, report, callback, source, copy, bulk_load, postgres)
    except _Refused as refused:
        report.errors, report.error_count = refused.checker.errors, refused.checker.error_count
        return report
    report.written = True
    if postgres and sum(report.counts.values()) >= ANALYZE_MIN:
        _analyze()
    return report


class _Refused(Exception):
    """What the installation allows changed between the check and the transaction."""

    def __init__(self, checker: Checker):
        super().__init__("refused")
        self.checker = checker


def _import(path, authority, report, callback, source, copy, bulk_load, postgres) -> None:
    # The same checks of authority and installation, now inside the transaction.
    again = Checker()
    _check_installation(again, report.sections, authority)
    if again.error_count:
        raise _Refused(again)
    bulk = None
    if postgres and copy:
        if bulk_load is None:
            bulk_load = report.counts["interventions"] >= BULK_LOAD_MIN and not Intervention.objects.exists()
        if bulk_load:
            bulk = _BulkLoad(Intervention)
            if not bulk.start():
                bulk = None
    writer = _Writer(authority, report.sections, source or os.path.basename(str(path)), copy=copy)
    writer.write_sections()
    checker = Checker()
    chunk: list[dict] = []
    for key, index, value in reader.read(path, callback):
        if key != "persons":
            continue
        person = checker.person(value, index, None, None, None)
        if person is None:
            raise BundleChangedError(_("The file changed while it was being imported: nothing was written."))
        chunk.append(person)
        if len(chunk) >= CHUNK_PERSONS:
            writer.write_persons(chunk)
            chunk = []
    if chunk:
        writer.write_persons(chunk)
    writer.finish()
    if bulk is not None:
        bulk.finish()
    report.changes = writer.changes


class _BulkLoad:
    """A large first load into one table on PostgreSQL: inside the import's transaction, drop the
    table's secondary indexes and foreign-key constraints, and recreate them with their exact
    definitions once the rows are in. Building an index once, and checking a foreign key with
    one query, are much faster than maintaining every index and queueing a deferred check per
    foreign key for each of millions of rows. Nothing is visible to others before the commit; a
    rollback restores the indexes and constraints with the rest. The commit of this transaction
    does not wait for the write-ahead log to reach the disk (synchronous_commit off: a crash in
    the next fraction of a second would lose the import, never half of it).

    Dropping a foreign key locks the tables it refers to (persons, episodes, staff, employers,
    contracts, users) until the commit: pages reading them wait for the end of the import, which
    is why this is kept for a first load into an empty intervention table."""

    LOCK_WAIT = "5s"

    def __init__(self, model):
        self.table = model._meta.db_table
        self.indexes: list[tuple[str, str]] = []
        self.constraints: list[tuple[str, str]] = []

    def start(self) -> bool:
        """Drop the indexes and foreign keys; False (and nothing dropped) when another session
        holds a lock on one of the tables involved for more than LOCK_WAIT: the import then
        runs as usual, rather than making every page wait behind it."""
        quote = connection.ops.quote_name
        try:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
                cursor.execute(f"SET LOCAL lock_timeout = '{self.LOCK_WAIT}'")
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                    " ORDER BY c.relname",
                    [self.table],
                )
                self.indexes = cursor.fetchall()
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [self.table],
                )
                self.constraints = cursor.fetchall()
                if self.constraints:
                    drops = ", ".join(f"DROP CONSTRAINT {quote(name)}" for name, _d in self.constraints)
                    cursor.execute(f"ALTER TABLE {quote(self.table)} {drops}")
                for name, _definition in self.indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        except OperationalError:  # lock not available (or rows already waiting for their checks)
            self.indexes, self.constraints = [], []
            return False
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        return True

    def finish(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            if self.constraints:
                adds = ", ".join(f"ADD CONSTRAINT {quote(name)} {definition}" for name, definition in self.constraints)
                cursor.execute(f"ALTER TABLE {quote(self.table)} {adds}")


def _analyze() -> None:
    """Fresh planner statistics for the tables an import fills (PostgreSQL)."""
    models = (Person, Recognition, Prescription, Episode, Pause, CounsellorAssignment, Intervention)
    models += (Contract, Placement, Employer, Staff)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _Inserter:
    """Fast inserts of many rows: COPY (text format) on PostgreSQL, executemany elsewhere (and on
    PostgreSQL with `copy=False`). Columns not given get their model default (created_at and
    other creation times: now); JSON values are given as JSON text."""

    def __init__(self, model, fields: list[str], now, copy: bool = True):
        self.model = model
        meta = model._meta
        given = set(fields)
        extra_columns, extra_values = [], []
        for f in meta.concrete_fields:
            if f.primary_key or f.attname in given:
                continue
            extra_columns.append(f.column)
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) or f.default is timezone.now:
                extra_values.append(f.get_db_prep_save(now, connection))
            elif isinstance(f, JSONField):
                extra_values.append(json.dumps(f.get_default()))  # JSON columns: given as text
            else:  # the field's default, "" for text, None when nullable
                extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        self.columns = [meta.get_field(name).column for name in fields] + extra_columns
        self.extra = tuple(extra_values)
        self.rows: list = []
        self.count = 0
        self.postgres = copy and connection.vendor == "postgresql"
        self.sqlite = connection.vendor == "sqlite"
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(meta.db_table)
        if self.postgres:
            self.sql = f"COPY {table} ({columns}) FROM STDIN"
            self.suffix = "".join("\t" + _copy_value(v) for v in self.extra) + "\n"
        else:
            self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.columns))})"

    def add(self, row: tuple) -> None:
        if self.postgres:
            self.rows.append("\t".join([_copy_value(v) for v in row]) + self.suffix)
        else:
            self.rows.append(tuple(_sqlite(v) for v in row) + self.extra if self.sqlite else row + self.extra)
        if len(self.rows) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(self.sql) as copy:
                    copy.write("".join(self.rows))
            else:
                cursor.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_DATE_TEXT: dict = {}
NULL = "\\N"


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        text = _DATE_TEXT.get(value)
        if text is None:
            text = _DATE_TEXT[value] = value.isoformat()
        return text
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _sqlite(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _multiset_sync(existing: list[tuple[int, tuple]], incoming: list[tuple]):
    """Pair existing (id, key) with incoming keys, in order: (ids to delete, keys to create)."""
    pool: dict[tuple, list[int]] = defaultdict(list)
    for row_id, key in existing:
        pool[key].append(row_id)
    create = []
    for key in incoming:
        ids = pool.get(key)
        if ids:
            ids.pop(0)
        else:
            create.append(key)
    delete = [row_id for ids in pool.values() for row_id in ids]
    return delete, create


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} of the fields whose value differs, in JSON-friendly form."""
    return {k: [_plain(before.get(k)), _plain(v)] for k, v in after.items() if before.get(k) != v}


def _created(values: dict) -> dict:
    """The field history of a record created by the import: {field: [None, value]}, empty values left out."""
    return {k: [None, _plain(v)] for k, v in values.items() if v not in (None, "", [])}


class _Writer:
    def __init__(self, authority: Authority, sections: Sections, source: str, copy: bool = True):
        user = authority.user
        self.user = user if user is not None and user.is_authenticated else None
        self.sections = sections
        self.source = source
        self.today = today()
        self.now = timezone.now()
        self.changes: Counter = Counter()
        self.entries: list[AuditEntry] = []  # platform, organisations, staff, employers
        self.organisation_log: list[dict] = []  # what changed about organisations, for bundle.imported
        self.platform_log: dict = {}
        self.actor = CONSOLE_ACTOR if authority.console else ""
        if self.user is not None:
            staff = getattr(self.user, "staff", None)
            self.actor = (
                (staff.name if staff is not None else "") or self.user.get_full_name() or self.user.get_username()
            )
        self.inserters = {
            "recognitions": _Inserter(Recognition, ["person_id", "kind", "start", "end"], self.now, copy),
            "pauses": _Inserter(Pause, ["episode_id", "start", "end", "closed_on"], self.now, copy),
            "assignments": _Inserter(CounsellorAssignment, ["episode_id", "staff_id", "start", "end"], self.now, copy),
            "interventions": _Inserter(
                Intervention,
                ["person_id", "episode_id", "date", "minutes", "place", "with_whom", "kind"],
                self.now,
                copy,
            ),
            "contracts": _Inserter(
                Contract,
                ["person_id", "employer_id", "type", "start", "planned_end", "end", "end_reason", "weekly_hours"],
                self.now,
                copy,
            ),
            "placements": _Inserter(Placement, ["person_id", "employer_id", "kind", "start", "end"], self.now, copy),
            "audit": _Inserter(
                AuditEntry,
                ["user_id", "actor", "action", "object_type", "object_id", "person_id", "changes", "detail"],
                self.now,
                copy,
            ),
        }

    # Sections -------------------------------------------------------------------------------

    def _entry(self, action: str, obj, changes: dict, **detail) -> None:
        self.entries.append(
            AuditEntry(
                at=self.now,
                user=self.user,
                actor=self.actor,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                changes=changes,
                detail={"bundle": self.source, **detail},
            )
        )

    def write_sections(self) -> None:
        s = self.sections
        platform = Platform.objects.filter(code=s.platform["code"]).first()
        if platform is None:
            platform = Platform.objects.create(**s.platform)
            self.changes["platform.created"] += 1
            self.platform_log = {"code": platform.code, "created": True, "changes": _created(s.platform)}
            self._entry("platform.imported", platform, self.platform_log["changes"], created=True)
        else:
            before = {"name": platform.name, "department": platform.department}
            changes = _changes(before, {"name": s.platform["name"], "department": s.platform["department"]})
            self.platform_log = {"code": platform.code, "created": False, "changes": changes}
            if changes:
                platform.name, platform.department = s.platform["name"], s.platform["department"]
                platform.save()
                self.changes["platform.updated"] += 1
                self._entry("platform.imported", platform, changes)
        self.platform = platform
        existing = {o.code: o for o in Organisation.objects.filter(platform=platform)}
        for org in s.organisations:
            current = existing.get(org["code"])
            if current is None:
                current = existing[org["code"]] = Organisation.objects.create(platform=platform, **org)
                self.changes["organisations.created"] += 1
                changes = _created(org)
                self.organisation_log.append({"code": org["code"], "created": True, "changes": changes})
                self._entry("organisation.imported", current, changes, created=True)
            elif current.name != org["name"]:
                # The role is never changed by an import (checked before: _check_installation).
                changes = _changes({"name": current.name}, {"name": org["name"]})
                current.name = org["name"]
                current.save(update_fields=["name"])
                self.changes["organisations.updated"] += 1
                self.organisation_log.append({"code": org["code"], "created": False, "changes": changes})
                self._entry("organisation.imported", current, changes)
        self.organisations = {code: o.pk for code, o in existing.items()}
        self.staff_ids: dict[str, int] = {}
        if s.staff is not None:
            self._write_staff(s.staff)
        self.employer_ids: dict[str, int] = {}
        if s.employers is not None:
            self._write_employers(s.employers)
        if s.funding is not None:
            self._write_funding(s.funding)
        if s.trainings is not None:
            self._write_trainings(s.trainings)
        if s.time_allocation is not None:
            self._write_time_allocation(s.time_allocation)

    def _write_staff(self, rows: list[dict]) -> None:
        fields = ("name", "function", "fte", "start", "end", "rncp37779")
        existing = {
            (st.organisation_id, st.code): st
            for st in Staff.objects.filter(organisation_id__in=self.organisations.values())
        }
        for row in rows:
            org_id = self.organisations[row["organisation"]]
            key = (org_id, local_code(row["organisation"], row["code"]))
            current = existing.get(key)
            if current is None:
                current = Staff.objects.create(organisation_id=org_id, code=key[1], **{f: row[f] for f in fields})
                self.changes["staff.created"] += 1
                self._entry(
                    "staff.imported", current, _created({"code": key[1], **{f: row[f] for f in fields}}), created=True
                )
            elif any(getattr(current, f) != row[f] for f in fields):
                changes = _changes({f: getattr(current, f) for f in fields}, {f: row[f] for f in fields})
                for f in fields:
                    setattr(current, f, row[f])
                current.save(update_fields=list(fields))
                self.changes["staff.updated"] += 1
                self._entry("staff.imported", current, changes)
            self.staff_ids[row["code"]] = current.pk

    def _write_employers(self, rows: list[dict]) -> None:
        existing = {e.code: e for e in Employer.objects.filter(platform=self.platform)}
        for row in rows:
            current = existing.get(row["code"])
            if current is None:
                current = Employer.objects.create(platform=self.platform, **row)
                self.changes["employers.created"] += 1
                self._entry("employer.imported", current, _created(row), created=True)
            elif (current.name, current.kind, current.naf) != (row["name"], row["kind"], row["naf"]):
                changes = _changes(
                    {"name": current.name, "kind": current.kind, "naf": current.naf},
                    {"name": row["name"], "kind": row["kind"], "naf": row["naf"]},
                )
                self._entry("employer.imported", current, changes)
                current.name, current.kind, current.naf = row["name"], row["kind"], row["naf"]
                current.version += 1
                current.save()
                self.changes["employers.updated"] += 1
            self.employer_ids[row["code"]] = current.pk

    def _write_funding(self, rows: list[dict]) -> None:
        for year in sorted({row["year"] for row in rows}):
            existing = [
                (f.pk, (f.funder, f.amount_eur))
                for f in Funding.objects.filter(platform=self.platform, year=year).order_by("pk")
            ]
            delete, create = _multiset_sync(
                existing, [(r["funder"], r["amount_eur"]) for r in rows if r["year"] == year]
            )
            Funding.objects.filter(pk__in=delete).delete()
            Funding.objects.bulk_create(
                [Funding(platform=self.platform, year=year, funder=f, amount_eur=a) for f, a in create]
            )
            self.changes["funding.deleted"] += len(delete)
            self.changes["funding.created"] += len(create)

    def _write_trainings(self, rows: list[dict]) -> None:
        staff_ids = set(self.staff_ids.values())
        existing = [
            (t.pk, (t.staff_id, t.title, t.year, t.status))
            for t in Training.objects.filter(staff_id__in=staff_ids).order_by("pk")
        ]
        incoming = [(self.staff_ids[r["staff"]], r["title"], r["year"], r["status"]) for r in rows]
        delete, create = _multiset_sync(existing, incoming)
        Training.objects.filter(pk__in=delete).delete()
        Training.objects.bulk_create([Training(staff_id=s, title=t, year=y, status=st) for s, t, y, st in create])
        self.changes["trainings.deleted"] += len(delete)
        self.changes["trainings.created"] += len(create)

    def _write_time_allocation(self, rows: list[dict]) -> None:
        shares = ("support", "coordination", "management", "partnership")
        existing = {
            (a.staff_id, a.year): a for a in TimeAllocation.objects.filter(staff_id__in=set(self.staff_ids.values()))
        }
        seen = set()
        for row in rows:
            key = (self.staff_ids[row["staff"]], row["year"])
            seen.add(key)
            current = existing.get(key)
            if current is None:
                TimeAllocation.objects.create(staff_id=key[0], year=key[1], **{s: row[s] for s in shares})
                self.changes["time_allocation.created"] += 1
            elif any(getattr(current, s) != row[s] for s in shares):
                for s in shares:
                    setattr(current, s, row[s])
                current.save()
                self.changes["time_allocation.updated"] += 1
        gone = [a.pk for key, a in existing.items() if key not in seen]
        TimeAllocation.objects.filter(pk__in=gone).delete()
        self.changes["time_allocation.deleted"] += len(gone)

    # Persons ----------------------------------------------------------------------------------

    PERSON_FIELDS = ("first_name", "last_name", "birth_date", "sex", "education_level", "disabilities")
    PERSON_TEXTS = ("first_name", "last_name", "sex", "education_level", "disabilities")  # JSON as they are

    def write_persons(self, chunk: list[dict]) -> None:
        touched: Counter = Counter()  # (person id, "records.created" ...) -> number of records
        fields: dict[int, dict] = {}  # person id -> {field: [old, new]}
        created_ids: set[int] = set()
        keys = {}
        for person in chunk:
            org_id = self.organisations[person["organisation"]]
            keys[(org_id, local_code(person["organisation"], person["code"]))] = person
        existing = {
            (p.organisation_id, p.code): p
            for p in Person.objects.filter(
                organisation_id__in={k[0] for k in keys}, code__in={k[1] for k in keys}
            ).only("id", "organisation_id", "code", "version", *self.PERSON_FIELDS)
        }
        new, changed = [], []
        for key, person in keys.items():
            values = {f: person[f] for f in self.PERSON_FIELDS}
            current = existing.get(key)
            if current is None:
                obj = Person(organisation_id=key[0], code=key[1], **values)
                obj.search_name = normalise(f"{obj.first_name} {obj.last_name}")
                new.append(obj)
            elif any(getattr(current, f) != v for f, v in values.items()):
                fields[current.pk] = _changes({f: getattr(current, f) for f in values}, values)
                for f, v in values.items():
                    setattr(current, f, v)
                current.search_name = normalise(f"{current.first_name} {current.last_name}")
                current.updated_at = self.now
                current.version += 1
                changed.append(current)
        Person.objects.bulk_create(new, batch_size=2000)
        if changed:
            Person.objects.bulk_update(
                changed, [*self.PERSON_FIELDS, "search_name", "version", "updated_at"], batch_size=2000
            )
        for obj in new:
            existing[(obj.organisation_id, obj.code)] = obj
            created_ids.add(obj.pk)
            # The field history of a new file, {field: [None, value]} (fast path: 50,000 persons).
            history = {f: [None, v] for f in self.PERSON_TEXTS if (v := getattr(obj, f))}
            if obj.birth_date is not None:
                history["birth_date"] = [None, obj.birth_date.isoformat()]
            fields[obj.pk] = history
        self.changes["persons.created"] += len(new)
        self.changes["persons.updated"] += len(changed)
        persons = {existing[key].pk: person for key, person in keys.items()}
        old_ids = [pid for pid in persons if pid not in created_ids]
        self._sync_recognitions(persons, old_ids, touched)
        prescription_ids = self._sync_prescriptions(persons, old_ids, touched)
        self._sync_episodes(persons, old_ids, prescription_ids, touched)
        self._sync_interventions(persons, old_ids, touched)
        self._sync_contracts(persons, old_ids, touched)
        self._sync_placements(persons, old_ids, touched)
        for inserter in self.inserters.values():
            inserter.flush()
        self._audit(persons, created_ids, touched, fields)

    def _load(self, model, old_ids, fields, **filters):
        if not old_ids:
            return []
        rows = []
        for start in range(0, len(old_ids), 5000):
            rows += list(
                model.objects.filter(person_id__in=old_ids[start : start + 5000], **filters)
                .order_by("pk")
                .values_list("pk", "person_id", *fields)
            )
        return rows

    def _sync_recognitions(self, persons, old_ids, touched):
        existing = defaultdict(list)
        for pk, pid, kind, start, end in self._load(Recognition, old_ids, ["kind", "start", "end"]):
            existing[pid].append((pk, (kind, start, end)))
        delete = []
        for pid, person in persons.items():
            if person["recognitions"] is None:
                continue
            gone, create = _multiset_sync(existing.get(pid, []), person["recognitions"])
            delete += gone
            for row in create:
                self.inserters["recognitions"].add((pid, *row))
            if gone:
                touched[pid, "recognitions.deleted"] += len(gone)
            if create:
                touched[pid, "recognitions.created"] += len(create)
            self.changes["recognitions.created"] += len(create)
        Recognition.objects.filter(pk__in=delete).delete()
        self.changes["recognitions.deleted"] += len(delete)

    def _sync_prescriptions(self, persons, old_ids, touched) -> dict[tuple[int, str], int]:
        ids: dict[tuple[int, str], int] = {}
        existing: dict[tuple[int, str], Prescription] = {}
        if old_ids:
            for start in range(0, len(old_ids), 5000):
                for p in Prescription.objects.filter(person_id__in=old_ids[start : start + 5000]):
                    existing[(p.person_id, p.code)] = p
                    ids[(p.person_id, p.code)] = p.pk
        by_person: dict[int, dict[str, Prescription]] = defaultdict(dict)
        for (pid, code), p in existing.items():
            by_person[pid][code] = p
        new, changed = [], []
        self._stale_prescriptions = []
        for pid, person in persons.items():
            if person["prescriptions"] is None:
                continue
            for code, row in person["prescriptions"].items():
                values = {k: row[k] for k in ("date", "prescriber", "urgent", "withdrawn_on")}
                current = existing.get((pid, code))
                if current is None:
                    new.append(Prescription(person_id=pid, code=code, **values))
                elif any(getattr(current, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(current, k, v)
                    changed.append(current)
                    touched[pid, "prescriptions.updated"] += 1
            for code, p in by_person.get(pid, {}).items():
                if code not in person["prescriptions"]:
                    self._stale_prescriptions.append(p.pk)
                    touched[pid, "prescriptions.deleted"] += 1
        Prescription.objects.bulk_create(new, batch_size=2000)
        for p in new:
            ids[(p.person_id, p.code)] = p.pk
            touched[p.person_id, "prescriptions.created"] += 1
        if changed:
            Prescription.objects.bulk_update(changed, ["date", "prescriber", "urgent", "withdrawn_on"], batch_size=2000)
        self.changes["prescriptions.created"] += len(new)
        self.changes["prescriptions.updated"] += len(changed)
        return ids

    def _sync_episodes(self, persons, old_ids, prescription_ids, touched) -> None:
        code_of = {pk: code for (pid, code), pk in prescription_ids.items()}
        fields = (
            "prescription_id",
            "admitted_on",
            "entry_status",
            "months_without_work",
            "years_worked",
            "exit_date",
            "exit_reason",
        )
        existing: dict[int, dict[tuple, Episode]] = defaultdict(dict)
        if old_ids:
            for start in range(0, len(old_ids), 5000):
                for e in Episode.objects.filter(person_id__in=old_ids[start : start + 5000]).order_by("pk"):
                    key = ("p", code_of.get(e.prescription_id)) if e.prescription_id else ("d", e.admitted_on)
                    existing[e.person_id][key] = e
        new, changed, delete = [], [], []
        episode_of: list[tuple[Episode, dict]] = []  # (episode object, bundle episode)
        for pid, person in persons.items():
            if person["episodes"] is None:
                continue
            mine = dict(existing.get(pid, {}))
            for row in person["episodes"]:
                key = ("p", row["prescription"]) if row["prescription"] else ("d", row["admitted_on"])
                values = dict(
                    prescription_id=prescription_ids[(pid, row["prescription"])] if row["prescription"] else None,
                    admitted_on=row["admitted_on"],
                    entry_status=row["entry_status"],
                    months_without_work=row["months_without_work"],
                    years_worked=row["years_worked"],
                    exit_date=row["exit_date"],
                    exit_reason=row["exit_reason"],
                )
                current = mine.pop(key, None)
                if current is None:
                    current = Episode(person_id=pid, **values)
                    new.append(current)
                    touched[pid, "episodes.created"] += 1
                elif any(getattr(current, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(current, k, v)
                    current.version += 1
                    changed.append(current)
                    touched[pid, "episodes.updated"] += 1
                episode_of.append((current, row))
            for gone in mine.values():
                delete.append(gone.pk)
                touched[pid, "episodes.deleted"] += 1
        Episode.objects.filter(pk__in=delete).delete()
        # A prescription still holding an episode the bundle did not list is kept (PROTECT).
        stale = Prescription.objects.filter(pk__in=self._stale_prescriptions).exclude(
            pk__in=Episode.objects.filter(prescription_id__in=self._stale_prescriptions).values("prescription_id")
        )
        self._stale_prescriptions = list(stale.values_list("pk", flat=True))
        Prescription.objects.filter(pk__in=self._stale_prescriptions).delete()
        self.changes["prescriptions.deleted"] += len(self._stale_prescriptions)
        # Closing updates before opening ones: one open episode per person at any time.
        changed.sort(key=lambda e: e.exit_date is None)
        for episode in changed:
            episode.save(update_fields=[*fields, "version"])
        Episode.objects.bulk_create(new, batch_size=2000)
        self.changes["episodes.created"] += len(new)
        self.changes["episodes.updated"] += len(changed)
        self.changes["episodes.deleted"] += len(delete)
        self._episodes_by_person: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for episode, _row in episode_of:
            self._episodes_by_person[episode.person_id].append((episode.admitted_on, episode.exit_date, episode.pk))
        untouched = [pid for pid in persons if persons[pid]["episodes"] is None]
        for start in range(0, len(untouched), 5000):
            for pid, admitted_on, exit_date, pk in Episode.objects.filter(
                person_id__in=untouched[start : start + 5000]
            ).values_list("person_id", "admitted_on", "exit_date", "pk"):
                self._episodes_by_person[pid].append((admitted_on, exit_date, pk))
        for values in self._episodes_by_person.values():
            values.sort(key=lambda e: e[0])
        self._episode_starts = {pid: [e[0] for e in values] for pid, values in self._episodes_by_person.items()}
        self._sync_pauses(episode_of, touched)
        self._sync_assignments(episode_of, touched)

    def _sync_pauses(self, episode_of, touched) -> None:
        rows = [(e, r) for e, r in episode_of if r["pauses"] is not None]
        existing = defaultdict(list)
        ids = [e.pk for e, _r in rows]
        for start in range(0, len(ids), 5000):
            for p in Pause.objects.filter(episode_id__in=ids[start : start + 5000]).order_by("start", "pk"):
                existing[p.episode_id].append(p)
        delete, update = [], []
        for episode, row in rows:
            mine = {p.start: p for p in existing.get(episode.pk, [])}
            for start, end in row["pauses"]:
                current = mine.pop(start, None)
                if current is None:
                    closed = end + ONE_DAY if end < self.today else None
                    self.inserters["pauses"].add((episode.pk, start, end, closed))
                    touched[episode.person_id, "veilles.created"] += 1
                    self.changes["veilles.created"] += 1
                elif current.end != end:
                    current.end = end
                    update.append(current)
                    touched[episode.person_id, "veilles.updated"] += 1
            for gone in mine.values():
                delete.append(gone.pk)
                touched[episode.person_id, "veilles.deleted"] += 1
        Pause.objects.filter(pk__in=delete).delete()
        if update:
            Pause.objects.bulk_update(update, ["end"], batch_size=2000)
        self.changes["veilles.updated"] += len(update)
        self.changes["veilles.deleted"] += len(delete)

    def _sync_assignments(self, episode_of, touched) -> None:
        rows = [(e, r) for e, r in episode_of if r["counsellors"] is not None]
        existing = defaultdict(list)
        ids = [e.pk for e, _r in rows]
        for start in range(0, len(ids), 5000):
            for a in CounsellorAssignment.objects.filter(episode_id__in=ids[start : start + 5000]).order_by(
                "start", "pk"
            ):
                existing[a.episode_id].append(a)
        delete, update, create = [], [], []
        for episode, row in rows:
            wanted = []
            counsellors = row["counsellors"]
            for index, (code, start) in enumerate(counsellors):
                if index + 1 < len(counsellors):
                    end = counsellors[index + 1][1] - ONE_DAY
                elif episode.exit_date is not None:
                    end = max(start, episode.exit_date - ONE_DAY)
                else:
                    end = None
                wanted.append((self.staff_ids[code], start, end))
            mine = {(a.staff_id, a.start): a for a in existing.get(episode.pk, [])}
            for staff_id, start, end in wanted:
                current = mine.pop((staff_id, start), None)
                if current is None:
                    create.append((episode.pk, staff_id, start, end))
                    touched[episode.person_id, "assignments.created"] += 1
                elif current.end != end:
                    current.end = end
                    update.append(current)
                    touched[episode.person_id, "assignments.updated"] += 1
            for gone in mine.values():
                delete.append(gone.pk)
                touched[episode.person_id, "assignments.deleted"] += 1
        CounsellorAssignment.objects.filter(pk__in=delete).delete()
        update.sort(key=lambda a: a.end is None)  # close before opening: one current counsellor
        for assignment in update:
            assignment.save(update_fields=["end"])
        for row in create:
            self.inserters["assignments"].add(row)
        self.changes["assignments.created"] += len(create)
        self.changes["assignments.updated"] += len(update)
        self.changes["assignments.deleted"] += len(delete)

    def _episode_on(self, person_id: int, day: dt.date) -> int | None:
        episodes = self._episodes_by_person.get(person_id)
        if not episodes:
            return None
        index = bisect.bisect_right(self._episode_starts[person_id], day) - 1
        if index < 0:
            return None
        admitted_on, exit_date, pk = episodes[index]
        return pk if SUPPORTED.holds(admitted_on, exit_date, day) else None

    def _sync_interventions(self, persons, old_ids, touched) -> None:
        existing = defaultdict(list)
        for pk, pid, *key in self._load(Intervention, old_ids, ["date", "minutes", "place", "with_whom", "kind"]):
            existing[pid].append((pk, tuple(key)))
        inserter = self.inserters["interventions"]
        delete = []
        created = 0
        for pid, person in persons.items():
            rows = person["interventions"]
            if rows is None:
                continue
            mine = existing.get(pid)
            gone, create = _multiset_sync(mine, rows) if mine else ([], rows)
            delete += gone
            episode_on = self._episode_on
            if inserter.postgres:
                # The hot loop: one COPY line per intervention, values known to need no escaping
                # (integers, dates and closed enumerations).
                suffix, rows, dates = inserter.suffix, inserter.rows, _DATE_TEXT
                for day, minutes, place, with_whom, kind in create:
                    episode = episode_on(pid, day)
                    text = dates.get(day) or _copy_value(day)
                    rows.append(
                        f"{pid}\t{episode if episode is not None else NULL}\t{text}\t{minutes}\t{place}\t{with_whom}\t{kind}{suffix}"
                    )
                if len(rows) >= INSERT_BATCH:
                    inserter.flush()
            else:
                for day, minutes, place, with_whom, kind in create:
                    inserter.add((pid, episode_on(pid, day), day, minutes, place, with_whom, kind))
            created += len(create)
            if mine:
                touched[pid, "interventions.created"] += len(create)
                touched[pid, "interventions.deleted"] += len(gone)
        for start in range(0, len(delete), 5000):
            Intervention.objects.filter(pk__in=delete[start : start + 5000]).delete()
        self.changes["interventions.created"] += created
        self.changes["interventions.deleted"] += len(delete)

    def _sync_contracts(self, persons, old_ids, touched) -> None:
        values_fields = ("planned_end", "end", "end_reason", "weekly_hours")
        existing = defaultdict(list)
        if old_ids:
            for start in range(0, len(old_ids), 5000):
                for c in Contract.objects.filter(person_id__in=old_ids[start : start + 5000]).order_by("pk"):
                    existing[c.person_id].append(c)
        delete, update = [], []
        for pid, person in persons.items():
            if person["contracts"] is None:
                continue
            pool = defaultdict(list)
            for c in existing.get(pid, []):
                pool[(c.employer_id, c.type, c.start)].append(c)
            for row in person["contracts"]:
                key = (self.employer_ids[row["employer"]], row["type"], row["start"])
                values = {k: row[k] for k in values_fields}
                candidates = pool.get(key)
                if candidates:
                    # Prefer an identical contract, then the first one with this key.
                    same = next((c for c in candidates if all(getattr(c, k) == v for k, v in values.items())), None)
                    current = same or candidates[0]
                    candidates.remove(current)
                    if same is None:
                        for k, v in values.items():
                            setattr(current, k, v)
                        current.version += 1
                        update.append(current)
                        touched[pid, "contracts.updated"] += 1
                else:
                    self.inserters["contracts"].add((pid, *key, *(values[k] for k in values_fields)))
                    touched[pid, "contracts.created"] += 1
                    self.changes["contracts.created"] += 1
            for rest in pool.values():
                for c in rest:
                    delete.append(c.pk)
                    touched[pid, "contracts.deleted"] += 1
        Contract.objects.filter(pk__in=delete).delete()
        if update:
            Contract.objects.bulk_update(update, [*values_fields, "version"], batch_size=2000)
        self.changes["contracts.updated"] += len(update)
        self.changes["contracts.deleted"] += len(delete)

    def _sync_placements(self, persons, old_ids, touched) -> None:
        existing = defaultdict(list)
        for pk, pid, employer_id, kind, start, end in self._load(
            Placement, old_ids, ["employer_id", "kind", "start", "end"]
        ):
            existing[pid].append((pk, (employer_id, kind, start, end)))
        delete = []
        for pid, person in persons.items():
            if person["placements"] is None:
                continue
            incoming = [
                (self.employer_ids[r["employer"]] if r["employer"] else None, r["kind"], r["start"], r["end"])
                for r in person["placements"]
            ]
            gone, create = _multiset_sync(existing.get(pid, []), incoming)
            delete += gone
            for row in create:
                self.inserters["placements"].add((pid, *row))
            touched[pid, "placements.deleted"] += len(gone)
            touched[pid, "placements.created"] += len(create)
            self.changes["placements.created"] += len(create)
        Placement.objects.filter(pk__in=delete).delete()
        self.changes["placements.deleted"] += len(delete)

    def _audit(self, persons, created_ids, touched, fields) -> None:
        """One "person.imported" entry per person created or changed: the person's fields as
        {field: [old, new]} in `changes` (shown in the person's history), and in `detail` what
        the import created, changed and deleted among the person's records."""
        records: dict[int, dict] = defaultdict(dict)
        for (pid, kind), count in touched.items():
            if count:
                records[pid][kind] = count
        user_id = self.user.pk if self.user is not None else None
        inserter = self.inserters["audit"]
        dumps = json.dumps
        for pid in persons:
            if pid in created_ids:
                detail = {"bundle": self.source, "created": True}
            elif pid in records or pid in fields:
                mine = records.get(pid, {})
                detail = {"bundle": self.source, "changed_records": sum(mine.values()), "records": mine}
            else:
                continue
            inserter.add(
                (
                    user_id, self.actor, "person.imported", "people.person", str(pid), pid,
                    dumps(fields.get(pid, {})), dumps(detail),
                )
            )  # fmt: skip
        inserter.flush()

    def finish(self) -> None:
        for inserter in self.inserters.values():
            inserter.flush()
        AuditEntry.objects.bulk_create(self.entries, batch_size=2000)
        AuditEntry.objects.create(
            at=self.now,
            user=self.user,
            actor=self.actor,
            action="bundle.imported",
            object_type="organisations.platform",
            object_id=str(self.platform.pk),
            changes=self.platform_log.get("changes") or {},
            detail={
                "bundle": self.source,
                "platform": self.platform_log,
                "organisations": self.organisation_log,
                "changes": dict(sorted((k, v) for k, v in self.changes.items() if v)),
            },
        )
