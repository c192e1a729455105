"""Schedules belong to operators (issue 11, item 2): on the interface's page they see and edit
their institution's schedules and add one of any job, periodic or once at a date and time;
django-celery-beat's own admin stays for superusers."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, PeriodicTask

from mappings.models import Correspondence, Kind
from schedules import tasks
from schedules.jobs.schedules import schedule_name, schedules_ensure
from schedules.models import ExportedManifestation, Job, Run
from schedules.operator_schedules import interface_schedules
from tests import factories as f
from tests.schedules.export_setup import interface_on, manifestations, small_event
from tests.schedules.test_admin import staff_of

pytestmark = pytest.mark.django_db
LOCAL = "%Y-%m-%dT%H:%M"


def url(interface, name, *args):
    return reverse(f"admin:channels_externalsalesinterface_{name}", args=[interface.pk, *args])


def guide_task(interface, job=Job.SALES_INTEGRATION) -> PeriodicTask:
    schedules_ensure(interface=interface)
    return PeriodicTask.objects.get(name=schedule_name(interface_id=interface.pk, job=job))


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime(LOCAL)


def test_the_interface_page_shows_its_schedules_with_next_run_and_last_result(client):
    interface = f.InterfaceFactory()
    task = guide_task(interface)
    now = timezone.now()
    task.last_run_at = now - dt.timedelta(hours=1)
    task.save()
    ran = Run.objects.create(interface=interface, job=Job.SALES_INTEGRATION,
                             trigger=Run.Trigger.SCHEDULED, status=Run.Status.WARNING,
                             started_at=now - dt.timedelta(hours=1), finished_at=now)
    Run.objects.create(interface=interface, job=Job.SALES_INTEGRATION, status=Run.Status.OK,
                       trigger=Run.Trigger.MANUAL, started_at=now, finished_at=now)
    other = f.InterfaceFactory()
    guide_task(other)
    staff_of(interface.institution, client)
    body = client.get(reverse("admin:channels_externalsalesinterface_change",
                              args=[interface.pk])).content.decode()
    block = body[body.index('id="interface-schedules"'):]
    assert f'data-schedule="{task.pk}"' in block and "every 4 hours" in block
    assert "in 2\xa0hours" in block or "in 2 hours" in block  # the next run
    # The last result is the schedule's last run, not the manual one after it.
    assert reverse("admin:schedules_run_change", args=[ran.pk]) in block
    assert url(interface, "schedule_change", task.pk) in block
    assert f"ticketnet:{other.pk}:" not in body
    # Another institution's schedule is not found.
    assert client.get(url(other, "schedule_change", task.pk)).status_code == 404
    assert client.get(url(interface, "schedule_change",
                          guide_task(other).pk)).status_code == 404


def test_operators_edit_a_schedule_without_touching_anyone_elses_interval(client):
    interface, neighbour = f.InterfaceFactory(), f.InterfaceFactory()
    task, theirs = guide_task(interface), guide_task(neighbour)
    shared = task.interval
    assert theirs.interval == shared
    staff_of(interface.institution, client)
    edit = url(interface, "schedule_change", task.pk)
    refused = client.post(edit, {"every": 2, "period": "minutes", "enabled": "on"})
    assert refused.context["form"].errors["every"] == ["At least 5 minutes between two runs."]
    response = client.post(edit, {"every": 2, "period": "hours"})  # and disabled
    assert response.status_code == 302
    task.refresh_from_db()
    theirs.refresh_from_db()
    assert (task.interval.every, task.interval.period, task.enabled) == (2, "hours", False)
    assert theirs.interval == shared and (shared.every, shared.period) == (4, "hours")
    # The guide's schedule is disabled, never removed (saving the interface would remake it).
    client.post(url(interface, "schedule_delete", task.pk))
    assert PeriodicTask.objects.filter(pk=task.pk).exists()


def test_add_a_one_off_allotment_export_and_a_periodic_quota_sync(client):
    interface = f.InterfaceFactory()
    guide_task(interface)
    staff_of(interface.institution, client)
    tonight = (timezone.now() + dt.timedelta(days=1)).replace(hour=21, minute=30, second=0,
                                                              microsecond=0)
    response = client.post(url(interface, "schedule_add"), {
        "job": Job.ALLOTMENT_EXPORT, "when": "once", "run_at": local(tonight), "enabled": "on"})
    assert response.status_code == 302, response.context["form"].errors
    once = PeriodicTask.objects.get(name=f"ticketnet:{interface.pk}:allotment_export:2")
    assert once.one_off and once.clocked.clocked_time == tonight and once.interval is None
    assert json.loads(once.kwargs) == {
        "interface_id": interface.pk, "job": "allotment_export", "trigger": "scheduled",
        "params": {"schedule": once.name}}
    client.post(url(interface, "schedule_add"), {
        "job": Job.QUOTA_SYNC, "when": "periodic", "every": 1, "period": "days",
        "enabled": "on"})
    # No guide's quota sync yet: the new periodic one takes the guide's name (the dashboard
    # reads it), and queues runs as the guide's do.
    sync = PeriodicTask.objects.get(name=schedule_name(interface_id=interface.pk,
                                                       job=Job.QUOTA_SYNC))
    assert (sync.interval.every, sync.interval.period) == (1, IntervalSchedule.DAYS)
    assert json.loads(sync.kwargs)["params"] == {}
    items = interface_schedules(interface=interface)
    assert [(i.job, i.guide, i.one_off) for i in items] == [
        (Job.SALES_INTEGRATION, True, False), (Job.QUOTA_SYNC, True, False),
        (Job.RECONCILIATION, True, False), (Job.ALLOTMENT_EXPORT, False, True)]
    # The one-off's run is its last result; an extra schedule may be removed.
    run = Run.objects.create(interface=interface, job=Job.ALLOTMENT_EXPORT,
                             trigger=Run.Trigger.SCHEDULED, params={"schedule": once.name},
                             status=Run.Status.OK, started_at=timezone.now())
    assert interface_schedules(interface=interface)[3].last_run == run
    assert interface_schedules(interface=interface)[0].last_run is None
    client.post(url(interface, "schedule_delete", once.pk))
    assert not PeriodicTask.objects.filter(pk=once.pk).exists()


def test_refusals_are_given_at_their_field(client):
    interface = f.InterfaceFactory()
    event = small_event(interface)
    staff_of(interface.institution, client)
    add = url(interface, "schedule_add")
    past = local(timezone.now() - dt.timedelta(hours=1))
    errors = client.post(add, {"job": Job.CATALOG_EXPORT, "when": "periodic", "every": 4,
                               "period": "hours"}).context["form"].errors
    assert errors["when"] == ["A catalogue export is sent once and never again: schedule it "
                              "once, at a date and time."]
    assert errors["event"] == ["Choose the event to export."]
    errors = client.post(add, {"job": Job.SALES_INTEGRATION, "when": "once", "run_at": past,
                               "event": event.pk}).context["form"].errors
    assert errors["run_at"] == ["Choose a time in the future."]
    assert errors["event"] == ["Only the catalogue and allotment exports are about one event: "
                               "leave it empty."]
    errors = client.post(add, {"job": Job.FLAT_FILE_IMPORT, "when": "periodic", "every": 4,
                               "period": "hours"}).context["form"].errors
    assert "takes no flat files" in errors["job"][0]
    assert not PeriodicTask.objects.exists()


def test_operators_reach_beats_admin_no_more_superusers_do(client):
    interface = f.InterfaceFactory()
    user = staff_of(interface.institution, client)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="django_celery_beat"))
    changelist = reverse("admin:django_celery_beat_periodictask_changelist")
    assert client.get(changelist).status_code == 403
    assert "django_celery_beat" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    assert client.get(changelist).status_code == 200


def test_a_one_off_catalogue_export_still_goes_through_the_previews_checks(client, simulator):
    """Scheduled from the interface's page for tonight; a code is missing when it runs: the
    job plans and validates as the preview does, and sends nothing. Fixed, the same schedule's
    run sends it."""
    interface = interface_on(simulator)
    event = small_event(interface)
    staff_of(interface.institution, client)
    zone = Correspondence.objects.filter(interface=interface, kind=Kind.ZONE).first()
    zone_code, zone_id = zone.code, zone.zone_id
    zone.delete()
    tonight = timezone.now() + dt.timedelta(hours=6)
    response = client.post(url(interface, "schedule_add"), {
        "job": Job.CATALOG_EXPORT, "event": event.pk, "when": "once", "run_at": local(tonight),
        "enabled": "on"}, follow=True)
    body = response.content.decode()
    assert "has 1 problem today" in body  # said at once, with the preview behind a link
    task = PeriodicTask.objects.get(name__startswith=f"ticketnet:{interface.pk}:catalog_export")
    assert task.one_off and ClockedSchedule.objects.filter(pk=task.clocked_id).exists()

    def beat_fires():  # what beat does at the clocked time: run_job with the task's kwargs
        run_id = tasks.run_job.run(**json.loads(task.kwargs))
        return Run.objects.get(pk=run_id)

    run = beat_fires()
    assert (run.status, run.trigger, run.params) == (
        Run.Status.ERROR, Run.Trigger.SCHEDULED, {"event_id": event.pk, "schedule": task.name})
    assert any("Enter the Ticketnet code of the zone" in m["text"] for m in run.messages)
    assert manifestations(simulator) == {} and not ExportedManifestation.objects.exists()
    Correspondence.objects.create(interface=interface, kind=Kind.ZONE, zone_id=zone_id,
                                  code=zone_code)
    assert beat_fires().status == Run.Status.OK
    assert len(manifestations(simulator)) == 1
