"""Benchmark of a counsellor's daily pages on a large platform (not a test: it prints figures).

Builds (once, then reuses) a platform of 5,000 persons and at least 500,000 interventions with
`tremplin.demo` (persons=5000; interventions are topped up with bulk_create if the demo made
fewer). The demo has 16 counsellors, sized for 250 persons: the benchmark adds counsellors so
that caseloads stay within 20 persons (about 130 counsellors, as a real platform of this size),
except Claire Martin's, kept at about 300 persons as a stress case. It then times the caseload and
to-do pages of a typical counsellor and of the oversized one, the team page, the team's to-do list
and a person's page with Django's test client, signed in, and prints the median and the 95th
percentile of each page, for SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_daily.py                      # both databases
    .venv/bin/python benchmarks/bench_daily.py --backend sqlite     # one of them
    .venv/bin/python benchmarks/bench_daily.py --rebuild --runs 50

SQLite uses var/bench/bench_daily.sqlite3; PostgreSQL uses its own database (default
postgres://postgres@127.0.0.1:5432/tremplin_bench3, created if missing). Target on a 2-core
machine: 95th percentile under 150 ms per page. The machine's load average is printed, since
timings on a shared machine vary with it.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tremplin_bench3"


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def prepare_postgres(url: str, rebuild: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            connection.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def run_backend(backend: str, args) -> None:
    """Runs in a child process: settings are read once, so each database gets its own process."""
    VAR.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        path = VAR / "bench_daily.sqlite3"
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        prepare_postgres(args.pg_url, args.rebuild)
        os.environ["DATABASE_URL"] = args.pg_url
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tremplin.settings",
            "TREMPLIN_VAR_DIR": str(VAR),
            "TREMPLIN_HTTPS": "0",
            "ALLOWED_HOSTS": "testserver,localhost",
            "DEBUG": "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    build(args)
    spread_caseloads()
    import tremplin.wsgi  # noqa: F401  (start-up as in the web process: gc.freeze, tremplin/wsgi.py)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure(backend, args)


def build(args) -> None:
    import datetime as dt
    import random

    from django.db import transaction

    from tremplin import demo
    from tremplin.activity.models import Intervention
    from tremplin.pathways.models import Episode
    from tremplin.people.models import Person

    if Person.objects.count() == args.persons and Intervention.objects.count() >= args.interventions:
        print(
            f"  reusing the platform already built ({Person.objects.count()} persons, "
            f"{Intervention.objects.count()} interventions)"
        )
        return
    if Person.objects.exists():
        sys.exit("The benchmark database holds other data: run with --rebuild.")
    started = time.perf_counter()
    result = demo.build(seed=2026, persons=args.persons)
    missing = args.interventions - Intervention.objects.count()
    if missing > 0:
        rng = random.Random(7)
        today = dt.date.today()
        episodes = list(Episode.objects.values_list("id", "person_id", "admitted_on", "exit_date"))
        batch = []
        with transaction.atomic():
            for _ in range(missing):
                episode_id, person_id, admitted, exit_date = rng.choice(episodes)
                last = min(today, exit_date - dt.timedelta(days=1)) if exit_date else today
                day = admitted + dt.timedelta(days=rng.randint(0, max(0, (last - admitted).days)))
                batch.append(
                    Intervention(
                        person_id=person_id,
                        episode_id=episode_id,
                        date=day,
                        minutes=rng.choice([30, 45, 60, 90]),
                        place="premises",
                        with_whom=rng.choice(["person", "employer", "both"]),
                        kind="interview",
                    )
                )
                if len(batch) == 5000:
                    Intervention.objects.bulk_create(batch)
                    batch = []
            Intervention.objects.bulk_create(batch)
    print(
        f"  built in {time.perf_counter() - started:.0f} s: {Person.objects.count()} persons, "
        f"{Intervention.objects.count()} interventions (demo: {result.interventions})"
    )


def spread_caseloads(keep: str = "Claire Martin", per_counsellor: int = 20) -> None:
    """The demo has 16 counsellors, sized for 250 persons. A platform of 5,000 persons has about
    130: add counsellors and re-assign (dated today) every active person beyond 20 per counsellor,
    except for `keep`, whose oversized caseload (about 300 persons) stays as a stress case."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction

    from tremplin.lib.dates import today
    from tremplin.organisations.models import Staff
    from tremplin.pathways.models import CounsellorAssignment
    from tremplin.pathways.states import in_veille_filter, supported_episodes

    if Staff.objects.filter(code__startswith="BENCH").exists():
        return
    day = today()
    active = supported_episodes(day).exclude(in_veille_filter(day))
    created = 0
    with transaction.atomic():
        for staff in Staff.objects.filter(function="counsellor").exclude(name=keep).select_related("organisation"):
            if not staff.is_in_post(day):
                continue
            current = list(
                CounsellorAssignment.objects.filter(staff=staff, end__isnull=True, episode__in=active).order_by("pk")
            )
            excess = current[per_counsellor:]
            for start in range(0, len(excess), per_counsellor):
                created += 1
                newcomer = Staff.objects.create(
                    organisation=staff.organisation,
                    code=f"BENCH{created}",
                    name=f"Conseiller renfort {created}",
                    function="counsellor",
                    fte=Decimal("1"),
                    start=day - dt.timedelta(days=400),
                )
                moved = excess[start : start + per_counsellor]
                for assignment in moved:
                    if assignment.start >= day:
                        assignment.staff = newcomer
                    else:
                        assignment.end = day - dt.timedelta(days=1)
                CounsellorAssignment.objects.bulk_update([a for a in moved if a.staff_id != newcomer.pk], ["end"])
                CounsellorAssignment.objects.bulk_update([a for a in moved if a.staff_id == newcomer.pk], ["staff"])
                CounsellorAssignment.objects.bulk_create(
                    [
                        CounsellorAssignment(episode_id=a.episode_id, staff=newcomer, start=day)
                        for a in moved
                        if a.staff_id != newcomer.pk
                    ]
                )
    print(f"  {created} counsellors added so that caseloads stay within 20 persons (except {keep})")


