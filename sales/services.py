"""Sell, duplicate and refund Ticketnet tickets in bulk, on operations whose codes are already
resolved; idempotent on the operation id, and a line that cannot be applied is parked."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.models import ExternalSalesInterface

from . import bulk
from .engine.load import page_load, unread_check
from .engine.page import Clash
from .engine.rules import operation_decide
from .engine.write import page_write
from .models import IntegratedOperation, Ticket
from .types import ApplyResult, ResolvedOperation

logger = logging.getLogger(__name__)


def operations_apply(
    *,
    interface: ExternalSalesInterface,
    operations: Sequence[ResolvedOperation],
    now=None,
    batch_size: int = bulk.DEFAULT_BATCH_SIZE,
    optimistic: bool | None = None,
) -> ApplyResult:
    """Apply a page of mixed operations in order, in one transaction.

    An operation already integrated is skipped and counted; one that cannot be applied
    (problem from resolution, closed or cancelled performance, place not in the interface's
    quota or already sold, price refused by the interface's policy, original ticket unknown
    or no longer valid) is parked with its reason. A parked line that now applies is marked
    resolved. The queries do not grow with the page: a handful of reads, then bulk writes.

    On PostgreSQL the page is first applied optimistically (`optimistic=None` or True): the
    places and ticket numbers it sells and the ids it applies are not read beforehand, the
    unique indexes (one valid ticket per place, one number per interface, one record per
    operation id) refuse a clash when the page is written. A clash rolls the attempt back to
    its savepoint and the page is applied again after reading everything, so the outcome is
    the same either way; only the usual page, where nothing clashes, is cheaper (see
    benchmarks/bench_integration.py). `optimistic=False` forces the reading path.
    """
    now = now or timezone.now()
    if not operations:
        return ApplyResult()
    interface = (
        ExternalSalesInterface.objects.select_related("institution").get(pk=interface.pk)
    )
    if optimistic is None:
        optimistic = bulk.optimistic_pages()
    elif optimistic and not bulk.optimistic_pages():
        raise ValueError("The optimistic path needs PostgreSQL (ON CONFLICT … RETURNING).")
    with transaction.atomic():
        if optimistic:
            try:
                with transaction.atomic():  # a savepoint: a clash undoes only the attempt
                    return _page_apply(interface, operations, now=now, batch_size=batch_size,
                                       optimistic=True)
            except (Clash, IntegrityError) as exc:
                logger.info("Page of %d operations for interface %s: %s; applied again "
                            "after reading the places and numbers.", len(operations),
                            interface.pk, exc)
        return _page_apply(interface, operations, now=now, batch_size=batch_size,
                           optimistic=False)


def _page_apply(interface: ExternalSalesInterface, operations: Sequence[ResolvedOperation], *,
                now, batch_size: int, optimistic: bool) -> ApplyResult:
    """Load what the page touches, decide each line by the rules, write it all (the parked
    lines with their messages)."""
    result = ApplyResult()
    page = page_load(interface=interface, operations=operations, optimistic=optimistic)
    for op in operations:
        operation_decide(page, op, result)
    if optimistic:
        unread_check(page)
    page_write(page, now=now, result=result, batch_size=batch_size)
    return result


def statistics_refresh() -> None:
    """Refresh the database's statistics of the tables a long integration grows (tickets,
    integrated operations), outside any page's transaction. The planner otherwise keeps
    the counts of the run's start (autovacuum analyzes a table only after 10 % of it has
    changed, and not within a minute) and picks plans for a small table; see
    benchmarks/bench_integration.py."""
    bulk.statistics_refresh(Ticket, IntegratedOperation)
