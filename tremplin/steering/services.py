"""Workflows of steering: exports written to the audit log, quarterly transmissions.

Each takes the acting user (None for the command line), runs in one transaction and writes
the audit log.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from tremplin.audit.log import record

logger = logging.getLogger(__name__)


@transaction.atomic
def record_export(user, what: str, *, detail: dict) -> None:
    """Every export (indicators in any format, bundles) leaves an audit entry."""
    record(user, what, detail=detail)


def indicators_exported(user, figures: dict, fmt: str) -> None:
    record_export(
        user,
        "steering.exported",
        detail={
            "start": figures["period"]["start"],
            "end": figures["period"]["end"],
            "scope": figures["scope"],
            "format": fmt,
        },
    )


def bundle_exported(user, platform, organisation, counts) -> None:
    record_export(
        user,
        "bundle.exported",
        detail={
            "platform": platform.code,
            "organisation": organisation.code if organisation else None,
            "persons": counts.get("persons", 0),
            "interventions": counts.get("interventions", 0),
        },
    )


# Transmissions ------------------------------------------------------------------------------


@transaction.atomic
def transmit(user, scope, start, end, note: str = ""):
    """Record that the period's indicators were transmitted: who, when, the frozen figures."""
    from .indicators import compute
    from .models import Transmission

    figures = compute(start, end, scope)
    staff = getattr(user, "staff", None)
    transmission = Transmission.objects.create(
        platform=scope.platform,
        organisation=scope.organisation,
        start=start,
        end=end,
        figures=figures,
        transmitted_by=user if user is not None and user.is_authenticated else None,
        transmitted_by_name=(staff.name if staff is not None else "") or (user.get_username() if user else ""),
        note=note.strip(),
    )
    record(
        user,
        "steering.transmitted",
        transmission,
        detail={"start": start.isoformat(), "end": end.isoformat(), "scope": scope.code},
    )
    return transmission


def changes_since(transmission, current: dict | None = None) -> list[dict]:
    """Field by field, what differs between the transmitted figures and a recomputation now."""
    from . import labels
    from .indicators import compute, flatten, period_error, resolve_scope

    if current is None:
        if period_error(transmission.start, transmission.end):
            return []  # a period stored before periods were checked: its frozen figures only
        scope = resolve_scope(transmission.scope_code, transmission.platform)
        current = compute(transmission.start, transmission.end, scope)
    before = dict(flatten(transmission.figures))
    result = []
    for key, value in flatten(current):
        old = before.get(key)
        if old != value:
            label, _definition, kind = labels.describe(key)
            result.append(
                {
                    "key": key,
                    "label": label,
                    "old": old,
                    "new": value,
                    "old_display": labels.display(old, kind),
                    "new_display": labels.display(value, kind),
                }
            )
    return result


# Bundle imports from the page ---------------------------------------------------------------

_threads: list = []  # the background imports started by this process (tests join them)


def imports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def create_import_job(user, uploaded):
    """Store the uploaded bundle (outside the web root) and create its job."""
    from .models import ImportJob

    path = imports_dir() / f"{uuid.uuid4().hex}.json"
    size = 0
    with open(path, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
            size += len(chunk)
    return ImportJob.objects.create(user=user, file_name=Path(uploaded.name).name[:255], path=str(path), size=size)


def launch_import(job):
    """Run the job now for small files, else in a background thread (the page polls its progress)."""
    if job.size <= getattr(settings, "TREMPLIN_IMPORT_INLINE_MAX_BYTES", 2_000_000):
        run_import_job(job.pk)
        return None
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"bundle-import-{job.pk}", daemon=True)
    _threads.append(thread)
    thread.start()
    return thread


def _run_in_thread(job_id: int) -> None:
    try:
        run_import_job(job_id)
    finally:
        connections.close_all()


def progress_path(job) -> Path:
    return Path(f"{job.path}.progress")


def read_progress(job) -> dict:
    try:
        return json.loads(progress_path(job).read_text())
    except (OSError, ValueError):
        return {"phase": "check", "percent": 0}


def run_import_job(job_id: int) -> None:
    from .bundle import importer
    from .models import ImportJob

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    marker = progress_path(job)
    last = {"at": 0.0}

    def progress(phase, done, total):
        now = time.monotonic()
        if now - last["at"] < 0.3 and done < total:
            return
        last["at"] = now
        share = done / total if total else 1
        percent = round(50 * share) if phase == "check" else 50 + round(50 * share)
        temporary = marker.with_suffix(".tmp")
        temporary.write_text(json.dumps({"phase": phase, "percent": percent}))
        os.replace(temporary, marker)

    try:
        report = importer.import_bundle(job.path, job.user, progress, source=job.file_name)
    except Exception as error:  # the job page must say so; the transaction was rolled back
        logger.exception("Bundle import %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = str(error)[:2000]
    else:
        job.error_count = report.error_count
        job.errors = [e.as_dict() for e in report.errors]
        job.counts = dict(report.counts)
        job.changes = {k: v for k, v in sorted(report.changes.items()) if v}
        job.status = ImportJob.Status.DONE if report.ok else ImportJob.Status.REFUSED
        if not report.ok:
            record(job.user, "bundle.refused", job, detail={"file": job.file_name, "errors": report.error_count})
    job.finished_at = timezone.now()
    job.save()
    for leftover in (Path(job.path), marker):
        leftover.unlink(missing_ok=True)  # the bundle holds personal data: not kept
