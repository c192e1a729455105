"""The interface's finance page, "Reconciliation and settlement" (issue 12): a period's settlement
(totals at Ticketnet's prices beside ours, a chart, CSV and XLSX), the reconciliations and their
differences (bounded queries), the reconcile buttons (a statement kept on the server, the job
queued), tenancy and French."""

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Event
from reconciliation.models import Difference, Reconciliation
from sales.models import Order, ParkedOperation, Ticket
from schedules.models import Job
from tests import factories as f

from .conftest import client_for

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org","x")'


def page_url(interface, name="reconciliation", *args):
    return reverse(f"admin:channels_externalsalesinterface_{name}", args=[interface.pk, *args])


@pytest.fixture
def sold(world):
    """Today: three tickets sold by Ticketnet at 20.00 that we booked at 25.00 (the "ignore"
    policy kept ours), one of them refunded, one duplicated (its reprint moves no money)."""
    interface, performance = world.interface, world.performance
    Event.objects.filter(pk=performance.event_id).update(name=FORMULA)
    profile = f.ActivityProfileFactory(institution=interface.institution,
                                       channel=interface.channel)
    profile.events.add(performance.event_id)  # sold through the interface's channel
    zone = performance.zone_allocations.get().zone
    order = Order.objects.create(interface=interface, contact=interface.contact,
                                 point_of_sale=interface.point_of_sale)
    category = f.SeatCategoryFactory(institution=interface.institution)
    tariff = f.TariffFactory(institution=interface.institution, name="Plein tarif")
    now = timezone.now()

    def ticket(number, state=Ticket.State.VALID, original=None, **kw):
        return Ticket.objects.create(
            interface=interface, number=number, performance=performance, zone=zone,
            series_row=1, series_number=int(number[1:]), state=state, category=category,
            tariff=tariff, price_cents=2500, reseller_price_cents=2000, order=order,
            operation_id=f"OP{number}", sold_at=now, original=original, **kw)

    world.kept = ticket("T1")
    world.refunded = ticket("T2", Ticket.State.CANCELLED, ended_at=now)
    replaced = ticket("T3", Ticket.State.INVALIDATED, ended_at=now)
    ticket("T4", original=replaced)
    return world


def reconciliation_of(world, *, differences: int) -> Reconciliation:
    """A reconciliation with a line held back by a parked line, our refund Ticketnet does
    not know, and `differences` - 2 price differences."""
    interface, now = world.interface, timezone.now()
    today = timezone.localdate()
    parked = ParkedOperation.objects.create(
        interface=interface, operation_id="PK1", type="SALE", ticket_number="TN-PARKED",
        line={}, reason="price_difference", message="", first_attempt_at=now,
        last_attempt_at=now)
    rec = Reconciliation.objects.create(
        interface=interface, source=Reconciliation.Source.STATEMENT,
        statement_name="releve-mars.txt", period_start=today, period_end=today,
        started_at=now, finished_at=now, ticketnet_lines=120, our_tickets=119, matched=117,
        counts={"missing_here": 1, "state_differs": 1, "price_differs": differences - 2})
    rows = [
        Difference(reconciliation=rec, kind="missing_here", ticket_number="TN-PARKED",
                   parked=parked, ticketnet_state="valid", ticketnet_price_cents=2700,
                   reason="parked", params={"park_reason": "price_difference", "line": 7}),
        Difference(reconciliation=rec, kind="state_differs", ticket_number="T2",
                   ticket=world.refunded, ticketnet_state="valid", our_state="cancelled",
                   ticketnet_price_cents=2000, our_price_cents=2000),
    ]
    rows += [Difference(reconciliation=rec, kind="price_differs", ticket_number=f"TP{n:04d}",
                        ticket=world.kept, ticketnet_state="valid", our_state="valid",
                        ticketnet_price_cents=2000, our_price_cents=2100)
             for n in range(differences - 2)]
    Difference.objects.bulk_create(rows)
    return rec


