import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from channels.models import SalesChannel
from schedules.jobs.schedules import schedule_name, schedules_ensure
from schedules.models import Job
from schedules.tasks import RUN_JOB_TASK
from tests import factories as f

pytestmark = pytest.mark.django_db


def interface_selling(*, non_numbered: bool, kind=SalesChannel.Kind.TICKETNET_AUTOMATIC):
    interface = f.InterfaceFactory(channel__kind=kind)
    event = f.EventFactory(institution=interface.institution)
    profile = f.ActivityProfileFactory(institution=interface.institution, channel=interface.channel)
    profile.events.add(event)
    perf = f.PerformanceFactory(event=event)
    f.ZoneFactory(configuration=perf.configuration)
    if non_numbered:
        f.NonNumberedZoneFactory(configuration=perf.configuration)
    return interface


def test_sales_integration_every_4_hours_created_once():
    interface = interface_selling(non_numbered=False)
    created = schedules_ensure(interface=interface)
    assert [t.name for t in created] == [
        schedule_name(interface_id=interface.pk, job=Job.SALES_INTEGRATION),
        schedule_name(interface_id=interface.pk, job=Job.RECONCILIATION)]
    task, daily = created
    assert (daily.interval.every, daily.interval.period) == (24, IntervalSchedule.HOURS)
    assert task.task == RUN_JOB_TASK
    assert (task.interval.every, task.interval.period) == (4, IntervalSchedule.HOURS)
    assert json.loads(task.kwargs) == {"interface_id": interface.pk, "job": "sales_integration",
                                       "trigger": "scheduled", "params": {}}
    assert schedules_ensure(interface=interface) == []
    assert PeriodicTask.objects.count() == 2


def test_quota_sync_every_24_hours_only_with_non_numbered_events():
    with_free = interface_selling(non_numbered=True)
    names = sorted(t.name for t in schedules_ensure(interface=with_free))
    assert names == sorted([schedule_name(interface_id=with_free.pk, job=Job.SALES_INTEGRATION),
                            schedule_name(interface_id=with_free.pk, job=Job.RECONCILIATION),
                            schedule_name(interface_id=with_free.pk, job=Job.QUOTA_SYNC)])
    sync = PeriodicTask.objects.get(name=schedule_name(interface_id=with_free.pk, job=Job.QUOTA_SYNC))
    assert (sync.interval.every, sync.interval.period) == (24, IntervalSchedule.HOURS)
    # Another institution's non-numbered event does not count.
    other = interface_selling(non_numbered=False)
    f.NonNumberedZoneFactory(configuration=f.PerformanceFactory().configuration)
    assert [t.name for t in schedules_ensure(interface=other)] == [
        schedule_name(interface_id=other.pk, job=Job.SALES_INTEGRATION),
        schedule_name(interface_id=other.pk, job=Job.RECONCILIATION)]


def test_visit_pass_channel_has_no_quota_sync():
    interface = interface_selling(non_numbered=True, kind=SalesChannel.Kind.TICKETNET_VISIT_PASS)
    assert [t.name for t in schedules_ensure(interface=interface)] == [
        schedule_name(interface_id=interface.pk, job=Job.SALES_INTEGRATION),
        schedule_name(interface_id=interface.pk, job=Job.RECONCILIATION)]


def test_a_schedule_edited_by_an_operator_is_never_overwritten():
    interface = interface_selling(non_numbered=True)
    schedules_ensure(interface=interface)
    task = PeriodicTask.objects.get(name=schedule_name(interface_id=interface.pk,
                                                       job=Job.SALES_INTEGRATION))
    task.interval = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.HOURS)
    task.enabled = False
    task.save()
    assert schedules_ensure(interface=interface) == []
    task.refresh_from_db()
    assert (task.interval.every, task.enabled) == (2, False)


def test_the_demo_loader_ensures_the_demo_schedules():
    from django.core.management import call_command

    from channels.models import ExternalSalesInterface

    call_command("load_demo", stdout=__import__("io").StringIO())
    call_command("load_demo", stdout=__import__("io").StringIO())
    # The demo concert has a standing (non-numbered) zone: both schedules, once each; the
    # visit-pass interface integrates sales; the flat-file one imports its files.
    from sales.demo import FLAT_FILE_INTERFACE, VISIT_PASS_INTERFACE

    ids = dict(ExternalSalesInterface.objects.values_list("internal_name", "pk"))
    expected = [
        ("FR * Ticketnet", Job.SALES_INTEGRATION), ("FR * Ticketnet", Job.QUOTA_SYNC),
        ("FR * Ticketnet", Job.RECONCILIATION), (VISIT_PASS_INTERFACE, Job.SALES_INTEGRATION),
        (VISIT_PASS_INTERFACE, Job.RECONCILIATION), (FLAT_FILE_INTERFACE, Job.FLAT_FILE_IMPORT),
    ]
    assert sorted(PeriodicTask.objects.values_list("name", "task")) == sorted(
        (schedule_name(interface_id=ids[name], job=job), RUN_JOB_TASK) for name, job in expected
    )
