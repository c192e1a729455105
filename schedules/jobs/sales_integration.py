"""The sales integration job: retry the parked lines, then read Ticketnet's journal from the
interface's cursor, page by page, each page applied and the cursor moved in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from django.db import reset_queries
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from sales.engine.messages import stored_message_text, waiting_summary
from sales.models import ParkedOperation
from sales.models import ParkReason as ParkReasonChoices
from sales.pipeline import pages_apply
from sales.resolve import OperationResolver, code_kind_label
from sales.services import parked_lines_replay, statistics_refresh
from sales.types import ApplyResult, OperationLine, OperationType, ParkReason
from texts import plural, source, text

from ..framework.context import JobContext
from ..framework.errors import JobError
from ..framework.models import Job
from ..framework.registry import register
from .channel_rules import takes_web_services
from .models import IntegrationCursor
from .ticketnet import (
    Operation,
    OperationsPage,
    TicketnetClient,
    TicketnetRejected,
    interface_client,
    ticketnet_errors,
)
from .ticketnet import OperationType as GatewayOperationType

# Ticketnet serves 1 … 5000 operations a page; see benchmarks/bench_integration.py.
PAGE_SIZE = 5000
# The database's statistics are refreshed after this many operations, then after twice as
# many each time (a long run doubles the tables it writes several times).
STATISTICS_AFTER = 50_000
EXAMPLES = 3
MAX_GROUPS = 20


@register(Job.SALES_INTEGRATION)
def sales_integration(ctx: JobContext) -> None:
    """Parked lines first (all, or `params["parked_operation_ids"]`), then the new operations.
    Ends WARNING with each reason to fix when lines are parked; Ticketnet unreachable raises
    RetryLater (ERROR, retried by Celery)."""
    interface = ctx.interface
    if not takes_web_services(interface=interface):
        raise JobError(
            text("The channel “%(channel)s” of this interface takes its sales from flat "
                 "files: Ticketnet sends no operations to integrate.",
                 channel=interface.channel.name),
            text("Import Ticketnet's CSV files with the flat-file import "
                 "(manage.py import_flat_file) instead."),
        )
    resolver = OperationResolver(interface=interface)
    started = timezone.now()
    total = ApplyResult()
    parked_retry(ctx, resolver=resolver, ids=ctx.params.get("parked_operation_ids"),
                 total=total)
    page_size = int(ctx.params.get("page_size") or PAGE_SIZE)
    client = interface_client(interface=interface)
    with ticketnet_errors(interface=interface):
        integrate_new_operations(ctx, client=client, resolver=resolver, page_size=page_size,
                                 total=total)
    report_parked(ctx, resolver=resolver, since=started)
    if not ctx.messages or all(m["level"] == "info" for m in ctx.messages):
        ctx.info(text("Integrated: sales %(sold)d, duplicates %(duplicated)d, refunds "
                      "%(refunded)d; already integrated before: %(already)d.",
                      sold=total.sold, duplicated=total.duplicated, refunded=total.refunded,
                      already=total.already_integrated))


def parked_retry(ctx: JobContext, *, resolver: OperationResolver, ids=None,
                 total: ApplyResult) -> None:
    """Replay the interface's parked lines (or the chains of `ids`) in Ticketnet's journal
    order, before any new operation (sales.services.parked_lines_replay)."""
    # Pass lines of flat files are the flat-file import's to retry (sales.passes).
    for retried, result in parked_lines_replay(interface=ctx.interface, resolver=resolver,
                                               ids=ids):
        total.merge(result)
        ctx.count("parked_retried", retried)
        ctx.count("sold", result.sold)
        ctx.count("duplicated", result.duplicated)
        ctx.count("refunded", result.refunded)
        ctx.count("resolved_parked", result.resolved_parked)
        ctx.count("still_parked", result.parked)
        ctx.count("still_waiting", result.waiting)
        ctx.count("already_integrated", result.already_integrated)
        reset_queries()
    if total.resolved_parked:
        ctx.info(plural("%(n)d parked line went through.",
                        "%(n)d parked lines went through.", total.resolved_parked))


_TYPES = {t: OperationType(t.value) for t in GatewayOperationType}


def operation_line(op: Operation) -> OperationLine:
    """The gateway's operation as the sales services take it (field by field: the hot path)."""
    return OperationLine(
        operation_id=op.operation_id, type=_TYPES[op.type],
        ticket_number=op.ticket_number, original_ticket_number=op.original_ticket_number,
        manifestation_code=op.manifestation_code, performance_code=op.performance_code,
        zone_code=op.zone_code, row=op.row, seat=op.seat, category_code=op.category_code,
        tariff_code=op.tariff_code, price_cents=op.price_cents, currency=op.currency,
        time=op.time, point_of_sale_code=op.point_of_sale_code,
        buyer_last_name=op.buyer_last_name, buyer_first_name=op.buyer_first_name,
        buyer_city=op.buyer_city, buyer_postal_code=op.buyer_postal_code,
        buyer_country=op.buyer_country,
    )