def test_the_page_shows_the_settlement_chart_and_the_latest_reconciliation(sold):
    rec = reconciliation_of(sold, differences=3)
    client = client_for(sold.operator)
    change = client.get(reverse("admin:channels_externalsalesinterface_change",
                                args=[sold.interface.pk])).content.decode()
    assert page_url(sold.interface) in change  # reached from the interface's page
    response = client.get(page_url(sold.interface))
    assert response.status_code == 200
    body = response.content.decode()
    # The period defaults to the current month up to today.
    today = timezone.localdate()
    assert response.context["period"].cleaned_data["start"] == today.replace(day=1)
    assert response.context["period"].cleaned_data["end"] == today
    # Totals: 3 sold, 1 refunded, 1 duplicated; due 40.00 at Ticketnet's prices, 50.00 at ours.
    totals = response.context["totals"]
    assert (totals["sold"], totals["refunded"], totals["duplicated"]) == (3, 1, 1)
    assert '<td class="finance-number" id="due-theirs">40.00</td>' in body
    assert '<td class="finance-number" id="due-ours">50.00</td>' in body
    # The chart: both series for today, with a title, a description and the day's figures.
    chart = response.context["chart"]
    assert {bar.key for bar in chart.bars} == {"theirs", "ours"}
    assert "<title id=\"chart-finance-due-title\">Due by Ticketnet per day, in EUR</title>" in body
    assert "The chart's figures, day by day" in body
    # The latest reconciliation: its source and file, counts, kinds and lines with links.
    assert response.context["shown"] == rec
    assert "releve-mars.txt" in body and "120 at Ticketnet, 119 here, 117 matched" in body
    assert "Missing here: 1" in body and "Price differs: 1" in body
    assert "Held back by a parked line: Price difference." in body
    parked = ParkedOperation.objects.get()
    assert reverse("admin:sales_parkedoperation_change", args=[parked.pk]) in body
    assert reverse("admin:sales_ticket_change", args=[sold.refunded.pk]) in body
    assert "Cancelled by a refund" in body  # our state, by its label
    assert page_url(sold.interface, "reconciliation_differences", rec.pk) in body


def test_the_page_costs_the_same_queries_for_1_or_50_differences(sold):
    client = client_for(sold.operator)
    counts = []
    for n in (3, 50):
        Reconciliation.objects.all().delete()
        ParkedOperation.objects.all().delete()
        reconciliation_of(sold, differences=n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(sold.interface))
        assert response.status_code == 200
        assert len(response.context["differences"].object_list) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts


def test_the_differences_are_paged_and_filtered_by_kind(sold):
    rec = reconciliation_of(sold, differences=120)
    client = client_for(sold.operator)
    first = client.get(page_url(sold.interface))
    assert first.context["differences"].paginator.count == 120
    assert len(first.context["differences"].object_list) == 50
    assert "Differences 1 to 50 of 120" in first.content.decode()
    kind = client.get(page_url(sold.interface), {"reconciliation": rec.pk,
                                                "kind": "missing_here"})
    assert [d.number for d in kind.context["differences"]] == ["TN-PARKED"]


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"start": "2026-02-30", "end": "2026-03-01"}, "start", "Enter a date as YYYY-MM-DD."),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "end",
     "The period ends before it starts: pick a day on or after 2026-03-02."),
    ({"start": "2025-01-01", "end": "2026-03-01"}, "end",
     "The period is longer than 366 days: pick a shorter one."),
])
def test_the_period_is_refused_at_its_field(sold, query, field, message):
    response = client_for(sold.operator).get(page_url(sold.interface), query)
    assert response.status_code == 200
    assert response.context["period"].errors[field] == [message]
    assert "settlement" not in response.context


def test_the_period_is_refused_in_french(sold):
    response = client_for(sold.operator, "fr").get(
        page_url(sold.interface), {"start": "2026-03-02", "end": "2026-03-01"})
    assert response.context["period"].errors["end"] == [
        "La période finit avant de commencer : choisissez un jour à partir du 2026-03-02."]


def test_the_page_speaks_french(sold):
    reconciliation_of(sold, differences=3)
    body = client_for(sold.operator, "fr").get(page_url(sold.interface)).content.decode()
    assert "Rapprochement et règlement" in body
    assert "Dû par Ticketnet" in body
    assert "Retenu par une ligne en attente : Différence de prix." in body
    assert 'id="due-theirs">40,00</td>' in body  # the reader's notation


