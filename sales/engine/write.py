"""Step three of a page: what was decided, saved in bulk in one go — tickets ended, the page's
order, new tickets, the operations integrated, and the parked lines with their messages."""

from __future__ import annotations

from django.db.models import F, Max

from ..bulk import any_of, bulk_insert, bulk_insert_rows, bulk_update_fields, reserve_ids
from ..models import IntegratedOperation, Order, ParkedOperation, Ticket
from ..types import ApplyResult, ParkReason
from .chains import heads_name
from .messages import park_messages
from .page import Page, Park


def page_prepare(page: Page) -> None:
    """Give the page's new tickets and its order their ids before anything is written
    (PostgreSQL): a duplicate of a ticket sold in the page points at it at once, and the
    next page can duplicate or refund them while this one is being written
    (sales.pipeline)."""
    fresh = [t for t in page.new_tickets if t.pk is None]
    for ticket, pk in zip(fresh, reserve_ids(Ticket, len(fresh)), strict=True):
        ticket.id = pk
    originals = page.pending_originals
    if originals:
        for ticket in page.new_tickets:
            original = originals.get(id(ticket))
            if original is not None:
                ticket.original_id = original.pk
        originals.clear()
    if page.new_sales and page.order_id is None:
        page.order_id = reserve_ids(Order, 1)[0]
        for ticket in page.new_sales:
            ticket.__dict__["order_id"] = page.order_id


def page_write(page: Page, *, now, result: ApplyResult, batch_size: int) -> None:
    """Save the page; count its parked lines and the parked lines it resolves in `result`."""
    if page.changed:
        # First: ending tickets frees their places for the new ones (partial unique indexes).
        bulk_update_fields(
            Ticket, list(page.changed.values()), ["state", "ended_by_operation_id", "ended_at"],
            batch_size=batch_size,
        )
    if page.new_sales:
        _order_book(page)
    _tickets_insert(page, batch_size=batch_size)
    interface_id = page.interface.pk
    bulk_insert_rows(
        IntegratedOperation,
        ["interface", "operation_id", "type", "integrated_at"],
        ((interface_id, op.line.operation_id, str(op.line.type), now) for op in page.applied),
        batch_size=batch_size,
    )
    _parked_write(page, now=now, result=result, batch_size=batch_size)


def _order_book(page: Page) -> None:
    """One order for the tickets the page sells, on the interface's technical contact (under
    the id `page_prepare` reserved and set on the tickets, if it did)."""
    interface = page.interface
    order = Order.objects.create(
        pk=page.order_id,
        interface=interface,
        contact_id=interface.contact_id,
        point_of_sale_id=interface.point_of_sale_id,
        payment_mode=Order.PaymentMode.PENDING_ACCOUNT,
    )
    if page.order_id is None:
        for ticket in page.new_sales:
            ticket.__dict__["order_id"] = order.pk


def _tickets_insert(page: Page, *, batch_size: int) -> None:
    pending = page.new_tickets
    originals = page.pending_originals
    while pending:
        # A duplicate of a ticket sold in the same page waits for its original's id.
        ready, waiting = [], []
        for t in pending:
            original = originals.get(id(t))
            if original is None:
                ready.append(t)
            elif original.pk is not None:
                t.original_id = original.pk
                ready.append(t)
            else:
                waiting.append(t)
        pending = waiting
        # Every foreign key id is set above: no need for Django's per-object check.
        bulk_insert(Ticket, ready, batch_size=batch_size, check_related=False)


def _parked_write(page: Page, *, now, result: ApplyResult, batch_size: int) -> None:
    """Parked lines the page applied are resolved; those it parks are recorded, or updated
    when parked before. A new one takes the next journal position; a waiting one is linked
    to its chain's head."""
    resolved = [p.pk for op in page.applied
                if (p := page.parked_existing.get(op.line.operation_id)) is not None
                and p.resolved_at is None]
    if resolved:
        ParkedOperation.objects.filter(any_of("pk", resolved)).update(
            resolved_at=now, last_attempt_at=now, attempts=F("attempts") + 1)
    result.resolved_parked += len(resolved)
    if not page.parks:
        return
    heads_name(page)
    rows = _parked_rows(page, now=now, result=result)
    fresh = [row for row in rows.values() if row.pk is None]
    parked_before = [row for row in rows.values() if row.pk is not None]
    if fresh:
        last = ParkedOperation.objects.filter(interface=page.interface).aggregate(
            last=Max("position"))["last"] or 0
        for position, row in enumerate(fresh, start=last + 1):
            row.position = position
    # A head this page parks for the first time is created before the lines waiting for it.
    later = []
    for park in page.parks:
        row, head = rows[id(park)], park.head
        if isinstance(head, Park):
            head = rows[id(head)].pk
            if head is None:
                later.append(park)
                continue
        row.waiting_for_id = head
    created_later = {id(rows[id(park)]) for park in later}
    ParkedOperation.objects.bulk_create(
        [row for row in fresh if id(row) not in created_later], batch_size=batch_size)
    for park in later:
        rows[id(park)].waiting_for_id = rows[id(park.head)].pk
    ParkedOperation.objects.bulk_create(
        [row for row in fresh if id(row) in created_later], batch_size=batch_size)
    bulk_update_fields(ParkedOperation, parked_before, _REPARKED_FIELDS, batch_size=batch_size)


_REPARKED_FIELDS = ["reason", "message", "params", "place", "waiting_for", "attempts",
                    "last_attempt_at", "resolved_at"]


def _parked_rows(page: Page, *, now, result: ApplyResult) -> dict[int, ParkedOperation]:
    """The row of each line the page parks (by `id(park)`), new or parked before, with its
    reason, message and attempt; counted in `result`, a waiting line apart."""
    rows = {}
    changed_lines = []
    messages = park_messages(interface=page.interface, parks=page.parks)
    for park, message in zip(page.parks, messages, strict=True):
        line = park.op.line
        reason = str(park.reason)
        if park.reason == ParkReason.WAITING_FOR_ORIGINAL:
            result.waiting += 1
        else:
            result.parked += 1
            result.parked_by_reason[reason] = result.parked_by_reason.get(reason, 0) + 1
        row = page.parked_existing.get(line.operation_id)
        if row is None:
            row = ParkedOperation(
                interface=page.interface, operation_id=line.operation_id, type=str(line.type),
                ticket_number=line.ticket_number, line=line.to_json(), first_attempt_at=now,
                attempts=0)
        elif not page.replay and row.line != (data := line.to_json()):
            # Ticketnet's journal read again (a replay rebuilds the line from the row).
            row.line = data
            changed_lines.append(row)
        row.reason, row.message, row.params, row.place = reason, message, park.params, park.place
        row.last_attempt_at, row.resolved_at = now, None
        row.attempts += 1
        rows[id(park)] = row
    if changed_lines:
        ParkedOperation.objects.bulk_update(changed_lines, ["line"])
    return rows
