"""Parked lines replayed in Ticketnet's journal order (issue 10, item 3), end to end in
PostgreSQL against the simulator (a process of its own), each run in a fresh child process as
in bench_integration.py:

1. The issue's scenario: a small hall sold out many times over, 30,000 operations generated,
   a tariff code missing; integrated, the code entered, one retry (the next run). Printed:
   what was parked and waiting, what the retry did, and whether the tickets are exactly those
   of a run that had the code from the start.
2. The retry's throughput beside the integration's: bench_integration.py's hall, 100,000
   operations integrated with every code (operations/s), then again with the event's code
   missing (every line parked or waiting), the code entered, one retry (parked lines/s).

Runs in a database of its own (`<name>_bench_replay`), dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_replay \\
        .venv/bin/python benchmarks/bench_replay.py [--scenario 30000] [--throughput 100000]
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages

from benchmarks import bench_integration as bench  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    INTERFACE_NAME,
    Simulator,
    bench_database,
    manage,
    use_django,
)

# The scenario's hall: 2 blocks × 10 rows × 20 seats and 300 standing places, 2 performances
# (1,000 places to sell 30,000 times: refunded places are sold again, often under another
# tariff than the parked sale they were refunded from).
SMALL_HALL = {"BLOCKS": 2, "ROWS": 10, "SEATS_PER_ROW": 20, "PERFORMANCES": 2, "STANDING": 300}
BIG_HALL = {name: getattr(bench, name) for name in SMALL_HALL}
PAGE_SIZE = 5000


def digest() -> tuple[int, str]:
    """The interface's tickets as the operator sees them (number, state, place, prices,
    original's number, operations, sale time), as a count and one hash."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(string_agg(concat_ws('|', t.number, t.state, "
            "t.performance_id, t.seat_id, t.zone_id, t.series_row, t.series_number, "
            "t.category_id, t.tariff_id, t.price_cents, t.reseller_price_cents, o.number, "
            "t.operation_id, t.ended_by_operation_id, t.ended_at, t.sold_at), ',' "
            "ORDER BY t.number)) "
            "FROM sales_ticket t LEFT JOIN sales_ticket o ON o.id = t.original_id")
        return cursor.fetchone()


def open_parked() -> dict[str, int]:
    from django.db.models import Count

    from sales.models import ParkedOperation

    return dict(ParkedOperation.objects.filter(resolved_at=None).values_list("reason")
                .annotate(n=Count("pk")).values_list("reason", "n"))


def code_remove(kind: str, code: str):
    """Take a code out of the interface's correspondences; gives back a function that puts
    it back (the operator entering it)."""
    from mappings.models import Correspondence

    row = Correspondence.objects.get(interface__internal_name=INTERFACE_NAME, kind=kind,
                                     code=code)
    target = {f: getattr(row, f) for f in ("event_id", "tariff_id") if getattr(row, f)}
    row.delete()

    def enter():
        Correspondence.objects.create(interface=row.interface, kind=kind, code=code, **target)
    return enter


def analyze() -> None:
    """Current statistics before a run, as autovacuum would have them after the last."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run() -> dict:
    done = bench.integrate(False, PAGE_SIZE)
    assert done["status"] in ("ok", "warning"), done
    return done


def world(size: int, hall: dict, work: Path) -> Simulator:
    """The hall built and exported, `size` operations generated, the simulator serving
    them."""
    for name, value in hall.items():
        setattr(bench, name, value)  # build() reads the hall's sizes from its module
    base = work / f"base-{size}.sqlite3"
    with Simulator(base) as sim:
        bench.build(sim.url)
    state = work / f"state-{size}.sqlite3"
    shutil.copy(base, state)
    manage("ticketnet_simulator", "generate", "--count", str(size), "--state", str(state))
    sim = Simulator(state)
    from channels.models import ExternalSalesInterface

    ExternalSalesInterface.objects.filter(internal_name=INTERFACE_NAME).update(url=sim.url)
    return sim


def scenario(size: int, work: Path) -> None:
    from mappings.models import Kind

    sim = world(size, SMALL_HALL, work)
    try:
        bench.reset_integration()
        expected = run(), digest()
        bench.reset_integration()
        enter = code_remove(Kind.TARIFF, "2")
        first = run()
        enter()
        analyze()
        retried = run()
    finally:
        sim.stop()
    counts, again = first["counts"], retried["counts"]
    print(f"scenario: {size:,} operations on {2 * 20 * 20 + 300:,} places × 2 performances, "
          f"tariff code 2 missing, then entered, one retry", flush=True)
    print(f"  with the code from the start: {expected[0]['counts'].get('sold', 0):,} sold, "
          f"{expected[0]['counts'].get('duplicated', 0):,} duplicated, "
          f"{expected[0]['counts'].get('refunded', 0):,} refunded, "
          f"{expected[0]['counts'].get('parked', 0):,} parked", flush=True)
    print(f"  code missing: {counts.get('parked', 0):,} parked (problems) + "
          f"{counts.get('waiting', 0):,} waiting for them, of {counts['operations']:,}; "
          f"{counts.get('sold', 0):,} sold meanwhile", flush=True)
    print(f"  retry: {again.get('parked_retried', 0):,} lines replayed in "
          f"{retried['seconds']:.1f} s, {again.get('resolved_parked', 0):,} went through, "
          f"still parked {again.get('still_parked', 0):,}, still waiting "
          f"{again.get('still_waiting', 0):,}; open parked lines now: {open_parked() or 0}",
          flush=True)
    same = digest() == expected[1]
    print(f"  tickets identical to the run with the code: {'yes' if same else 'NO'} "
          f"({expected[1][0]:,} tickets)", flush=True)


def throughput(size: int, work: Path) -> None:
    from mappings.models import Kind

    sim = world(size, BIG_HALL, work)
    try:
        bench.reset_integration()
        integrated = run()
        expected = digest()
        bench.reset_integration()
        enter = code_remove(Kind.EVENT, bench.MANIFESTATION)
        parked = run()
        enter()
        analyze()
        retried = run()
    finally:
        sim.stop()
    lines = retried["counts"].get("parked_retried", 0)
    rate, retry_rate = size / integrated["seconds"], lines / retried["seconds"]
    print(f"throughput: {size:,} operations on bench_integration's hall", flush=True)
    print(f"  integration with every code: {integrated['seconds']:.1f} s, {rate:,.0f} ops/s",
          flush=True)
    print(f"  the event's code missing: {parked['counts'].get('parked', 0):,} parked + "
          f"{parked['counts'].get('waiting', 0):,} waiting in {parked['seconds']:.1f} s",
          flush=True)
    print(f"  retry of {lines:,} parked lines: {retried['seconds']:.1f} s, {retry_rate:,.0f} "
          f"lines/s ({retry_rate / rate:.2f}× the integration's); still parked "
          f"{retried['counts'].get('still_parked', 0):,}, tickets identical: "
          f"{'yes' if digest() == expected else 'NO'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", type=int, default=30_000)
    parser.add_argument("--throughput", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    try:
        with bench_database("bench_replay"):
            use_django()
            logging.getLogger("ticketnet_gateway").setLevel(logging.WARNING)  # the export
            print(f"{os.cpu_count()} CPUs; page size {PAGE_SIZE}", flush=True)
            if args.scenario:
                t0 = time.perf_counter()
                scenario(args.scenario, work)
                print(f"  ({time.perf_counter() - t0:.0f} s in all)", flush=True)
            if args.throughput:
                from django.core.management import call_command

                call_command("flush", interactive=False, verbosity=0)  # the scenario's world
                throughput(args.throughput, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
