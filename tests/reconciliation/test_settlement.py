"""The settlement (issue 12, item 3): what Ticketnet owes for a period — its sales minus its
refunds at its prices, beside ours — by day, event, performance and tariff; exported to CSV and
XLSX with every cell that could start a formula neutralised."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from channels.models import ExternalSalesInterface
from reconciliation.settlement import settlement, settlement_table
from sales.models import Ticket
from schedules.framework.runner import job_run
from spreadsheets import csv_write, xlsx_write
from tests.schedules.ticketnet_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(simulator):
    w = make_world(simulator, seats=20, places=50)
    numbers = [w.sell(seat=s)["number"] for s in range(1, 6)]
    w.state.duplicate(numbers[0])
    w.state.refund(numbers[1])
    run = job_run(interface_id=w.interface.pk, job="sales_integration")
    assert run.status == "ok", run.messages
    w.numbers = numbers
    return w


def test_sales_minus_refunds_at_ticketnet_prices_a_duplicate_moves_no_money(world):
    today = timezone.localdate()
    s = settlement(interface=world.interface, start=today, end=today)
    price = world.setup.price_cents
    assert (s.total.sold, s.total.refunded, s.total.duplicated) == (5, 1, 1)
    assert s.total.sales_cents == 5 * price
    assert s.total.refunds_cents == price
    assert s.total.due_cents == 4 * price
    assert s.total.our_due_cents == 4 * price
    [row] = s.rows
    assert row.day == today and row.event == world.setup.event.name
    assert row.tariff == world.setup.tariff.name
    days = s.days()
    assert [d for d, _a in days] == [today]


def test_our_price_is_beside_ticketnets_where_the_policy_kept_ours(world):
    ExternalSalesInterface.objects.filter(pk=world.interface.pk).update(
        price_policy=ExternalSalesInterface.PricePolicy.IGNORE)
    Ticket.objects.filter(number=world.numbers[2]).update(price_cents=world.setup.price_cents
                                                          - 500)
    today = timezone.localdate()
    s = settlement(interface=world.interface, start=today, end=today)
    assert s.total.due_cents - s.total.our_due_cents == 500


def test_a_period_without_sales_is_all_zeros_day_by_day(world):
    today = timezone.localdate()
    s = settlement(interface=world.interface, start=today - timedelta(days=9),
                   end=today - timedelta(days=3))
    assert s.rows == [] and s.total.due_cents == 0
    assert len(s.days()) == 7


def test_the_settlement_opens_in_a_spreadsheet_amounts_as_numbers_formulas_neutralised(world):
    world.setup.event.name = "=HYPERLINK(\"http://evil\")"
    world.setup.event.save()
    today = timezone.localdate()
    s = settlement(interface=world.interface, start=today, end=today)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_write(settlement_table(s), title="Settlement")))
    rows = list(book.active.iter_rows(values_only=True))
    header, row, total = rows
    assert header[0] == "Day" and "Due by Ticketnet" in header
    assert row[1] == "'=HYPERLINK(\"http://evil\")"  # text, never a formula
    due = header.index("Due by Ticketnet")
    assert row[due] == Decimal(4 * world.setup.price_cents) / 100
    assert isinstance(total[due], int | float)
    text = csv_write(settlement_table(s), bom=True)
    assert "'=HYPERLINK" in text
    assert f"{4 * world.setup.price_cents // 100},00" in text  # French Excel's decimal comma
