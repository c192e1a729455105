"""listOperations, the hot path: zeep's object mapping against the hardened lxml parser.

Generates 100,000 operations in a simulator (a separate process, so it does not share the GIL
or the memory count), lists them all through the client with each parser, and prints the
operations per second and the peak Python memory (tracemalloc, a second pass) side by side.
libxml2's trees are not in that count: the kept parser holds one page's tree (about 30 MiB at
5000 operations).

    .venv/bin/python benchmarks/bench_operations_listing.py [--count 100000] [--page-size 1000]
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
from benchmarks.zeep_listing import ZeepListingClient  # noqa: E402
from ticketnet_gateway.client import TicketnetClient  # noqa: E402
from ticketnet_simulator.state import (  # noqa: E402
    DEMO_INSTITUTION_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    SimulatorState,
)


def prepare(path: Path, count: int) -> float:
    state = SimulatorState(path)
    state.ensure_demo_account()
    seats = [(r, n) for r in range(1, 101) for n in range(1, 201)]  # 20,000 seats
    state.create_manifestation({
        "code": "1701", "name": "Stade", "hall_code": "1",
        "performances": [{"code": "1709052030",
                          "start": datetime(2017, 9, 5, 18, 30, tzinfo=UTC).isoformat()}],
        "categories": [{"code": "1", "name": "Cat 1"}],
        "tariffs": [{"code": "1", "name": "Plein"}, {"code": "2", "name": "Réduit"}],
        "zones": [{"code": "101", "name": "Tribune", "seats": [
            {"row": str(r), "number": str(n), "category_code": "1"} for r, n in seats]}],
        "prices": [{"category_code": "1", "tariff_code": "1", "cents": 4500},
                   {"category_code": "1", "tariff_code": "2", "cents": 3000}],
    }, institution_code="505")
    state.set_allotment(manifestation_code="1701", performance_code="1709052030",
                        export_id="bench", replace=True, seats=[
                            {"zone_code": "101", "row": str(r), "number": str(n),
                             "category_code": "1"} for r, n in seats])
    started = time.perf_counter()
    state.generate(count=count, seed=2024)
    elapsed = time.perf_counter() - started
    state.close()
    return elapsed


def list_all(client: TicketnetClient, page_size: int) -> int:
    total = 0
    for page in client.iter_operations(cursor=None, page_size=page_size):
        total += len(page.operations)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        generated_in = prepare(path, args.count)
        results = {}
        with Simulator(path) as simulator:
            for name, client_class in (("zeep", ZeepListingClient), ("lxml", TicketnetClient)):
                client = client_class(
                    url=simulator.url, login=DEMO_LOGIN, password=DEMO_PASSWORD,
                    institution_code=DEMO_INSTITUTION_CODE, read_timeout=120,
                    operation_timeout=600)
                list_all(client, args.page_size)  # warm up (connection, caches)
                started = time.perf_counter()
                total = list_all(client, args.page_size)
                elapsed = time.perf_counter() - started
                with traced() as figures:
                    list_all(client, args.page_size)
                assert total == args.count, (name, total)
                results[name] = (total / elapsed, figures["peak_mib"], elapsed)

    zeep_rate, zeep_peak, zeep_time = results["zeep"]
    lxml_rate, lxml_peak, lxml_time = results["lxml"]
    print(f"generate: {args.count:,} operations written in {generated_in:.2f} s "
          f"({args.count / generated_in:,.0f} ops/s)")
    print(f"listOperations: {args.count:,} operations, pages of {args.page_size}")
    print(f"{'parser':<8}{'ops/s':>12}{'seconds':>10}{'peak MiB':>11}")
    for name, (rate, peak, elapsed) in results.items():
        kept = "  (kept)" if name == "lxml" else ""
        print(f"{name:<8}{rate:>12,.0f}{elapsed:>10.2f}{peak:>11.1f}{kept}")
    print(f"lxml / zeep: {lxml_rate / zeep_rate:.1f}x the speed, "
          f"{lxml_peak / zeep_peak:.2f}x the peak memory")


if __name__ == "__main__":
    main()