def cursor_of(interface) -> IntegrationCursor:
    cursor, _created = IntegrationCursor.objects.get_or_create(interface=interface)
    return cursor


def cursor_store(*, cursor: IntegrationCursor, next_cursor: str, operations: int) -> None:
    """Move the cursor; called inside the transaction of the page it covers."""
    IntegrationCursor.objects.filter(pk=cursor.pk).update(
        cursor=next_cursor, operations=F("operations") + operations, updated_at=timezone.now())
    cursor.cursor = next_cursor


def _pages(ctx: JobContext, client: TicketnetClient, cursor: IntegrationCursor,
           page_size: int) -> Iterator[OperationsPage]:
    since = ctx.params.get("since")
    if since:
        # Listed again from a date (a line that never arrived): what was integrated is skipped
        # by its id, and the cursor ends where the journal ends, as before.
        when = datetime.fromisoformat(since)
        ctx.info(text("Ticketnet's journal is listed again from %(since)s: operations already "
                      "integrated are skipped.",
                      since=timezone.localtime(when).strftime("%Y-%m-%d %H:%M")))
        yield from client.iter_operations(cursor=None, since=when, page_size=page_size)
        return
    pages = client.iter_operations(cursor=cursor.cursor or None, page_size=page_size)
    try:
        first = next(pages)
    except TicketnetRejected as exc:
        if exc.code != "INVALID_CURSOR" or not cursor.cursor:
            raise
        # Ticketnet's journal was reset: read it from the start; operations already
        # integrated are recognised by their id and skipped.
        ctx.info(text("Ticketnet no longer knows the stored cursor: its journal is read again "
                      "from the start (operations already integrated are skipped)."))
        pages = client.iter_operations(cursor=None, page_size=page_size)
        first = next(pages)
    yield first
    yield from pages


def _with_lines(pages: Iterator[OperationsPage]):
    """Each page with its operations as the sales services take them (no database: this runs
    in the read-ahead thread)."""
    for page in pages:
        yield page, [operation_line(op) for op in page.operations]


def _ahead(pages: Iterator):
    """Fetch the next page in a thread while this one is applied: Ticketnet's time to answer,
    parse and convert overlaps the database's. One request in flight at a time; nothing is
    stored before the page is handed over, so reading ahead changes no guarantee."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticketnet-listing") as pool:
        future = pool.submit(next, pages, None)
        while True:
            page = future.result()
            if page is None:
                return
            future = pool.submit(next, pages, None)
            yield page


def integrate_new_operations(ctx: JobContext, *, client: TicketnetClient,
                             resolver: OperationResolver, page_size: int,
                             total: ApplyResult) -> None:
    """Each page: resolve, apply and move the cursor in one transaction; a failure leaves the
    cursor after the last committed page, so nothing is lost and nothing applied twice. On
    PostgreSQL the next page is decided while one is being written (sales.pipeline)."""
    cursor = cursor_of(ctx.interface)

    def pages():
        for page, lines in _ahead(_with_lines(_pages(ctx, client, cursor, page_size))):
            operations = resolver.resolve(lines) if lines else []
            yield operations, partial(_cursor_move, cursor, page.next_cursor, len(lines)), len(
                lines)

    done = 0
    refresh_at = STATISTICS_AFTER
    for count, result in pages_apply(interface=ctx.interface, pages=pages()):
        done += count
        ctx.count("pages")
        ctx.count("operations", count)
        total.merge(result)
        ctx.add_counts({k: v for k, v in result.as_counts().items() if k != "resolved_parked"})
        ctx.progress(done)
        if done >= refresh_at:
            statistics_refresh()
            refresh_at = done * 2
        # With DEBUG on, Django keeps every query's SQL (arrays of a page inlined): a long run
        # must not carry them all.
        reset_queries()
    ctx.progress(done, done, force=True)


def _cursor_move(cursor: IntegrationCursor, next_cursor: str, operations: int) -> None:
    """In the page's transaction, once it is written."""
    if next_cursor != cursor.cursor:
        cursor_store(cursor=cursor, next_cursor=next_cursor, operations=operations)


# The WARNING messages ---------------------------------------------------------------------------


