"""Each interface's schedules (django-celery-beat periodic tasks of `run_job`): which Ticketnet
jobs run on their own, and how often, from the interface's channel and catalogue."""

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from catalog.models import Event
from channels.models import ExternalSalesInterface

from ..framework.models import Job, Run
from ..tasks import RUN_JOB_TASK
from .channel_rules import takes_catalogue, takes_web_services

SCHEDULE_HOURS = {Job.SALES_INTEGRATION: 4, Job.QUOTA_SYNC: 24, Job.FLAT_FILE_IMPORT: 4,
                  Job.RECONCILIATION: 24}


def schedule_name(*, interface_id: int, job: str) -> str:
    return f"ticketnet:{interface_id}:{job}"


def schedules_ensure(*, interface: ExternalSalesInterface) -> list[PeriodicTask]:
    """Create the interface's periodic tasks that are missing: sales integration every 4 hours
    and the reconciliation of the last days every 24 hours;
    quota sync every 24 hours when its channel sells non-numbered events (not for visit
    passes); the flat-file import every 4 hours when Ticketnet sends it flat files. An
    existing task is never touched: operators may have edited it."""
    wanted = []
    if takes_web_services(interface=interface):
        # The reconciliation compares what the integration brought with Ticketnet's tickets.
        wanted += [Job.SALES_INTEGRATION, Job.RECONCILIATION]
    if takes_catalogue(interface=interface) and interface_has_non_numbered_events(
        interface=interface
    ):
        wanted.append(Job.QUOTA_SYNC)
    if interface.takes_flat_files:
        wanted.append(Job.FLAT_FILE_IMPORT)
    created = []
    for job in wanted:
        name = schedule_name(interface_id=interface.pk, job=job)
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        hours = SCHEDULE_HOURS[job]
        interval = IntervalSchedule.objects.filter(
            every=hours, period=IntervalSchedule.HOURS
        ).order_by("pk").first() or IntervalSchedule.objects.create(
            every=hours, period=IntervalSchedule.HOURS
        )
        task, was_created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": RUN_JOB_TASK,
                "interval": interval,
                "kwargs": json.dumps({
                    "interface_id": interface.pk, "job": str(job),
                    "trigger": Run.Trigger.SCHEDULED, "params": {},
                }),
                "description": f"{interface.internal_name} — {Job(job).label} "
                               f"({interface.institution.code})",
            },
        )
        if was_created:
            created.append(task)
    return created


def interface_has_non_numbered_events(*, interface: ExternalSalesInterface) -> bool:
    """Whether the events sold through the interface's channel (its activity profiles) have
    performances in configurations with non-numbered zones."""
    return Event.objects.filter(
        institution_id=interface.institution_id,
        activity_profiles__channel_id=interface.channel_id,
        performances__configuration__zones__numbered=False,
    ).exists()
