"""Bundle imports from the page, as jobs kept in the database and run by `tremplin worker`.

The life of a job (`ImportJob`):

1. The page stores the upload in a private directory (`VAR_DIR/imports`, mode 0700; the file
   0600: it holds personal data) and creates the job, *waiting* (`enqueue_import`).
2. A worker claims it with a compare-and-set update: `UPDATE … SET status='running', worker=…
   WHERE id=… AND status='waiting'` changes one row for one worker only (`claim`). A small file
   is claimed at once by the web request itself, so that the page shows its result at once.
3. While it runs, the progress (phase, percent) and a heartbeat are written on the job's row:
   by the import's progress callback while no transaction is open (the check), and every
   `TREMPLIN_WORKER_HEARTBEAT_SECONDS` by a heartbeat thread of the worker, on its own database
   connection, since the import's own transaction is invisible to others until it commits.
4. The outcome (imported, refused with its errors, failed with its reason) is written on the
   row, and the uploaded file is deleted whatever the outcome (`run`).
5. Any worker marks a *running* job whose heartbeat is older than
   `TREMPLIN_WORKER_STALE_SECONDS` as failed (the process that ran it died: server stopped or
   restarted, machine rebooted) and deletes its file (`reap`); the import's transaction died with
   that process, so nothing of it was written. Files left in the directory for more than a day
   by anything else (a crash between the upload and the job's row, an export interrupted) are
   deleted, and a job still waiting after a day is failed (`cleanup`).

On SQLite the import's transaction holds the database's one write lock while it writes: the
heartbeat waits, and so does every other writer, the reaper included; the outcome written by
the worker itself is authoritative (it replaces a failure written by a reaper in the meantime).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from tremplin.audit.log import record

from .models import ImportJob

logger = logging.getLogger(__name__)

STRAY_AFTER = dt.timedelta(days=1)  # files, and jobs never started, older than this are removed
FLUSH_EVERY = 1.0  # seconds between two progress writes by the import's callback


def private_dir() -> Path:
    """The directory of uploaded bundles (and of bundle exports being written): owner only."""
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)  # an installation made before this rule had 0755
    return directory


def store_upload(uploaded) -> tuple[Path, int]:
    """Write the uploaded file into the private directory, readable by its owner only (0600)."""
    path = private_dir() / f"{uuid.uuid4().hex}.json"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    size = 0
    try:
        with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def _remove(path: str) -> None:
    if path:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:  # e.g. a directory named like a job's file: cleanup() reports strays
            logger.warning("Could not remove %s", path, exc_info=True)


def worker_name(kind: str = "worker") -> str:
    """Who runs a job, as written on its row: host, process, and a random part (a restarted
    process with the same number is another worker)."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def enqueue_import(user, uploaded) -> ImportJob:
    """Store the upload and queue its job; a small file is imported during the request (same
    claim, same outcome, same cleanup as in the worker)."""
    path, size = store_upload(uploaded)
    try:
        job = ImportJob.objects.create(user=user, file_name=Path(uploaded.name).name[:255], path=str(path), size=size)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size <= settings.TREMPLIN_IMPORT_INLINE_MAX_BYTES:
        name = worker_name("web")
        claimed = claim(name, pk=job.pk)
        if claimed is not None:
            run(claimed, name, heartbeat_every=0)
    return job


def claim(worker: str, pk: int | None = None) -> ImportJob | None:
    """Take the oldest waiting job (or job `pk` if still waiting) for `worker`, or None.

    The update only changes a row still waiting: of two workers racing for one job, exactly one
    sees one row changed; the other moves on to the next job."""
    waiting = ImportJob.objects.filter(status=ImportJob.Status.WAITING)
    if pk is not None:
        waiting = waiting.filter(pk=pk)
    for candidate in waiting.order_by("created_at", "id").values_list("pk", flat=True)[:20]:
        now = timezone.now()
        taken = ImportJob.objects.filter(pk=candidate, status=ImportJob.Status.WAITING).update(
            status=ImportJob.Status.RUNNING, worker=worker, started_at=now, heartbeat=now, phase="check", percent=0
        )
        if taken == 1:
            return ImportJob.objects.select_related("user").get(pk=candidate)
    return None


