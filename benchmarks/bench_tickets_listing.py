"""listTickets on a stadium performance: 80,000 seats sold (with some reprints and refunds),
every ticket listed through the client from a simulator in a process of its own; prints the
seconds, the tickets per second and the peak Python memory (tracemalloc, a second pass).

    .venv/bin/python benchmarks/bench_tickets_listing.py [--seats 80000] [--operations 87000]
        [--page-size 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages

from benchmarks.harness import Simulator, traced  # noqa: E402
from ticketnet_gateway.client import TicketnetClient  # noqa: E402
from ticketnet_simulator.state import (  # noqa: E402
    DEMO_INSTITUTION_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    SimulatorState,
)

MANIFESTATION, PERFORMANCE = "1701", "1709052030"


def prepare(path: Path, seats: int, operations: int) -> int:
    """A stadium of `seats` seats (rows of 200), all allotted, then `operations` operations:
    about 84 % sales, the rest reprints and refunds. Returns the tickets issued."""
    state = SimulatorState(path)
    state.ensure_demo_account()
    places = [(r, n) for r in range(1, seats // 200 + 2) for n in range(1, 201)][:seats]
    state.create_manifestation({
        "code": MANIFESTATION, "name": "Stade", "hall_code": "1",
        "performances": [{"code": PERFORMANCE,
                          "start": datetime(2017, 9, 5, 18, 30, tzinfo=UTC).isoformat()}],
        "categories": [{"code": "1", "name": "Cat 1"}],
        "tariffs": [{"code": "1", "name": "Plein"}, {"code": "2", "name": "Réduit"}],
        "zones": [{"code": "101", "name": "Tribune", "seats": [
            {"row": str(r), "number": str(n), "category_code": "1"} for r, n in places]}],
        "prices": [{"category_code": "1", "tariff_code": "1", "cents": 4500},
                   {"category_code": "1", "tariff_code": "2", "cents": 3000}],
    }, institution_code=DEMO_INSTITUTION_CODE)
    state.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                        export_id="bench", replace=True, seats=[
                            {"zone_code": "101", "row": str(r), "number": str(n),
                             "category_code": "1"} for r, n in places])
    state.generate(count=operations, seed=2024)
    issued = state.store.db().execute("SELECT count(*) FROM ticket").fetchone()[0]
    state.close()
    return issued


def list_all(client: TicketnetClient, page_size: int) -> int:
    return sum(1 for _ in client.iter_tickets(manifestation_code=MANIFESTATION,
                                              performance_code=PERFORMANCE,
                                              page_size=page_size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=80_000)
    parser.add_argument("--operations", type=int, default=87_000,
                        help="sales, reprints and refunds (87,000: about 80,000 tickets)")
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        issued = prepare(path, args.seats, args.operations)
        with Simulator(path) as simulator:
            client = TicketnetClient(
                url=simulator.url, login=DEMO_LOGIN, password=DEMO_PASSWORD,
                institution_code=DEMO_INSTITUTION_CODE, read_timeout=120,
                operation_timeout=600)
            client.list_tickets(manifestation_code=MANIFESTATION, page_size=1)  # warm up
            started = time.perf_counter()
            total = list_all(client, args.page_size)
            elapsed = time.perf_counter() - started
            with traced() as figures:
                list_all(client, args.page_size)
    assert total == issued, (total, issued)
    print(f"listTickets: {total:,} tickets of one performance, pages of {args.page_size}: "
          f"{elapsed:.2f} s ({total / elapsed:,.0f} tickets/s), "
          f"peak Python memory {figures['peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