def test_the_settlement_downloads_as_csv_for_excel(sold):
    today = timezone.localdate()
    response = client_for(sold.operator).get(
        page_url(sold.interface, "reconciliation_settlement", "csv"),
        {"start": today.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200
    name = f"settlement-fr-ticketnet-{today:%Y%m%d}-{today:%Y%m%d}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Day", "Event", "Performance", "Tariff"]
    [row] = rows[1:-1]
    assert row[1] == "'" + FORMULA  # neutralised: Excel shows it, never runs it
    assert row[4:10] == ["3", "1", "1", "60,00", "20,00", "40,00"]
    assert rows[-1][0] == "Total" and rows[-1][9] == "40,00" and rows[-1][12] == "50,00"


def test_the_settlement_downloads_as_xlsx_with_numbers(sold):
    response = client_for(sold.operator).get(
        page_url(sold.interface, "reconciliation_settlement", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "Sales at Ticketnet's prices"
    assert rows[1][1] == "'" + FORMULA
    assert sheet.cell(row=2, column=2).data_type == "s"  # a text, not a formula
    assert rows[1][4:10] == (3, 1, 1, 60, 20, 40)
    assert all(isinstance(v, int | float) for v in rows[-1][4:13])
    assert sheet.cell(row=len(rows), column=10).number_format == "0.00"


def test_the_differences_download_as_csv(sold):
    rec = reconciliation_of(sold, differences=3)
    response = client_for(sold.operator).get(
        page_url(sold.interface, "reconciliation_differences", rec.pk))
    assert response.status_code == 200
    assert f"differences-{rec.pk}-fr-ticketnet-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff")),
                           delimiter=";"))
    assert len(rows) == 4
    parked = next(r for r in rows if r[1] == "TN-PARKED")
    assert parked[:8] == ["Missing here", "TN-PARKED", "Valid", "", "27,00", "", "EUR",
                          "Held back by a parked line: Price difference."]
    assert parked[8] == "7"  # the statement's line


