"""A stadium in bulk: 80 blocks × 25 rows × 40 seats (80,000 seats), 19 performances, every
seat of every performance in the Ticketnet quota (1.52 M allocations).

Runs against DATABASE_URL's server in a database of its own (`<name>_bench`), created,
migrated and dropped here. Prints time and peak Python memory (tracemalloc) per step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_catalog \
        .venv/bin/python benchmarks/bench_stadium.py
"""

import datetime as dt
import os
import resource
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
os.environ.setdefault("DEBUG", "1")

BLOCKS, ROWS, SEATS_PER_ROW, PERFORMANCES = 80, 25, 40, 19
COMPARE_BLOCKS = 10


def _bench_database() -> tuple[str, str | None]:
    """Point DATABASE_URL at a database of our own; return (url, admin dsn to drop it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench_stadium: set DATABASE_URL to a PostgreSQL server "
                 "(postgres://user@host:port/db).")
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = bench_url
    return name, admin


results: list[tuple[str, float, float, str]] = []


@contextmanager
def step(label: str, note: str = ""):
    tracemalloc.start()
    started = time.perf_counter()
    box = {"note": note}
    yield box
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results.append((label, elapsed, peak / 2**20, box["note"]))
    print(f"{label:<52} {elapsed:8.2f} s {peak / 2**20:9.1f} MiB  {box['note']}", flush=True)


def main() -> None:
    name, admin = _bench_database()
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        print(f"dropped database {name}")


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from catalog import services
    from catalog.models import (
        ActivityProfile,
        Event,
        Hall,
        LogicalConfiguration,
        Performance,
        Price,
        SeatAllocation,
        SeatCategory,
        Tariff,
        Zone,
    )
    from channels.models import (
        Contact,
        ExternalQuota,
        ExternalSalesInterface,
        Institution,
        PointOfSale,
        SalesChannel,
    )
    from mappings.selectors import correspondence_book, correspondence_rows, event_readiness
    from mappings.services import correspondences_fill_suggestions

    print(f"database {connection.settings_dict['NAME']} on {connection.vendor}")
    with step("migrate the bench database"):
        call_command("migrate", verbosity=0)

    institution = Institution.objects.create(code="bench", name="Bench")
    channel = SalesChannel.objects.create(institution=institution, name="Ticketnet")
    quota = ExternalQuota.objects.create(institution=institution, name="Ticketnet",
                                         channel=channel)
    interface = ExternalSalesInterface.objects.create(
        institution=institution, channel=channel, internal_name="Bench * Ticketnet",
        url="127.0.0.1:7999", login="bench",
        contact=Contact.objects.create(institution=institution, name="TN",
                                       pending_account_allowed=True),
        point_of_sale=PointOfSale.objects.create(institution=institution, code="TKN",
                                                 channel=channel),
        external_quota=quota, client_name="ELCA", institution_code="505",
    )
    categories = [SeatCategory.objects.create(institution=institution, name=f"Cat {i}", rank=i)
                  for i in range(1, 5)]
    hall = Hall.objects.create(institution=institution, name="Stadium")
    config = LogicalConfiguration.objects.create(hall=hall, name="Football")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    zones = Zone.objects.bulk_create(
        Zone(configuration=config, name=f"Block {letters[i // 10]}{i % 10 + 1}",
             block_letter=letters[i // 10], block_number=i % 10 + 1)
        for i in range(BLOCKS)
    )

    total = BLOCKS * ROWS * SEATS_PER_ROW
    with step(f"seats: {BLOCKS} blocks × {ROWS} × {SEATS_PER_ROW} (COPY)", f"{total:,} seats"):
        for i, zone in enumerate(zones):
            services.seats_create_block(zone=zone, rows=ROWS, seats_per_row=SEATS_PER_ROW,
                                        category=categories[i % 4])

    # The same on a scratch configuration, COPY against bulk_create.
    scratch = LogicalConfiguration.objects.create(hall=hall, name="Scratch")
    compare = COMPARE_BLOCKS * ROWS * SEATS_PER_ROW
    timings = {}
    for method in ("copy", "bulk_create"):
        scratch_zones = Zone.objects.bulk_create(
            Zone(configuration=scratch, name=f"{method} {i}") for i in range(COMPARE_BLOCKS)
        )
        with step(f"  compare: {COMPARE_BLOCKS} blocks by {method}", f"{compare:,} seats") as box:
            started = time.perf_counter()
            for zone in scratch_zones:
                services.seats_create_block(zone=zone, rows=ROWS, seats_per_row=SEATS_PER_ROW,
                                            category=categories[0], method=method)
            timings[method] = time.perf_counter() - started
    print(f"  bulk_create / COPY time ratio: {timings['bulk_create'] / timings['copy']:.1f}×")
    scratch.zones.all().delete()
    scratch.delete()

    event = Event.objects.create(institution=institution, code="L2", name="League",
                                 kind=Event.Kind.COMPETITION, season=2027)
    first = timezone.make_aware(dt.datetime(2027, 8, 6, 20, 0))
    with step(f"{PERFORMANCES} performances, prices, activity profile"):
        performances = Performance.objects.bulk_create(
            Performance(event=event, configuration=config, start=first + dt.timedelta(weeks=2 * i))
            for i in range(PERFORMANCES)
        )
        tariffs = [Tariff.objects.create(institution=institution, code=c, name=c)
                   for c in ("PLEIN", "REDUIT")]
        Price.objects.bulk_create(Price(event=event, category=c, tariff=t, amount_cents=2000)
                                  for c in categories for t in tariffs)
        profile = ActivityProfile.objects.create(institution=institution, name="TN",
                                                 channel=channel)
        profile.events.add(event)

    with step("allocate every seat of every performance", "") as box:
        created = services.quota_allocate_seats(performances=performances, quota=quota)
        box["note"] = f"{created:,} allocations"
    assert SeatAllocation.objects.filter(quota=quota).count() == total * PERFORMANCES
    with step("allocate again (nothing new)") as box:
        box["note"] = f"{services.quota_allocate_seats(performances=performances, quota=quota)}"

    with step("fill in every code by the suggestions") as box:
        box["note"] = f"{correspondences_fill_suggestions(interface=interface).created} codes"
    with step("grid rows (catalogue + codes + suggestions)") as box:
        with CaptureQueriesContext(connection) as ctx:
            rows = correspondence_rows(interface=interface)
        box["note"] = f"{len(rows)} rows, {len(ctx.captured_queries)} queries"
    with step("correspondence book") as box:
        with CaptureQueriesContext(connection) as ctx:
            book = correspondence_book(interface=interface)
        box["note"] = f"{len(book)} codes, {len(ctx.captured_queries)} queries"
    with step("event readiness of the stadium event") as box:
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            problems = event_readiness(interface=interface, event=event)
        box["note"] = f"{len(problems)} problems, {len(ctx.captured_queries)} queries"
    with step("release every seat of the quota") as box:
        box["note"] = f"{services.quota_release_seats(performances=performances, quota=quota):,}"
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
