"""A tiny client of the simulator's box office (box_office_http.py), for rehearsals driven from the
bridge: is the peer a simulator, which allotted seats are free, sell, duplicate, refund.
It implements the gateway's `BoxOffice` protocol; `settings.TICKETNET_BOX_OFFICE` names it
when the simulator is enabled."""

from __future__ import annotations

from typing import Any

import requests

from ticketnet_gateway.box_office import BoxOfficeError

from .box_office_http import MARKER, PREFIX


class BoxOfficeClient:
    """`url` is the interface's `<IP>:<Port>`; the credentials are the interface's."""

    def __init__(self, *, url: str, login: str, password: str, institution_code: str,
                 timeout: float = 10.0):
        self.base = f"http://{url}{PREFIX}"
        self._auth = {"login": login, "password": password, "institution_code": institution_code}
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False

    def __repr__(self) -> str:
        return f"<BoxOfficeClient {self.base}>"

    def available(self) -> bool:
        """Whether the peer is the simulator (its box office answers); never raises."""
        try:
            response = self.session.get(self.base, timeout=min(self.timeout, 5))
            return response.status_code == 200 and response.json().get("box_office") == MARKER
        except (requests.RequestException, ValueError, AttributeError):
            return False

    def free_seats(self, *, manifestation: str, performance: str, limit: int = 10) -> list[dict]:
        """Allotted seats nobody holds: zone, row, seat, category and the tariffs' prices."""
        return self._post("free-seats", manifestation=manifestation, performance=performance,
                          limit=limit)["seats"]

    def sell(self, *, manifestation: str, performance: str, zone: str, row: int, seat: int,
             category: str, tariff: str, price_cents: int, **buyer: str) -> dict:
        return self._post("sell", manifestation=manifestation, performance=performance,
                          zone=zone, row=row, seat=seat, category=category, tariff=tariff,
                          price_cents=price_cents, **buyer)

    def duplicate(self, ticket: str) -> dict:
        return self._post("duplicate", ticket=ticket)

    def refund(self, ticket: str) -> dict:
        return self._post("refund", ticket=ticket)

    def _post(self, action: str, **data: Any) -> dict:
        try:
            response = self.session.post(f"{self.base}/{action}", json={**self._auth, **data},
                                         timeout=self.timeout)
            body = response.json()
        except requests.RequestException as exc:
            raise BoxOfficeError("UNREACHABLE", f"The box office did not answer: "
                                 f"{type(exc).__name__}.") from None
        except ValueError:
            raise BoxOfficeError("INVALID_RESPONSE",
                                 "The box office did not answer JSON.") from None
        if response.status_code != 200:
            raise BoxOfficeError(str(body.get("error") or response.status_code),
                                 str(body.get("message") or ""))
        return body
