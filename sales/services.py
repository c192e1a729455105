"""Sell, duplicate and refund Ticketnet tickets in bulk, on operations whose codes are already
resolved; idempotent on the operation id, and a line that cannot be applied is parked, then
replayed in Ticketnet's journal order once its cause is fixed."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.models import ExternalSalesInterface

from . import bulk
from .bulk import any_of
from .engine.load import page_load, unread_check
from .engine.page import Clash, Page, saved_from_rows
from .engine.rules import operation_decide
from .engine.write import page_prepare, page_write
from .models import IntegratedOperation, ParkedOperation, Ticket
from .resolve import OperationResolver
from .selectors import parked_chain_batches
from .types import ApplyResult, OperationLine, ResolvedOperation

# Parked lines replayed at a time (whole chains: a batch may hold a few more).
REPLAY_BATCH = 5000

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
            page, result = page_decide(interface, operations, optimistic=True)
            return optimistic_write(interface, operations, page, result, now=now,
                                    batch_size=batch_size)[0]
        return page_apply(interface, operations, now=now, batch_size=batch_size,
                          optimistic=False)


def optimistic_write(interface: ExternalSalesInterface,
                     operations: Sequence[ResolvedOperation], page: Page, result: ApplyResult,
                     *, now, batch_size: int) -> tuple[ApplyResult, bool]:
    """Write a page decided optimistically, inside the caller's transaction. A clash with
    what is committed (a unique index, or `unread_check`) rolls the attempt back to its
    savepoint and the operations are applied again after reading everything. Returns the
    page's result and whether it was applied again."""
    try:
        with transaction.atomic():  # a savepoint: a clash undoes only the attempt
            unread_check(page)
            if bulk.copy_enabled():
                page_prepare(page)
            page_write(page, now=now, result=result, batch_size=batch_size)
        return result, False
    except (Clash, IntegrityError) as exc:
        logger.info("Page of %d operations for interface %s: %s; applied again after "
                    "reading the places and numbers.", len(operations), interface.pk, exc)
    return page_apply(interface, operations, now=now, batch_size=batch_size,
                      optimistic=False), True


def parked_lines_replay(
    *,
    interface: ExternalSalesInterface,
    resolver: OperationResolver,
    ids: Sequence[int] | None = None,
    batch_lines: int = REPLAY_BATCH,
    batch_size: int = bulk.DEFAULT_BATCH_SIZE,
) -> Iterator[tuple[int, ApplyResult]]:
    """Apply the interface's open parked lines again (those of Ticketnet's web services; only
    the chains of `ids` if given) as if they had been integrated in Ticketnet's journal order
    in the first place: whole chains at a time, each batch in journal order and in its own
    transaction. Yields (lines retried, result) per batch, once it is committed.

    A sale whose chain ends refunded within the batch was refunded in Ticketnet's journal
    before its place was sold again: it is written with its final state, beside the place's
    later holder. A line that still fails stays parked with its reason, and the lines
    waiting for it stay waiting."""
    interface = (
        ExternalSalesInterface.objects.select_related("institution").get(pk=interface.pk)
    )
    for pks in parked_chain_batches(interface=interface, ids=ids, size=batch_lines):
        rows = ParkedOperation.objects.filter(any_of("pk", pks)).order_by("position", "pk")
        # Only what a replay reads and writes back, without Model.__init__ per line.
        parked = list(saved_from_rows(ParkedOperation, _REPLAYED, rows.values_list(*_REPLAYED),
                                      db=rows.db))
        operations = resolver.resolve([OperationLine.from_mapping(p.line) for p in parked])
        with transaction.atomic():
            result = page_apply(interface, operations, now=timezone.now(),
                                 batch_size=batch_size, optimistic=False, parked=parked)
        yield len(parked), result


_REPLAYED = ["id", "interface_id", "operation_id", "type", "ticket_number", "line", "attempts",
             "resolved_at", "position", "waiting_for_id"]


def page_apply(interface: ExternalSalesInterface, operations: Sequence[ResolvedOperation], *,
                now, batch_size: int, optimistic: bool,
                parked: Sequence[ParkedOperation] | None = None) -> ApplyResult:
    """Load what the page touches, decide each line by the rules, write it all (the parked
    lines with their messages)."""
    page, result = page_decide(interface, operations, optimistic=optimistic, parked=parked)
    if optimistic:
        unread_check(page)
    if bulk.copy_enabled():
        page_prepare(page)
    page_write(page, now=now, result=result, batch_size=batch_size)
    return result


def page_decide(interface: ExternalSalesInterface, operations: Sequence[ResolvedOperation], *,
                optimistic: bool, parked: Sequence[ParkedOperation] | None = None,
                overlay: Mapping[str, Ticket] | None = None) -> tuple[Page, ApplyResult]:
    """The page loaded and each line decided in memory, nothing written. A replay
    (`parked`) whose sale passed over a place's holder without its chain giving the place
    back decides again, that sale checking the holder."""
    conflicting: frozenset[str] = frozenset()
    while True:
        result = ApplyResult()
        page = page_load(interface=interface, operations=operations, optimistic=optimistic,
                         parked=parked, overlay=overlay)
        page.conflicting = conflicting
        for op in operations:
            operation_decide(page, op, result)
        if not page.shadowed:
            return page, result
        conflicting |= {operation_id for _holder, operation_id in page.shadowed.values()}


def statistics_refresh() -> None:
    """Refresh the database's statistics of the tables a long integration grows (tickets,
    integrated operations), outside any page's transaction. The planner otherwise keeps
    the counts of the run's start (autovacuum analyzes a table only after 10 % of it has
    changed, and not within a minute) and picks plans for a small table; see
    benchmarks/bench_integration.py."""
    bulk.statistics_refresh(Ticket, IntegratedOperation)
