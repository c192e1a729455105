"""The benchmarks' shared harness: a database and a simulator process of their own, a Ticketnet
interface to measure, and the figures they print (time, Python heap, RSS, CPU)."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
INTERFACE_NAME = "Bench * Ticketnet"
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


# Django and the database -----------------------------------------------------------------


def use_django() -> None:
    """Django on this checkout's settings, as a development run (DEBUG unless said otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


@contextmanager
def bench_database(suffix: str) -> Iterator[str]:
    """A database of the benchmark's own, `<DATABASE_URL's name>_<suffix>` on the same
    PostgreSQL server: created empty, DATABASE_URL pointed at it, dropped on the way out.
    Call before `use_django()`, which reads DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{Path(sys.argv[0]).name}: set DATABASE_URL to a PostgreSQL server "
                 "(postgres://user@host:port/db).")
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{suffix}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP_DATABASE"):  # to look into it afterwards
            print(f"kept database {name}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            print(f"dropped database {name}")


PRODUCTION_CONF = ROOT / "deploy" / "postgresql.conf"


@contextmanager
def private_cluster(conf: Path = PRODUCTION_CONF) -> Iterator[str]:
    """A PostgreSQL cluster of the benchmark's own, on this machine's server binaries
    (`pg_config --bindir`) and with `conf` as its configuration (docker-compose.yml's): made
    by initdb in a temporary directory, started on a free port of 127.0.0.1, stopped and
    removed on the way out. Yields its URL (user postgres, trust). Run as root, the cluster
    belongs to the `postgres` user, as PostgreSQL requires."""
    bindir = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                 check=True).stdout.strip())
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    shutil.copy(conf, root / "postgresql.conf")
    if as_owner:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
        shutil.chown(root / "postgresql.conf", "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run([*as_owner, bindir / "initdb", "-D", data, "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True)
        options = (f"-c config_file={root / 'postgresql.conf'} -c listen_addresses=127.0.0.1 "
                   f"-p {port} -k {sockets}")
        started = subprocess.run([*as_owner, bindir / "pg_ctl", "-D", data, "-l", log, "-w",
                                  "-o", options, "start"], capture_output=True, text=True)
        if started.returncode:
            sys.exit(f"the private cluster did not start:\n{started.stderr}"
                     f"{log.read_text() if log.exists() else ''}")
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/bench"
        finally:
            subprocess.run([*as_owner, bindir / "pg_ctl", "-D", data, "-m", "fast", "-w",
                            "stop"], capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def server_settings(names: list[str]) -> dict[str, str]:
    """The current values of these settings on DATABASE_URL's server, as SHOW prints them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, current_setting(name) FROM pg_settings "
                       "WHERE name = ANY(%s)", [names])
        found = dict(cursor.fetchall())
    return {name: found.get(name, "?") for name in names}


def ticketnet_interface(*, url: str, login: str, password: str | None = None,
                        institution_code: str = "505"):
    """An institution with a Ticketnet channel, its quota and its interface at `url`, ready for
    the jobs (pending account, point of sale TKN)."""
    from channels.models import (
        Contact,
        ExternalQuota,
        ExternalSalesInterface,
        Institution,
        PointOfSale,
        SalesChannel,
    )

    institution = Institution.objects.create(code="bench", name="Bench", language="en")
    channel = SalesChannel.objects.create(institution=institution, name="Ticketnet",
                                          accepts_third_party_tickets=True)
    interface = ExternalSalesInterface(
        institution=institution, channel=channel, internal_name=INTERFACE_NAME, url=url,
        login=login, institution_code=institution_code, client_name="ELCA",
        contact=Contact.objects.create(institution=institution, name="TICKETNET",
                                       pending_account_allowed=True),
        point_of_sale=PointOfSale.objects.create(institution=institution, code="TKN",
                                                 channel=channel),
        external_quota=ExternalQuota.objects.create(institution=institution, name="Ticketnet",
                                                    channel=channel),
    )
    if password is not None:
        interface.set_password(password)
    interface.save()
    return interface


