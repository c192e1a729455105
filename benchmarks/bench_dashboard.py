"""The dashboard (the admin's home page) with 1,000,000 tickets and 10,000 runs: the time to
render it for the demo operator and for a superuser, and its number of queries (target:
< 300 ms, the same queries as with an empty database).

Runs against DATABASE_URL's server in a database of its own (`<name>_bench_dashboard`),
created, migrated, filled with bulk SQL (generate_series) and dropped here.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_cockpit \
        .venv/bin/python benchmarks/bench_dashboard.py [--tickets N] [--runs N]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages
os.environ.setdefault("SIMULATOR_ENABLED", "1")
os.environ["ALLOWED_HOSTS"] = "testserver"  # the test client's host

from benchmarks.harness import bench_database, step, use_django  # noqa: E402

PERFORMANCES = 8  # the upcoming performances the dashboard counts: every ticket is on them
RENDERS = 7


def build(*, tickets: int, runs: int) -> None:
    """The demo, then PERFORMANCES upcoming performances of its league with a quota, the
    tickets on them, the runs over 40 days and a thousand open parked lines — in SQL."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from catalog.models import Event, Performance, SeatCategory, Tariff, Zone, ZoneAllocation
    from channels.demo import DEMO_INTERFACE_NAME
    from channels.models import ExternalSalesInterface
    from sales.models import Order

    with step("migrate and load the demo"):
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    interface = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    league = Event.objects.get(institution=interface.institution, code="L2-2027")
    config = league.performances.first().configuration
    zone = Zone.objects.filter(configuration=config, numbered=False).first() or Zone.objects.create(
        configuration=config, name="Bench", block_letter="Z", block_number=9, numbered=False,
        capacity=tickets)
    start = timezone.now() + dt.timedelta(days=1)
    perfs = [Performance.objects.create(event=league, configuration=config,
                                        start=start + dt.timedelta(days=n, minutes=7))
             for n in range(PERFORMANCES)]
    per_perf = -(-tickets // PERFORMANCES)
    ZoneAllocation.objects.bulk_create(
        ZoneAllocation(performance=p, zone=zone, quota=interface.external_quota, places=per_perf)
        for p in perfs)
    category = SeatCategory.objects.filter(institution=interface.institution).first()
    tariff = Tariff.objects.filter(institution=interface.institution).first()
    order = Order.objects.create(interface=interface, contact=interface.contact,
                                 point_of_sale=interface.point_of_sale)
    perf_ids = "{" + ",".join(str(p.pk) for p in perfs) + "}"
    with step(f"{tickets:,} tickets (generate_series)"), connection.cursor() as cursor:
        # Every tenth ticket ended by a refund; places numbered per performance in rows of
        # 1000, as Ticketnet's series.
        cursor.execute("""
            INSERT INTO sales_ticket (interface_id, number, state, performance_id, zone_id,
                series_row, series_number, category_id, tariff_id, price_cents,
                reseller_price_cents, order_id, operation_id, ended_by_operation_id,
                buyer_last_name, buyer_first_name, buyer_city, buyer_postal_code,
                buyer_country, sold_at)
            SELECT %(interface)s, 'B' || n, CASE WHEN n %% 10 = 0 THEN 'cancelled' ELSE 'valid' END,
                   (%(perfs)s::bigint[])[1 + n %% %(nperf)s], %(zone)s,
                   1 + (n / %(nperf)s) / 1000, 1 + (n / %(nperf)s) %% 1000,
                   %(category)s, %(tariff)s, 2500, 2500, %(order)s, 'OP' || n,
                   CASE WHEN n %% 10 = 0 THEN 'R' || n ELSE '' END, '', '', '', '', '',
                   now() - (n %% 40) * interval '1 day'
            FROM generate_series(0, %(count)s - 1) AS n
        """, {"interface": interface.pk, "perfs": perf_ids, "nperf": PERFORMANCES,
              "zone": zone.pk, "category": category.pk, "tariff": tariff.pk,
              "order": order.pk, "count": tickets})
    with step(f"{runs:,} runs over 40 days"), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO schedules_run (interface_id, job, trigger, params, status, started_at,
                finished_at, counts, messages, progress_done, attempt, celery_task_id)
            SELECT %(interface)s,
                   (ARRAY['sales_integration','sales_integration','sales_integration',
                          'allotment_export','quota_sync'])[1 + n %% 5], 'scheduled', '{}',
                   (ARRAY['ok','ok','ok','ok','ok','ok','ok','warning','warning','error'])
                       [1 + n %% 10],
                   now() - n * interval '6 minutes', now() - n * interval '6 minutes'
                       + interval '40 seconds',
                   jsonb_build_object('sold', n %% 97, 'operations', n %% 101), '[]', 0, 0, ''
            FROM generate_series(1, %(count)s) AS n
        """, {"interface": interface.pk, "count": runs})
    with step("1,000 open parked lines"), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO sales_parkedoperation (interface_id, operation_id, type, ticket_number,
                line, reason, message, first_attempt_at, last_attempt_at, attempts)
            SELECT %(interface)s, 'PK' || n, 'SALE', '', '{}',
                   (ARRAY['unknown_code','price_difference','not_in_quota'])[1 + n %% 3], '',
                   now(), now(), 1
            FROM generate_series(1, 1000) AS n
        """, {"interface": interface.pk})
    with step("VACUUM ANALYZE (as autovacuum would)"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def render(label: str, user) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)
    times = []
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/admin/")
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        assert b"cockpit-interface" in response.content
    print(f"dashboard for {label:<34} median {statistics.median(times) * 1000:6.0f} ms, "
          f"best {min(times) * 1000:6.0f} ms, {len(queries.captured_queries)} queries, "
          f"{len(response.content) // 1024} KiB", flush=True)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"    {float(query['time']) * 1000:6.0f} ms  {query['sql'][:90]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    with bench_database("bench_dashboard"):
        use_django()
        from django.contrib.auth import get_user_model

        build(tickets=args.tickets, runs=args.runs)
        users = get_user_model().objects
        superuser = users.create_superuser("bench-admin", "bench@example.org", "x")
        render("the demo operator", users.get(username="operator"))
        render("a superuser", superuser)


if __name__ == "__main__":
    main()
