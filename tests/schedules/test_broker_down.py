"""The broker down (pointed at a closed port): every button that queues a job says on the page
that the job queue is not reachable and nothing was started — no 500, no run left behind, no
audit entry for a retry that was not queued."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from sales import services as sales_services
from sales.models import ParkedOperation
from schedules.framework.errors import JobQueueUnavailable
from schedules.framework.queue import job_queue
from schedules.models import Job, Run
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db
APPS = ("schedules", "sales", "channels", "catalog", "mappings")
NOT_REACHABLE = "The job queue is not reachable; nothing was started."
NOT_REACHABLE_FR = "La file des tâches est injoignable ; rien n’a été lancé."


@pytest.fixture
def broker_down():
    """Celery's broker at the discard port of this machine, where nothing answers."""
    with jobs.broker_at(jobs.UNREACHABLE_BROKER):
        yield


def operator_client(institution, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(f.staff_user(institution, app_labels=APPS))
    return client


def test_job_queue_raises_a_typed_error_before_anything_is_queued(
        broker_down, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, \
            pytest.raises(JobQueueUnavailable):
        job_queue(interface_id=interface.pk, job=jobs.TEST_JOB)
    assert callbacks == []


@pytest.mark.parametrize(("language", "expected"), [("en", NOT_REACHABLE),
                                                    ("fr", NOT_REACHABLE_FR)])
def test_run_now_says_so_on_the_page(broker_down, language, expected):
    interface = f.InterfaceFactory()
    client = operator_client(interface.institution, language)
    url = reverse("admin:channels_externalsalesinterface_run_sales_integration",
                  args=[interface.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Run.objects.exists()


def test_run_again_says_so_on_the_run(broker_down):
    interface = f.InterfaceFactory()
    run = Run.objects.create(interface=interface, job=Job.SALES_INTEGRATION, trigger="manual",
                             started_at="2026-01-01T10:00Z", status="ok")
    client = operator_client(interface.institution)
    response = client.post(reverse("admin:schedules_run_run_again", args=[run.pk]), follow=True)
    assert response.status_code == 200 and NOT_REACHABLE in response.content.decode()
    response = client.post(reverse("admin:schedules_run_changelist"),
                           {"action": "run_again_action", "_selected_action": [run.pk]},
                           follow=True)
    assert response.status_code == 200 and NOT_REACHABLE in response.content.decode()
    assert list(Run.objects.all()) == [run]


def test_retrying_parked_lines_says_so_and_records_no_retry(broker_down):
    s = sf.sales_setup(seats=2)
    sales_services.operations_apply(interface=s.interface,
                                    operations=[sf.sale(s, i, price_cents=1) for i in range(2)])
    client = operator_client(s.interface.institution)
    response = client.post(reverse("admin:sales_parkedoperation_changelist"),
                           {"action": "retry_action", "_selected_action": list(
                               ParkedOperation.objects.values_list("pk", flat=True))},
                           follow=True)
    assert response.status_code == 200 and NOT_REACHABLE in response.content.decode()
    assert not AuditEntry.objects.exists() and not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_broker_lost_at_commit_is_said_too(monkeypatch):
    """Up when asked, gone when the transaction commits: the same message, not a 500."""
    interface = f.InterfaceFactory()
    client = operator_client(interface.institution)
    monkeypatch.setattr("schedules.framework.queue.job_queue_check", lambda: None)
    with jobs.broker_at(jobs.UNREACHABLE_BROKER):
        response = client.post(reverse(
            "admin:channels_externalsalesinterface_run_sales_integration", args=[interface.pk]),
            follow=True)
    assert response.status_code == 200 and NOT_REACHABLE in response.content.decode()
    assert not Run.objects.exists()
