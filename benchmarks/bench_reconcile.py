"""The reconciliation at scale (issue 12): 1,000,000 tickets in our books against Ticketnet's
sales statement of the same tickets, end to end through the job (read the file, COPY, compare
in the database, save the differences), beside a plain COPY of the same lines.

Builds its own database (`<DATABASE_URL's name>_bench_reconcile`): an interface with codes, one
event of PERFORMANCES performances on a standing zone, the tickets written by SQL
(generate_series), one in twenty refunded; the statement written by the gateway's writer
(a sale record per ticket, a cancellation record per refund). A few differences are planted
(tickets missing from the statement, prices changed on our side) so the compare saves some.
The reconciliation runs in a fresh child process, whose peak RSS (VmHWM) is printed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_recon \\
        .venv/bin/python benchmarks/bench_reconcile.py [--tickets 1000000] [--no-buyer]

Targets: < 30 s end to end, < 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages
os.environ.setdefault("SIMULATOR_ENABLED", "1")

from benchmarks.harness import bench_database, step, ticketnet_interface, use_django  # noqa: E402

PERFORMANCES = 8
PLANTED = 10  # tickets left out of the statement, and as many repriced here
MANIFESTATION, ZONE, CATEGORY, TARIFF = "2701", "601", "1", "1"
PRICE = 2500


def build(*, tickets: int) -> dict:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.harness import event_on_sale
    from catalog.models import Hall, LogicalConfiguration, SeatCategory, Zone
    from mappings.models import Correspondence, Kind, correspondence_codes_write
    from sales.models import Order

    call_command("migrate", verbosity=0)
    interface = ticketnet_interface(url="127.0.0.1:9", login="bench")
    institution = interface.institution
    category = SeatCategory.objects.create(institution=institution, name="Pelouse", rank=1)
    config = LogicalConfiguration.objects.create(
        hall=Hall.objects.create(institution=institution, name="Stadium"), name="Match")
    zone = Zone.objects.create(configuration=config, name="Pelouse", numbered=False,
                               capacity=tickets, category=category)
    first = timezone.make_aware(dt.datetime(2027, 3, 1, 20, 30))
    event, perfs, tariffs = event_on_sale(
        interface=interface, configuration=config,
        starts=[first + dt.timedelta(days=7 * i) for i in range(PERFORMANCES)],
        full_prices={category: PRICE}, code="BENCH", name="Ligue")
    codes = [Correspondence(interface=interface, kind=Kind.EVENT, code=MANIFESTATION,
                            event=event),
             Correspondence(interface=interface, kind=Kind.CONFIGURATION, code="1",
                            configuration=config),
             Correspondence(interface=interface, kind=Kind.ZONE, code=ZONE, zone=zone),
             Correspondence(interface=interface, kind=Kind.CATEGORY, code=CATEGORY,
                            category=category),
             Correspondence(interface=interface, kind=Kind.TARIFF, code=TARIFF,
                            tariff=tariffs[0])]
    correspondence_codes_write(correspondences=Correspondence.objects.bulk_create(codes),
                               replace=False)
    order = Order.objects.create(interface=interface, contact=interface.contact,
                                 point_of_sale=interface.point_of_sale)
    today = timezone.localdate()
    perf_ids = "{" + ",".join(str(p.pk) for p in perfs) + "}"
    with step(f"{tickets:,} tickets (generate_series)"), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO sales_ticket (interface_id, number, state, performance_id, zone_id,
                series_row, series_number, category_id, tariff_id, price_cents,
                reseller_price_cents, order_id, operation_id, ended_by_operation_id, ended_at,
                buyer_last_name, buyer_first_name, buyer_city, buyer_postal_code,
                buyer_country, sold_at)
            SELECT %(interface)s, 'BENCH' || lpad(n::text, 11, '0'),
                   CASE WHEN n %% 20 = 0 THEN 'cancelled' ELSE 'valid' END,
                   (%(perfs)s::bigint[])[1 + n %% %(nperf)s], %(zone)s,
                   1 + (n / %(nperf)s) / 1000, 1 + (n / %(nperf)s) %% 1000,
                   %(category)s, %(tariff)s,
                   CASE WHEN n < %(planted)s THEN %(price)s + 100 ELSE %(price)s END,
                   %(price)s, %(order)s, 'OP' || n,
                   CASE WHEN n %% 20 = 0 THEN 'R' || n ELSE '' END,
                   CASE WHEN n %% 20 = 0 THEN %(midnight)s + interval '13 hours' END,
                   '', '', '', '', '', %(midnight)s + (n %% 36000) * interval '1 second'
            FROM generate_series(0, %(count)s - 1) AS n""", {
            "interface": interface.pk, "perfs": perf_ids, "nperf": PERFORMANCES,
            "zone": zone.pk, "category": category.pk, "tariff": tariffs[0].pk,
            "planted": PLANTED, "price": PRICE, "order": order.pk, "count": tickets,
            "midnight": dt.datetime.combine(today, dt.time(), timezone.get_default_timezone()),
        })
        cursor.execute("ANALYZE sales_ticket")
    starts = [timezone.localtime(p.start).replace(tzinfo=None) for p in perfs]
    return {"interface": interface.internal_name, "starts": [s.isoformat() for s in starts],
            "today": today.isoformat()}