class _Progress:
    """The import's progress callback: keeps the latest phase and percent, and writes them with a
    heartbeat on the job's row (at most every FLUSH_EVERY seconds, and never from inside the
    import's transaction, where nobody else would see them before the commit)."""

    def __init__(self, job: ImportJob, worker: str):
        self.pk, self.worker = job.pk, worker
        self.phase, self.percent = "check", 0
        self.flushed_at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        share = min(done / total, 1) if total else 1
        if phase == "check":
            self.percent = round(50 * share)
            self.phase = "import" if share >= 1 else "check"  # checked whole: the writing comes next
        else:
            self.phase, self.percent = "import", min(99, 50 + round(50 * share))
        if connection.in_atomic_block:
            return
        if share >= 1 or time.monotonic() - self.flushed_at >= FLUSH_EVERY:  # the end of a phase is shown
            try:
                self.flush()
            except DatabaseError as error:  # a busy database must not stop the import; next time
                logger.info("Progress of import job %s not written: %s", self.pk, error)

    def flush(self) -> bool:
        """Write the heartbeat and progress; False when the job is no longer this worker's."""
        self.flushed_at = time.monotonic()
        mine = ImportJob.objects.filter(pk=self.pk, worker=self.worker, status=ImportJob.Status.RUNNING)
        return mine.update(heartbeat=timezone.now(), phase=self.phase, percent=self.percent) == 1


class _Heartbeat(threading.Thread):
    """Writes the heartbeat (and the latest progress) every few seconds on its own connection."""

    def __init__(self, progress: _Progress, every: float):
        super().__init__(name=f"import-heartbeat-{progress.pk}", daemon=True)
        self.progress, self.every = progress, every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    if not self.progress.flush() and not self.stopped.is_set():
                        logger.warning("Import job %s is no longer held by %s", self.progress.pk, self.progress.worker)
                except DatabaseError as error:  # SQLite: the import holds the write lock; next beat
                    logger.info("Heartbeat of import job %s delayed: %s", self.progress.pk, error)
        finally:
            connection.close()

    def stop(self) -> None:
        """No beat after this returns (a beat under way ends first; on SQLite it may be waiting
        for the import's write lock, released by now)."""
        self.stopped.set()
        self.join(timeout=30)


def run(job: ImportJob, worker: str, heartbeat_every: float | None = None) -> ImportJob:
    """Run a claimed job: import, write the outcome on the row, delete the uploaded file."""
    from .bundle import importer

    if heartbeat_every is None:
        heartbeat_every = settings.TREMPLIN_WORKER_HEARTBEAT_SECONDS
    logger.info("Import job %s (%s bytes) started by %s", job.pk, job.size, worker)
    progress = _Progress(job, worker)
    beat = _Heartbeat(progress, heartbeat_every) if heartbeat_every else None
    if beat is not None:
        beat.start()
    try:
        try:
            try:
                report = importer.import_bundle(job.path, job.user, progress, source=job.file_name)
            finally:
                if beat is not None:
                    beat.stop()
        except Exception as error:  # the page says so; the import's transaction was rolled back
            logger.exception("Bundle import %s failed", job.pk)
            _finish(job, worker, status=ImportJob.Status.FAILED, failure=ImportJob.Failure.ERROR, message=str(error))
        except BaseException:  # the worker is being stopped (SIGTERM, Ctrl+C): rolled back too
            _finish(job, worker, status=ImportJob.Status.FAILED, failure=ImportJob.Failure.LOST)
            raise
        else:
            _finish(
                job,
                worker,
                status=ImportJob.Status.DONE if report.ok else ImportJob.Status.REFUSED,
                error_count=report.error_count,
                errors=[e.as_dict() for e in report.errors],
                counts=dict(report.counts),
                changes={k: v for k, v in sorted(report.changes.items()) if v},
                refused=not report.ok,
            )
    finally:
        _remove(job.path)  # the bundle holds personal data: not kept
    job.refresh_from_db()
    logger.info("Import job %s: %s", job.pk, job.status)
    return job


