"""Figures for `sales.services.operations_apply`: 5,000-operation pages on the configured
database, written with COPY (PostgreSQL) versus batched bulk_create. Everything is rolled back.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_operations_apply.py [pages]
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from benchmarks import sales_data  # noqa: E402
from sales import bulk, services  # noqa: E402

PAGE = 5000


class Rollback(Exception):
    pass


def run(use_copy: bool, pages: int) -> tuple[float, int]:
    bulk.USE_COPY = use_copy
    try:
        with transaction.atomic():
            s = sales_data.standing_zone(places=PAGE * pages)
            ops = sales_data.place_sales(s, count=PAGE * pages)
            t0 = time.perf_counter()
            for i in range(pages):
                services.operations_apply(
                    interface=s.interface, operations=ops[i * PAGE:(i + 1) * PAGE]
                )
            elapsed = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            raise Rollback
    except Rollback:
        pass
    return elapsed, peak


def main():
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {pages} pages of {PAGE} SALE operations")
    modes = [False, True] if connection.vendor == "postgresql" else [False]
    results = {}
    for use_copy in modes:
        run(use_copy, 1)  # warm up
        elapsed, peak = run(use_copy, pages)
        name = "COPY" if use_copy else "bulk_create"
        results[name] = elapsed
        print(f"{name:12} {pages * PAGE / elapsed:10.0f} ops/s  {elapsed:6.2f} s  "
              f"process peak RSS so far {peak / 1e6:6.1f} MB")
    if len(results) == 2:
        print(f"COPY / bulk_create speed-up: {results['bulk_create'] / results['COPY']:.2f}x")


if __name__ == "__main__":
    main()