def measure(backend: str, args) -> None:
    from django.db.models import Count
    from django.test import Client

    from tremplin.access.models import User
    from tremplin.activity.overview import persons_of
    from tremplin.lib.dates import today
    from tremplin.organisations.models import Staff

    counsellor = Staff.objects.select_related("user").get(name="Claire Martin")
    coordinator = User.objects.get(username="marc.alibert")
    mine = persons_of(counsellor, today())
    person = mine.annotate(n=Count("interventions")).order_by("-n").first()
    typical = Staff.objects.select_related("user").get(name="Sofiane Benali")
    pages = [
        ("caseload (typical)", typical.user, "/portefeuille/"),
        ("to do (typical)", typical.user, "/a-faire/"),
        ("caseload (320 persons)", counsellor.user, "/portefeuille/"),
        ("to do (320 persons)", counsellor.user, "/a-faire/"),
        ("team", coordinator, "/suivi-equipe/"),
        ("to do (team)", coordinator, "/a-faire/?view=team"),
        ("person", counsellor.user, f"/personnes/{person.pk}/"),
    ]
    print(
        f"  {backend}: caseload of {typical.name} = {persons_of(typical, today()).count()} persons, of "
        f"{counsellor.name} = {mine.count()} persons; team: {Staff.objects.filter(function='counsellor').count()} "
        "counsellors; person page: "
        f"{person.n} interventions; {args.runs} runs per page; load average {load()}"
    )
    print(f"  {'page':<26}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}  status")
    from tremplin.access import otp

    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        otp.mark_session_verified(client.session, otp.confirmed_device(user))  # second factor passed
        for _ in range(3):
            client.get(url)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        p95 = percentile(timings, 0.95)
        verdict = "ok" if p95 < args.target else "OVER TARGET"
        print(f"  {label:<26}{statistics.median(timings):>10.1f}{p95:>9.1f}{max(timings):>9.1f}  {verdict}")
    print(f"  load average after: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--interventions", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--target", type=float, default=150.0, help="p95 target in ms (default 150)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_backend(args.backend, args)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(f"== {backend} ==", flush=True)
        command = [
            sys.executable,
            __file__,
            "--child",
            "--backend",
            backend,
            "--persons",
            str(args.persons),
            "--interventions",
            str(args.interventions),
            "--runs",
            str(args.runs),
            "--target",
            str(args.target),
            "--pg-url",
            args.pg_url,
        ] + (["--rebuild"] if args.rebuild else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
