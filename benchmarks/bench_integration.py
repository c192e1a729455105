"""Sales integration throughput: 100,000 and 1,000,000 simulator operations into PostgreSQL,
end to end (a separate simulator process serves listOperations over HTTP; the integrating
process lists, resolves, applies and commits page by page), beside a plain COPY of the same
rows as the ceiling.

A hall of 20 blocks × 25 rows × 40 seats (20,000 seats) and a 10,000-place standing zone, an
event of 10 performances, all in the Ticketnet quota (300,000 places to sell); the simulator
generates the operations (`generate`: about 84 % sales, 8 % duplicates, 8 % refunds, more
duplicates and refunds once the hall is full).

Each integration runs in a fresh child process: time and peak RSS (VmHWM) without tracemalloc, then
again with tracemalloc for its peak of Python allocations (that run is slower; its time is not
the figure). Runs in a database of its own (`<name>_bench_integration`), dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_integration \
        .venv/bin/python benchmarks/bench_integration.py [--sizes 100000,1000000] [--page-size N] \
        [--private-cluster]

BENCH_GC_STATS=1 prints the time Python's cyclic collector took in the integrating process;
BENCH_KEEP_DATABASE=1 keeps the database (and the floor's tables) to look into afterwards.

--private-cluster runs the same sizes again on a PostgreSQL cluster of the benchmark's own,
started with the production settings (deploy/postgresql.conf, as docker-compose.yml) by
initdb / pg_ctl on a free port and removed at the end, and prints both side by side.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's packages

from benchmarks.harness import (  # noqa: E402
    INTERFACE_NAME,
    Simulator,
    bench_database,
    cpu_seconds,
    event_on_sale,
    manage,
    numbered_blocks,
    peak_rss_mib,
    private_cluster,
    rss_mib,
    server_cpu_seconds,
    server_settings,
    ticketnet_interface,
    use_django,
)

BLOCKS, ROWS, SEATS_PER_ROW, PERFORMANCES, STANDING = 20, 25, 40, 10, 10_000
MANIFESTATION = "1701"


# The catalogue and its export ---------------------------------------------------------------


def build(simulator_url: str) -> None:
    """The bridge's catalogue with codes, exported to the simulator with the gateway."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from catalog import services
    from catalog.models import Hall, LogicalConfiguration, Price, Seat, SeatCategory, Zone
    from catalog.series import seat_series
    from mappings.models import Correspondence, Kind, correspondence_codes_write
    from mappings.suggestions import start_code
    from ticketnet_gateway import types as t
    from ticketnet_gateway.client import TicketnetClient
    from ticketnet_simulator.state import (
        DEMO_INSTITUTION_CODE,
        DEMO_LOGIN,
        DEMO_PASSWORD,
    )

    call_command("migrate", verbosity=0)
    interface = ticketnet_interface(url=simulator_url, login=DEMO_LOGIN, password=DEMO_PASSWORD,
                                    institution_code=DEMO_INSTITUTION_CODE)
    institution, quota = interface.institution, interface.external_quota
    categories = [SeatCategory.objects.create(institution=institution, name=f"Cat {i}", rank=i)
                  for i in (1, 2, 3)]
    config = LogicalConfiguration.objects.create(
        hall=Hall.objects.create(institution=institution, name="Arena"), name="Concert")
    zones = numbered_blocks(configuration=config, count=BLOCKS, rows=ROWS,
                            seats_per_row=SEATS_PER_ROW, categories=categories[:2])
    pit = Zone.objects.create(configuration=config, name="Pit", numbered=False,
                              capacity=STANDING, category=categories[2])
    first = timezone.make_aware(dt.datetime(2027, 3, 1, 20, 30))
    event, perfs, tariffs = event_on_sale(
        interface=interface, configuration=config,
        starts=[first + dt.timedelta(days=i) for i in range(PERFORMANCES)],
        full_prices=dict(zip(categories, (6500, 4500, 3500), strict=True)),
        code="BENCH", name="Tour")
    services.quota_allocate_seats(performances=perfs, quota=quota)
    services.quota_allocate_places(performances=perfs, quota=quota, zones=[pit])

    codes = [Correspondence(interface=interface, kind=Kind.EVENT, code=MANIFESTATION,
                            event=event),
             Correspondence(interface=interface, kind=Kind.CONFIGURATION, code="1",
                            configuration=config)]
    codes += [Correspondence(interface=interface, kind=Kind.ZONE, code=str(100 + i),
                             zone=z) for i, z in enumerate([*zones, pit], start=1)]
    codes += [Correspondence(interface=interface, kind=Kind.CATEGORY, code=str(i), category=c)
              for i, c in enumerate(categories, start=1)]
    codes += [Correspondence(interface=interface, kind=Kind.TARIFF, code=str(i), tariff=tr)
              for i, tr in enumerate(tariffs, start=1)]
    correspondence_codes_write(correspondences=Correspondence.objects.bulk_create(codes),
                               replace=False)
    zone_code = {c.zone_id: c.code for c in codes if c.kind == Kind.ZONE}
    cat_code = {c.category_id: c.code for c in codes if c.kind == Kind.CATEGORY}

    seats = list(Seat.objects.filter(zone__in=zones).values_list("zone_id", "row", "number",
                                                                 "category_id"))
    client = TicketnetClient(url=simulator_url, login=DEMO_LOGIN, password=DEMO_PASSWORD,
                             institution_code=DEMO_INSTITUTION_CODE, read_timeout=300,
                             operation_timeout=600)
    client.create_manifestation(t.Manifestation(
        code=MANIFESTATION, name=event.name, hall_code="1",
        performances=tuple(t.PerformanceSpec(start_code(p.start), p.start) for p in perfs),
        seat_categories=tuple(t.NamedCode(cat_code[c.pk], c.name) for c in categories),
        tariffs=tuple(t.NamedCode(str(i), tr.name) for i, tr in enumerate(tariffs, start=1)),
        zones=tuple(
            t.ZoneSpec(zone_code[z.pk], z.name, seats=tuple(
                t.SeatSpec(r, n, cat_code[c]) for zid, r, n, c in seats if zid == z.pk))
            for z in zones) + (t.ZoneSpec(zone_code[pit.pk], pit.name, capacity=STANDING,
                                          category_code=cat_code[pit.category_id]),),
        prices=tuple(t.PriceSpec(cat_code[p.category_id], str(tariffs.index(p.tariff) + 1),
                                 p.amount_cents)
                     for p in Price.objects.filter(event=event).select_related("tariff")),
    ))
    allotted = [t.AllottedSeat(zone_code[zid], r, n, cat_code[c]) for zid, r, n, c in seats]
    # The pit as the allotment export sends it: the places of its series (README, Non-numbered
    # zones); the zone quota below then counts them.
    allotted += [t.AllottedSeat(zone_code[pit.pk], r, n, cat_code[pit.category_id])
                 for r, n in seat_series(STANDING)]
    for p in perfs:
        client.export_allotment(manifestation_code=MANIFESTATION,
                                performance_code=start_code(p.start), seats=allotted)
        client.set_zone_quota(manifestation_code=MANIFESTATION,
                              performance_code=start_code(p.start),
                              zone_code=zone_code[pit.pk], places_available=STANDING)


