"""A stadium in bulk: 80 blocks × 25 rows × 40 seats (80,000 seats), 19 performances, every
seat of every performance in the Ticketnet quota (1.52 M allocations).

Runs against DATABASE_URL's server in a database of its own (`<name>_bench`), created,
migrated and dropped here. Prints time and peak Python memory (tracemalloc) per step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_catalog \
        .venv/bin/python benchmarks/bench_stadium.py [--blocks 80] [--performances 19]
"""

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages

from benchmarks.harness import (  # noqa: E402
    bench_database,
    event_on_sale,
    numbered_blocks,
    step,
    ticketnet_interface,
    use_django,
)

BLOCKS, ROWS, SEATS_PER_ROW, PERFORMANCES = 80, 25, 40, 19
COMPARE_BLOCKS = 10


def size_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The stadium's size, for this benchmark and the others built on it."""
    parser.add_argument("--blocks", type=int, default=BLOCKS,
                        help=f"blocks of {ROWS} × {SEATS_PER_ROW} seats (default {BLOCKS})")
    parser.add_argument("--performances", type=int, default=PERFORMANCES,
                        help=f"performances of the competition (default {PERFORMANCES})")
    return parser


def main() -> None:
    args = size_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0])
                          ).parse_args()
    with bench_database("bench"):
        use_django()
        run(blocks=args.blocks, performances=args.performances)


def run(*, blocks: int, performances: int) -> None:
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from catalog import services
    from mappings.selectors import correspondence_book, correspondence_rows, event_readiness
    from mappings.services import correspondences_fill_suggestions

    print(f"database {connection.settings_dict['NAME']} on {connection.vendor}")
    with step("migrate the bench database"):
        call_command("migrate", verbosity=0)

    stadium = create_stadium(blocks=blocks, performances=performances)
    interface, event, quota = stadium.interface, stadium.event, stadium.quota
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
        released = services.quota_release_seats(performances=stadium.performances, quota=quota)
        box["note"] = f"{released:,}"
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def create_stadium(*, blocks: int = BLOCKS, performances: int = PERFORMANCES,
                   url: str = "127.0.0.1:7999", login: str = "bench",
                   password: str | None = None, compare: bool = True) -> SimpleNamespace:
    """The stadium, its competition and every seat in the quota (the bulk paths timed by
    `step`); other benchmarks import it (bench_allotment_export.py)."""
    from django.utils import timezone

    from catalog import services
    from catalog.models import Event, Hall, LogicalConfiguration, SeatAllocation, SeatCategory

    interface = ticketnet_interface(url=url, login=login, password=password)
    institution, quota = interface.institution, interface.external_quota
    categories = [SeatCategory.objects.create(institution=institution, name=f"Cat {i}", rank=i)
                  for i in range(1, 5)]
    hall = Hall.objects.create(institution=institution, name="Stadium")
    config = LogicalConfiguration.objects.create(hall=hall, name="Football")
    total = blocks * ROWS * SEATS_PER_ROW
    with step(f"seats: {blocks} blocks × {ROWS} × {SEATS_PER_ROW} (COPY)", f"{total:,} seats"):
        zones = numbered_blocks(configuration=config, count=blocks, rows=ROWS,
                                seats_per_row=SEATS_PER_ROW, categories=categories)

    if compare:
        compare_bulk_paths(hall=hall, category=categories[0], blocks=min(blocks, COMPARE_BLOCKS))

    first = timezone.make_aware(dt.datetime(2027, 8, 6, 20, 0))
    with step(f"{performances} performances, prices, activity profile"):
        event, performance_rows, _tariffs = event_on_sale(
            interface=interface, configuration=config,
            starts=[first + dt.timedelta(weeks=2 * i) for i in range(performances)],
            full_prices=dict.fromkeys(categories, 2000),
            code="L2", name="League", kind=Event.Kind.COMPETITION)

    with step("allocate every seat of every performance", "") as box:
        created = services.quota_allocate_seats(performances=performance_rows, quota=quota)
        box["note"] = f"{created:,} allocations"
    assert SeatAllocation.objects.filter(quota=quota).count() == total * performances
    with step("allocate again (nothing new)") as box:
        again = services.quota_allocate_seats(performances=performance_rows, quota=quota)
        box["note"] = f"{again}"

    return SimpleNamespace(institution=institution, channel=interface.channel, quota=quota,
                           interface=interface, event=event, performances=performance_rows,
                           configuration=config, zones=zones, total_seats=total)


def compare_bulk_paths(*, hall, category, blocks: int) -> None:
    """The same blocks on a scratch configuration, COPY against bulk_create."""
    from catalog import services
    from catalog.models import LogicalConfiguration, Zone

    scratch = LogicalConfiguration.objects.create(hall=hall, name="Scratch")
    compare = blocks * ROWS * SEATS_PER_ROW
    timings = {}
    for method in ("copy", "bulk_create"):
        scratch_zones = Zone.objects.bulk_create(
            Zone(configuration=scratch, name=f"{method} {i}") for i in range(blocks)
        )
        with step(f"  compare: {blocks} blocks by {method}", f"{compare:,} seats"):
            started = time.perf_counter()
            for zone in scratch_zones:
                services.seats_create_block(zone=zone, rows=ROWS, seats_per_row=SEATS_PER_ROW,
                                            category=category, method=method)
            timings[method] = time.perf_counter() - started
    print(f"  bulk_create / COPY time ratio: {timings['bulk_create'] / timings['copy']:.1f}×")
    scratch.zones.all().delete()
    scratch.delete()


if __name__ == "__main__":
    main()
