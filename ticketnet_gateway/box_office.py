"""Ticketnet's own box office (sell, duplicate, refund at Ticketnet), as the guide's "Test"
needs it. Ticketnet's staff do this by phone; a stand-in may offer it as a service.

Production code reaches a box office only through `box_office_for()`, which builds the class
named by `settings.TICKETNET_BOX_OFFICE` (empty: none, as with the real Ticketnet).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class BoxOfficeError(Exception):
    """The box office refused (`code`, `message`) or could not be reached (`code` UNREACHABLE)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class BoxOffice(Protocol):
    """What the interface test asks of Ticketnet's box office; seats and tickets are dicts
    (zone, row, seat, category, tariffs with their price_cents; number)."""

    def available(self) -> bool: ...

    def free_seats(self, *, manifestation: str, performance: str,
                   limit: int = 10) -> list[dict]: ...

    def sell(self, *, manifestation: str, performance: str, zone: str, row: int, seat: int,
             category: str, tariff: str, price_cents: int, **buyer: str) -> dict: ...

    def duplicate(self, ticket: str) -> dict: ...

    def refund(self, ticket: str) -> dict: ...


def box_office_for(*, url: str, login: str, password: str,
                   institution_code: str) -> BoxOffice | None:
    """The box office at the interface's `<IP>:<Port>`, or None when none is configured or
    the peer does not offer one (a real Ticketnet)."""
    path = getattr(settings, "TICKETNET_BOX_OFFICE", "")
    if not path:
        return None
    box_office = import_string(path)(url=url, login=login, password=password,
                                     institution_code=institution_code)
    return box_office if box_office.available() else None
