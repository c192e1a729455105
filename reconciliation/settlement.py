"""What Ticketnet owes for a period: the sales it made minus the refunds it made, at the prices
Ticketnet charged (what it sent us with each sale), beside our own price where the interface's
policy booked ours; by day, event, performance and tariff.

A sale counts on the day Ticketnet sold it, a refund on the day Ticketnet refunded it (its
`ended_at`), in the institution's time zone. A duplicate (a reprint) moves no money: it is
counted, at zero. Read from our books in three grouped queries, whatever the number of tickets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Event, Performance, Tariff
from channels.models import ExternalSalesInterface
from sales.models import Ticket

CURRENCY = "EUR"


@dataclass(slots=True)
class Amounts:
    sold: int = 0
    refunded: int = 0
    duplicated: int = 0
    sales_cents: int = 0  # at Ticketnet's prices
    refunds_cents: int = 0
    our_sales_cents: int = 0  # at the prices we booked
    our_refunds_cents: int = 0

    @property
    def due_cents(self) -> int:
        """What Ticketnet owes: its sales minus its refunds, at its prices."""
        return self.sales_cents - self.refunds_cents

    @property
    def our_due_cents(self) -> int:
        return self.our_sales_cents - self.our_refunds_cents

    def add(self, other: Amounts) -> None:
        for name in ("sold", "refunded", "duplicated", "sales_cents", "refunds_cents",
                     "our_sales_cents", "our_refunds_cents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class SettlementRow:
    day: date
    event: str
    performance: str
    tariff: str
    amounts: Amounts = field(default_factory=Amounts)


@dataclass(slots=True)
class Settlement:
    interface: ExternalSalesInterface
    start: date
    end: date
    rows: list[SettlementRow]
    total: Amounts
    currency: str = CURRENCY

    def days(self) -> list[tuple[date, Amounts]]:
        """Every day of the period with its amounts (zero on a day without sales)."""
        by_day: dict[date, Amounts] = {}
        for row in self.rows:
            by_day.setdefault(row.day, Amounts()).add(row.amounts)
        out, day = [], self.start
        while day <= self.end:
            out.append((day, by_day.get(day, Amounts())))
            day += timedelta(days=1)
        return out


def settlement(*, interface: ExternalSalesInterface, start: date, end: date) -> Settlement:
    """The settlement of the tickets Ticketnet sold and refunded from `start` to `end`
    (inclusive)."""
    if start > end:
        raise ValueError("The period ends before it starts.")
    tz = timezone.get_default_timezone()
    low = datetime.combine(start, time(), tz)
    high = datetime.combine(end + timedelta(days=1), time(), tz)
    tickets = Ticket.objects.filter(interface=interface)
    keys = ("performance_id", "product_id", "tariff_id")
    groups: dict[tuple, Amounts] = {}

    def group(day, row) -> Amounts:
        key = (day, *(row[k] for k in keys))
        return groups.setdefault(key, Amounts())

    sales = (tickets.filter(original__isnull=True, sold_at__gte=low, sold_at__lt=high)
             .annotate(day=TruncDate("sold_at", tzinfo=tz)).values("day", *keys)
             .annotate(n=Count("id"), theirs=Sum("reseller_price_cents"),
                       ours=Sum("price_cents")).order_by())
    for row in sales:
        amounts = group(row["day"], row)
        amounts.sold += row["n"]
        amounts.sales_cents += row["theirs"] or 0
        amounts.our_sales_cents += row["ours"] or 0
    ended = (tickets.filter(ended_at__gte=low, ended_at__lt=high,
                            state__in=[Ticket.State.CANCELLED, Ticket.State.INVALIDATED])
             .annotate(day=TruncDate("ended_at", tzinfo=tz)).values("day", "state", *keys)
             .annotate(n=Count("id"), theirs=Sum("reseller_price_cents"),
                       ours=Sum("price_cents")).order_by())
    for row in ended:
        amounts = group(row["day"], row)
        if row["state"] == Ticket.State.CANCELLED:
            amounts.refunded += row["n"]
            amounts.refunds_cents += row["theirs"] or 0
            amounts.our_refunds_cents += row["ours"] or 0
        else:
            amounts.duplicated += row["n"]
    return Settlement(interface=interface, start=start, end=end,
                      rows=_labelled(groups), total=_total(groups.values()))


def _total(amounts) -> Amounts:
    total = Amounts()
    for a in amounts:
        total.add(a)
    return total


def _labelled(groups: dict[tuple, Amounts]) -> list[SettlementRow]:
    """Rows with the names of their event, performance and tariff (three queries)."""
    perf_ids = {k[1] for k in groups if k[1] is not None}
    product_ids = {k[2] for k in groups if k[2] is not None}
    tariff_ids = {k[3] for k in groups}
    performances = {p.pk: p for p in Performance.objects.filter(pk__in=perf_ids)
                    .select_related("event").only("pk", "start", "event__name", "event__code")}
    products = dict(Event.objects.filter(pk__in=product_ids).values_list("pk", "name"))
    tariffs = dict(Tariff.objects.filter(pk__in=tariff_ids).values_list("pk", "name"))
    rows = []
    for (day, perf_id, product_id, tariff_id), amounts in groups.items():
        perf = performances.get(perf_id)
        if perf is not None:
            event = perf.event.name
            label = timezone.localtime(perf.start).strftime("%Y-%m-%d %H:%M")
        else:
            event, label = products.get(product_id, ""), _("pass")
        rows.append(SettlementRow(day=day, event=event, performance=label,
                                  tariff=tariffs.get(tariff_id, ""), amounts=amounts))
    rows.sort(key=lambda r: (r.day, r.event, r.performance, r.tariff))
    return rows


def settlement_table(s: Settlement) -> Iterator[list]:
    """The settlement as a sheet's rows (header, one row per group, the total): amounts in the
    currency's units, as numbers a spreadsheet sums."""
    yield [_("Day"), _("Event"), _("Performance"), _("Tariff"), _("Sold"), _("Refunded"),
           _("Duplicated"), _("Sales at Ticketnet's prices"), _("Refunds at Ticketnet's prices"),
           _("Due by Ticketnet"), _("Sales at our prices"), _("Refunds at our prices"),
           _("Due at our prices"), _("Currency")]
    for row in s.rows:
        yield [row.day.isoformat(), row.event, row.performance, row.tariff,
               *_amount_cells(row.amounts), s.currency]
    yield [_("Total"), "", "", "", *_amount_cells(s.total), s.currency]


def _amount_cells(a: Amounts) -> list:
    return [a.sold, a.refunded, a.duplicated, units(a.sales_cents), units(a.refunds_cents),
            units(a.due_cents), units(a.our_sales_cents), units(a.our_refunds_cents),
            units(a.our_due_cents)]


def units(cents: int) -> Decimal:
    """Cents as the currency's units, exactly."""
    return Decimal(cents) / 100
