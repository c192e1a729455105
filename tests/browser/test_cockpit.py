"""In Chromium: the demo operator logs in, in French and in English, and the dashboard shows
the demo's runs and charts; the header reads at WCAG AA; /api/docs/ renders offline."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from channels.demo import DEMO_INTERFACE_NAME
from schedules.framework.runner import job_run
from schedules.models import Job, Run

from .conftest import demo_tested, log_in

pytestmark = pytest.mark.browser
OPERATOR = ("operator", "ticketnet-demo")  # load_demo's login


@pytest.fixture
def demo(simulator):
    """The demo against the simulator: the guide's test procedure (catalogue export,
    allotments, Ticketnet sells, duplicates and refunds, sales integration), then a sales
    integration of 40 more sales; and a week of earlier scheduled runs for the charts."""
    interface = demo_tested(simulator)
    simulator.state.generate(count=40, seed=7)
    integration = job_run(interface_id=interface.pk, job=Job.SALES_INTEGRATION)
    assert integration.status == Run.Status.OK, integration.messages
    now = timezone.now()
    Run.objects.bulk_create(
        Run(interface=interface, job=Job.SALES_INTEGRATION, trigger=Run.Trigger.SCHEDULED,
            status=Run.Status.WARNING if day == 3 else Run.Status.OK,
            started_at=now - dt.timedelta(days=day), counts={"sold": 5 * day},
            finished_at=now - dt.timedelta(days=day) + dt.timedelta(seconds=12))
        for day in range(1, 8)
    )
    return interface


@pytest.mark.parametrize(("locale", "texts"), [
    ("en-GB", {"title": "Dashboard", "job": "Sales integration", "sold": "sold",
               "sales": "Sales integrated per day", "runs": "Runs per day and status",
               "quota": "Tickets sold per performance", "when": "just now"}),
    ("fr-FR", {"title": "Tableau de bord", "job": "Intégration des ventes", "sold": "vendus",
               "sales": "Ventes intégrées par jour", "runs": "Exécutions par jour et par statut",
               "quota": "Billets vendus par séance", "when": "à l'instant"}),
])
def test_the_demo_operator_sees_the_demo_runs_and_charts(demo, live_server, new_page,
                                                         screenshot, locale, texts):
    page = new_page(locale=locale)
    log_in(page, live_server, *OPERATOR)
    assert page.locator("#content h1").inner_text() == texts["title"]
    card = page.locator(f"#interface-{demo.pk}")
    assert card.locator("h2").inner_text() == DEMO_INTERFACE_NAME
    row = card.locator('tr[data-job="sales_integration"]')
    assert texts["job"] in row.inner_text() and row.locator(".cockpit-badge").inner_text() == "OK"
    last = Run.objects.filter(interface=demo, job=Job.SALES_INTEGRATION).latest("started_at")
    assert f"{texts['sold']} {last.counts['sold']}" in row.locator("td").nth(2).inner_text()
    assert texts["when"] in row.locator("td").nth(0).inner_text()
    assert card.locator('tr[data-job="interface_test"] .cockpit-badge').inner_text() == "OK"
    # Both charts are drawn: bars for the sales of the demo's days, and the runs by status.
    charts = card.locator("figure.cockpit-chart")
    assert charts.count() == 2
    assert texts["sales"] in card.inner_text() and texts["runs"] in card.inner_text()
    assert charts.nth(0).locator("rect.cockpit-bar").count() >= 8
    assert charts.nth(1).locator("rect.cockpit-warning").count() == 1
    # The concert's tickets against its quota (one valid ticket left by the test, plus 40).
    assert texts["quota"] in card.inner_text()
    assert card.locator(".cockpit-performance").first.locator("meter").count() == 1
    screenshot(page, "dashboard")
    screenshot(page, "dashboard-full", full_page=True)

    # The run behind the badge.
    row.locator(".cockpit-badge").click()
    page.wait_for_url(re.compile(r"/admin/schedules/run/\d+/change/"))
    assert texts["job"] in page.locator("#content").inner_text()
    screenshot(page, "run")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_passes_axe_and_its_header_reads_at_wcag_aa(demo, live_server, new_page,
                                                                 screenshot, scheme):
    page = new_page(locale="fr-FR", color_scheme=scheme)
    log_in(page, live_server, *OPERATOR)
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    ratios = page.evaluate(CONTRAST_OF_HEADER)
    assert ratios and min(ratios.values()) >= 4.5, ratios
    screenshot(page, f"header-{scheme}")


def test_the_api_docs_render_with_no_network(live_server, new_page, screenshot):
    page = new_page()
    outside = []

    def only_this_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{live_server.url}/api/docs/")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=15_000)
    assert "ticketnet_bridge API" in title.inner_text()
    assert page.locator(".swagger-ui .opblock").count() > 0  # the operations are listed
    assert outside == []
    screenshot(page, "swagger")


# The WCAG contrast ratio of each header text against the header's background.
CONTRAST_OF_HEADER = """() => {
  const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const bg = rgb(getComputedStyle(document.querySelector('#header')).backgroundColor);
  const out = {};
  for (const sel of ['#site-name a', '#user-tools', '#user-tools a', '#logout-form button']) {
    const el = document.querySelector(sel);
    if (el) out[sel] = ratio(rgb(getComputedStyle(el).color), bg);
  }
  return out;
}"""