def numbered_blocks(*, configuration, count: int, rows: int, seats_per_row: int,
                    categories: list) -> list:
    """`count` numbered blocks (A1 … A10, B1 …) of `rows` × `seats_per_row` seats, written by
    the catalogue's bulk path, taking `categories` in turn."""
    from catalog import services
    from catalog.models import Zone

    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    zones = Zone.objects.bulk_create(
        Zone(configuration=configuration, name=f"Block {letters[i // 10]}{i % 10 + 1}",
             block_letter=letters[i // 10], block_number=i % 10 + 1)
        for i in range(count)
    )
    for i, zone in enumerate(zones):
        services.seats_create_block(zone=zone, rows=rows, seats_per_row=seats_per_row,
                                    category=categories[i % len(categories)])
    return zones


def event_on_sale(*, interface, configuration, starts: list, full_prices: dict, **event_values):
    """An event of the interface's institution with a performance at each of `starts`, the
    tariffs PLEIN and REDUIT (80 %) on `full_prices` ({category: cents}), in the activity
    profile of the interface's channel. Returns (event, performances, tariffs)."""
    from catalog.models import ActivityProfile, Event, Performance, Price, Tariff

    institution = interface.institution
    event = Event.objects.create(institution=institution, season=2027, **event_values)
    performances = Performance.objects.bulk_create(
        Performance(event=event, configuration=configuration, start=start) for start in starts)
    tariffs = [Tariff.objects.create(institution=institution, code=c, name=c)
               for c in ("PLEIN", "REDUIT")]
    Price.objects.bulk_create(
        Price(event=event, category=category, tariff=tariff, amount_cents=int(cents * factor))
        for category, cents in full_prices.items()
        for tariff, factor in zip(tariffs, (1.0, 0.8), strict=True))
    ActivityProfile.objects.create(institution=institution, name="TN",
                                   channel=interface.channel).events.add(event)
    return event, performances, tariffs


# The simulator ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str) -> subprocess.CompletedProcess:
    """`manage.py <args>` in a process of its own (the simulator's commands installed)."""
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, check=True, env=_simulator_env())


class Simulator:
    """`manage.py ticketnet_simulator serve` on a free loopback port, in a process of its own:
    its CPU and memory are not the benchmark's. Listening once constructed."""

    def __init__(self, state: Path):
        self.state = state
        self.url = f"127.0.0.1:{free_port()}"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "ticketnet_simulator", "serve",
             "--bind", self.url, "--state", str(state)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_simulator_env())
        if not self.proc.stdout.readline():  # the "serving" line comes once it listens
            self.proc.wait(10)
            sys.exit("the simulator did not start")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _simulator_env() -> dict[str, str]:
    # The simulator's app is installed only when SIMULATOR_ENABLED says so.
    return {"DEBUG": "1", **os.environ, "SIMULATOR_ENABLED": "1"}


# Figures ----------------------------------------------------------------------------------


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, any user's process)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _stat(pid: int | str) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()  # fields from the state on


def server_cpu_seconds(backend_pid: int) -> float:
    """CPU time so far of the whole PostgreSQL server a backend belongs to: the postmaster,
    its live processes (backends, background writer, checkpointer, WAL writer,
    autovacuum) and those it has reaped. For a run whose connections come and go (the sales
    integration's writer); on a server where nothing else runs."""
    postmaster = int(_stat(backend_pid)[1])
    fields = _stat(postmaster)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = _stat(entry.name)
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == postmaster:
                total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def rss_mib(pid: int | str = "self") -> float:
    """A process's resident memory now."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def peak_rss_mib() -> float:
    """This process's own high-water mark: VmHWM is reset by exec, ru_maxrss is not (after
    fork + exec it may still hold the parent's peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """The highest RSS of this process while in the block (sampled every 20 ms): the peak of a
    stretch of the run, which VmHWM cannot isolate."""

    def __init__(self):
        self.peak = rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mib())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def traced() -> Iterator[dict[str, float]]:
    """The block's time and its peak of Python allocations (tracemalloc slows Python down:
    time a run without it for the speed figure). Read `seconds` and `peak_mib` after it."""
    figures = {"seconds": 0.0, "peak_mib": 0.0}
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - started
        figures["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


@contextmanager
def step(label: str, note: str = "") -> Iterator[dict[str, str]]:
    """Time a step and its peak Python heap, then print them on one line with `box["note"]`."""
    box = {"note": note}
    with traced() as figures:
        yield box
    print(f"{label:<52} {figures['seconds']:8.2f} s {figures['peak_mib']:9.1f} MiB  "
          f"{box['note']}", flush=True)