def reset_integration() -> None:
    """Forget every integrated operation (tickets, orders, parked lines, cursor, runs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sales_ticket, sales_order, sales_integratedoperation, "
                       "sales_parkedoperation, schedules_integrationcursor, schedules_run CASCADE")
        cursor.execute("VACUUM ANALYZE")


# The integrating child process -----------------------------------------------------------------


def child(trace: bool, page_size: int | None) -> None:
    import tracemalloc

    if trace:
        tracemalloc.start()
    use_django()
    from django.db import connection

    from schedules.framework.runner import job_run
    from schedules.framework.selectors import interface_find
    from schedules.models import Job

    interface = interface_find(name=INTERFACE_NAME)
    params = {"page_size": page_size} if page_size else {}
    with connection.cursor() as cursor:  # the backend serving this process, on this machine
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_cpu, own_cpu = cpu_seconds(backend), cpu_seconds()
    server_cpu = server_cpu_seconds(backend)
    if os.environ.get("BENCH_RSS_PER_PAGE"):
        from schedules.jobs import sales_integration

        store = sales_integration.cursor_store

        def traced_store(**kw):
            store(**kw)
            print(f"page RSS now {rss_mib():.0f} MiB, peak {peak_rss_mib():.0f} MiB",
                  file=sys.stderr, flush=True)

        sales_integration.cursor_store = traced_store
    gc_seconds = [0.0, 0]
    if os.environ.get("BENCH_GC_STATS"):  # the time Python's cyclic collector takes
        import gc

        gc_started = [0.0]

        def gc_timer(phase, info):
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                gc_seconds[0] += time.perf_counter() - gc_started[0]
                gc_seconds[1] += info["generation"] == 2

        gc.callbacks.append(gc_timer)
    profile_to = os.environ.get("BENCH_PROFILE")
    if profile_to:  # pyinstrument (pip install pyinstrument): not a dependency of the project
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    run = job_run(interface_id=interface.pk, job=Job.SALES_INTEGRATION, params=params)
    elapsed = time.perf_counter() - started
    backend_cpu, own_cpu = cpu_seconds(backend) - backend_cpu, cpu_seconds() - own_cpu
    server_cpu = server_cpu_seconds(backend) - server_cpu
    if profile_to:
        profiler.stop()
        Path(profile_to).write_text(profiler.output_text(unicode=True, show_all=False))
    peak_traced = tracemalloc.get_traced_memory()[1] if trace else None
    if os.environ.get("BENCH_GC_STATS"):
        print(f"cyclic GC: {gc_seconds[0]:.1f} s, {gc_seconds[1]} full collections",
              file=sys.stderr)
    print(json.dumps({
        "status": run.status, "counts": run.counts, "messages": run.messages[:3],
        "seconds": elapsed,
        "rss_mib": peak_rss_mib(),
        "cpu": {"integration": own_cpu, "backend": backend_cpu, "postgresql": server_cpu},
        "traced_mib": peak_traced / 2**20 if trace else None,
    }))


def integrate(trace: bool, page_size: int | None) -> dict:
    args = [sys.executable, __file__, "--child"] + (["--trace"] if trace else [])
    if page_size:
        args += ["--page-size", str(page_size)]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=os.environ)
    if proc.returncode:
        sys.exit(f"child failed:\n{proc.stderr[-3000:]}")
    if os.environ.get("BENCH_RSS_PER_PAGE") or os.environ.get("BENCH_GC_STATS"):
        print("\n".join(line for line in proc.stderr.splitlines()
                        if "page RSS" in line or "cyclic GC" in line))
    return json.loads(proc.stdout.strip().splitlines()[-1])


# The ticket table's indexes before sales 0011 (dropped: category, tariff and order; the seat's
# made partial): created for the floor as it was, and undone.
_BEFORE_0011 = (
    ["CREATE INDEX bench_before_category ON sales_ticket (category_id)",
     "CREATE INDEX bench_before_tariff ON sales_ticket (tariff_id)",
     "CREATE INDEX bench_before_order ON sales_ticket (order_id)",
     "CREATE INDEX bench_before_seat ON sales_ticket (seat_id)",
     "DROP INDEX ticket_seat"],
    ["DROP INDEX bench_before_category, bench_before_tariff, bench_before_order, "
     "bench_before_seat",
     "CREATE INDEX ticket_seat ON sales_ticket (seat_id) WHERE seat_id IS NOT NULL"],
)


def writes_floors(page_size: int | None) -> dict[str, tuple[float, dict[str, float]]]:
    """Replay only the writes the integration made, page by page and in the same order (ended
    tickets updated, new tickets inserted, operation ids recorded, one transaction a page),
    into the same tables with the same indexes and constraints, from server-side copies of
    the rows: no Ticketnet, no reading, no Python per row. What the database alone costs for
    this journal on this machine: a floor under the integration's time, with the time of each
    kind of write (the commit runs the deferred foreign-key checks).

    Twice: with the schema as it is ("now"), then with the ticket indexes as they were before
    sales 0011 ("before 0011"), in this order (the second replay finds the server's caches
    warmer: if anything, in the old schema's favour). Leaves the tables as the integration
    left them."""
    from django.db import connection

    from schedules.jobs.sales_integration import PAGE_SIZE

    page_size = page_size or PAGE_SIZE
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ops, bench_tickets")
        cursor.execute("CREATE TABLE bench_ops AS SELECT *, (row_number() OVER (ORDER BY id) - 1)"
                       " / %s AS page FROM sales_integratedoperation", [page_size])
        cursor.execute("CREATE INDEX ON bench_ops (operation_id)")
        cursor.execute("CREATE INDEX ON bench_ops (page)")
        cursor.execute(
            "CREATE TABLE bench_tickets AS SELECT t.*, b.page AS born, e.page AS ended "
            "FROM sales_ticket t JOIN bench_ops b ON b.operation_id = t.operation_id "
            "LEFT JOIN bench_ops e ON e.operation_id = t.ended_by_operation_id")
        cursor.execute("CREATE INDEX ON bench_tickets (born)")
        cursor.execute("CREATE INDEX ON bench_tickets (ended)")
        cursor.execute("ANALYZE bench_ops")
        cursor.execute("ANALYZE bench_tickets")
        cursor.execute("SELECT max(page) FROM bench_ops")
        pages = cursor.fetchone()[0] + 1
    floors = {"now": _writes_replay(pages)}
    create, undo = _BEFORE_0011
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    try:
        floors["before 0011"] = _writes_replay(pages)
    finally:
        with connection.cursor() as cursor:
            for sql in undo:
                cursor.execute(sql)
    if not os.environ.get("BENCH_KEEP_DATABASE"):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_ops, bench_tickets")
    return floors


def _writes_replay(pages: int) -> tuple[float, dict[str, float]]:
    """The tables emptied, then the integration's writes replayed from the bench tables."""
    from django.db import connection, transaction

    from sales.models import Ticket

    columns = [f.column for f in Ticket._meta.concrete_fields]
    as_sold = ", ".join(
        "CASE WHEN b.ended = b.born THEN b.state ELSE 'valid' END" if c == "state" else
        "CASE WHEN b.ended = b.born THEN b.ended_by_operation_id ELSE '' END"
        if c == "ended_by_operation_id" else
        "CASE WHEN b.ended = b.born THEN b.ended_at END" if c == "ended_at" else f"b.{c}"
        for c in columns)
    with connection.cursor() as cursor:
        # CASCADE: the reconciliation's differences reference tickets (none here).
        cursor.execute("TRUNCATE sales_ticket, sales_integratedoperation CASCADE")
        cursor.execute("VACUUM ANALYZE sales_ticket, sales_integratedoperation")
    parts = dict.fromkeys(("updates", "tickets", "ids", "commits"), 0.0)
    clock = time.perf_counter

    def timed(part, cursor, sql, params):
        t0 = clock()
        cursor.execute(sql, params)
        parts[part] += clock() - t0

    started = clock()
    for page in range(pages):
        atomic = transaction.atomic()
        atomic.__enter__()
        with connection.cursor() as cursor:
            timed("updates", cursor,  # as the engine: ending first frees the places
                "UPDATE sales_ticket t SET state = b.state, "
                "ended_by_operation_id = b.ended_by_operation_id, ended_at = b.ended_at "
                "FROM bench_tickets b "
                "WHERE b.ended = %s AND b.born < %s AND t.id = b.id", [page, page])
            timed("tickets", cursor,
                  f"INSERT INTO sales_ticket ({', '.join(columns)}) "  # noqa: S608
                  f"SELECT {as_sold} FROM bench_tickets b WHERE b.born = %s ORDER BY b.id",
                  [page])
            timed("ids", cursor,
                  "INSERT INTO sales_integratedoperation (id, interface_id, operation_id, "
                  "type, integrated_at) SELECT id, interface_id, operation_id, type, "
                  "integrated_at FROM bench_ops WHERE page = %s", [page])
        t0 = clock()
        atomic.__exit__(None, None, None)
        parts["commits"] += clock() - t0
    return clock() - started, parts


def copy_ceiling(state: Path) -> tuple[int, float]:
    """COPY the journal's rows (read from the simulator's file beforehand) into a table."""
    from django.db import connection

    rows = sqlite3.connect(state).execute(
        "SELECT seq, type, ticket_number, original_ticket_number, manifestation_code, "
        "performance_code, zone_code, row, seat, category_code, tariff_code, price_cents, "
        "currency, time, point_of_sale, buyer_last_name, buyer_first_name, buyer_city, "
        "buyer_postal_code, buyer_country FROM operation ORDER BY seq").fetchall()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_copy (id bigint, type text, ticket text, original text, "
            "manifestation text, performance text, zone text, row integer, seat integer, "
            "category text, tariff text, price integer, currency text, time timestamptz, "
            "pos text, last_name text, first_name text, city text, postal text, country text)")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    count = len(rows)
    del rows
    return count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--page-size", type=int)
    parser.add_argument("--no-trace-runs", action="store_true",
                        help="skip the tracemalloc runs")
    parser.add_argument("--profile", metavar="FILE",
                        help="profile the integrating process with pyinstrument into FILE")
    parser.add_argument("--private-cluster", action="store_true",
                        help="then run again on a cluster of its own with the production "
                             "settings (deploy/postgresql.conf) and compare")
    parser.add_argument("--figures-to", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.trace, args.page_size)

    if args.profile:
        os.environ["BENCH_PROFILE"] = str(Path(args.profile).resolve())
    work = Path(tempfile.mkdtemp(prefix="bench-integration-"))
    try:
        with bench_database("bench_integration"):
            use_django()
            figures = run(work, sizes=[int(s) for s in args.sizes.split(",")],
                          page_size=args.page_size, trace_runs=not args.no_trace_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.figures_to:
        Path(args.figures_to).write_text(json.dumps(figures))
    if args.private_cluster:
        compare(figures, args)


def compare(stock: list[dict], args) -> None:
    """The same sizes again on a private cluster with the production settings, in a process
    of their own (Django is set up on one database a process), and both side by side."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out, private_cluster() as url:
        print(f"\nThe same on a private cluster with deploy/postgresql.conf ({url}):",
              flush=True)
        command = [sys.executable, __file__, "--sizes", args.sizes, "--figures-to", out.name]
        command += ["--page-size", str(args.page_size)] if args.page_size else []
        command += ["--no-trace-runs"] if args.no_trace_runs else []
        subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "DATABASE_URL": url})
        tuned = json.loads(Path(out.name).read_text())
    print("\nstock server against production settings, same journal:")
    print(f"{'operations':>10} | {'integration':>19} | {'floor':>17} | "
          f"{'floor before 0011':>17} | {'integration/floor':>17} | {'WAL written':>17}")
    for a, b in zip(stock, tuned, strict=True):
        print(f"{a['size']:>10,} | {a['seconds']:>7.1f} s {b['seconds']:>7.1f} s | "
              f"{a['floor']:>6.1f} s {b['floor']:>6.1f} s | "
              f"{a['floor_before']:>6.1f} s {b['floor_before']:>6.1f} s | "
              f"{a['seconds'] / a['floor']:>7.2f}× {b['seconds'] / b['floor']:>7.2f}× | "
              f"{a['wal_mib']:>6,.0f} {b['wal_mib']:>6,.0f} MiB")


_SHOWN_SETTINGS = ["shared_buffers", "max_wal_size", "checkpoint_timeout", "work_mem",
                   "wal_compression", "synchronous_commit"]


def table_mib(table: str) -> float:
    """A table's size with its indexes and TOAST, in MiB."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        return cursor.fetchone()[0] / 2**20


def wal_position() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def wal_since(position: str) -> float:
    """MiB of WAL written on the server since `position`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [position])
        return float(cursor.fetchone()[0]) / 2**20


def run(work: Path, *, sizes: list[int], page_size: int | None,
        trace_runs: bool) -> list[dict]:
    from django.db import connection

    from channels.models import ExternalSalesInterface

    base_state = work / "base.sqlite3"
    t0 = time.perf_counter()
    with Simulator(base_state) as sim:
        build(sim.url)
    print(f"catalogue built and exported to the simulator in {time.perf_counter() - t0:.1f} s:"
          f" {BLOCKS * ROWS * SEATS_PER_ROW:,} seats + {STANDING:,} places × "
          f"{PERFORMANCES} performances in the quota", flush=True)
    print(f"database {connection.settings_dict['NAME']}; page size "
          f"{page_size or 'default'}; {os.cpu_count()} CPUs; " + ", ".join(
              f"{k} {v}" for k, v in server_settings(_SHOWN_SETTINGS).items()), flush=True)
    print(f"{'operations':>10} {'integration':>12} {'ops/s':>8} {'peak RSS':>9} "
          f"{'traced':>8} | {'COPY':>7} {'ops/s':>9} {'ratio':>6}", flush=True)
    figures = []
    for size in sizes:
        state = work / f"state-{size}.sqlite3"
        shutil.copy(base_state, state)
        t0 = time.perf_counter()
        manage("ticketnet_simulator", "generate", "--count", str(size), "--state", str(state))
        generated = time.perf_counter() - t0
        copied, copy_seconds = copy_ceiling(state)
        with Simulator(state) as sim:
            os.environ["BENCH_SIMULATOR_URL"] = sim.url
            ExternalSalesInterface.objects.filter(internal_name=INTERFACE_NAME).update(url=sim.url)
            reset_integration()
            sim_cpu = cpu_seconds(sim.pid)
            wal = wal_position()
            plain = integrate(False, page_size)
            wal_mib = wal_since(wal)
            sim_cpu = cpu_seconds(sim.pid) - sim_cpu
            ticket_mib = table_mib("sales_ticket")
            floors = writes_floors(page_size)
            floor, floor_parts = floors["now"]
            traced = None
            if trace_runs:
                reset_integration()
                traced = integrate(True, page_size)
        counts = plain["counts"]
        assert plain["status"] == "ok", plain
        assert counts["operations"] == size, counts
        rate = size / plain["seconds"]
        copy_rate = copied / copy_seconds
        print(f"{size:>10,} {plain['seconds']:>10.1f} s {rate:>8,.0f} "
              f"{plain['rss_mib']:>6.0f} MiB "
              f"{(traced or {}).get('traced_mib') or 0:>5.0f} MiB | "
              f"{copy_seconds:>5.1f} s {copy_rate:>9,.0f} {copy_rate / rate:>5.1f}×",
              flush=True)
        print(f"{'':>10} sold {counts.get('sold', 0):,}, duplicated "
              f"{counts.get('duplicated', 0):,}, refunded {counts.get('refunded', 0):,}, "
              f"parked {counts.get('parked', 0):,}; {counts['pages']} pages; generated by "
              f"the simulator in {generated:.0f} s; {wal_mib:,.0f} MiB of WAL written; "
              f"the ticket table with its indexes {ticket_mib:,.0f} MiB",
              flush=True)
        cpu = plain["cpu"]
        total_cpu = cpu["integration"] + cpu["postgresql"] + sim_cpu
        print(f"{'':>10} CPU: integrating process {cpu['integration']:.1f} s "
              f"({cpu['integration'] * 1e6 / size:.0f} µs/op), PostgreSQL "
              f"{cpu['postgresql']:.1f} s ({cpu['postgresql'] * 1e6 / size:.0f} µs/op; "
              f"the run's reading backend {cpu['backend']:.1f} s, the rest its writer's "
              f"and the server's own processes), "
              f"simulator {sim_cpu:.1f} s ({sim_cpu * 1e6 / size:.0f} µs/op); "
              f"{total_cpu:.1f} CPU-s in all for {os.cpu_count()} cores", flush=True)
        print(f"{'':>10} PostgreSQL's floor: the same writes alone (same pages and order, "
              f"indexes and constraints; no reading, no Python per row) {floor:.1f} s "
              f"({size / floor:,.0f} ops/s): " + ", ".join(
                  f"{k} {v:.1f} s" for k, v in floor_parts.items()), flush=True)
        before, before_parts = floors["before 0011"]
        print(f"{'':>10} the floor with the ticket indexes before sales 0011 (category, "
              f"tariff, order, every seat): {before:.1f} s: " + ", ".join(
                  f"{k} {v:.1f} s" for k, v in before_parts.items())
              + f"; now {floor:.1f} s, {floor / before:.2f}× that", flush=True)
        print(f"{'':>10} integration / floor {plain['seconds'] / floor:.2f}×", flush=True)
        figures.append({"size": size, "seconds": plain["seconds"], "floor": floor,
                        "floor_before": before,
                        "floor_parts": floor_parts, "copy": copy_seconds,
                        "rss_mib": plain["rss_mib"], "cpu": cpu, "wal_mib": wal_mib})
        state.unlink()
    return figures


if __name__ == "__main__":
    main()
