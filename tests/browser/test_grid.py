"""In Chromium, as the demo operator: a sale parked for a zone code missing on our side is
fixed in the correspondence grid, then retried from the parked lines and lands integrated;
the grid at a phone's 390 px (no horizontal scroll, accessible, a column pasted)."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.demo import CONCERT_CODE, LEAGUE_CODE
from catalog.models import Event
from mappings.known import KnownCode
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_book
from sales.models import ParkedOperation, Ticket
from sales.types import ParkReason
from schedules.framework.runner import job_run
from schedules.models import Job, Run
from tests.schedules.conftest import celery_processes  # noqa: F401 - the worker, reused

from .conftest import demo_tested, log_in

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]
OPERATOR = ("operator", "ticketnet-demo")  # load_demo's login


@pytest.fixture
def demo(simulator):
    return demo_tested(simulator)


def grid_url(live_server, interface):
    return f"{live_server.url}/admin/mappings/correspondence/grid/{interface.pk}/"


def parked_for_a_missing_zone_code(demo, simulator):
    """Ticketnet sells a seat of the exported concert; on our side its zone's code is gone (as
    if never entered), so the sales integration parks the sale. Returns (line, zone, code)."""
    event = Event.objects.get(institution=demo.institution, code=CONCERT_CODE)
    performance = event.performances.select_related("event").first()
    manifestation, perf_code = correspondence_book(interface=demo).performance_key(performance)
    seat = simulator.state.free_seats(manifestation=manifestation, performance=perf_code,
                                      limit=1)[0]
    price = seat["tariffs"][0]
    simulator.state.sell(manifestation=manifestation, performance=perf_code, zone=seat["zone"],
                         row=seat["row"], seat=seat["seat"], category=seat["category"],
                         tariff=price["tariff"], price_cents=price["price_cents"])
    lost = Correspondence.objects.select_related("zone").get(interface=demo, kind=Kind.ZONE,
                                                             code=seat["zone"])
    KnownCode.objects.filter(correspondence=lost).delete()
    lost.delete()
    run = job_run(interface_id=demo.pk, job=Job.SALES_INTEGRATION)
    assert run.status == Run.Status.WARNING, run.messages
    line = ParkedOperation.objects.get(interface=demo, resolved_at=None,
                                       reason=ParkReason.UNKNOWN_CODE)
    return line, lost.zone, seat["zone"]


def test_fix_a_parked_lines_code_in_the_grid_and_retry_it(
        demo, simulator, celery_processes, live_server, new_page, screenshot):  # noqa: F811
    line, zone, code = parked_for_a_missing_zone_code(demo, simulator)
    tickets_before = Ticket.objects.filter(interface=demo).count()
    page = new_page()
    log_in(page, live_server, *OPERATOR)

    # The grid, filtered to the missing codes as one types: the zone is there, empty.
    page.goto(grid_url(live_server, demo))
    page.check("#grid-missing")
    page.fill("#grid-q", zone.name)
    visible = page.locator("tr.grid-row:visible")
    assert visible.count() == 1
    field = page.locator(f"#id_code-zone-{zone.pk}")
    # Labelled by its object (what a screen reader says and a click on the name focuses).
    assert str(zone) in page.locator(f'label[for="id_code-zone-{zone.pk}"]').inner_text()
    assert field.input_value() == ""
    field.fill(code)
    assert "Changes not saved yet: 1" in page.locator("#grid-status").inner_text()
    screenshot(page, "grid-filled")
    page.get_by_role("button", name="Save all").click()
    assert "Saved: 1 created" in page.locator(".messagelist").inner_text()
    assert Correspondence.objects.get(interface=demo, kind=Kind.ZONE, zone=zone).code == code

    # The parked line, retried: the action lands on the run it starts, which integrates it.
    page.goto(f"{live_server.url}/admin/sales/parkedoperation/")
    page.check(f'input[name="_selected_action"][value="{line.pk}"]')
    page.select_option('select[name="action"]', "retry_action")
    page.click('button[name="index"]')  # Go
    page.wait_for_url(re.compile(r"/admin/schedules/run/\d+/change/"), timeout=60_000)
    run_id = int(re.search(r"/run/(\d+)/", page.url)[1])
    deadline = time.monotonic() + 60
    while Run.objects.get(pk=run_id).finished_at is None and time.monotonic() < deadline:
        time.sleep(0.25)
    run = Run.objects.get(pk=run_id)
    assert (run.trigger, run.status) == (Run.Trigger.RETRY, Run.Status.OK), run.messages
    page.reload()
    assert "OK" in page.locator("body").inner_text().upper()
    screenshot(page, "retried-run", full_page=True)
    line.refresh_from_db()
    assert line.resolved_at is not None
    assert Ticket.objects.filter(interface=demo).count() == tickets_before + 1


def test_the_grid_at_390_px(demo, live_server, new_page, screenshot):
    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, *OPERATOR)
    # The league's zones still without codes: free them, as before a first entry.
    Correspondence.objects.filter(interface=demo, kind=Kind.ZONE, known_code__isnull=True,
                                  zone__configuration__performances__event__code=LEAGUE_CODE
                                  ).delete()
    page.goto(grid_url(live_server, demo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    screenshot(page, "phone", full_page=True)
    # The save bar stays in view at the bottom of the screen while scrolling.
    page.mouse.wheel(0, 2000)
    bar = page.locator(".grid-actions").bounding_box()
    assert bar["y"] + bar["height"] <= 844 + 1
    screenshot(page, "phone-scrolled")

    # A spreadsheet column pasted into the first empty code fills the rows below it.
    editable = page.locator(".grid-code input:not([readonly])")
    values = [i.input_value() for i in editable.all()]
    first = values.index("")
    inputs = [editable.nth(first + n) for n in range(3)]
    inputs[0].evaluate("""(input) => {
        const data = new DataTransfer();
        data.setData("text/plain", "101\\r\\n102\\r\\n103\\r\\n");
        input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                         cancelable: true}));
    }""")
    assert [i.input_value() for i in inputs] == ["101", "102", "103"]
    assert "Codes pasted: 3." in page.locator("#grid-status").inner_text()
