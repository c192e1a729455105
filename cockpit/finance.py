"""What the finance page shows: a period's settlement (totals and a chart of what is due each
day at Ticketnet's prices and at ours) and the interface's reconciliations with their
differences, each line saying why in the reader's language; and the same as sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface
from mappings.models import Kind as CodeKind
from reconciliation.engine import ENDED
from reconciliation.models import Difference, Reconciliation
from reconciliation.settlement import Settlement, units
from sales.models import Ticket
from sales.types import ParkReason

from .charts import Chart, Series, paired_bars

RECENT = 10  # reconciliations listed
PER_PAGE = 50  # differences per page


def money(cents: int | None) -> str:
    """An amount in the reader's notation (1,234.50 / 1 234,50), the currency said apart."""
    if cents is None:
        return ""
    return formats.number_format(units(cents), decimal_pos=2, use_l10n=True,
                                 force_grouping=True)


def _axis(cents: int) -> str:
    value = units(cents)
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 2,
                                 use_l10n=True, force_grouping=True)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# The settlement ------------------------------------------------------------------------------

@dataclass
class DueDay:
    day: dt.date
    theirs: str
    ours: str
    differs: bool


def settlement_chart(s: Settlement) -> Chart:
    days = s.days()
    theirs = [a.due_cents for _day_, a in days]
    ours = [a.our_due_cents for _day_, a in days]
    series = [
        Series(key="theirs", label=_("Due at Ticketnet's prices"), values=theirs,
               describe=lambda d, v: _("%(day)s: %(amount)s EUR due at Ticketnet's prices")
               % {"day": _day(d), "amount": money(v)}),
        Series(key="ours", label=_("Due at our prices"), values=ours,
               describe=lambda d, v: _("%(day)s: %(amount)s EUR due at our prices")
               % {"day": _day(d), "amount": money(v)}),
    ]
    if any(theirs) or any(ours):
        summary = _("From %(start)s to %(end)s Ticketnet owes %(theirs)s EUR at its prices, "
                    "%(ours)s EUR at ours; the table below lists each day.") % {
            "start": _day(s.start), "end": _day(s.end), "theirs": money(s.total.due_cents),
            "ours": money(s.total.our_due_cents)}
    else:
        summary = _("No sale and no refund from %(start)s to %(end)s.") % {
            "start": _day(s.start), "end": _day(s.end)}
    return paired_bars(days=[d for d, _a in days], series=series,
                       title=_("Due by Ticketnet per day, in EUR"), summary=summary,
                       label=_axis, width=720, left=52)


def due_days(s: Settlement) -> list[DueDay]:
    """The chart's figures as a table: the days with a sale or a refund."""
    return [DueDay(day=day, theirs=money(a.due_cents), ours=money(a.our_due_cents),
                   differs=a.due_cents != a.our_due_cents)
            for day, a in s.days() if a.sold or a.refunded or a.duplicated]


def file_name(interface: ExternalSalesInterface, what: str, start: dt.date | None,
              end: dt.date | None, extension: str) -> str:
    name = slugify(interface.internal_name) or f"interface-{interface.pk}"
    period = f"-{start:%Y%m%d}-{end:%Y%m%d}" if start and end else ""
    return f"{what}-{name}{period}.{extension}"


# The reconciliations ------------------------------------------------------------------------

def recent_reconciliations(interface: ExternalSalesInterface) -> list[Reconciliation]:
    return list(Reconciliation.objects.filter(interface=interface)
                .select_related("performance__event")[:RECENT])


@dataclass
class KindCount:
    key: str
    label: str
    n: int


def kinds_of(reconciliation: Reconciliation) -> list[KindCount]:
    return [KindCount(key=key, label=_label(Difference.Kind, key), n=n)
            for key, n in reconciliation.counts.items() if n]


@dataclass
class DifferenceLine:
    kind: str
    number: str
    ticket_url: str
    parked_url: str
    their_state: str
    our_state: str
    their_price: str
    our_price: str
    reason: str
    line: int | None


def difference_lines(reconciliation: Reconciliation, *, kind: str = "",
                     page: str | int = 1) -> Page:
    """A page of the reconciliation's differences (of one kind, or all): two queries, the
    count and the page, whatever their number; the links need only the ids."""
    differences = reconciliation.differences.order_by("kind", "ticket_number", "pk")
    if kind in Difference.Kind.values:
        differences = differences.filter(kind=kind)
    shown = Paginator(differences, PER_PAGE).get_page(page)
    shown.object_list = [difference_line(d) for d in shown.object_list]
    return shown


def difference_line(d: Difference) -> DifferenceLine:
    return DifferenceLine(
        kind=_label(Difference.Kind, d.kind), number=d.ticket_number,
        ticket_url=reverse("admin:sales_ticket_change", args=[d.ticket_id]) if d.ticket_id
        else "",
        parked_url=reverse("admin:sales_parkedoperation_change", args=[d.parked_id])
        if d.parked_id else "",
        their_state=state_label(d.ticketnet_state), our_state=state_label(d.our_state),
        their_price=money(d.ticketnet_price_cents), our_price=money(d.our_price_cents),
        reason=reason_text(d), line=d.params.get("line"))


def state_label(value: str) -> str:
    if not value:
        return ""
    if value == ENDED:  # a statement says a ticket ended, not how
        return _("Ended (refunded or replaced)")
    return _label(Ticket.State, value)


def reason_text(d: Difference) -> str:
    """Why the two sides differ and what to do, in the reader's language."""
    if d.reason == "parked":
        return _("Held back by a parked line: %(reason)s.") % {
            "reason": _label(ParkReason, d.params.get("park_reason", ""))}
    if d.reason == "never_received":
        return _("Never received: list Ticketnet's operations again from a date.")
    if d.kind == Difference.Kind.UNKNOWN_CODE:
        return _("Ticketnet's %(kind)s code %(code)s has no correspondence here.") % {
            "kind": _label(CodeKind, d.params.get("kind_key", "")).lower(),
            "code": d.params.get("code", "")}
    if d.kind == Difference.Kind.EXTRA_HERE:
        return _("Ticketnet does not list this ticket of ours: ask Ticketnet about it.")
    if d.kind == Difference.Kind.STATE_DIFFERS:
        return _("Ended on one side only: a duplicate or refund not integrated, or made here.")
    if d.kind == Difference.Kind.PRICE_DIFFERS:
        return _("Ticketnet charged another price than the one the interface's price policy "
                 "expects.")
    return ""


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def differences_table(reconciliation: Reconciliation) -> Iterator[list]:
    """Every difference as a sheet's rows (header first), prices in the currency's units."""
    yield [_("Kind"), _("Ticketnet ticket number"), _("State at Ticketnet"), _("Our state"),
           _("Ticketnet's price"), _("Our price"), _("Currency"), _("Reason"),
           _("Statement line"), _("Our ticket"), _("Parked line")]
    rows = reconciliation.differences.order_by("kind", "ticket_number", "pk")
    for d in rows.iterator(chunk_size=2000):
        yield [_label(Difference.Kind, d.kind), d.ticket_number, state_label(d.ticketnet_state),
               state_label(d.our_state), _units(d.ticketnet_price_cents),
               _units(d.our_price_cents), "EUR", reason_text(d), d.params.get("line"),
               d.ticket_id, d.parked_id]


def _units(cents: int | None):
    return None if cents is None else units(cents)
