"""Read-only queries behind the dashboard: every figure is aggregated in the database, so a
page costs the same dozen queries whatever the number of tickets, runs or parked lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Window
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, RowNumber, TruncDate
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from catalog.models import Performance, SeatAllocation, ZoneAllocation
from channels.models import ExternalSalesInterface
from channels.tenancy import scope_queryset
from sales.models import ParkedOperation, ParkReason, Ticket
from schedules.beat import Schedule, schedule_of
from schedules.jobs.schedules import schedule_name
from schedules.models import Job, Run

DAYS = 30  # the charts' window, today included
UPCOMING_PERFORMANCES = 8  # per institution, in the quota table
# The jobs whose runs integrate Ticketnet's sales (their "sold" count feeds the sales chart).
SALES_JOBS = (Job.SALES_INTEGRATION, Job.FLAT_FILE_IMPORT)
RUN_FIELDS = ("pk", "interface_id", "job", "trigger", "status", "started_at", "finished_at",
              "counts", "progress_done", "progress_total")


@dataclass
class JobLine:
    """One job of an interface: its last run and its schedule, either possibly missing."""

    job: str
    run: Run | None = None
    schedule: Schedule | None = None
    url: str = ""  # its runs (filled in by the display)

    @property
    def label(self) -> str:
        return Job(self.job).label


@dataclass
class ParkedCount:
    reason: str
    count: int
    url: str = ""  # these parked lines (filled in by the display)

    @property
    def label(self) -> str:
        return ParkReason(self.reason).label if self.reason in ParkReason.values else self.reason


@dataclass
class PerformanceQuota:
    """Valid tickets the interface integrated for a performance, against its quota there."""

    performance_id: int
    event: str
    start: dt.datetime
    sold: int
    quota: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.sold / self.quota)) if self.quota else 0


@dataclass
class InterfaceDashboard:
    interface: ExternalSalesInterface
    jobs: list[JobLine] = field(default_factory=list)
    parked: list[ParkedCount] = field(default_factory=list)
    # One value per day of the window, oldest first.
    sales_per_day: list[int] = field(default_factory=list)
    runs_per_day: dict[str, list[int]] = field(default_factory=dict)  # status → per day
    performances: list[PerformanceQuota] = field(default_factory=list)

    @property
    def parked_total(self) -> int:
        """The parked lines to fix: those waiting for one of them are no problem of their own."""
        return sum(p.count for p in self.parked if p.reason != ParkReason.WAITING_FOR_ORIGINAL)

    @property
    def last_runs(self) -> list[Run]:
        return [line.run for line in self.jobs if line.run is not None]


@dataclass
class Dashboard:
    days: list[dt.date]
    interfaces: list[InterfaceDashboard]


def chart_days(*, now: dt.datetime) -> list[dt.date]:
    today = timezone.localdate(now)
    return [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]


def dashboard_build(*, user, now: dt.datetime | None = None) -> Dashboard:
    """Every interface the user may see, with its jobs, parked lines, charts and quotas."""
    now = now or timezone.now()
    days = chart_days(now=now)
    boards = {i.pk: InterfaceDashboard(interface=i) for i in _interfaces(user=user)}
    if boards:
        _attach_jobs(boards, now=now)
        _attach_parked(boards)
        _attach_charts(boards, days=days)
        _attach_performances(boards, now=now)
    return Dashboard(days=days, interfaces=list(boards.values()))


def _interfaces(*, user) -> list[ExternalSalesInterface]:
    # The pk of each job's last run, as one correlated subquery per job (index
    # run_interface_job): one query whatever the number of runs.
    last_run = {
        f"last_{job}": Subquery(
            Run.objects.filter(interface_id=OuterRef("pk"), job=job)
            .order_by("-started_at", "-pk").values("pk")[:1]
        )
        for job in Job.values
    }
    queryset = ExternalSalesInterface.objects.select_related("institution", "channel")
    return list(scope_queryset(queryset, user).annotate(**last_run)
                .order_by("institution__name", "internal_name"))


def _attach_jobs(boards: dict[int, InterfaceDashboard], *, now: dt.datetime) -> None:
    run_ids = [pk for board in boards.values() for job in Job.values
               if (pk := getattr(board.interface, f"last_{job}"))]
    runs = {run.pk: run for run in Run.objects.filter(pk__in=run_ids).only(*RUN_FIELDS)}
    names = {schedule_name(interface_id=pk, job=job): (pk, job)
             for pk in boards for job in Job.values}
    tasks = PeriodicTask.objects.filter(name__in=names).select_related(
        "interval", "crontab", "clocked", "solar")
    schedules = {names[task.name]: schedule_of(task, now=now) for task in tasks}
    for pk, board in boards.items():
        for job in Job.values:
            run = runs.get(getattr(board.interface, f"last_{job}"))
            schedule = schedules.get((pk, job))
            if run is not None or schedule is not None:
                board.jobs.append(JobLine(job=job, run=run, schedule=schedule))


def _attach_parked(boards: dict[int, InterfaceDashboard]) -> None:
    rows = (ParkedOperation.objects.filter(interface_id__in=boards, resolved_at__isnull=True)
            .values("interface_id", "reason").annotate(n=Count("pk")).order_by("-n", "reason"))
    for row in rows:
        boards[row["interface_id"]].parked.append(ParkedCount(reason=row["reason"],
                                                              count=row["n"]))


def _attach_charts(boards: dict[int, InterfaceDashboard], *, days: list[dt.date]) -> None:
    tz = timezone.get_current_timezone()
    index = {day: n for n, day in enumerate(days)}
    since = timezone.make_aware(dt.datetime.combine(days[0], dt.time.min), tz)
    recent = Run.objects.filter(interface_id__in=boards, started_at__gte=since).annotate(
        day=TruncDate("started_at", tzinfo=tz)).order_by()
    for board in boards.values():
        board.sales_per_day = [0] * len(days)
        board.runs_per_day = {status: [0] * len(days) for status in Run.Status.values}
    sold = Cast(KT("counts__sold"), IntegerField())
    for row in (recent.filter(job__in=SALES_JOBS).values("interface_id", "day")
                .annotate(sold=Sum(sold))):
        if row["day"] in index:
            boards[row["interface_id"]].sales_per_day[index[row["day"]]] = row["sold"] or 0
    for row in recent.values("interface_id", "day", "status").annotate(n=Count("pk")):
        per_status = boards[row["interface_id"]].runs_per_day
        if row["day"] in index and row["status"] in per_status:
            per_status[row["status"]][index[row["day"]]] = row["n"]


def _attach_performances(boards: dict[int, InterfaceDashboard], *, now: dt.datetime) -> None:
    """The next performances of each institution with places in one of its interfaces'
    quotas: sold (valid tickets) against seats and places allocated, counted by the database
    on its indexes ((performance, state) of tickets, (quota, performance) of seats)."""
    quota_ids = {b.interface.external_quota_id for b in boards.values()}
    institution_ids = {b.interface.institution_id for b in boards.values()}
    in_quota = Q(Exists(SeatAllocation.objects.filter(
        performance_id=OuterRef("pk"), quota_id__in=quota_ids))) | Q(Exists(
        ZoneAllocation.objects.filter(performance_id=OuterRef("pk"), quota_id__in=quota_ids)))
    # Performances still on sale: those that started less than a few hours ago too.
    upcoming = (
        Performance.objects.filter(event__institution_id__in=institution_ids,
                                   start__gte=now - dt.timedelta(hours=6))
        .filter(in_quota)
        .annotate(rank=Window(RowNumber(), partition_by=F("event__institution_id"),
                              order_by=[F("start").asc(), F("pk").asc()]))
        .filter(rank__lte=UPCOMING_PERFORMANCES)
        .values("pk", "start", "event__code", "event__name", "event__institution_id")
    )
    performances = {row["pk"]: row for row in upcoming}
    if not performances:
        return
    allocated: dict[tuple[int, int], int] = defaultdict(int)  # (quota, performance) → n
    seats = (SeatAllocation.objects.filter(performance_id__in=performances,
                                           quota_id__in=quota_ids)
             .values("quota_id", "performance_id").annotate(n=Count("*")).order_by())
    places = (ZoneAllocation.objects.filter(performance_id__in=performances,
                                            quota_id__in=quota_ids)
              .values("quota_id", "performance_id").annotate(n=Sum("places")).order_by())
    for row in [*seats, *places]:
        allocated[row["quota_id"], row["performance_id"]] += row["n"] or 0
    sold = _sold(boards, allocated=allocated, performance_ids=list(performances))
    for pk, board in boards.items():
        interface = board.interface
        for perf in sorted(performances.values(), key=lambda p: (p["start"], p["pk"])):
            quota = allocated.get((interface.external_quota_id, perf["pk"]), 0)
            if perf["event__institution_id"] == interface.institution_id and quota:
                board.performances.append(PerformanceQuota(
                    performance_id=perf["pk"], event=f"{perf['event__code']} — "
                    f"{perf['event__name']}", start=perf["start"],
                    sold=sold.get((pk, perf["pk"]), 0), quota=quota))


def _sold(boards: dict[int, InterfaceDashboard], *, allocated: dict[tuple[int, int], int],
          performance_ids: list[int]) -> dict[tuple[int, int], int]:
    """Valid tickets per (interface, performance). A performance in one interface's quota
    only (the usual case) is counted on the (performance, state) index alone, without
    reading the tickets; those in several interfaces' quotas, by interface."""
    sellers: dict[int, list[int]] = defaultdict(list)  # performance → interfaces
    for pk, board in boards.items():
        for perf in performance_ids:
            if allocated.get((board.interface.external_quota_id, perf)):
                sellers[perf].append(pk)
    valid = Ticket.objects.filter(state=Ticket.State.VALID).order_by()
    single = [perf for perf, pks in sellers.items() if len(pks) == 1]
    shared = [perf for perf, pks in sellers.items() if len(pks) > 1]
    sold = {
        (sellers[row["performance_id"]][0], row["performance_id"]): row["n"]
        for row in valid.filter(performance_id__in=single).values("performance_id")
        .annotate(n=Count("*"))
    } if single else {}
    if shared:
        sold.update({
            (row["interface_id"], row["performance_id"]): row["n"]
            for row in valid.filter(performance_id__in=shared)
            .values("interface_id", "performance_id").annotate(n=Count("*"))
        })
    return sold
