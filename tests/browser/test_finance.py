"""In Chromium: the demo operator opens the demo interface's finance page from its admin page;
it shows the settlement of the last 30 days with its chart and the latest reconciliation's
differences (found by the real job in a statement of the simulator's tickets), and passes
axe's checks."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from sales.models import Ticket
from schedules.framework.runner import job_run
from schedules.models import Job, Run
from ticketnet_gateway.statement import AmountNotation, StatementLine
from ticketnet_gateway.statement_writer import statement_write

from .conftest import demo_tested, log_in

pytestmark = pytest.mark.browser
OPERATOR = ("operator", "ticketnet-demo")  # load_demo's login
DAYS = 30


@pytest.fixture
def finance_demo(simulator, tmp_path):
    """The demo after a month of Ticketnet's sales: the guide's test, 120 more operations
    integrated, then a reconciliation with Ticketnet's sales statement that finds three
    differences (a ticket we refunded alone, one booked at another price, one never received);
    the tickets' sale and refund days spread over the last 30 days for the settlement."""
    interface = demo_tested(simulator)
    simulator.state.generate(count=120, seed=11)
    run = job_run(interface_id=interface.pk, job=Job.SALES_INTEGRATION)
    assert run.status == Run.Status.OK, run.messages
    valid = list(Ticket.objects.filter(interface=interface, state=Ticket.State.VALID,
                                       original=None, duplicates=None).order_by("number")[:3])
    now = timezone.now()
    Ticket.objects.filter(pk=valid[0].pk).update(state=Ticket.State.CANCELLED, ended_at=now)
    Ticket.objects.filter(pk=valid[1].pk).update(
        reseller_price_cents=valid[1].reseller_price_cents + 150)
    valid[2].delete()
    today = timezone.localdate()
    path = tmp_path / "RELEVE_TICKETNET.txt"
    statement_of(simulator, path)
    run = job_run(interface_id=interface.pk, job=Job.RECONCILIATION,
                  params={"from": (today - dt.timedelta(days=1)).isoformat(),
                          "to": today.isoformat(), "statement": str(path),
                          "statement_name": path.name})
    assert run.status == Run.Status.WARNING, run.messages
    for n, ticket in enumerate(Ticket.objects.filter(interface=interface).order_by("pk")):
        day = now - dt.timedelta(days=(n * 7) % DAYS, hours=n % 5)
        ended = day + dt.timedelta(days=1) if ticket.ended_at else None
        Ticket.objects.filter(pk=ticket.pk).update(
            sold_at=day, ended_at=min(ended, now) if ended else None,
            # Under the demo's policy our price is kept: a few tickets were booked dearer.
            price_cents=ticket.price_cents + (500 if n % 6 == 0 else 0))
    return interface


def statement_of(simulator, path) -> None:
    """Ticketnet's statement of every ticket the simulator issued: a sale record each, and a
    cancellation record for each ticket it ended (refunded or replaced)."""
    rows = simulator.state.store.db().execute(
        "SELECT number, status, performance_code, zone_code, row, seat, category_code, "
        "tariff_code, price_cents FROM ticket ORDER BY number").fetchall()
    lines = []
    for number, status, performance, zone, row, seat, category, tariff, price in rows:
        start = dt.datetime.strptime(performance, "%y%m%d%H%M")  # Ticketnet's code: its time
        for cancelled in [False] + ([True] if status != "ACTIVE" else []):
            lines.append(StatementLine(
                line_number=len(lines) + 1, label="CONCERT", performance_at=start,
                cancelled=cancelled, category=category, price_code=tariff, fiscal_code="",
                zone=zone, row=row, seat=seat, amount_cents=price, currency="EUR",
                ticket_id=number))
    with path.open("wb") as out:
        statement_write(lines, out, with_buyer=False, amount_notation=AmountNotation.DECIMAL_POINT,
                        header=["TICKETNET RELEVE DES VENTES"], trailer=[f"FIN {len(lines):06d}"])


def test_the_finance_page_shows_the_settlement_and_the_differences(finance_demo, live_server,
                                                                   new_page, screenshot):
    page = new_page()
    log_in(page, live_server, *OPERATOR)
    page.goto(f"{live_server.url}/admin/channels/externalsalesinterface/{finance_demo.pk}/change/")
    page.click("#finance-link")
    page.wait_for_selector("#settlement")
    today = timezone.localdate()
    page.fill("#id_start", (today - dt.timedelta(days=DAYS - 1)).isoformat())
    page.fill("#id_end", today.isoformat())
    page.click("#period button[type=submit]")
    page.wait_for_selector("#settlement")
    assert page.locator("#settlement-counts").inner_text().count("\n") >= 2
    assert page.locator("#due-theirs").inner_text() != "0.00"
    chart = page.locator("#settlement figure.cockpit-chart")
    assert chart.locator("rect.cockpit-theirs").count() >= 10
    assert chart.locator("rect.cockpit-ours").count() >= 10
    assert chart.locator("svg > title").text_content() == "Due by Ticketnet per day, in EUR"
    kinds = page.locator("#difference-kinds").inner_text()
    assert "3 differences" in kinds
    rows = page.locator("#differences tbody tr")
    assert rows.count() == 3
    assert "Never received" in page.locator("#differences").inner_text()
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    screenshot(page, "reconciliation", full_page=True)  # the README's docs/tour/reconciliation.png
