"""The allotment export of the stadium: 80,000 seats × 19 performances (1.52 M seats, every one
in the Ticketnet quota), sent through the gateway's batch protocol to a simulator running as a
separate process (its CPU is not ours). Target: under 60 s for the 19 performances.

Prints the total time, seats per second, our CPU and the simulator's, and the peak memory of
this process during the export: Python heap (tracemalloc, on a second run, as it slows Python
down) and RSS (sampled).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tnb_exports \\
        .venv/bin/python benchmarks/bench_allotment_export.py
"""

import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
os.environ.setdefault("DEBUG", "1")

from benchmarks.bench_stadium import _bench_database, create_stadium, step  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class RssSampler:
    """The highest RSS of this process while running (every 20 ms)."""

    def __init__(self):
        self.peak = rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mib())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def start_simulator(state: Path) -> tuple[subprocess.Popen, str]:
    bind = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "ticketnet_simulator", "serve", "--bind", bind,
         "--state", str(state)],
        cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    host, port = bind.split(":")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
            return proc, bind
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the simulator did not start")


def main() -> None:
    name, admin = _bench_database()
    workdir = Path(tempfile.mkdtemp(prefix="bench-allotment-"))
    proc, bind = start_simulator(workdir / "simulator.sqlite3")
    try:
        run(proc, bind)
    finally:
        proc.terminate()
        proc.wait(10)
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        print(f"dropped database {name}; simulator state in {workdir}")


def run(proc: subprocess.Popen, bind: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mappings.services import correspondences_fill_suggestions
    from schedules.framework.runner import job_run
    from schedules.models import Job, Run
    from ticketnet_simulator.state import DEMO_PASSWORD

    print(f"database {connection.settings_dict['NAME']} on {connection.vendor}; "
          f"simulator pid {proc.pid} on {bind}")
    with step("migrate the bench database"):
        call_command("migrate", verbosity=0)
    stadium = create_stadium(url=bind, password=DEMO_PASSWORD, compare=False)
    interface, event = stadium.interface, stadium.event
    interface.login, interface.institution_code = "SBSSOMETHING", "505"
    interface.save(update_fields=["login", "institution_code"])
    with step("fill in every code by the suggestions") as box:
        box["note"] = f"{correspondences_fill_suggestions(interface=interface).created} codes"

    started = time.perf_counter()
    catalog = job_run(interface_id=interface.pk, job=Job.CATALOG_EXPORT,
                      params={"event_id": event.pk})
    elapsed = time.perf_counter() - started
    print(f"{'catalogue export: 19 manifestations × 80,000 seats':<52} {elapsed:8.2f} s  "
          f"{catalog.status} {catalog.counts}")
    assert catalog.status == Run.Status.OK, catalog.messages

    seats = stadium.total_seats * len(stadium.performances)
    print(f"\nallotment export of {seats:,} seats, batches of "
          f"{interface.exported_manifestations.count()} × …:")
    before_rss = rss_mib()
    sim_cpu, our_cpu = cpu_seconds(proc.pid), own_cpu()
    with RssSampler() as sampler:
        started = time.perf_counter()
        result = job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
        elapsed = time.perf_counter() - started
    sim_cpu, our_cpu = cpu_seconds(proc.pid) - sim_cpu, own_cpu() - our_cpu
    assert result.status == Run.Status.OK, result.messages
    assert result.counts["seats"] == seats, result.counts
    print(f"  status {result.status}, counts {result.counts}")
    print(f"  total {elapsed:.2f} s for 19 performances — {seats / elapsed:,.0f} seats/s "
          f"(target < 60 s: {'met' if elapsed < 60 else 'NOT met'})")
    print(f"  CPU: ours {our_cpu:.1f} s, simulator {sim_cpu:.1f} s, the rest is waiting "
          f"(PostgreSQL, sockets)")
    print(f"  RSS of our process: {before_rss:.0f} MiB before, peak {sampler.peak:.0f} MiB "
          f"during the export (+{sampler.peak - before_rss:.0f} MiB); simulator RSS "
          f"{rss_mib(proc.pid):.0f} MiB")

    tracemalloc.start()
    started = time.perf_counter()
    again = job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
    elapsed_traced = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again.status == Run.Status.OK
    print(f"  again under tracemalloc (replaces the allotments): {elapsed_traced:.2f} s, "
          f"peak Python heap {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