def _finish(job: ImportJob, worker: str, *, status, refused: bool = False, message: str = "", **fields) -> None:
    """The outcome, as the worker that ran the job saw it (it wins over a reaper's guess)."""
    now = timezone.now()
    fields.setdefault("failure", "")
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk, worker=worker).update(
            status=status, message=message[:2000], finished_at=now, heartbeat=now, percent=100, **fields
        )
        if refused:
            record(job.user, "bundle.refused", job, detail={"file": job.file_name, "errors": fields["error_count"]})


def reap(stale_after: float | None = None) -> list[int]:
    """Fail the running jobs whose worker stopped beating, delete their files; their ids."""
    if stale_after is None:
        stale_after = settings.TREMPLIN_WORKER_STALE_SECONDS
    now = timezone.now()
    dead = Q(status=ImportJob.Status.RUNNING) & (
        Q(heartbeat__lt=now - dt.timedelta(seconds=stale_after)) | Q(heartbeat__isnull=True)
    )
    reaped = []
    for pk, path, worker in ImportJob.objects.filter(dead).values_list("pk", "path", "worker"):
        # Compare-and-set again: a heartbeat written since the read keeps the job alive.
        failed = ImportJob.objects.filter(dead, pk=pk).update(
            status=ImportJob.Status.FAILED, failure=ImportJob.Failure.LOST, finished_at=now
        )
        if failed == 1:
            logger.warning("Import job %s: its worker %s stopped; marked failed", pk, worker)
            _remove(path)
            reaped.append(pk)
    return reaped


def cleanup(max_age: dt.timedelta = STRAY_AFTER) -> list[str]:
    """Fail the jobs still waiting after `max_age` (no worker ran them), and delete every file of
    the private directory older than `max_age` that no waiting or running job needs; the names
    removed."""
    limit = timezone.now() - max_age
    for pk, path in ImportJob.objects.filter(status=ImportJob.Status.WAITING, created_at__lt=limit).values_list(
        "pk", "path"
    ):
        if ImportJob.objects.filter(pk=pk, status=ImportJob.Status.WAITING).update(
            status=ImportJob.Status.FAILED, failure=ImportJob.Failure.EXPIRED, finished_at=timezone.now()
        ):
            logger.warning("Import job %s never started; marked failed", pk)
            _remove(path)
    needed = {
        Path(path).name
        for path in ImportJob.objects.filter(
            status__in=(ImportJob.Status.WAITING, ImportJob.Status.RUNNING)
        ).values_list("path", flat=True)
    }
    oldest = time.time() - max_age.total_seconds()
    removed = []
    for entry in private_dir().iterdir():
        try:
            if entry.name in needed or entry.lstat().st_mtime >= oldest or entry.is_dir():
                continue
            entry.unlink()
        except OSError:
            logger.warning("Could not remove %s", entry, exc_info=True)
            continue
        removed.append(entry.name)
    if removed:
        logger.info("Removed %s stray file(s) from %s", len(removed), private_dir())
    return removed


def run_once(worker: str | None = None, heartbeat_every: float | None = None) -> ImportJob | None:
    """One turn of the worker: fail the dead workers' jobs, then run the oldest waiting job (its
    row after the run), or None when none waits."""
    reap()
    worker = worker or worker_name()
    job = claim(worker)
    if job is None:
        return None
    return run(job, worker, heartbeat_every)


def serve(stop: threading.Event, *, poll: float = 1.0, once: bool = False) -> int:
    """The worker's loop (`tremplin worker`): until `stop` is set, or (once) until no job waits.
    Returns the number of jobs run."""
    worker = worker_name()
    logger.info("Import worker %s started", worker)
    count, cleaned_at = 0, 0.0
    while not stop.is_set():
        if not connection.in_atomic_block:  # (a test's transaction is kept)
            close_old_connections()  # a long-lived process: drop broken or expired connections
        try:
            if time.monotonic() - cleaned_at >= 3600 or not cleaned_at:
                cleanup()
                cleaned_at = time.monotonic()
            job = run_once(worker)
        except DatabaseError:  # the database restarting, SQLite busy: try again shortly
            logger.warning("Import worker: database error", exc_info=True)
            job = None
        if job is not None:
            count += 1
            continue
        if once:
            break
        stop.wait(poll)
    logger.info("Import worker %s stopped", worker)
    return count
