"""An interface's schedules as its operators see and edit them: the guide's periodic ones, named
`ticketnet:<interface>:<job>` (the dashboard reads them), and those operators add, periodic or
once at a date and time, named `ticketnet:<interface>:<job>:<n>`."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, PeriodicTask

from audit.models import AuditEntry
from audit.services import audit_record
from catalog.models import Event
from channels.models import ExternalSalesInterface

from .beat import Schedule, schedule_of
from .framework.models import Job, Run
from .jobs.schedules import schedule_name
from .tasks import RUN_JOB_TASK

# The jobs an operator may schedule (the interface test is run by hand, with its event).
SCHEDULABLE_JOBS = (Job.CATALOG_EXPORT, Job.ALLOTMENT_EXPORT, Job.SALES_INTEGRATION,
                    Job.QUOTA_SYNC, Job.FLAT_FILE_IMPORT, Job.RECONCILIATION)
NAME = re.compile(r"^ticketnet:(?P<interface>\d+):(?P<job>[a-z_]+)(?::(?P<n>\d+))?$")
PERIODS = (IntervalSchedule.MINUTES, IntervalSchedule.HOURS, IntervalSchedule.DAYS)


@dataclass
class InterfaceSchedule:
    """One schedule of the interface, with what its page shows."""

    task: PeriodicTask
    job: str
    guide: bool  # the guide's own schedule of the job (disabled, never deleted)
    beat: Schedule
    last_run: Run | None = None
    event: Event | None = None

    @property
    def label(self) -> str:
        return str(Job(self.job).label)

    @property
    def one_off(self) -> bool:
        return bool(self.task.clocked_id)

    @property
    def run_at(self) -> dt.datetime | None:
        return self.task.clocked.clocked_time if self.task.clocked_id else None

    @property
    def run_at_text(self) -> str:
        if not self.task.clocked_id:
            return ""
        return formats.date_format(timezone.localtime(self.run_at), "SHORT_DATETIME_FORMAT")

    @property
    def done(self) -> bool:
        """A one-off schedule that has run (beat disables it then)."""
        return self.one_off and not self.task.enabled and self.task.last_run_at is not None


def task_params(task: PeriodicTask) -> dict:
    try:
        kwargs = json.loads(task.kwargs or "{}")
    except ValueError:
        return {}
    params = kwargs.get("params") if isinstance(kwargs, dict) else None
    return params if isinstance(params, dict) else {}


def _tasks(interface: ExternalSalesInterface):
    return PeriodicTask.objects.filter(
        name__startswith=f"ticketnet:{interface.pk}:", task=RUN_JOB_TASK
    ).select_related("interval", "clocked", "crontab", "solar")


def _job_of(task: PeriodicTask, interface: ExternalSalesInterface) -> str | None:
    match = NAME.match(task.name)
    if match is None or int(match["interface"]) != interface.pk or (
        match["job"] not in Job.values
    ):
        return None
    return match["job"]


def interface_schedules(*, interface: ExternalSalesInterface,
                        now: dt.datetime | None = None) -> list[InterfaceSchedule]:
    """The interface's schedules, the guide's first, each with its next run and the last run it
    started (a few queries: one for the tasks, one per schedule for its last run, one for the
    events)."""
    now = now or timezone.now()
    found = []
    for task in _tasks(interface):
        job = _job_of(task, interface)
        if job is not None:
            found.append(InterfaceSchedule(
                task=task, job=job, guide=task.name == schedule_name(
                    interface_id=interface.pk, job=job), beat=schedule_of(task, now=now)))
    scheduled = Run.objects.filter(interface=interface,
                                   trigger__in=[Run.Trigger.SCHEDULED, Run.Trigger.RETRY])
    for item in found:
        # The guide's schedules queue runs without naming themselves (kept as they were made).
        runs = (scheduled.filter(job=item.job).exclude(params__has_key="schedule") if item.guide
                else scheduled.filter(params__schedule=item.task.name))
        item.last_run = runs.order_by("-started_at", "-pk").only(
            "pk", "job", "status", "started_at", "finished_at").first()
    event_ids = {task_params(item.task).get("event_id") for item in found} - {None}
    events = Event.objects.filter(institution_id=interface.institution_id,
                                  pk__in=[i for i in event_ids if isinstance(i, int)]
                                  ).in_bulk() if event_ids else {}
    for item in found:
        item.event = events.get(task_params(item.task).get("event_id"))
    found.sort(key=lambda i: (not i.guide, SCHEDULABLE_JOBS.index(i.job)
                              if i.job in SCHEDULABLE_JOBS else 99, i.task.pk))
    return found


def interface_schedule(*, interface: ExternalSalesInterface, task_id: int) -> InterfaceSchedule:
    """One schedule of the interface; PeriodicTask.DoesNotExist for any other task."""
    for item in interface_schedules(interface=interface):
        if item.task.pk == task_id:
            return item
    raise PeriodicTask.DoesNotExist(task_id)


def _interval(every: int, period: str) -> IntervalSchedule:
    # Interval rows are shared by every task (of every institution): never edited, only chosen.
    return IntervalSchedule.objects.filter(every=every, period=period).order_by("pk").first() \
        or IntervalSchedule.objects.create(every=every, period=period)


def _clocked(run_at: dt.datetime) -> ClockedSchedule:
    return ClockedSchedule.objects.filter(clocked_time=run_at).order_by("pk").first() \
        or ClockedSchedule.objects.create(clocked_time=run_at)


def _timing(task: PeriodicTask, *, every: int | None, period: str | None,
            run_at: dt.datetime | None, start_time: dt.datetime | None) -> None:
    if run_at is not None:
        task.clocked, task.interval, task.one_off = _clocked(run_at), None, True
        task.start_time = None
    else:
        task.interval, task.clocked, task.one_off = _interval(every, period), None, False
        task.start_time = start_time
    task.crontab = task.solar = None


def _free_name(interface: ExternalSalesInterface, job: str, *, periodic: bool) -> str:
    guide = schedule_name(interface_id=interface.pk, job=job)
    taken = set(PeriodicTask.objects.filter(name__startswith=guide).values_list("name", flat=True))
    if periodic and guide not in taken:
        return guide  # the guide's schedule was removed: this one takes its place
    n = 2
    while f"{guide}:{n}" in taken:
        n += 1
    return f"{guide}:{n}"


def schedule_add(*, interface: ExternalSalesInterface, job: str, params: dict | None = None,
                 every: int | None = None, period: str | None = None,
                 run_at: dt.datetime | None = None, start_time: dt.datetime | None = None,
                 enabled: bool = True, user=None) -> PeriodicTask:
    """Schedule `job` for the interface: every `every` `period`s (from `start_time`), or once
    at `run_at`. The run it queues carries the schedule's name in its parameters. Recorded in
    the audit log under `user`."""
    for _attempt in range(3):
        name = _free_name(interface, job, periodic=run_at is None)
        task = PeriodicTask(name=name, task=RUN_JOB_TASK, enabled=enabled)
        task.kwargs = json.dumps({
            "interface_id": interface.pk, "job": str(job), "trigger": Run.Trigger.SCHEDULED,
            "params": {**(params or {}), **({} if name == schedule_name(
                interface_id=interface.pk, job=job) else {"schedule": name})},
        })
        task.description = (f"{interface.internal_name} — {Job(job).label} "
                            f"({interface.institution.code})")
        _timing(task, every=every, period=period, run_at=run_at, start_time=start_time)
        try:
            with transaction.atomic():
                task.save()
                _audit(interface=interface, task=task, user=user, change="added",
                       after=_timing_of(task))
        except IntegrityError:  # another operator took the name meanwhile
            continue
        return task
    raise IntegrityError("No free schedule name")


def schedule_change(*, interface: ExternalSalesInterface, task: PeriodicTask, enabled: bool,
                    every: int | None = None, period: str | None = None,
                    run_at: dt.datetime | None = None, start_time: dt.datetime | None = None,
                    user=None) -> PeriodicTask:
    """New timing and state for a schedule (periodic stays periodic, once stays once);
    recorded in the audit log under `user`, before and after."""
    before = _timing_of(task)
    _timing(task, every=every, period=period, run_at=run_at, start_time=start_time)
    task.enabled = enabled
    if run_at is not None and enabled:
        task.total_run_count = 0  # a one-off moved to a new time runs again
    with transaction.atomic():
        task.save()
        _audit(interface=interface, task=task, user=user, change="changed", before=before,
               after=_timing_of(task))
    return task


def schedule_delete(*, interface: ExternalSalesInterface, task: PeriodicTask,
                    user=None) -> None:
    with transaction.atomic():
        _audit(interface=interface, task=task, user=user, change="removed",
               before=_timing_of(task))
        task.delete()


def _timing_of(task: PeriodicTask) -> dict:
    """What the audit log keeps of a schedule's timing and state."""
    timing: dict = {"enabled": task.enabled}
    if task.clocked_id:
        timing["run_at"] = task.clocked.clocked_time.isoformat()
    elif task.interval_id:
        timing.update(every=task.interval.every, period=task.interval.period,
                      start_time=task.start_time.isoformat() if task.start_time else None)
    return timing


def _audit(*, interface: ExternalSalesInterface, task: PeriodicTask, user, change: str,
           before: dict | None = None, after: dict | None = None) -> None:
    audit_record(
        institution_id=interface.institution_id, actor=user,
        action=AuditEntry.Action.SCHEDULE_EDIT, target=task.description or task.name,
        params={"interface_id": interface.pk, "schedule": task.name, "change": change,
                "job": _job_of(task, interface), "params": task_params(task),
                **({"before": before} if before is not None else {}),
                **({"after": after} if after is not None else {})},
    )
