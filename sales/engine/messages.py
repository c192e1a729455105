"""Step four of a page: what a parked line says — its reason's message, filled with the line's
codes and worded in the institution's language, what to fix first and then retry."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.models import ExternalSalesInterface

from ..types import ParkReason
from .page import Park


class _Params(dict):
    """Message parameters: a missing one shows as “?” rather than breaking the parking."""

    def __missing__(self, key):
        return "?"


def _reason_templates() -> dict[ParkReason, str]:
    # Built at call time so gettext runs in the institution's language.
    return {
        ParkReason.UNKNOWN_CODE: _(
            "No correspondence for the Ticketnet %(kind)s code “%(code)s”: enter it in the "
            "interface's correspondences, then retry the line."
        ),
        ParkReason.INVALID_LINE: _(
            "The line is incomplete or invalid (%(detail)s): ask Ticketnet to check "
            "operation %(operation)s."
        ),
        ParkReason.PERFORMANCE_CLOSED: _(
            "The performance %(performance)s is closed and takes no more sales: reopen it, "
            "or have Ticketnet refund ticket %(number)s, then retry the line."
        ),
        ParkReason.PERFORMANCE_CANCELLED: _(
            "The performance %(performance)s is cancelled: its sales are not integrated. Have "
            "Ticketnet refund ticket %(number)s (refunds are integrated); if the performance "
            "takes place after all, untick “cancelled”, then retry the line."
        ),
        ParkReason.NOT_IN_QUOTA: _(
            "The place %(place)s of performance %(performance)s is not in the Ticketnet "
            "quota: add it to the quota, then retry the line."
        ),
        ParkReason.SEAT_ALREADY_SOLD: _(
            "The place %(place)s of performance %(performance)s is already held by ticket "
            "%(holder)s: check with Ticketnet which sale is right."
        ),
        ParkReason.PRICE_DIFFERENCE: _(
            "Ticketnet sold ticket %(number)s at %(theirs)s but our price for category "
            "%(category)s and tariff %(tariff)s is %(ours)s: correct the price or the "
            "interface's reseller price policy, then retry the line."
        ),
        ParkReason.PRICE_UNKNOWN: _(
            "There is no price for category %(category)s and tariff %(tariff)s on "
            "performance %(performance)s: enter it in the catalogue, then retry the line."
        ),
        ParkReason.TICKET_NUMBER_TAKEN: _(
            "Ticket number %(number)s is already used on this interface: ask Ticketnet to "
            "check operation %(operation)s."
        ),
        ParkReason.ORIGINAL_UNKNOWN: _(
            "Ticket %(target)s is unknown: integrate its sale first (it may be parked), "
            "then retry the line."
        ),
        ParkReason.ORIGINAL_NOT_VALID: _(
            "Ticket %(target)s is already %(state)s: it cannot be duplicated or refunded; "
            "ask Ticketnet to check operation %(operation)s."
        ),
        ParkReason.UNKNOWN_PRODUCT: _(
            "No %(kinds)s product has the code “%(code)s”: create it in the catalogue (or "
            "correct its code), then retry the line."
        ),
        ParkReason.UNKNOWN_TARIFF: _(
            "No tariff has the code “%(code)s”: create it in the catalogue (or correct its "
            "code), then retry the line."
        ),
        ParkReason.WAITING_FOR_ORIGINAL: _(
            "This line depends on operation %(waiting_for)s, parked before it in Ticketnet's "
            "journal: it waits for it and goes through with it once that line's cause is "
            "fixed and the lines are retried."
        ),
        ParkReason.TARIFF_NOT_FOR_RESELLERS: _(
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


def park_messages(*, interface: ExternalSalesInterface, parks: Sequence[Park]) -> list[str]:
    """The message of each parked line, in the language of the interface's institution."""
    if not parks:
        return []
    with translation.override(interface.institution.language):
        templates = _reason_templates()
        messages = []
        for park in parks:
            line = park.op.line
            params = _Params(
                operation=line.operation_id,
                number=line.ticket_number,
                target=line.target_ticket_number,
                performance=f"{line.manifestation_code}/{line.performance_code}",
                place=f"{line.zone_code} {line.row}-{line.seat}",
                category=line.category_code,
                tariff=line.tariff_code,
                theirs=money(line.price_cents, line.currency),
            )
            params.update(park.params)
            messages.append(templates[park.reason] % params)
        return messages


def waiting_summary(n: int) -> str:
    """What a run says of its lines waiting for a parked line (no problem of their own)."""
    return ngettext(
        "%(n)d line waits for a parked line it depends on in Ticketnet's journal: it goes "
        "through with it once that line's cause is fixed.",
        "%(n)d lines wait for parked lines they depend on in Ticketnet's journal: they go "
        "through with them once those lines' causes are fixed.", n) % {"n": n}
