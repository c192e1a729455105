"""Step four of a page: what a parked line says — its reason's message, filled with the line's
codes and worded in the institution's language, what to fix first and then retry."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext_noop

from channels.models import ExternalSalesInterface
from texts import plural, render, source, text

from ..resolve import code_kind_label
from ..types import OperationLine, ParkReason
from .page import Park


def _reason_templates() -> dict[ParkReason, str]:
    # The sources (msgids), translated when a message is rendered.
    return {
        ParkReason.UNKNOWN_CODE: gettext_noop(
            "No correspondence for the Ticketnet %(kind)s code “%(code)s”: enter it in the "
            "interface's correspondences, then retry the line."
        ),
        ParkReason.INVALID_LINE: gettext_noop(
            "The line is incomplete or invalid (%(detail)s): ask Ticketnet to check "
            "operation %(operation)s."
        ),
        ParkReason.PERFORMANCE_CLOSED: gettext_noop(
            "The performance %(performance)s is closed and takes no more sales: reopen it, "
            "or have Ticketnet refund ticket %(number)s, then retry the line."
        ),
        ParkReason.PERFORMANCE_CANCELLED: gettext_noop(
            "The performance %(performance)s is cancelled: its sales are not integrated. Have "
            "Ticketnet refund ticket %(number)s (refunds are integrated); if the performance "
            "takes place after all, untick “cancelled”, then retry the line."
        ),
        ParkReason.NOT_IN_QUOTA: gettext_noop(
            "The place %(place)s of performance %(performance)s is not in the Ticketnet "
            "quota: add it to the quota, then retry the line."
        ),
        ParkReason.SEAT_ALREADY_SOLD: gettext_noop(
            "The place %(place)s of performance %(performance)s is already held by ticket "
            "%(holder)s: check with Ticketnet which sale is right."
        ),
        ParkReason.PRICE_DIFFERENCE: gettext_noop(
            "Ticketnet sold ticket %(number)s at %(theirs)s but our price for category "
            "%(category)s and tariff %(tariff)s is %(ours)s: correct the price or the "
            "interface's reseller price policy, then retry the line."
        ),
        ParkReason.PRICE_UNKNOWN: gettext_noop(
            "There is no price for category %(category)s and tariff %(tariff)s on "
            "performance %(performance)s: enter it in the catalogue, then retry the line."
        ),
        ParkReason.TICKET_NUMBER_TAKEN: gettext_noop(
            "Ticket number %(number)s is already used on this interface: ask Ticketnet to "
            "check operation %(operation)s."
        ),
        ParkReason.ORIGINAL_UNKNOWN: gettext_noop(
            "Ticket %(target)s is unknown: integrate its sale first (it may be parked), "
            "then retry the line."
        ),
        ParkReason.ORIGINAL_NOT_VALID: gettext_noop(
            "Ticket %(target)s is already %(state)s: it cannot be duplicated or refunded; "
            "ask Ticketnet to check operation %(operation)s."
        ),
        ParkReason.UNKNOWN_PRODUCT: gettext_noop(
            "No %(kinds)s product has the code “%(code)s”: create it in the catalogue (or "
            "correct its code), then retry the line."
        ),
        ParkReason.UNKNOWN_TARIFF: gettext_noop(
            "No tariff has the code “%(code)s”: create it in the catalogue (or correct its "
            "code), then retry the line."
        ),
        ParkReason.WAITING_FOR_ORIGINAL: gettext_noop(
            "This line depends on operation %(waiting_for)s, parked before it in Ticketnet's "
            "journal: it waits for it and goes through with it once that line's cause is "
            "fixed and the lines are retried."
        ),
        ParkReason.TARIFF_NOT_FOR_RESELLERS: gettext_noop(
            "The tariff “%(code)s” is of audience type %(audience)s: resellers may only sell "
            "tariffs of type occasional contact or occasional collectivity. Change its "
            "audience type, then retry the line."
        ),
    }


def money(cents: int | None, currency: str) -> str:
    """An amount in cents as a message shows it: `25.00 EUR`."""
    if cents is None:
        return "?"
    return f"{cents / 100:.2f} {currency or ''}".strip()


def park_message_text(reason: str, params: dict, line: OperationLine) -> dict | None:
    """A parked line's message as a stored text (`texts`): its reason's source, with the
    line's codes and the stored parameters (the code kind's label as a translatable source)."""
    template = _reason_templates().get(reason)
    if template is None:
        return None
    values = {
        "operation": line.operation_id,
        "number": line.ticket_number,
        "target": line.target_ticket_number,
        "performance": f"{line.manifestation_code}/{line.performance_code}",
        "place": f"{line.zone_code} {line.row}-{line.seat}",
        "category": line.category_code,
        "tariff": line.tariff_code,
        "theirs": money(line.price_cents, line.currency),
        **params,
    }
    if "kind_key" in params:
        values["kind"] = source(code_kind_label(params["kind_key"]))
    return text(template, **values)


def park_message(reason: str, params: dict, line: OperationLine) -> str:
    """A parked line's message in the active language."""
    message = park_message_text(reason, params, line)
    return render(message) if message is not None else ""


def stored_message_text(*, reason: str, params: dict | None, line: dict, message: str):
    """A stored parked line's message as a text to render (`texts.render`), or the message
    written when it was parked, for a line parked before its parameters were stored."""
    if params is None:
        return message
    try:
        data = OperationLine.from_mapping(line)
    except (KeyError, ValueError, TypeError):
        return message
    return park_message_text(reason, params, data) or message


def parked_message(row) -> str:
    """What a stored parked line says, in the reader's language."""
    return render(stored_message_text(reason=row.reason, params=row.params, line=row.line,
                                      message=row.message))


def park_messages(*, interface: ExternalSalesInterface, parks: Sequence[Park]) -> list[str]:
    """The message of each parked line, in the language of the interface's institution (the
    record of what it said; pages render it again in their reader's language)."""
    if not parks:
        return []
    with translation.override(interface.institution.language):
        return [park_message(park.reason, park.params, park.op.line) for park in parks]


def waiting_summary(n: int) -> dict:
    """What a run says of its lines waiting for a parked line (no problem of their own)."""
    return plural(
        "%(n)d line waits for a parked line it depends on in Ticketnet's journal: it goes "
        "through with it once that line's cause is fixed.",
        "%(n)d lines wait for parked lines they depend on in Ticketnet's journal: they go "
        "through with them once those lines' causes are fixed.", n)
