"""In Chromium, as the demo operator: run the sales integration from the interface's page on a
real Celery worker and watch its progress reach 100 %; the runs list fits a 1366 px screen;
edit a schedule and add a one-off export from the interface's page."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from schedules.jobs.schedules import schedule_name
from schedules.models import Job, Run
from tests.schedules.conftest import celery_processes  # noqa: F401 - the worker, reused

from .conftest import demo_tested, log_in

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]
OPERATOR = ("operator", "ticketnet-demo")  # load_demo's login
SALES = 12_000  # three pages of Ticketnet's journal: the bar moves before it is full


@pytest.fixture
def demo(simulator):
    """The demo against the simulator, its catalogue and allotments exported (the guide's
    test procedure)."""
    return demo_tested(simulator)


def interface_page(page, live_server, interface):
    page.goto(f"{live_server.url}/admin/channels/externalsalesinterface/{interface.pk}/change/")


def test_run_the_sales_integration_and_watch_it_reach_100_percent(
        demo, simulator, celery_processes, live_server, new_page, screenshot):  # noqa: F811
    simulator.state.generate(count=SALES, seed=11)
    # Ticketnet takes its time to list a page, as on a busy day: the run lasts a few seconds.
    simulator.state.fault_set(kind="latency", operation="listOperations", latency_ms=1500)
    page = new_page(locale="fr-FR")
    log_in(page, live_server, *OPERATOR)
    interface_page(page, live_server, demo)
    page.get_by_role("button", name="Lancer l'intégration des ventes maintenant").click()
    # Through the page that waits for a worker, to the run itself.
    page.wait_for_url(re.compile(r"/admin/schedules/run/\d+/change/"), timeout=60_000)
    run_id = int(re.search(r"/run/(\d+)/", page.url)[1])
    # The runs list, open beside it, refreshes the running row in place.
    runs = page.context.new_page()
    runs.goto(f"{live_server.url}/admin/schedules/run/")
    status = runs.locator(f'#result_list [data-run="{run_id}"][data-run-field="status"]')
    assert status.get_attribute("data-status") == "running"
    runs.evaluate("window.__notReloaded = true")
    page.evaluate("window.__notReloaded = true")
    seen, counts_seen = [], []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if not page.evaluate("window.__notReloaded === true"):
                break  # finished: the page reloaded itself to show how it ended
            progress = page.locator(".run-progress").inner_text()
            counts = page.locator(".run-counts")
            counts = counts.inner_text() if counts.is_visible() else ""
        except PlaywrightError:  # the reload happened right then
            break
        seen.append(progress)
        counts_seen.append(counts)
        if re.match(r"\d", seen[-1].strip()) and not any(re.match(r"\d", t.strip())
                                                         for t in seen[:-1]):
            screenshot(page, "running")  # the first figures
        time.sleep(0.25)
    page.wait_for_load_state()
    run = Run.objects.get(pk=run_id)
    assert run.status == Run.Status.OK, run.messages
    assert run.counts["operations"] >= SALES
    # While it ran, the page followed it in place (no reload), the numbers only growing.
    done = [int(m[1].replace("\u202f", "").replace("\xa0", "")) for text in seen
            if (m := re.match(r"([\d\u202f\xa0]+)", text.strip()))]
    assert done and done == sorted(done), seen
    assert any("opérations par seconde" in text for text in seen), seen  # the rate
    assert any("Opérations lues\t5000" in text for text in counts_seen), counts_seen
    # The end: a full bar, done / total at 100 %, the status and the counts by name.
    total = run.progress_total
    assert page.locator(".run-progress .run-progress-text").inner_text() == (
        f"{total} / {total} (100 %)")
    bar = page.locator(".run-progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == str(total)
    assert page.locator('.run-facts [data-run-field="status"]').inner_text() == "OK"
    counts = page.locator(".run-counts").inner_text()
    assert "Vendus" in counts and "Opérations lues" in counts
    assert "sales_integration" not in page.locator("#content").inner_text()
    screenshot(page, "done", full_page=True)
    expect(status).to_have_text("OK", timeout=10_000)
    row = runs.locator(f'#result_list [data-run="{run_id}"][data-run-field="progress"]')
    expect(row).to_contain_text("100 %")
    assert runs.evaluate("window.__notReloaded === true")

    # The runs list: every column on a 1366 px screen, the run's duration and its summary.
    page.goto(f"{live_server.url}/admin/schedules/run/")
    # The table scrolls inside its box when too wide: it must not need to, beside both the
    # navigation and the filters.
    fits = page.evaluate("""() => {
      const results = document.querySelector('#changelist .results');
      return {page: document.documentElement.scrollWidth, table: results.scrollWidth,
              box: results.clientWidth, columns: Array.from(
                document.querySelectorAll('#result_list thead th')).map(
                th => th.className.split(' ').pop() + ':' + Math.round(th.getBoundingClientRect().width)).join(' ')};
    }""")
    assert fits["page"] <= 1366 and fits["table"] <= fits["box"], fits
    row = page.locator("#result_list tbody tr").first
    assert f"#{run_id}" in row.inner_text() and "vendus" in row.inner_text()
    screenshot(page, "runs-list")


def test_edit_a_schedule_and_add_a_one_off_export(demo, live_server, new_page, screenshot):
    page = new_page(locale="en-GB")
    log_in(page, live_server, *OPERATOR)
    interface_page(page, live_server, demo)
    task = PeriodicTask.objects.get(name=schedule_name(interface_id=demo.pk,
                                                       job=Job.SALES_INTEGRATION))
    row = page.locator(f'#interface-schedules tr[data-schedule="{task.pk}"]')
    assert "Sales integration" in row.inner_text() and "every 4 hours" in row.inner_text()
    assert "Enabled" in row.locator(".schedule-state").inner_text()
    screenshot(page, "schedules")
    row.get_by_role("link", name="Change").click()
    page.wait_for_url(re.compile(rf"/schedules/{task.pk}/$"))
    assert page.locator("#id_when_0").count() == 0  # periodic stays periodic
    assert page.locator(".field-run_at").is_hidden()
    page.fill("#id_every", "2")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    screenshot(page, "schedule-form")
    page.click("input[type=submit].default")
    page.wait_for_url(re.compile(r"/change/#interface-schedules$"))
    row = page.locator(f'#interface-schedules tr[data-schedule="{task.pk}"]')
    assert "every 2 hours" in row.inner_text()
    assert "Schedule “" in page.locator(".messagelist").inner_text()
    task.refresh_from_db()
    assert (task.interval.every, task.interval.period, task.enabled) == (2, "hours", True)

    # Tonight's allotment export, once.
    page.get_by_role("link", name="Add a schedule").click()
    page.select_option("#id_job", Job.ALLOTMENT_EXPORT)
    page.check("#id_when_1")
    assert page.locator(".field-every").is_hidden() and page.locator(".field-run_at").is_visible()
    page.fill("#id_run_at", "2099-06-30T21:30")
    page.click("input[type=submit].default")
    page.wait_for_url(re.compile(r"/change/#interface-schedules$"))
    once = page.locator('#interface-schedules tr[data-job="allotment_export"]')
    assert "once, at 06/30/2099 9:30 p.m." in once.inner_text()
    assert "never run" in once.inner_text()
    added = PeriodicTask.objects.get(name=f"ticketnet:{demo.pk}:allotment_export:2")
    assert added.one_off and added.clocked is not None
    screenshot(page, "schedules-after", full_page=True)


def test_the_interface_test_reads_as_a_checklist(demo, live_server, new_page, screenshot):
    run = Run.objects.get(interface=demo, job=Job.INTERFACE_TEST)
    page = new_page(locale="fr-FR")
    log_in(page, live_server, *OPERATOR)
    page.goto(f"{live_server.url}/admin/schedules/run/{run.pk}/change/")
    steps = page.locator(".run-checklist > li")
    assert steps.count() == 5
    assert [steps.nth(n).locator(".run-step-mark").inner_text() for n in range(5)] == ["✓"] * 5
    assert "d. Intégration des ventes" in steps.nth(3).inner_text()
    assert "fait" in steps.nth(4).locator(".run-step-status").inner_text()
    assert "5 / 5 (100 %)" in page.locator(".run-progress").inner_text()
    assert "Étapes OK" in page.locator(".run-counts").inner_text()
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    screenshot(page, "checklist", full_page=True)
