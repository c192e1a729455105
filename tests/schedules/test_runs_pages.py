"""Runs an operator can read (issue 11, items 3 and 4): labelled counts, duration, parameters in
short with the ids behind a link, the interface test as a checklist, runs never deleted by
operators, a list that filters and fits, the live JSON both pages poll, and "Run now" / "Run
again" landing on the run."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sales import services as sales_services
from sales.models import ParkedOperation
from schedules.counts import count_label, counts_rows, headline_counts
from schedules.models import Job, Run
from schedules.run_display import progress_of
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules.test_admin import make_runs, staff_of
from tests.schedules.test_interface_test import run_test, stand_in_exports  # noqa: F401
from tests.schedules.ticketnet_world import make_world

pytestmark = pytest.mark.django_db


def a_run(interface, **kw) -> Run:
    now = timezone.now()
    values = {"job": Job.SALES_INTEGRATION, "trigger": Run.Trigger.MANUAL,
              "status": Run.Status.OK, "started_at": now - dt.timedelta(seconds=75),
              "finished_at": now, **kw}
    return Run.objects.create(interface=interface, **values)


# Count labels -----------------------------------------------------------------------------------


def test_every_count_reads_as_words_in_both_languages():
    assert count_label("allotment_export.batches") == "Allotment export — batches"
    assert count_label("parked_unknown_code") == "parked: unknown ticketnet code"
    with translation.override("fr"):
        assert count_label("allotment_export.batches") == "Export allottements — lots"
        assert count_label("sold") == "vendus"
        assert count_label("box_office.sold") == "Guichet Ticketnet — vendus"
    rows = counts_rows({"sales_integration.sold": 2, "steps_ok": 5, "catalog_export.sent": 1,
                        "sold": 3})
    # Plain counts first, then the interface test's steps in the guide's order.
    assert [label for label, _n in rows] == [
        "Sold", "Steps OK", "Catalogue export — manifestations sent",
        "Sales integration — sold"]
    assert headline_counts({"sold": 4, "parked": 0, "still_parked": 2}) == [
        ("sold", 4), ("still parked", 2)]


# The run's page ---------------------------------------------------------------------------------


def test_the_run_page_reads_and_costs_a_fixed_number_of_queries(
        client, django_assert_max_num_queries):
    interface = f.InterfaceFactory()
    ids = list(range(1, 9895))
    run = a_run(interface, trigger=Run.Trigger.RETRY, params={"parked_operation_ids": ids},
                counts={"sold": 12, "parked_unknown_code": 3, "allotment_export.batches": 2},
                messages=[{"level": "warning", "text": "3 lines parked", "action": "Fix"}])
    make_runs(interface, 300)
    staff_of(interface.institution, client)
    url = reverse("admin:schedules_run_change", args=[run.pk])
    with django_assert_max_num_queries(6):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "1 min 15 s" in body  # the duration
    assert '<th scope="row">Sold</th><td>12</td>' in body
    assert "Parked: unknown ticketnet code" in body
    assert "Allotment export — batches" in body and "allotment_export.batches" not in body
    # 9,894 ids are one line and a link, never the ids themselves.
    assert "9,894 lines" in body and "9893, 9894" not in body and "9893" not in body
    assert f'href="/admin/sales/parkedoperation/?run={run.pk}"' in body
    assert reverse("admin:schedules_run_run_again", args=[run.pk]) in body
    params = client.get(reverse("admin:schedules_run_parameters", args=[run.pk])).json()
    assert params["parked_operation_ids"] == ids


def test_the_ids_behind_the_link_are_the_runs_lines_only_in_the_users_institution(client):
    s = sf.sales_setup(seats=3)
    sales_services.operations_apply(interface=s.interface,
                                    operations=[sf.sale(s, i, price_cents=1) for i in range(3)])
    first, second, _third = ParkedOperation.objects.order_by("pk")
    run = a_run(s.interface, trigger=Run.Trigger.RETRY,
                params={"parked_operation_ids": [first.pk, second.pk]})
    other = a_run(f.InterfaceFactory(), params={"parked_operation_ids": [first.pk]})
    staff_of(s.interface.institution, client)
    url = reverse("admin:sales_parkedoperation_changelist")
    assert client.get(url, {"run": run.pk}).context["cl"].result_count == 2
    # Another institution's run gives nothing, even naming this institution's lines.
    assert client.get(url, {"run": other.pk}).context["cl"].result_count == 0


def test_the_interface_test_reads_as_the_guides_checklist(client, simulator, stand_in_exports):  # noqa: F811
    calls, fail = stand_in_exports
    w = make_world(simulator, seats=5)
    fail.add("allotments")
    run = run_test(w)
    assert run.status == Run.Status.ERROR
    staff_of(w.interface.institution, client)
    body = client.get(reverse("admin:schedules_run_change", args=[run.pk])).content.decode()
    steps = re.findall(r'data-step="(\w+)">\s*<span class="run-step-mark"[^>]*>(.)</span>',
                       body)
    assert steps == [("catalog_export", "✓"), ("allotment_export", "✗"), ("box_office", "–"),
                     ("sales_integration", "–"), ("checks", "–")]
    assert "allotments refused" in body and "What to do:" in body and "Fix it." in body
    assert "Not reached: fix “b. Allotment export” first" in body


def test_operators_never_delete_runs(client):
    interface = f.InterfaceFactory()
    [run] = make_runs(interface, 1)
    staff_of(interface.institution, client)
    changelist = client.get(reverse("admin:schedules_run_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert client.post(reverse("admin:schedules_run_delete", args=[run.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:schedules_run_changelist"),
                       {"action": "delete_selected", "_selected_action": [run.pk],
                        "post": "yes"}).status_code in (200, 302)
    assert Run.objects.filter(pk=run.pk).exists()


# The runs list -----------------------------------------------------------------------------------


def test_the_list_filters_by_interface_job_status_and_date_without_a_counts_column(
        client, django_assert_max_num_queries):
    mine, second = f.InterfaceFactory(), None
    second = f.InterfaceFactory(institution=mine.institution)
    make_runs(mine, 200)
    a_run(second, status=Run.Status.ERROR, started_at=timezone.now() - dt.timedelta(days=3))
    running = a_run(second, status=Run.Status.RUNNING, finished_at=None, progress_done=40,
                    progress_total=None, started_at=timezone.now() + dt.timedelta(seconds=1))
    staff_of(mine.institution, client)
    url = reverse("admin:schedules_run_changelist")
    with django_assert_max_num_queries(10):
        page = client.get(url)
    body = page.content.decode()
    headers = re.findall(r'<th scope="col" class="([^"]+)"', body)
    assert "column-counts_summary" not in headers and "column-summary" in headers
    assert "column-run_duration" in headers
    # The running row says so, with an indeterminate bar, ready for the page to refresh it.
    assert (f'data-run="{running.pk}" data-run-field="status" data-status="running"' in body)
    filters = {"interface__id__exact": second.pk, "job__exact": Job.SALES_INTEGRATION,
               "status__exact": "error",
               # The date filter's "Past 7 days", as the admin writes it.
               "started_at__gte": str(timezone.localtime().replace(
                   hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=7))}
    with django_assert_max_num_queries(10):
        page = client.get(url, filters)
    assert page.context["cl"].result_count == 1
    # The interface filter offers the user's interfaces only.
    choices = [c["display"] for c in page.context["cl"].filter_specs[0].choices(
        page.context["cl"])]
    assert mine.internal_name in choices and len(choices) == 3  # "All" + two interfaces


def test_the_live_figures_are_scoped_and_small(client):
    interface = f.InterfaceFactory()
    started = timezone.now() - dt.timedelta(seconds=10)
    run = a_run(interface, status=Run.Status.RUNNING, finished_at=None, started_at=started,
                progress_done=500, progress_total=2000,
                progress_updated_at=started + dt.timedelta(seconds=5), counts={"sold": 480})
    hidden = a_run(f.InterfaceFactory(), status=Run.Status.RUNNING, finished_at=None)
    staff_of(interface.institution, client)
    live = client.get(reverse("admin:schedules_run_live", args=[run.pk])).json()
    assert (live["status"], live["done"], live["total"], live["percent"]) == (
        "running", 500, 2000, 25)
    assert live["bar"] == [2000, 500]
    assert live["rate"] == "100 operations per second"  # 500 in the first 5 s
    assert live["left"] == "about 15.0 s left"
    assert live["summary"] == "sold 480" and "messages" not in live
    assert client.get(reverse("admin:schedules_run_live", args=[hidden.pk])).status_code == 404
    many = client.get(reverse("admin:schedules_run_live_list"),
                      {"id": [run.pk, hidden.pk]}).json()
    assert [r["id"] for r in many["runs"]] == [run.pk]


def test_progress_without_a_total_is_an_indeterminate_bar_with_the_rate():
    started = timezone.now() - dt.timedelta(seconds=4)
    run = Run(job=Job.SALES_INTEGRATION, status=Run.Status.RUNNING, started_at=started,
              progress_done=10_000, progress_updated_at=started + dt.timedelta(seconds=4))
    progress = progress_of(run)
    assert progress.bar == (1, None) and progress.percent is None and progress.left_text == ""
    assert progress.rate_text == "2,500 operations per second"
    run.status, run.finished_at = Run.Status.OK, run.progress_updated_at
    assert progress_of(run).bar is None  # finished, never said how much: no bar


# Run now, run again: landing on the run ---------------------------------------------------------


def test_run_now_lands_on_the_run_once_a_worker_started_it(
        client, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    staff_of(interface.institution, client)
    url = reverse("admin:channels_externalsalesinterface_run_sales_integration",
                  args=[interface.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    [queued] = callbacks
    task_id = queued.keywords["task_id"]
    follow = response["Location"]
    assert follow.startswith(reverse("admin:channels_externalsalesinterface_follow_run",
                                     args=[interface.pk, task_id]))
    waiting = client.get(follow)
    assert waiting.status_code == 200 and "Waiting for a worker" in waiting.content.decode()
    assert client.get(follow, {"format": "json"}).json() == {"run_url": ""}
    # The worker takes the task: its run records the task's id.
    run = a_run(interface, status=Run.Status.RUNNING, finished_at=None, celery_task_id=task_id)
    run_url = reverse("admin:schedules_run_change", args=[run.pk])
    assert client.get(follow)["Location"] == run_url
    assert client.get(follow, {"format": "json"}).json() == {"run_url": run_url}
    # Another institution cannot follow it.
    other = f.InterfaceFactory()
    assert client.get(reverse("admin:channels_externalsalesinterface_follow_run",
                              args=[other.pk, task_id])).status_code == 404


def test_run_again_queues_the_same_job_and_lands_on_its_run(
        client, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory()
    run = a_run(interface, params={"event_id": 3})
    user = staff_of(interface.institution, client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:schedules_run_run_again", args=[run.pk]))
    [queued] = callbacks
    # requested_by: who asked, for the audit log of exports
    assert queued.keywords["kwargs"] == {"interface_id": interface.pk, "job": run.job,
                                         "trigger": "manual", "params": {"event_id": 3},
                                         "requested_by": user.pk}
    assert f"/follow/{queued.keywords['task_id']}/" in response["Location"]
    # The list's action on one run lands there too.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:schedules_run_changelist"),
                               {"action": "run_again_action", "_selected_action": [run.pk]})
    assert "/follow/" in response["Location"] and len(callbacks) == 1


def test_every_count_a_job_writes_has_a_label():
    """Scan the jobs for the counts they write (`ctx.count("x")`, `add_counts({"x": …})`),
    plus the sales engine's and the keys built from a value: none may show as its key."""
    import ast
    from pathlib import Path

    from sales.types import ApplyResult, ParkReason
    from schedules.counts import COUNT_LABELS

    keys = set()
    for path in (Path(__file__).resolve().parents[2] / "schedules" / "jobs").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if (node.func.attr == "count" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
            elif node.func.attr == "add_counts" and isinstance(node.args[0], ast.Dict):
                keys.update(k.value for k in node.args[0].keys if isinstance(k, ast.Constant))
    assert {"sold", "batches", "sent", "zones", "files"} <= keys  # the scan finds them
    result = ApplyResult()
    result.parked_by_reason = dict.fromkeys(ParkReason.values, 1)
    keys |= set(result.as_counts())
    keys |= {f"files_{o}" for o in ("imported", "already", "refused")}  # flat_file_import
    keys |= {f"steps_{s}" for s in ("ok", "warning", "error")}  # interface_trial.run_step
    unlabelled = sorted(k for k in keys if k not in COUNT_LABELS
                        and not (k.startswith("parked_") and k[7:] in ParkReason.values))
    assert unlabelled == []
