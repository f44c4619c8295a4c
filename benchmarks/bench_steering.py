"""Benchmark of steering: generate a national-scale bundle, import it, compute one quarter.

    .venv/bin/python benchmarks/bench_steering.py [--persons 50000] [--interventions 100]
        [--small 2000] [--databases sqlite,postgres] [--pg postgres://postgres@127.0.0.1:5432/tremplin_bench5]
        [--runs 5] [--workdir DIR] [--skip-generate] [--skip-import] [--no-bulk-load | --row-by-row]

Steps, for each database (a fresh one each time):
1. generate a deterministic bundle (100 organisations, N persons, about `interventions` per
   person over four years) and a 2,000-person one, both valid by BUNDLE.md;
2. `tremplin migrate`, then `tremplin import_bundle` in a child process: wall time,
   interventions per second and peak memory (maximum resident set size of the child). On
   PostgreSQL the import uses COPY and, into an empty intervention table, the bulk load
   (indexes and foreign keys rebuilt once); `--no-bulk-load` keeps COPY only, `--row-by-row`
   uses multi-row INSERTs, for comparison;
3. in another child: the indicators of one quarter for the whole platform and for one
   organisation, `--runs` times: median and peak memory;
4. the same quarter for the 2,000-person platform.

Not a test: it prints figures (documented in the README). Targets on PostgreSQL (2 cores):
import >= 50,000 interventions/s, a quarter for 50,000 persons < 5 s, for 2,000 persons
< 0.5 s, peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREMPLIN = str(ROOT / ".venv" / "bin" / "tremplin")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
QUARTER = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
FIRST_DAY = dt.date(2022, 7, 1)
LAST_DAY = dt.date(2026, 6, 30)
PLACES = ["premises", "premises", "remote", "workplace", "home", "third_place", "training_site"]
WITHS = ["person", "person", "person", "both", "employer", "partner"]
KINDS = [
    "interview",
    "workplace_visit",
    "employer_meeting",
    "job_search",
    "mediation",
    "evaluation",
    "contact",
    "other",
]
DISABILITIES = [
    "psychic",
    "autism",
    "intellectual",
    "cognitive",
    "sensory",
    "motor",
    "chronic_disease",
    "multiple",
    "other",
]
EXIT_REASONS = ["person_request", "moved_out", "recognition_not_renewed", "death"]


def generate(path: Path, persons: int, organisations: int, per_person: int, seed: int = 2026) -> dict:
    """Write a valid bundle quickly and deterministically (string templates, one pass)."""
    rng = random.Random(seed)
    days = (LAST_DAY - FIRST_DAY).days
    date_str = [(FIRST_DAY + dt.timedelta(days=i)).isoformat() for i in range(days + 1)]
    orgs = [("LEAD" if i == 0 else f"P{i:03d}") for i in range(organisations)]
    staff_per_org = max(2, persons // organisations // 18)
    counts = {"persons": 0, "interventions": 0}
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"format":"tremplin-bundle","version":1,')
        out.write('"platform":{"code":"BENCH","name":"Plateforme de mesure","department":"12"},"organisations":[')
        out.write(
            ",".join(
                f'{{"code":"{code}","name":"Organisation {code}","role":"{"lead" if i == 0 else "partner"}"}}'
                for i, code in enumerate(orgs)
            )
        )
        out.write('],"staff":[')
        staff = []
        for code in orgs:
            for k in range(staff_per_org):
                staff.append(
                    f'{{"code":"{code}-S{k}","organisation":"{code}","name":"Conseiller {code} {k}",'
                    f'"function":"counsellor","fte":{rng.choice([1, 0.8, 0.5])},"start":"2020-01-01","end":null,'
                    f'"rncp37779":"{rng.choice(["certified", "in_training", "none"])}"}}'
                )
        out.write(",".join(staff))
        out.write('],"employers":[')
        n_employers = max(10, persons // 10)
        out.write(
            ",".join(
                f'{{"code":"E{k}","name":"Employeur {k}","kind":"{rng.choice(["private", "private", "public", "self_employed"])}"}}'
                for k in range(n_employers)
            )
        )
        out.write('],"persons":[')
        for index in range(persons):
            org = orgs[index % organisations]
            prescribed = rng.randint(0, days - 40)
            admitted = min(prescribed + rng.randint(3, 60), days - 1)
            exit_day = None
            if rng.random() < 0.35 and admitted + 90 < days:
                exit_day = rng.randint(admitted + 60, days)
            end = exit_day if exit_day is not None else days + 1
            pauses = ""
            if end - admitted > 200 and rng.random() < 0.15:
                p_start = rng.randint(admitted + 30, end - 100)
                pauses = f'{{"start":"{date_str[p_start]}","end":"{date_str[p_start + rng.randint(20, 80)]}"}}'
            n = max(1, int(rng.gauss(per_person, per_person / 3)))
            span = max(1, end - admitted - 1)
            ivs = ",".join(
                f'{{"date":"{date_str[admitted + rng.randrange(span)]}","minutes":{rng.choice((30, 45, 60, 60, 90, 120))},'
                f'"place":"{rng.choice(PLACES)}","with":"{rng.choice(WITHS)}","kind":"{rng.choice(KINDS)}"}}'
                for _ in range(n)
            )
            counts["interventions"] += n
            contracts = ""
            if rng.random() < 0.5 and end - admitted > 60:
                c_start = rng.randint(admitted, min(days, end + 30))
                c_end = c_start + rng.randint(30, 400)
                if c_end <= days and rng.random() < 0.6:
                    contracts = (
                        f'{{"employer":"E{rng.randrange(n_employers)}","type":"cdd","start":"{date_str[c_start]}",'
                        f'"planned_end":"{date_str[c_end]}","end":"{date_str[c_end]}","end_reason":"term","weekly_hours":24}}'
                    )
                else:
                    contracts = (
                        f'{{"employer":"E{rng.randrange(n_employers)}","type":"cdi","start":"{date_str[c_start]}"}}'
                    )
            exit_json = (
                f'{{"date":"{date_str[exit_day]}","reason":"{rng.choice(EXIT_REASONS)}"}}'
                if exit_day is not None
                else "null"
            )
            staff_code = f"{org}-S{rng.randrange(staff_per_org)}"
            person = (
                f'{{"code":"{org}-{index:06d}","organisation":"{org}","first_name":"Prénom{index}","last_name":"Nom{index}",'
                f'"birth_date":"19{rng.randint(60, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}","sex":"{rng.choice("FMX")}",'
                f'"disabilities":["{rng.choice(DISABILITIES)}"],"education_level":"{rng.choice(["none", "3", "4", "5"])}",'
                f'"recognitions":[{{"kind":"rqth","start":"2015-01-01","end":null}}],'
                f'"prescriptions":[{{"code":"PR1","date":"{date_str[prescribed]}","prescriber":"cap_emploi","urgent":false,"withdrawn_on":null}}],'
                f'"episodes":[{{"prescription":"PR1","admitted_on":"{date_str[admitted]}","entry_status":"job_seeker",'
                f'"months_without_work":{rng.choice([0, 3, 8, 14, 30, 72])},"years_worked":{rng.choice([0, 0.5, 2, 6, 12.5])},'
                f'"counsellors":[{{"staff":"{staff_code}","from":"{date_str[admitted]}"}}],"pauses":[{pauses}],"exit":{exit_json}}}],'
                f'"interventions":[{ivs}],"contracts":[{contracts}],"placements":[]}}'
            )
            out.write(("," if index else "") + person)
            counts["persons"] += 1
        out.write(
            '],"funding":[{"year":2026,"funder":"state","amount_eur":1000000}],"trainings":[],"time_allocation":[]}\n'
        )
    return counts


# Child processes ------------------------------------------------------------------------------


def child_import(path: str, method: str = "auto") -> None:
    import django

    django.setup()
    from tremplin.steering.bundle import importer

    options = {"auto": {}, "no-bulk-load": {"bulk_load": False}, "row-by-row": {"copy": False, "bulk_load": False}}
    started, cpu = time.perf_counter(), time.process_time()
    report = importer.import_bundle(path, importer.CONSOLE, None, source=Path(path).name, **options[method])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.ok, report.errors[:5]
    print(
        json.dumps(
            {"seconds": elapsed, "cpu": cpu, "interventions": report.counts["interventions"], "peak_mb": _peak_mb()}
        )
    )


def child_quarter(scope: str, runs: int) -> None:
    import django

    django.setup()
    from tremplin.steering import indicators

    platform = indicators.default_platform()
    times, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        figures = indicators.compute(*QUARTER, scope, platform=platform)
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(
        json.dumps(
            {
                "median": statistics.median(times),
                "cpu": statistics.median(cpus),
                "runs": times,
                "supported": figures["activity"]["supported"],
                "peak_mb": _peak_mb(),
            }
        )
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Orchestration ----------------------------------------------------------------------------------


def _env(database: str, var_dir: Path) -> dict:
    env = dict(
        os.environ, TREMPLIN_HTTPS="0", TREMPLIN_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="tremplin.settings"
    )
    env.pop("DATABASE_URL", None)
    if database != "sqlite":
        env["DATABASE_URL"] = database
    return env


def _fresh_database(database: str, var_dir: Path) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (var_dir / f"tremplin.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        base, name = database.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([TREMPLIN, "migrate", "-v0"], env=_env(database, var_dir), check=True)


def _child(args: list[str], database: str, var_dir: Path) -> dict:
    result = subprocess.run(
        [PYTHON, __file__, *args], env=_env(database, var_dir), check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--interventions", type=int, default=100, help="mean interventions per person")
    parser.add_argument("--small", type=int, default=2_000, help="persons of the small platform")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/tremplin_bench5")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", default=None, help="where to write the bundles and SQLite files")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the bundles of --workdir")
    parser.add_argument("--skip-import", action="store_true", help="reuse the imported databases of --workdir")
    parser.add_argument(
        "--no-bulk-load",
        action="store_true",
        help="PostgreSQL: COPY into the indexed, constrained table (no index and foreign-key rebuild)",
    )
    parser.add_argument(
        "--row-by-row", action="store_true", help="PostgreSQL: multi-row INSERTs instead of COPY (no bulk load)"
    )
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "import":
            child_import(*rest)
        else:
            child_quarter(rest[0], int(rest[1]))
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="tremplin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Load average before: {os.getloadavg()[0]:.2f} (2 cores shared); work directory {workdir}")
    big, small = workdir / "national.json", workdir / "small.json"
    if not args.skip_generate:
        started = time.perf_counter()
        counts = generate(big, args.persons, args.organisations, args.interventions)
        print(
            f"Generated {big.name}: {counts['persons']} persons, {counts['interventions']} interventions, "
            f"{big.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s"
        )
        generate(small, args.small, 5, args.interventions, seed=7)
    for name in args.databases.split(","):
        database = "sqlite" if name == "sqlite" else args.pg
        label = "SQLite" if name == "sqlite" else "PostgreSQL"
        var_dir = workdir / name
        var_dir.mkdir(exist_ok=True)
        if not args.skip_import:
            _fresh_database(database, var_dir)
            method = "row-by-row" if args.row_by_row else "no-bulk-load" if args.no_bulk_load else "auto"
            result = _child(["--worker", "import", str(big), method], database, var_dir)
            rate = result["interventions"] / result["seconds"]
            print(
                f"[{label}] import ({method}): {result['seconds']:.1f} s ({result['cpu']:.1f} s CPU in this process), "
                f"{rate:,.0f} interventions/s, peak {result['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}"
            )
        for scope in ("platform", "P001"):
            q = _child(["--worker", "quarter", scope, str(args.runs)], database, var_dir)
            print(
                f"[{label}] quarter {QUARTER[0]}..{QUARTER[1]}, scope {scope} ({q['supported']} supported): "
                f"median {q['median']:.2f} s over {args.runs} runs ({q['cpu']:.2f} s CPU in this process), "
                f"peak {q['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}"
            )
        small_db = database if name == "sqlite" else args.pg + "_small"
        small_dir = workdir / f"{name}-small"
        small_dir.mkdir(exist_ok=True)
        if not args.skip_import:
            _fresh_database(small_db, small_dir)
            _child(["--worker", "import", str(small)], small_db, small_dir)
        q = _child(["--worker", "quarter", "platform", str(args.runs)], small_db, small_dir)
        print(
            f"[{label}] quarter, {args.small}-person platform ({q['supported']} supported): "
            f"median {q['median']:.3f} s ({q['cpu']:.3f} s CPU), peak {q['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}"
        )
    print(f"Load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
