import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from sales import services as sales_services
from sales.models import ParkedOperation
from schedules.framework import registry
from schedules.models import Job, Run
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_integration_registered():
    """A stand-in sales integration, restoring whatever was registered before."""
    before = registry._jobs.get(Job.SALES_INTEGRATION)
    registry.register(Job.SALES_INTEGRATION, lambda ctx: None, replace=True)
    yield
    if before is None:
        registry.unregister(Job.SALES_INTEGRATION)
    else:
        registry.register(Job.SALES_INTEGRATION, before, replace=True)


def make_runs(interface, n):
    now = timezone.now()
    return Run.objects.bulk_create(
        Run(interface=interface, job=jobs.TEST_JOB, trigger="manual", started_at=now,
            finished_at=now, status="warning", counts={"sold": i, "parked": 1},
            messages=[{"level": "warning", "text": f"text {i}", "action": "do it"}],
            progress_done=i, progress_total=n)
        for i in range(n)
    )


def staff_of(institution, client):
    user = f.UserFactory(institutions=[institution], is_superuser=True)
    user.is_superuser = False
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["schedules", "sales", "channels"]))
    client.force_login(user)
    return user


def test_run_changelist_is_scoped_and_bounded(client, django_assert_max_num_queries):
    mine, theirs = f.InterfaceFactory(), f.InterfaceFactory()
    make_runs(mine, 30)
    [hidden] = make_runs(theirs, 1)
    staff_of(mine.institution, client)
    url = reverse("admin:schedules_run_changelist")
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    with django_assert_max_num_queries(15):
        response = client.get(url, {"status__exact": "warning", "job__exact": jobs.TEST_JOB,
                                    "trigger__exact": "manual", "interface__id__exact": mine.pk})
    assert response.context["cl"].result_count == 30
    response = client.get(reverse("admin:schedules_run_change", args=[hidden.pk]))
    assert response.status_code == 302  # not found for this user, existence not leaked


def test_run_detail_shows_counts_messages_and_progress(client):
    interface = f.InterfaceFactory()
    [run] = make_runs(interface, 1)
    run.progress_done, run.progress_total = 250, 1000
    run.save()
    staff_of(interface.institution, client)
    body = client.get(reverse("admin:schedules_run_change", args=[run.pk])).content.decode()
    assert "250 / 1000 (25 %)" in body
    assert "text 0" in body and "do it" in body
    # Counts by name, never by their key (issue 11: "raw count keys").
    assert '<th scope="row">Lines parked</th><td>1</td>' in body
    assert "<th>parked</th>" not in body


def test_run_again_queues_the_same_job_after_commit(client, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    [run] = make_runs(interface, 1)
    staff_of(interface.institution, client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:schedules_run_changelist"),
                               {"action": "run_again_action", "_selected_action": [run.pk]})
    assert response.status_code == 302
    assert len(callbacks) == 1


def test_sales_admin_lists_are_scoped_and_bounded(client, django_assert_max_num_queries):
    s = sf.sales_setup(seats=30, price_cents=2500)
    ops = [sf.sale(s, i) for i in range(30)] + [sf.sale(s, 0, price_cents=1) for _ in range(20)]
    sales_services.operations_apply(interface=s.interface, operations=ops)
    other = sf.sales_setup(seats=2)
    sales_services.operations_apply(interface=other.interface,
                                    operations=[sf.sale(other, 0), sf.sale(other, 1, price_cents=3)])
    staff_of(s.interface.institution, client)
    for name, expected in [("ticket", 30), ("order", 1), ("parkedoperation", 20)]:
        url = reverse(f"admin:sales_{name}_changelist")
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert response.status_code == 200, name
        assert response.context["cl"].result_count == expected, name
    hidden = ParkedOperation.objects.get(interface=other.interface)
    assert client.get(reverse("admin:sales_parkedoperation_change", args=[hidden.pk])).status_code == 302
    response = client.get(reverse("admin:sales_ticket_changelist"), {"state__exact": "valid"})
    assert response.context["cl"].result_count == 30


def test_retry_parked_lines_queues_a_sales_integration(client, sales_integration_registered,
                                                       django_capture_on_commit_callbacks):
    s = sf.sales_setup(seats=3)
    sales_services.operations_apply(interface=s.interface,
                                    operations=[sf.sale(s, i, price_cents=1) for i in range(3)])
    staff_of(s.interface.institution, client)
    ids = list(ParkedOperation.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("admin:sales_parkedoperation_changelist"),
                    {"action": "retry_action", "_selected_action": ids})
    assert len(callbacks) == 1


def test_retry_parked_lines_lands_on_the_run_it_starts(client, sales_integration_registered,
                                                       django_capture_on_commit_callbacks):
    # As "Run now" does: through the page that waits for a worker, to the run.
    s = sf.sales_setup(seats=2)
    sales_services.operations_apply(interface=s.interface,
                                    operations=[sf.sale(s, i, price_cents=1) for i in range(2)])
    staff_of(s.interface.institution, client)
    ids = list(ParkedOperation.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:sales_parkedoperation_changelist"),
                               {"action": "retry_action", "_selected_action": ids})
    [queued] = callbacks
    task_id = queued.keywords["task_id"]
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:channels_externalsalesinterface_follow_run", args=[s.interface.pk, task_id]
    ) + f"?job={Job.SALES_INTEGRATION}"


def test_retry_parked_lines_says_when_the_job_is_missing(client):
    s = sf.sales_setup(seats=1)
    sales_services.operations_apply(interface=s.interface, operations=[sf.sale(s, 0, price_cents=1)])
    staff_of(s.interface.institution, client)
    before = registry._jobs.pop(Job.SALES_INTEGRATION, None)
    try:
        response = client.post(reverse("admin:sales_parkedoperation_changelist"),
                               {"action": "retry_action",
                                "_selected_action": [ParkedOperation.objects.get().pk]},
                               follow=True)
    finally:
        if before is not None:
            registry.register(Job.SALES_INTEGRATION, before, replace=True)
    assert "stay parked" in response.content.decode() or "restent en attente" in response.content.decode()


def interface_form(interface, **changes):
    """The interface's change form as the real channels admin posts it (password blank: kept)."""
    data = {
        field: getattr(interface, f"{field}_id", None) or getattr(interface, field)
        for field in (
            "institution", "interface_type", "channel", "internal_name", "url", "login",
            "contact", "point_of_sale", "external_quota", "price_policy", "statement_amounts", "status",
            "followup_emails", "client_name", "institution_code", "server_name",
        )
    }
    data.update(pending_account="True", password="", _save="Save", **changes)
    return data


def test_saving_an_interface_in_the_admin_creates_its_schedules(client):
    interface = f.InterfaceFactory()
    staff_of(interface.institution, client)
    url = reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("admin:channels_externalsalesinterface_run_sales_integration",
                   args=[interface.pk]) in page.content.decode()
    response = client.post(url, interface_form(interface, followup_emails="a@example.org"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PeriodicTask.objects.filter(name__endswith=f":{interface.pk}:sales_integration").count() == 1
    client.post(url, interface_form(interface, followup_emails="b@example.org"))
    assert PeriodicTask.objects.count() == 2  # with the daily reconciliation


def test_job_button_queues_the_job(client, sales_integration_registered,
                                   django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    staff_of(interface.institution, client)
    url = reverse("admin:channels_externalsalesinterface_run_sales_integration", args=[interface.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url).status_code == 302
    assert len(callbacks) == 1
    other = f.InterfaceFactory()
    url = reverse("admin:channels_externalsalesinterface_run_sales_integration", args=[other.pk])
    assert client.post(url).status_code == 404
