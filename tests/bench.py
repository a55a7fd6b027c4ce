"""``make bench``: the figures the issues name, on PostgreSQL, one line per figure.

Creates its own database, seeds a county of demo data into it, measures, and drops it.
BENCH_ADMIN_URL names the server (default: postgres@127.0.0.1, trust auth);
BENCH_HOUSEHOLDS the size (default 100,000, a county).
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "100000"))
DATABASE = f"hhl_bench_{os.getpid()}"


def figure(name, **values):
    print(name, " ".join(f"{k}={v}" for k, v in values.items()), flush=True)


def timed(fn, repeat=5):
    """Median milliseconds of ``repeat`` runs, after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 1)


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def run():
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grids.scope import households_in_scope
    from households.models import Member

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    call_command("seed_demo", households=HOUSEHOLDS, no_progress=True, stdout=io.StringIO())
    figure(
        "seed_demo",
        households=HOUSEHOLDS,
        members=Member.objects.count(),
        seconds=round(time.perf_counter() - started, 1),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    User = get_user_model()
    for username in ["floor", "staff", "leader"]:
        user = User.objects.get(username=username)
        user.has_perm("grids.view_all_units")  # warm the permission cache, as a request does
        with CaptureQueriesContext(connection) as queries:
            in_scope = len(list(households_in_scope(user).values_list("pk", flat=True)))
        ms = timed(lambda user=user: list(households_in_scope(user).values_list("pk", flat=True)))
        figure(
            "scope",
            households=HOUSEHOLDS,
            user=username,
            in_scope=in_scope,
            queries=len(queries),
            query_ms=ms,
        )

    for username, query in [("staff", ""), ("admin", ""), ("admin", "?q=王小红")]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = f"/admin/households/household/{query}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        figure(
            "admin_household_list",
            households=HOUSEHOLDS,
            user=username,
            search=bool(query),
            queries=len(queries),
            server_ms=timed(lambda c=client, u=url: c.get(u), repeat=3),
        )


if __name__ == "__main__":
    main()
