"""Step three of a page: what was decided, saved in bulk in one go — tickets ended, the page's
order, new tickets, the operations integrated, and the parked lines with their messages."""

from __future__ import annotations

from ..bulk import bulk_insert, bulk_insert_rows, bulk_update_fields
from ..models import IntegratedOperation, Order, ParkedOperation, Ticket
from ..types import ApplyResult
from .messages import park_messages
from .page import Page


def page_write(page: Page, *, now, result: ApplyResult, batch_size: int) -> None:
    """Save the page; count its parked lines and the parked lines it resolves in `result`."""
    if page.changed:
        # First: ending tickets frees their places for the new ones (partial unique indexes).
        bulk_update_fields(
            Ticket, list(page.changed.values()), ["state", "ended_by_operation_id"],
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
    """One order for the tickets the page sells, on the interface's technical contact."""
    interface = page.interface
    order = Order.objects.create(
        interface=interface,
        contact_id=interface.contact_id,
        point_of_sale_id=interface.point_of_sale_id,
        payment_mode=Order.PaymentMode.PENDING_ACCOUNT,
    )
    for ticket in page.new_sales:
        ticket.order_id = order.pk


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
    when parked before."""
    to_update = []
    for op in page.applied:
        parked = page.parked_existing.get(op.line.operation_id)
        if parked is not None and parked.resolved_at is None:
            parked.resolved_at = now
            parked.last_attempt_at = now
            parked.attempts += 1
            to_update.append(parked)
    result.resolved_parked += len(to_update)
    to_create = []
    messages = park_messages(interface=page.interface, parks=page.parks)
    for park, message in zip(page.parks, messages, strict=True):
        line = park.op.line
        reason = str(park.reason)
        result.parked += 1
        result.parked_by_reason[reason] = result.parked_by_reason.get(reason, 0) + 1
        existing = page.parked_existing.get(line.operation_id)
        if existing is not None:
            existing.reason = reason
            existing.message = message
            existing.line = line.to_json()
            existing.last_attempt_at = now
            existing.attempts += 1
            existing.resolved_at = None
            to_update.append(existing)
        else:
            to_create.append(ParkedOperation(
                interface=page.interface,
                operation_id=line.operation_id,
                type=str(line.type),
                ticket_number=line.ticket_number,
                line=line.to_json(),
                reason=reason,
                message=message,
                first_attempt_at=now,
                last_attempt_at=now,
                attempts=1,
            ))
    if to_update:
        ParkedOperation.objects.bulk_update(
            to_update,
            ["reason", "message", "line", "last_attempt_at", "attempts", "resolved_at"],
            batch_size=batch_size,
        )
    if to_create:
        ParkedOperation.objects.bulk_create(to_create, batch_size=batch_size)
