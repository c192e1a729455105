"""Every operator action the issue names lands in the audit log, with who did it: exports (from
the admin, a schedule or a command), a code change Ticketnet confirmed, a retry of parked
lines, a schedule edit, a password change (never its value); entries outlive what they name,
and operators cannot delete a run."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEntry
from mappings.known import KnownCode
from mappings.locks import known_code_change, known_codes_record
from mappings.models import Correspondence
from mappings.services import correspondences_fill_suggestions
from sales import services as sales_services
from sales.models import ParkedOperation
from schedules import tasks
from schedules.framework import queue, registry
from schedules.framework.runner import job_run
from schedules.models import Job, Run
from tests import factories as f
from tests.mappings.factories import build_event
from tests.sales import factories as sf

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
APPS = ("audit", "schedules", "sales", "channels", "mappings", "catalog", "django_celery_beat")


def operator_client(institution):
    user = f.staff_user(institution, app_labels=APPS, username="ines")
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def export_registered():
    """A stand-in allotment export (the real one needs Ticketnet): what is audited is the
    run of an export job, whoever launched it."""
    before = registry._jobs.get(Job.ALLOTMENT_EXPORT)
    registry.register(Job.ALLOTMENT_EXPORT, lambda ctx: ctx.count("sent", 1), replace=True)
    yield
    registry.register(Job.ALLOTMENT_EXPORT, before, replace=True)


@pytest.fixture
def worker_in_process(monkeypatch):
    """The broker takes the job and a worker runs it at once, in this process."""
    monkeypatch.setattr(queue.run_job, "apply_async",
                        lambda kwargs, task_id: tasks.run_job.run(**kwargs))


def test_an_export_launched_from_the_admin_names_the_operator(
        export_registered, worker_in_process, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    user, client = operator_client(interface.institution)
    url = reverse("admin:channels_externalsalesinterface_run_allotment_export",
                  args=[interface.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    run = Run.objects.get(interface=interface)
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert (entry.institution_id, entry.actor_id, entry.actor_username) == (
        interface.institution_id, user.pk, "ines")
    assert entry.params == {"run_id": run.pk, "job": "allotment_export", "trigger": "manual",
                            "launched_from": "admin", "status": "ok"}
    assert str(run.pk) in entry.target and interface.internal_name in entry.target


def test_scheduled_and_command_line_exports_are_recorded_as_the_system(export_registered):
    interface = f.InterfaceFactory()
    tasks.run_job.run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT,
                      trigger=Run.Trigger.SCHEDULED, params={"schedule": "ticketnet:1:x:2"})
    job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)  # what the command calls
    scheduled, command = AuditEntry.objects.order_by("pk")
    assert (scheduled.actor_id, scheduled.params["launched_from"]) == (None, "ticketnet:1:x:2")
    assert (command.actor_id, command.params["launched_from"]) == (None, "command")


def test_a_dry_run_or_another_job_is_not_an_export():
    interface = f.InterfaceFactory()
    registry.register("audit_other", lambda ctx: None, replace=True)
    try:
        job_run(interface_id=interface.pk, job="audit_other")
    finally:
        registry.unregister("audit_other")
    job_run(interface_id=interface.pk, job=Job.CATALOG_EXPORT, params={"dry_run": True,
                                                                        "event_id": 0})
    assert not AuditEntry.objects.exists()


def test_a_code_change_confirmed_by_ticketnet_is_recorded_with_the_confirmation():
    interface = f.InterfaceFactory()
    event = build_event(interface=interface)
    assert correspondences_fill_suggestions(interface=interface).ok
    known_codes_record(interface=interface, at=timezone.now(), manifestation_code="1701",
                       run_id=None, targets=[(c.kind, c.target_id) for c in
                                             Correspondence.objects.filter(interface=interface)])
    known = KnownCode.objects.get(correspondence__event=event)
    operator = f.staff_user(interface.institution, username="marc")
    known_code_change(known_code=known, new_code="1798", ticketnet_reference="TKT-4471",
                      user=operator)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_username, entry.institution_id) == (
        Action.CODE_UNLOCK, "marc", interface.institution_id)
    assert {k: entry.params[k] for k in ("old_code", "new_code", "ticketnet_confirmation")} == {
        "old_code": "1701", "new_code": "1798", "ticketnet_confirmation": "TKT-4471"}


def test_a_refused_code_change_records_nothing():
    interface = f.InterfaceFactory()
    event = build_event(interface=interface)
    assert correspondences_fill_suggestions(interface=interface).ok
    known_codes_record(interface=interface, at=timezone.now(), manifestation_code="1701",
                       run_id=None, targets=[("event", event.pk)])
    with pytest.raises(Exception, match="reference"):
        known_code_change(known_code=KnownCode.objects.get(), new_code="1798",
                          ticketnet_reference="", user=None)
    assert not AuditEntry.objects.exists()


def test_a_retry_of_parked_lines_is_recorded_with_the_lines(
        django_capture_on_commit_callbacks):
    s = sf.sales_setup(seats=3)
    sales_services.operations_apply(interface=s.interface,
                                    operations=[sf.sale(s, i, price_cents=1) for i in range(3)])
    user, client = operator_client(s.interface.institution)
    ids = sorted(ParkedOperation.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("admin:sales_parkedoperation_changelist"),
                    {"action": "retry_action", "_selected_action": ids})
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id) == (Action.RETRY, user.pk)
    assert (entry.params["lines"], sorted(entry.params["parked_operation_ids"])) == (3, ids)


def test_schedule_edits_are_recorded_before_and_after():
    interface = f.InterfaceFactory()
    user, client = operator_client(interface.institution)
    base = "admin:channels_externalsalesinterface_schedule"
    for _n in range(2):  # the second is the operator's own (the first takes the guide's name)
        client.post(reverse(f"{base}_add", args=[interface.pk]),
                    {"job": Job.SALES_INTEGRATION, "when": "periodic", "every": 6,
                     "period": "hours", "enabled": "on"})
    task = PeriodicTask.objects.get(name__endswith=":2")
    client.post(reverse(f"{base}_change", args=[interface.pk, task.pk]),
                {"every": 2, "period": "hours"})
    client.post(reverse(f"{base}_delete", args=[interface.pk, task.pk]))
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    _guide, added, changed, removed = AuditEntry.objects.order_by("pk")
    assert {e.action for e in (added, changed, removed)} == {Action.SCHEDULE_EDIT}
    assert {e.actor_id for e in (added, changed, removed)} == {user.pk}
    assert [e.params["change"] for e in (added, changed, removed)] == [
        "added", "changed", "removed"]
    assert added.params["after"]["every"] == 6
    assert (changed.params["before"], changed.params["after"]) == (
        {"enabled": True, "every": 6, "period": "hours", "start_time": None},
        {"enabled": False, "every": 2, "period": "hours", "start_time": None})


def test_a_password_change_is_recorded_without_the_password():
    interface = f.InterfaceFactory()
    user, client = operator_client(interface.institution)
    url = reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])
    data = {field: getattr(interface, f"{field}_id", None) or getattr(interface, field)
            for field in ("institution", "interface_type", "channel", "internal_name", "url",
                          "login", "contact", "point_of_sale", "external_quota",
                          "price_policy", "statement_amounts", "status", "followup_emails",
                          "client_name",
                          "institution_code", "server_name")}
    data.update(pending_account="True", _save="Save", password="")
    assert client.post(url, data).status_code == 302
    assert not AuditEntry.objects.exists()  # the password was kept: nothing changed
    data["password"] = "N3w-Tkn-Passw0rd"
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id) == (Action.CREDENTIAL_CHANGE, user.pk)
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "N3w-Tkn-Passw0rd" not in stored
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content
    assert b"N3w-Tkn-Passw0rd" not in page and b"Password changed" in page


def test_entries_outlive_the_runs_and_the_interface(export_registered):
    interface = f.InterfaceFactory()
    job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
    entry = AuditEntry.objects.get()
    interface.delete()
    assert not Run.objects.exists()
    entry.refresh_from_db()
    assert entry.params["job"] == "allotment_export"


def test_operators_cannot_delete_a_run(export_registered):
    interface = f.InterfaceFactory()
    run = job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT)
    _user, client = operator_client(interface.institution)
    response = client.post(reverse("admin:schedules_run_delete", args=[run.pk]), {"post": "yes"})
    assert response.status_code == 403
    client.post(reverse("admin:schedules_run_changelist"),
                {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"})
    assert Run.objects.filter(pk=run.pk).exists()
