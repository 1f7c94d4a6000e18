"""`make load`: Locust against gunicorn on loopback, with PostgreSQL and Redis.

1. (Re)creates the PostgreSQL database LOAD_DATABASE_URL (its name must contain "load"),
   migrates it, loads the demo city and `seed_load` (unit heads with tasks of their own,
   extra ledger rows), and collects the static files. LOAD_PREPARE=0 reuses the database
   of the previous run instead.
2. Starts gunicorn with config.settings.production (DEBUG off) on 127.0.0.1:LOAD_PORT.
3. Runs Locust headless: LOAD_USERS users (4 unit heads : 1 portfolio leader), spawned at
   LOAD_SPAWN_RATE a second, for LOAD_DURATION.
4. Checks that every progress report the server confirmed (302) is stored, prints requests
   per second, median and p95 per endpoint and the errors — for the whole run, and from
   the moment the last user has logged in (50 log-ins in five seconds, each a deliberately
   slow password hash, swamp two cores for a while) — and exits 1 when a target is missed:
   no errors, every confirmed report stored, p95 of every page after the log-ins < 300 ms.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/duban_load")
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/15")
USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = os.environ.get("LOAD_SPAWN_RATE", "10")
DURATION = os.environ.get("LOAD_DURATION", "2m")
PORT = int(os.environ.get("LOAD_PORT", "8020"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
HEADS = USERS * 4 // 5 + 1  # an account for every simulated unit head
P95_TARGET_MS = 300


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = production_env()
    if os.environ.get("LOAD_PREPARE", "1") == "1":
        prepare(env)
    gunicorn = start_gunicorn(env)
    try:
        wait_until_up()
        started = psql("SELECT now()")
        print(f"locust: {USERS} users, +{SPAWN_RATE}/s, {DURATION} ...", flush=True)
        with open(OUT / "locust.log", "w") as log:
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(USERS),
                    "-r",
                    SPAWN_RATE,
                    "-t",
                    DURATION,
                    "--host",
                    f"http://127.0.0.1:{PORT}",
                    "--csv",
                    str(OUT / "load"),
                    "--stop-timeout",
                    "30",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_ACCOUNTS": str(OUT / "accounts.json"),
                    "LOAD_CONFIRMED": str(OUT / "confirmed.txt"),
                    "LOAD_SAMPLES": str(OUT / "samples.csv"),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        texts = psql(
            "SELECT r.text FROM taskboard_progressreport r "
            "JOIN auth_user u ON u.id = r.reporter_id "
            f"WHERE u.username LIKE 'load\\_head\\_%' AND r.reported_at >= '{started}'"
        )
        stored = set(re.findall(r"^\[(load_head_\d+#\d+)\]", texts, re.M))
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    left = purge_broker(env)
    return report(stored, left)


def prepare(env: dict[str, str]) -> None:
    recreate_database()
    print(f"preparing {DATABASE_URL} ...", flush=True)
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["seed_demo"],
        ["seed_demo_meetings"],
        ["seed_demo_directives"],
        ["seed_load", "--heads", str(HEADS), "--accounts", str(OUT / "accounts.json")],
        ["collectstatic", "--noinput", "--verbosity", "0"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL if command[0].startswith("seed_demo") else None,
        )


def production_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "LOG_LEVEL": "WARNING",
    }


def recreate_database() -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    if "load" not in name:
        sys.exit(f"LOAD_DATABASE_URL must name a database containing 'load', not {name!r}")
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", server, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", server, "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", DATABASE_URL, "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    print(f"gunicorn: {WORKERS} workers on 127.0.0.1:{PORT}", flush=True)
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--error-logfile",
            str(OUT / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up() -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(request, timeout=10)
            return
        except OSError:  # refused, reset, timed out, or 503 while starting
            time.sleep(1)
    raise SystemExit(f"gunicorn did not answer; see {OUT / 'gunicorn.log'}")


def purge_broker(env: dict[str, str]) -> str:
    """No worker runs during the test: drop what the requests queued for one."""
    result = subprocess.run(
        [str(BIN / "celery"), "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or result.stderr.strip()


def report(stored: set[str], purged: str) -> int:
    samples = []
    for line in (OUT / "samples.csv").read_text().splitlines():
        head, ms, ok = line.rsplit(",", 2)
        at, name = head.split(",", 1)
        samples.append((float(at), name, float(ms), ok == "1"))
    start = min(at for at, *_ in samples)
    end = max(at for at, *_ in samples)
    logins = [at for at, name, _, _ in samples if name == "POST /accounts/login/"]
    settled = max(logins) if logins else start
    print()
    print(f"whole run ({end - start:.0f} s, the log-in rush of every user included):")
    table(samples, end - start)
    steady = [s for s in samples if s[0] > settled]
    print()
    print(
        f"after the last log-in ({end - settled:.0f} s, {settled - start:.0f} s after the start):"
    )
    worst = table(steady, end - settled)
    with open(OUT / "load_exceptions.csv") as file:
        exceptions = sum(int(row["Count"]) for row in csv.DictReader(file))
    errors = sum(1 for *_, ok in samples if not ok) + exceptions
    confirmed = set((OUT / "confirmed.txt").read_text().split())
    lost = confirmed - stored
    print()
    print(
        f"progress reports confirmed (302): {len(confirmed)}; stored: {len(stored)}; "
        f"confirmed but not stored: {len(lost)}; stored but cut off by the stop before "
        f"their answer: {len(stored - confirmed)}"
    )
    print(f"errors: {errors} (requests failed {errors - exceptions}, exceptions {exceptions})")
    print(f"broker purge: {purged}")
    if errors:
        print(f"errors by kind: {OUT / 'load_failures.csv'}, {OUT / 'load_exceptions.csv'}")
    met = errors == 0 and confirmed and not lost and worst < P95_TARGET_MS
    print(
        f"targets (no errors, every report stored, p95 of every page after the log-in rush "
        f"< {P95_TARGET_MS} ms): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


def table(samples: list[tuple], seconds: float) -> float:
    """Print requests, errors, req/s, median and p95 per endpoint; return the worst p95 of
    the pages (logging in aside: the password hasher is slow on purpose)."""
    by_name: dict[str, list[tuple]] = {}
    for sample in samples:
        by_name.setdefault(sample[1], []).append(sample)
    width = max((len(name) for name in by_name), default=10) + 2
    print(
        f"{'endpoint':<{width}} {'requests':>9} {'errors':>7} {'req/s':>7} {'median':>8} {'p95':>8}"
    )
    worst = 0.0
    for name, rows in sorted(by_name.items()) + [("all", samples)]:
        times = sorted(ms for _, _, ms, _ in rows)
        median, p95 = percentile(times, 50), percentile(times, 95)
        failed = sum(1 for *_, ok in rows if not ok)
        print(
            f"{name:<{width}} {len(rows):>9} {failed:>7} {len(rows) / max(seconds, 1):>7.1f} "
            f"{median:>6.0f}ms {p95:>6.0f}ms"
        )
        if name != "all" and "/accounts/login/" not in name:
            worst = max(worst, p95)
    return worst


def percentile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(percent / 100 * len(values) + 0.5) - 1))
    return values[index]


if __name__ == "__main__":
    sys.exit(main())