def statement_lines(*, tickets: int, starts: list):
    """The statement's records: every ticket sold, the planted ones left out (missing from the
    statement: extra here), one in twenty cancelled."""
    from ticketnet_gateway.statement import StatementBuyer, StatementLine

    buyer = StatementBuyer("Lefèvre", "Hélène", "Saint-Étienne", "42000", "FRANCE", "B12345")
    number = 0
    for n in range(tickets):
        if PLANTED <= n < 2 * PLANTED:
            continue
        start = starts[n % PERFORMANCES]
        per_perf = n // PERFORMANCES
        for cancelled in ((False, True) if n % 20 == 0 else (False,)):
            number += 1
            yield StatementLine(
                line_number=number, label="LIGUE", performance_at=start, cancelled=cancelled,
                category=CATEGORY, price_code=TARIFF, fiscal_code="", zone=ZONE,
                row=1 + per_perf // 1000, seat=1 + per_perf % 1000, amount_cents=PRICE,
                currency="EUR", ticket_id=f"BENCH{n:011d}", buyer=buyer)


def copy_floor(path: Path) -> float:
    """A plain COPY of the statement's lines, undecoded, into a temporary table."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE floor_line (line text) ON COMMIT DROP")
        with cursor.cursor.copy("COPY floor_line (line) FROM STDIN") as copy, \
                path.open("rb") as stream:
            for raw in stream:
                copy.write_row((raw.rstrip(b"\r\n").decode("cp1252"),))
    return time.perf_counter() - started


def child(args) -> None:
    """The reconciliation, alone in this process: prints its figures as JSON."""
    use_django()
    from channels.models import ExternalSalesInterface
    from reconciliation.models import Reconciliation
    from schedules.framework.runner import job_run

    interface = ExternalSalesInterface.objects.get(internal_name=args.interface)
    profile_to = os.environ.get("BENCH_PROFILE")
    if profile_to:  # pyinstrument (pip install pyinstrument): not a dependency of the project
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    run = job_run(interface_id=interface.pk, job="reconciliation", params={
        "statement": args.statement, "statement_name": Path(args.statement).name,
        "from": args.day, "to": args.day})
    seconds = time.perf_counter() - started
    if profile_to:
        profiler.stop()
        Path(profile_to).write_text(profiler.output_text(unicode=True, show_all=False))
    rec = Reconciliation.objects.get(pk=run.params["reconciliation"])
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "status": run.status,
                      "lines": run.counts.get("statement_records"),
                      "ticketnet": rec.ticketnet_lines, "ours": rec.our_tickets,
                      "matched": rec.matched, "counts": rec.counts}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--no-buyer", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--interface", help=argparse.SUPPRESS)
    parser.add_argument("--statement", help=argparse.SUPPRESS)
    parser.add_argument("--day", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    import datetime as dt

    from ticketnet_gateway.statement import AmountNotation
    from ticketnet_gateway.statement_writer import statement_write

    with bench_database("bench_reconcile"), tempfile.TemporaryDirectory() as tmp:
        use_django()
        world = build(tickets=args.tickets)
        starts = [dt.datetime.fromisoformat(s) for s in world["starts"]]
        path = Path(tmp) / "statement.txt"
        with path.open("wb") as out:  # not in a step: its tracing would slow the writer
            records = statement_write(
                statement_lines(tickets=args.tickets, starts=starts), out,
                with_buyer=not args.no_buyer, amount_notation=AmountNotation.DECIMAL_POINT,
                header=["TICKETNET RELEVE DES VENTES BENCH"], trailer=["FIN"])
        size = path.stat().st_size / 2**20
        floor = copy_floor(path)
        from django.db import connections

        connections.close_all()
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--interface", world["interface"],
             "--statement", str(path), "--day", world["today"]],
            capture_output=True, text=True, env=os.environ, check=False)
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print()
        print(f"statement: {records:,} records of {106 if args.no_buyer else 213} characters, "
              f"{size:.0f} MiB; our books: {args.tickets:,} tickets")
        print(f"{'':28}{'seconds':>9}{'lines/s':>11}{'peak RSS MiB':>14}")
        print(f"{'plain COPY of the lines':28}{floor:9.2f}{records / floor:11,.0f}{'':>14}")
        print(f"{'reconciliation, end to end':28}{figures['seconds']:9.2f}"
              f"{records / figures['seconds']:11,.0f}{figures['peak_mib']:14.1f}")
        print(f"reconciliation / COPY: {figures['seconds'] / floor:.1f}x; run {figures['status']}"
              f"; Ticketnet's tickets {figures['ticketnet']:,}, ours {figures['ours']:,}, "
              f"matched {figures['matched']:,}, differences {figures['counts']}")
        print(f"targets: < 30 s ({'met' if figures['seconds'] < 30 else 'NOT met'}), "
              f"< 300 MB ({'met' if figures['peak_mib'] < 300 else 'NOT met'})")


if __name__ == "__main__":
    main()
