"""Bundle imports from the page as jobs run by `tremplin worker` (issue 10 item 8, issue 11 item 6):
claimed by a compare-and-set update, progress and heartbeat on the job's row, a dead worker's job
failed with a clear message, the uploaded file private (0600 in 0700) and always deleted."""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.steering.test_bundle import EXAMPLE
from tests.steering.test_views import _upload
from tremplin.people.models import Person
from tremplin.steering import jobs
from tremplin.steering.bundle import importer
from tremplin.steering.models import ImportJob

pytestmark = pytest.mark.django_db

LOST_MESSAGE = "Le service d’import s’est arrêté pendant le traitement"


@pytest.fixture
def queued(settings, tmp_path):
    """Uploads go to the queue (no import during the request), into a private directory of tmp_path."""
    settings.VAR_DIR = tmp_path
    settings.TREMPLIN_IMPORT_INLINE_MAX_BYTES = 0
    return tmp_path / "imports"


def _status(client, job) -> str:
    return client.get(reverse("bundle_import_progress", args=[job.pk])).content.decode()


def _waiting_job(manager, directory: Path, name="x.json", text=b"{}") -> ImportJob:
    path = directory / name
    directory.mkdir(exist_ok=True)
    path.write_bytes(text)
    return ImportJob.objects.create(user=manager.user, file_name="lot.json", path=str(path), size=len(text))


def test_item8_the_web_view_enqueues_instead_of_starting_a_thread(manager, queued):
    client = client_for(manager)
    threads = set(threading.enumerate())
    response = _upload(client, EXAMPLE)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "waiting"
    assert set(threading.enumerate()) == threads  # nothing runs in the web process
    assert not Person.objects.exists()
    page = _status(client, job)
    assert "En attente du service d’import" in page and 'hx-trigger="every 1s"' in page

    assert jobs.run_once().pk == job.pk  # what `tremplin worker` does, in-process
    job.refresh_from_db()
    assert job.status == "done" and job.changes["persons.created"] == 2
    assert Person.objects.count() == 2
    page = _status(client, job)
    assert "Le lot de données a été importé." in page and "hx-trigger" not in page
    assert list(queued.iterdir()) == []  # the uploaded personal data is not kept
    assert jobs.run_once() is None  # nothing else waits


def test_item8_a_small_file_is_still_imported_during_the_request_through_the_same_claim(manager, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _upload(client_for(manager), EXAMPLE)
    job = ImportJob.objects.get()
    assert job.status == "done" and job.worker.startswith("web:") and job.percent == 100
    assert list((tmp_path / "imports").iterdir()) == []


def test_item8_claiming_is_exclusive_two_workers_one_job(manager, queued, monkeypatch):
    job = _waiting_job(manager, queued)
    # Worker B takes the job between worker A's look at the queue and A's update: A's update
    # must change nothing, and A must not run the job.
    now = timezone.now
    seen = {"b": None}

    def b_claims_first():
        if seen["b"] is None:
            seen["b"] = False
            seen["b"] = jobs.claim("worker-b")
        return now()

    monkeypatch.setattr(jobs.timezone, "now", b_claims_first)
    assert jobs.claim("worker-a") is None
    assert seen["b"] is not None and seen["b"].pk == job.pk
    job.refresh_from_db()
    assert job.status == "running" and job.worker == "worker-b"
    monkeypatch.setattr(jobs.timezone, "now", now)
    assert jobs.claim("worker-c") is None  # a running job is nobody else's


@pytest.mark.django_db(transaction=True)
def test_item8_two_workers_racing_for_one_job_one_gets_it(manager, queued):
    job = _waiting_job(manager, queued)
    start = threading.Barrier(2)
    won: list = []

    def worker(name):
        start.wait()
        try:
            claimed = jobs.claim(name)
            if claimed is not None:
                won.append(name)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    job.refresh_from_db()
    assert len(won) == 1 and job.worker == won[0] and job.status == "running"


def test_item8_a_dead_workers_job_is_failed_with_its_message_and_file_removed(manager, queued, settings):
    settings.TREMPLIN_WORKER_STALE_SECONDS = 60
    client = client_for(manager)
    _upload(client, EXAMPLE)
    job = ImportJob.objects.get()
    assert jobs.claim("worker-that-dies").pk == job.pk  # ... then the server is killed
    assert Path(job.path).exists()
    assert "Vérification de tout le fichier" in _status(client, job)  # "en cours"

    # A beat 30 seconds ago: still alive.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(seconds=30))
    assert jobs.reap() == []
    # No beat for 61 seconds: the next worker to look marks it failed and deletes the file.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(seconds=61))
    assert jobs.run_once() is None
    job.refresh_from_db()
    assert job.status == "failed" and job.failure == "lost" and job.finished_at is not None
    assert not Path(job.path).exists()
    page = _status(client, job)
    assert "L’import a été interrompu : rien n’a été enregistré." in page and LOST_MESSAGE in page
    assert "hx-trigger" not in page
    assert not Person.objects.exists()


def test_item8_a_job_left_running_before_heartbeats_existed_is_failed(manager, queued):
    job = _waiting_job(manager, queued)
    ImportJob.objects.filter(pk=job.pk).update(status="running")  # the old thread, killed
    assert jobs.reap() == [job.pk]
    job.refresh_from_db()
    assert job.status == "failed" and job.failure == "lost" and not Path(job.path).exists()


def test_item8_progress_is_read_from_the_job_row(manager, tmp_path):
    job = ImportJob.objects.create(
        user=manager.user, file_name="lot.json", path=str(tmp_path / "gone.json"), status="running", worker="w"
    )
    ImportJob.objects.filter(pk=job.pk).update(phase="import", percent=73)
    fragment = _status(client_for(manager), job)
    assert 'value="73"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "Enregistrement des données" in fragment
    assert not list(tmp_path.iterdir())  # no progress file anywhere


@pytest.mark.django_db(transaction=True)
def test_item8_the_import_progress_and_heartbeat_are_written_on_the_row(manager, queued, monkeypatch):
    job = _waiting_job(manager, queued)
    claimed = jobs.claim("w")
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=5))
    seen = []

    def slow_import(path, user, progress, source=""):
        progress("check", 100, 100)  # outside any transaction: written at once
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((row.phase, row.percent))
        monkeypatch.setattr(jobs, "FLUSH_EVERY", 3600)  # from now on, only the heartbeat thread writes
        progress("import", 60, 100)
        deadline = time.monotonic() + 20
        while ImportJob.objects.get(pk=job.pk).percent != 80 and time.monotonic() < deadline:
            time.sleep(0.05)
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((row.phase, row.percent, timezone.now() - row.heartbeat < dt.timedelta(seconds=5)))
        raise RuntimeError("stop here")

    monkeypatch.setattr(importer, "import_bundle", slow_import)
    jobs.run(claimed, "w", heartbeat_every=0.1)
    assert seen == [("import", 50), ("import", 80, True)]


