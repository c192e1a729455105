"""listOperations read through zeep's object mapping: the path the gateway gave up for its lxml
parser, kept as the reference the tests compare that parser with and this benchmark times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ticketnet_gateway.client import TicketnetClient
from ticketnet_gateway.listing import OPERATION_FIELDS, operation_from_values
from ticketnet_gateway.types import OperationsPage


class ZeepListingClient(TicketnetClient):
    """A client whose `list_operations` (so `iter_operations` too) maps each page with zeep,
    with the same deadline, retries and error translation as the product's."""

    def list_operations(self, *, cursor: str | None, page_size: int = 1000,
                        since: datetime | None = None) -> OperationsPage:
        def attempt(deadline: float) -> OperationsPage:
            with self.transport.deadline(deadline):
                result: Any = self._service.listOperations(
                    _soapheaders=[self._header], cursor=cursor, pageSize=page_size, since=since)
            items = result.operations.operation if result.operations is not None else []
            operations = [
                operation_from_values({name: item[name] for name in OPERATION_FIELDS})
                for item in items or []
            ]
            return OperationsPage(operations=operations, next_cursor=result.nextCursor or "",
                                  has_more=bool(result.hasMore))

        return self._retrying(attempt, "listOperations", idempotent=True)