def _actions() -> tuple[dict[str, str], dict]:
    """What to do per reason (sources, with `%(retry)s`), and the retry advice as a text."""
    retry = text("then retry the parked lines (Parked lines → “Retry the selected lines”); "
                 "the next sales integration retries them too.")
    return {
        ParkReason.INVALID_LINE: gettext_noop(
            "Ask Ticketnet to check these operations; %(retry)s"),
        ParkReason.PERFORMANCE_CLOSED: gettext_noop(
            "Reopen the performance, or have Ticketnet refund the tickets, %(retry)s"),
        ParkReason.PERFORMANCE_CANCELLED: gettext_noop(
            "Have Ticketnet refund the tickets (and cancel the performance on its side); if "
            "the performance takes place after all, untick “cancelled”, %(retry)s"),
        ParkReason.NOT_IN_QUOTA: gettext_noop(
            "Add the places to the Ticketnet quota and export the allotments again, %(retry)s"),
        ParkReason.SEAT_ALREADY_SOLD: gettext_noop(
            "Check with Ticketnet which sale is right and have the wrong one refunded, "
            "%(retry)s"),
        ParkReason.PRICE_DIFFERENCE: gettext_noop(
            "Correct the price in the catalogue, or the interface's reseller price policy, "
            "%(retry)s"),
        ParkReason.PRICE_UNKNOWN: gettext_noop(
            "Enter the price of this category and tariff on the event, %(retry)s"),
        ParkReason.TICKET_NUMBER_TAKEN: gettext_noop("Ask Ticketnet to check these operations."),
        ParkReason.ORIGINAL_UNKNOWN: gettext_noop(
            "Integrate the original sale first (it may be parked itself: fix its cause), "
            "%(retry)s"),
        ParkReason.ORIGINAL_NOT_VALID: gettext_noop("Ask Ticketnet to check these operations."),
    }, retry


def report_parked(ctx: JobContext, *, resolver: OperationResolver, since) -> None:
    """One WARNING per reason (per unknown code), with the count, a few examples and what to
    do, for the lines this run parked or left parked; the lines waiting for them are no
    problem of their own, only counted. One query, streamed."""
    groups: dict[tuple, dict] = {}
    waiting = 0
    rows = ParkedOperation.objects.filter(
        interface=ctx.interface, resolved_at__isnull=True, last_attempt_at__gte=since
    ).order_by("pk").values_list("reason", "operation_id", "line", "message", "params")
    for reason, operation_id, line_data, message, params in rows.iterator(chunk_size=2000):
        if reason == ParkReason.WAITING_FOR_ORIGINAL:
            waiting += 1
            continue
        key: tuple = (reason,)
        if reason == ParkReason.UNKNOWN_CODE:
            try:
                problem = resolver.unknown_code(OperationLine.from_mapping(line_data))
            except (KeyError, ValueError, TypeError):
                problem = None
            if problem is not None:
                key = (reason, problem.params["kind_key"], problem.params["code"])
        group = groups.get(key)
        if group is None:
            said = stored_message_text(reason=reason, params=params, line=line_data,
                                       message=message)
            if len(groups) >= MAX_GROUPS:
                key = ("other",)
                group = groups.setdefault(key, {"n": 0, "examples": [], "message": said})
            else:
                group = groups[key] = {"n": 0, "examples": [], "message": said}
        group["n"] += 1
        if len(group["examples"]) < EXAMPLES:
            group["examples"].append(operation_id)
    actions, retry = _actions()
    for key, group in sorted(groups.items(), key=lambda kv: -kv[1]["n"]):
        n, examples = group["n"], ", ".join(group["examples"])
        reason = key[0]
        if reason == ParkReason.UNKNOWN_CODE and len(key) == 3:
            kind = source(code_kind_label(key[1]))
            ctx.warning(
                plural(
                    "%(n)d line parked: the Ticketnet %(kind)s code %(code)s has no "
                    "correspondence (operation %(examples)s).",
                    "%(n)d lines parked: the Ticketnet %(kind)s code %(code)s has no "
                    "correspondence (for example operations %(examples)s).", n,
                    kind=kind, code=key[2], examples=examples),
                text("Enter the code %(code)s for the %(kind)s in the interface's "
                     "correspondences, %(retry)s", code=key[2], kind=kind, retry=retry),
            )
            continue
        label = (ParkReasonChoices(reason).label if reason in ParkReasonChoices.values
                 else gettext_lazy("Other reasons"))
        ctx.warning(
            plural(
                "%(n)d line parked: %(reason)s (operation %(examples)s): %(message)s",
                "%(n)d lines parked: %(reason)s (for example operations %(examples)s; "
                "the first: %(message)s)", n,
                reason=source(label, lower=True), examples=examples,
                message=group["message"]),
            text(actions.get(reason, gettext_noop("Read each parked line's message, "
                                                  "%(retry)s")), retry=retry),
        )
    if waiting:
        ctx.info(waiting_summary(waiting))
