"""Ticketnet's fixed-width sales statement: write then read 1,000,000 records.

Writes a statement of `--count` records (213 characters with buyers, or 106 with
`--no-buyer`) to a temporary file, then reads it in a fresh child process, once with
`statement_read` (collecting mode) and once as the floor: the same file's lines only split and
decoded. Prints records per second, seconds and each child's peak RSS (VmHWM) side by side.

    .venv/bin/python benchmarks/bench_statement.py [--count 1000000] [--no-buyer]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ticketnet_gateway.statement import (  # noqa: E402
    AmountNotation,
    StatementBuyer,
    StatementLine,
    StatementReport,
    statement_read,
)
from ticketnet_gateway.statement_writer import statement_write  # noqa: E402

NOTATION = AmountNotation.DECIMAL_POINT
BUYERS = (
    StatementBuyer("Lefèvre", "Hélène", "Saint-Étienne", "42000", "FRANCE", "B12345"),
    StatementBuyer("Dupont", "Léa", "Lyon", "69003", "FRANCE", ""),
    StatementBuyer("Œuvray", "François", "Besançon", "25000", "FRANCE", "C00042"),
)


def lines(count: int) -> Iterator[StatementLine]:
    """A season: 20 performances of 2,500 seats (50 rows of 50), 1 ticket in 20 refunded."""
    start = datetime(2017, 9, 5, 20, 30)
    for index in range(count):
        seat = index % 50_000
        yield StatementLine(
            line_number=0, label="CONCERT", cancelled=index % 20 == 19,
            performance_at=start + timedelta(days=seat // 2500), category="1",
            price_code=str(1 + index % 3), fiscal_code="F0001", zone="101",
            row=1 + seat % 2500 // 50, seat=1 + seat % 50, amount_cents=3500 + 1000 * (index % 3),
            currency="EUR", ticket_id=f"AA05EC{index:010d}", buyer=BUYERS[index % 3])


def _peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, path: str) -> None:
    started = time.perf_counter()
    records = cents = 0
    with open(path, "rb") as stream:
        if mode == "floor":
            for raw in stream:
                records += len(raw.rstrip(b"\r\n").decode("cp1252")) in (106, 213)
        else:
            report = StatementReport()
            for line in statement_read(stream, amount_notation=NOTATION, report=report):
                records += 1
                cents += -line.amount_cents if line.cancelled else line.amount_cents
            assert report.refused_count == 0, report.refused[:3]
    print(json.dumps({"records": records, "cents": cents, "peak": _peak_rss_mib(),
                      "seconds": time.perf_counter() - started}))


def run_child(mode: str, path: Path) -> dict:
    output = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", mode, str(path)], check=True,
        capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--no-buyer", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statement.txt"
        started = time.perf_counter()
        with open(path, "wb") as stream:
            written = statement_write(lines(args.count), stream, with_buyer=not args.no_buyer,
                                      amount_notation=NOTATION, header=["TICKETNET RELEVE"],
                                      trailer=[f"FIN {args.count:010d}"])
        write_time = time.perf_counter() - started
        size = path.stat().st_size
        results = {mode: run_child(mode, path) for mode in ("floor", "statement_read")}
    assert results["statement_read"]["records"] == written == args.count
    print(f"statement: {written:,} records of {106 if args.no_buyer else 213} characters, "
          f"{size / 2**20:,.0f} MiB; written in {write_time:.2f} s "
          f"({written / write_time:,.0f} records/s)")
    print(f"{'read':<16}{'records/s':>12}{'seconds':>10}{'peak RSS MiB':>14}")
    for mode, result in results.items():
        rate = result["records"] / result["seconds"]
        print(f"{mode:<16}{rate:>12,.0f}{result['seconds']:>10.2f}{result['peak']:>14.1f}")
    floor, full = results["floor"], results["statement_read"]
    print(f"statement_read / floor: {full['seconds'] / floor['seconds']:.1f}x the time, "
          f"{full['peak'] / floor['peak']:.2f}x the peak RSS; "
          f"net amount {full['cents'] / 100:,.2f} EUR")


if __name__ == "__main__":
    main()