def test_item8_the_uploaded_file_is_0600_in_a_0700_directory(manager, queued):
    queued.mkdir(mode=0o755)
    queued.chmod(0o755)  # as left by an older installation
    old = os.umask(0o022)
    try:
        _upload(client_for(manager), EXAMPLE)
    finally:
        os.umask(old)
    job = ImportJob.objects.get()
    assert stat.S_IMODE(os.stat(job.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(queued).st_mode) == 0o700


@pytest.mark.parametrize("outcome", ["refused", "failed"])
def test_item8_the_file_is_deleted_whatever_the_outcome(manager, queued, monkeypatch, outcome):
    if outcome == "failed":

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(importer, "import_bundle", broken)
    bad = EXAMPLE | {"version": 2}
    client = client_for(manager)
    _upload(client, bad)
    job = jobs.run_once()
    assert job.status == outcome and not Path(job.path).exists()
    if outcome == "failed":
        assert job.failure == "error" and "disk full" in _status(client, job)


def test_item8_a_worker_stopped_during_an_import_fails_its_job_and_deletes_the_file(manager, queued, monkeypatch):
    def interrupted(*args, **kwargs):
        raise SystemExit(0)  # SIGTERM or Ctrl+C reaches the worker (see the worker command)

    monkeypatch.setattr(importer, "import_bundle", interrupted)
    _upload(client_for(manager), EXAMPLE)
    job = ImportJob.objects.get()
    with pytest.raises(SystemExit):
        jobs.run_once()
    job.refresh_from_db()
    assert job.status == "failed" and job.failure == "lost" and not Path(job.path).exists()


def test_item8_the_worker_outcome_wins_over_a_reapers_guess(manager, queued, monkeypatch):
    """A worker that could not beat for longer than the limit (SQLite's write lock, a suspended
    machine) and then completed: the job says what really happened."""
    real_import = importer.import_bundle

    def import_then_reaped(*args, **kwargs):
        report = real_import(*args, **kwargs)
        ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(hours=1))
        assert jobs.reap() == [job.pk]
        return report

    monkeypatch.setattr(importer, "import_bundle", import_then_reaped)
    _upload(client_for(manager), EXAMPLE)
    job = jobs.claim("slow")
    job = jobs.run(job, "slow")
    assert job.status == "done" and job.failure == "" and Person.objects.count() == 2


def test_item8_cleanup_removes_stray_files_older_than_a_day_and_jobs_never_started(manager, queued):
    day_ago = time.time() - 86_400 - 60
    old_job = _waiting_job(manager, queued, "old-job.json")
    ImportJob.objects.filter(pk=old_job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    young_job = _waiting_job(manager, queued, "young-job.json")
    os.utime(young_job.path, (day_ago, day_ago))  # an old file, but its job still waits: kept
    for name in ("stray.json", "stray.json.progress", "tremplin-export-x.json"):
        (queued / name).write_text("{}")
        os.utime(queued / name, (day_ago, day_ago))
    (queued / "fresh.json").write_text("{}")  # perhaps an upload in progress: kept

    removed = jobs.cleanup()
    assert sorted(removed) == ["stray.json", "stray.json.progress", "tremplin-export-x.json"]
    assert sorted(p.name for p in queued.iterdir()) == ["fresh.json", "young-job.json"]
    old_job.refresh_from_db()
    assert old_job.status == "failed" and old_job.failure == "expired"
    page = _status(client_for(manager), old_job)
    assert "ne l’a pas traité dans la journée" in page


def test_item8_a_job_waiting_long_says_the_worker_seems_not_running(manager, queued, settings):
    job = _waiting_job(manager, queued)
    client = client_for(manager)
    assert "ne semble pas lancé" not in _status(client, job)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert "ne semble pas lancé" in _status(client, job)


def test_item8_the_worker_command_runs_the_waiting_jobs(manager, queued, capsys):
    _upload(client_for(manager), EXAMPLE)
    call_command("worker", "--once")
    assert ImportJob.objects.get().status == "done"
    assert Person.objects.count() == 2
    assert "Imports exécutés : 1." in capsys.readouterr().out


def test_item8_uploads_never_land_in_a_shared_place(manager, queued):
    file = SimpleUploadedFile("../../evil.json", b'{"format": "tremplin-bundle"}', content_type="application/json")
    client_for(manager).post(reverse("bundle_import"), {"file": file})
    job = ImportJob.objects.get()
    assert Path(job.path).parent == queued and job.file_name == "evil.json"