def test_reconcile_with_the_web_services_queues_the_job_and_lands_on_its_run(
        sold, django_capture_on_commit_callbacks):
    client = client_for(sold.operator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_url(sold.interface, "reconciliation_reconcile"),
                               {"start": "2026-03-01", "end": "2026-03-31"})
    [queued] = callbacks
    kwargs = queued.keywords["kwargs"]
    assert (kwargs["job"], kwargs["params"]) == (Job.RECONCILIATION,
                                                 {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:channels_externalsalesinterface_follow_run",
        args=[sold.interface.pk, queued.keywords["task_id"]]) + f"?job={Job.RECONCILIATION}"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(page_url(sold.interface, "reconciliation_reconcile"),
                    {"start": "2026-03-01", "end": "2026-03-31",
                     "performance": sold.performance.pk})
    assert callbacks[0].keywords["kwargs"]["params"] == {"performance": sold.performance.pk}
    elsewhere = f.PerformanceFactory()
    refused = client.post(page_url(sold.interface, "reconciliation_reconcile"),
                          {"start": "2026-03-01", "end": "2026-03-31",
                           "performance": elsewhere.pk})
    assert refused.status_code == 400
    assert refused.context["period"].errors["performance"] == [
        "Choose one of the performances in the list."]


def test_a_statement_is_kept_under_a_name_of_ours_and_the_job_queued(
        sold, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.STATEMENT_DIR = tmp_path / "statements"
    upload = SimpleUploadedFile("../../etc/relevé mars.txt", b"TICKETNET RELEVE\n")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(sold.operator).post(
            page_url(sold.interface, "reconciliation_statement"),
            {"start": "2026-03-01", "end": "2026-03-31", "statement": upload})
    assert response.status_code == 302 and "/follow/" in response["Location"]
    [queued] = callbacks
    params = queued.keywords["kwargs"]["params"]
    saved = Path(params["statement"])
    assert saved.parent == settings.STATEMENT_DIR
    assert saved.name.startswith(f"statement-{sold.interface.pk}-") and ".." not in saved.name
    assert saved.read_bytes() == b"TICKETNET RELEVE\n"
    assert params["statement_name"] == "relevé mars.txt"
    assert (params["from"], params["to"]) == ("2026-03-01", "2026-03-31")


def test_a_statement_too_large_is_refused_at_its_field(sold, settings, tmp_path,
                                                     django_capture_on_commit_callbacks):
    settings.STATEMENT_DIR = tmp_path / "statements"
    settings.STATEMENT_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(sold.operator).post(
            page_url(sold.interface, "reconciliation_statement"),
            {"statement": SimpleUploadedFile("big.txt", b"x" * 11)})
    assert response.status_code == 400
    [error] = response.context["statement_form"].errors["statement"]
    assert error == "The file is 11\xa0bytes: a statement is refused above 10\xa0bytes."
    assert callbacks == [] and not settings.STATEMENT_DIR.exists()


def test_another_institutions_interface_is_not_found(sold):
    other = f.InterfaceFactory()
    rec = Reconciliation.objects.create(interface=other, source="web_services",
                                        started_at=timezone.now())
    client = client_for(sold.operator)
    for name, args in [("reconciliation", ()), ("reconciliation_settlement", ("csv",)),
                       ("reconciliation_differences", (rec.pk,))]:
        assert client.get(page_url(other, name, *args)).status_code == 404, name
    assert client.post(page_url(other, "reconciliation_reconcile")).status_code == 404
    assert client.post(page_url(other, "reconciliation_statement")).status_code == 404
    # Nor through our interface's address.
    assert client.get(page_url(sold.interface, "reconciliation_differences",
                               rec.pk)).status_code == 404


def test_the_reconciliations_list_is_scoped_and_read_only(sold):
    mine = reconciliation_of(sold, differences=3)
    Reconciliation.objects.create(interface=f.InterfaceFactory(), source="web_services",
                                  started_at=timezone.now() - dt.timedelta(hours=1))
    client = client_for(sold.operator)
    response = client.get(reverse("admin:reconciliation_reconciliation_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    body = response.content.decode()
    assert f"{page_url(sold.interface)}?reconciliation={mine.pk}" in body
    assert not response.context["has_add_permission"]


def test_a_day_of_more_refunds_than_sales_hangs_below_the_zero_line():
    from cockpit.charts import Series, paired_bars

    days = [dt.date(2026, 3, d) for d in (1, 2)]
    chart = paired_bars(days=days, title="t", summary="s", series=[
        Series(key="theirs", label="theirs", values=[5000, -2000]),
        Series(key="ours", label="ours", values=[5000, -2500])])
    above, below = chart.bars[0], chart.bars[2]
    assert above.y + above.height == chart.baseline  # stands on the zero line
    assert below.y == chart.baseline and below.height > 0  # hangs from it
    assert chart.bars[3].height > below.height  # 25.00 is longer than 20.00
    assert [label for _y, label in chart.grid] == ["2500", "5000", "-5000"]


def test_a_ticket_never_received_offers_to_list_the_journal_again_from_a_date(
        sold, django_capture_on_commit_callbacks):
    rec = reconciliation_of(sold, differences=3)
    rec.differences.filter(kind="missing_here").update(reason="never_received", parked=None)
    client = client_for(sold.operator)
    html = client.get(page_url(sold.interface)).content.decode()
    assert 'id="relist"' in html
    assert f'value="{rec.period_start:%Y-%m-%d}"' in html
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_url(sold.interface, "reconciliation_relist"),
                               {"since": "2026-03-01"})
    [queued] = callbacks
    kwargs = queued.keywords["kwargs"]
    assert kwargs["job"] == Job.SALES_INTEGRATION
    assert kwargs["params"]["since"].startswith("2026-03-01T00:00:00")
    assert response.status_code == 302
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = client.post(page_url(sold.interface, "reconciliation_relist"), {"since": future})
    assert refused.status_code == 400
    assert refused.context["relist"].errors["since"] == ["Enter a day that is not in the future."]


def test_a_parked_line_offers_no_relisting(sold):
    reconciliation_of(sold, differences=3)
    html = client_for(sold.operator).get(page_url(sold.interface)).content.decode()
    assert 'id="relist"' not in html
