"""The allotment export of the stadium: 80,000 seats × 19 performances (1.52 M seats, every one
in the Ticketnet quota), sent through the gateway's batch protocol to a simulator running as a
separate process (its CPU is not ours). Target: under 60 s for the 19 performances.

Prints the total time, seats per second, our CPU and the simulator's, and the peak memory of
this process during the export: Python heap (tracemalloc, on a second run, as it slows Python
down) and RSS (sampled).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_exports \\
        .venv/bin/python benchmarks/bench_allotment_export.py [--blocks 80] [--performances 19]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages

from benchmarks.bench_stadium import create_stadium, size_arguments  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    RssSampler,
    Simulator,
    bench_database,
    cpu_seconds,
    rss_mib,
    step,
    traced,
    use_django,
)

TARGET_SECONDS = 60


def main() -> None:
    args = size_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0])
                          ).parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-allotment-"))
    with bench_database("bench_allotment"), Simulator(workdir / "simulator.sqlite3") as simulator:
        use_django()
        run(simulator, blocks=args.blocks, performances=args.performances)
    print(f"simulator state in {workdir}")


def run(simulator: Simulator, *, blocks: int, performances: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from mappings.services import correspondences_fill_suggestions
    from schedules.framework.runner import job_run
    from schedules.models import Job, Run
    from ticketnet_simulator.state import DEMO_LOGIN, DEMO_PASSWORD

    print(f"database {connection.settings_dict['NAME']} on {connection.vendor}; "
          f"simulator pid {simulator.pid} on {simulator.url}")
    with step("migrate the bench database"):
        call_command("migrate", verbosity=0)
    stadium = create_stadium(blocks=blocks, performances=performances, url=simulator.url,
                             login=DEMO_LOGIN, password=DEMO_PASSWORD, compare=False)
    interface, event = stadium.interface, stadium.event
    with step("fill in every code by the suggestions") as box:
        box["note"] = f"{correspondences_fill_suggestions(interface=interface).created} codes"

    started = time.perf_counter()
    catalog = job_run(interface_id=interface.pk, job=Job.CATALOG_EXPORT,
                      params={"event_id": event.pk})
    elapsed = time.perf_counter() - started
    label = f"catalogue export: {performances} manifestations × {stadium.total_seats:,} seats"
    print(f"{label:<52} {elapsed:8.2f} s  {catalog.status} {catalog.counts}")
    assert catalog.status == Run.Status.OK, catalog.messages

    seats = stadium.total_seats * performances
    print(f"\nallotment export of {seats:,} seats, batches of "
          f"{interface.exported_manifestations.count()} × …:")
    before_rss = rss_mib()
    sim_cpu, our_cpu = cpu_seconds(simulator.pid), cpu_seconds()
    with RssSampler() as sampler:
        started = time.perf_counter()
        result = job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
        elapsed = time.perf_counter() - started
    sim_cpu, our_cpu = cpu_seconds(simulator.pid) - sim_cpu, cpu_seconds() - our_cpu
    assert result.status == Run.Status.OK, result.messages
    assert result.counts["seats"] == seats, result.counts
    print(f"  status {result.status}, counts {result.counts}")
    print(f"  total {elapsed:.2f} s for {performances} performances — "
          f"{seats / elapsed:,.0f} seats/s "
          f"(target < {TARGET_SECONDS} s: {'met' if elapsed < TARGET_SECONDS else 'NOT met'})")
    print(f"  CPU: ours {our_cpu:.1f} s, simulator {sim_cpu:.1f} s, the rest is waiting "
          f"(PostgreSQL, sockets)")
    print(f"  RSS of our process: {before_rss:.0f} MiB before, peak {sampler.peak:.0f} MiB "
          f"during the export (+{sampler.peak - before_rss:.0f} MiB); simulator RSS "
          f"{rss_mib(simulator.pid):.0f} MiB")

    with traced() as figures:
        again = job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
    assert again.status == Run.Status.OK
    print(f"  again under tracemalloc (replaces the allotments): {figures['seconds']:.2f} s, "
          f"peak Python heap {figures['peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
