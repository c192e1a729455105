"""The reconciliation job: Ticketnet's side of a period or a performance — its web services'
ticket listing, or a sales statement it sent — compared with our tickets by `reconciliation`.

Params: `from` and `to` (ISO dates) or `performance` (an id); `statement` (a file's path on
the server) and `statement_name`. Without a period or a performance (the daily schedule), the
last `DEFAULT_DAYS` days up to today. Ends OK when both sides agree, WARNING with the
differences by kind (emailed when they appear or change), ERROR when the statement has lines
that cannot be read: then nothing is compared, by line number."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Performance
from reconciliation.engine import Scope, reconcile
from reconciliation.models import Difference, Reconciliation
from sales.models import Ticket
from texts import plural, source, text

from ..framework.errors import JobError, RetryLater
from ..framework.locks import job_lock
from ..framework.models import Job
from ..framework.registry import register
from .allotments import exported_performances
from .channel_rules import takes_web_services
from .ticketnet import (
    AmountNotation,
    StatementError,
    StatementReport,
    interface_client,
    statement_rows,
    ticketnet_errors,
)

DEFAULT_DAYS = 7
# The engine's columns of `statement_rows`' tuples, in their order.
STATEMENT_COLUMNS = ("line", "number", "cancelled", "performance_at", "category", "tariff",
                     "zone", "seat_row", "seat", "price", "currency")
REFUSED_SHOWN = 20
PAGE_SIZE = 5000
# Ticketnet's states, as our tickets say them.
STATES = {"ACTIVE": Ticket.State.VALID, "REPLACED": Ticket.State.INVALIDATED,
          "REFUNDED": Ticket.State.CANCELLED}


@register(Job.RECONCILIATION)
def reconciliation(ctx) -> None:
    interface = ctx.interface
    scope = scope_from_params(ctx.params)
    statement = ctx.params.get("statement")
    if not statement and not takes_web_services(interface=interface):
        raise JobError(
            text("The channel of this interface takes its sales from flat files: Ticketnet has "
                 "no ticket listing to compare with."),
            text("Reconcile with a sales statement Ticketnet sent instead."))
    # Lines the sales integration is applying would show as missing: wait for it to end.
    with job_lock(interface_id=interface.pk, job=Job.SALES_INTEGRATION) as lock:
        if not lock.acquired:
            raise RetryLater(
                text("The sales integration of this interface is running: the reconciliation "
                     "waits for it to end, so as not to compare half a page."),
                text("Nothing to do: it is retried automatically; run it again by hand "
                     "otherwise."))
        if statement:
            done = _from_statement(ctx, scope=scope, path=statement,
                                   name=ctx.params.get("statement_name") or statement)
        else:
            done = _from_web_services(ctx, scope=scope)
    if done is not None:
        _report(ctx, done)


def scope_from_params(params: dict) -> Scope:
    performance = params.get("performance")
    try:
        if performance:
            return Scope(performance_id=int(performance))
        start, end = params.get("from"), params.get("to")
        if not start and not end:
            today = timezone.localdate()
            return Scope(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)
        return Scope(start=date.fromisoformat(start or end), end=date.fromisoformat(end or start))
    except (TypeError, ValueError):
        raise JobError(
            text("The period or the performance to reconcile is not valid: from %(start)s to "
                 "%(end)s, performance %(performance)s.", start=params.get("from") or "-",
                 end=params.get("to") or "-", performance=performance or "-"),
            text("Give dates as YYYY-MM-DD, the first one no later than the second, or a "
                 "performance's id.")) from None


# Ticketnet's side from a statement -----------------------------------------------------------

def _from_statement(ctx, *, scope: Scope, path: str, name: str) -> Reconciliation | None:
    interface = ctx.interface
    report = StatementReport()
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below, after the lines are read)
    except OSError as exc:
        raise JobError(text("The statement file %(name)s cannot be read: %(error)s.",
                            name=name, error=exc.strerror or str(exc)),
                       text("Check the file's path and rights, then run again.")) from None
    with stream, transaction.atomic():
        rows = statement_rows(stream, amount_notation=AmountNotation(interface.statement_amounts),
                              report=report)
        done = reconcile(interface=interface, scope=scope, source=Reconciliation.Source.STATEMENT,
                         lines=rows, columns=STATEMENT_COLUMNS, statement_name=name)
        ctx.count("statement_lines", report.lines)
        ctx.count("statement_records", report.records)
        if report.skipped:
            ctx.info(plural("%(n)d line of the statement is not a record (a header or a "
                            "trailer): not compared.",
                            "%(n)d lines of the statement are not records (headers or "
                            "trailers): not compared.", report.skipped, n=report.skipped))
        if report.utf8_lines:
            ctx.info(plural("%(n)d line of the statement was read as UTF-8, not Ticketnet's "
                            "Windows-1252: the file was converted on its way.",
                            "%(n)d lines of the statement were read as UTF-8, not Ticketnet's "
                            "Windows-1252: the file was converted on its way.",
                            report.utf8_lines, n=report.utf8_lines))
        if report.refused_count:
            transaction.set_rollback(True)  # nothing compared: a half-read statement lies
            _refused(ctx, report, name=name)
            return None
    return done


def _refused(ctx, report: StatementReport, *, name: str) -> None:
    ctx.count("refused_lines", report.refused_count)
    for error in report.refused[:REFUSED_SHOWN]:
        ctx.error(statement_error_text(error))
    ctx.error(
        plural("%(n)d line of the statement %(name)s cannot be read: nothing was compared.",
               "%(n)d lines of the statement %(name)s cannot be read: nothing was compared.",
               report.refused_count, n=report.refused_count, name=name),
        text("Check the interface's setting for the statements' amounts, or ask Ticketnet for "
             "the file again; the lines are listed by number."))


def statement_error_text(error: StatementError):
    """A refused line, by its number, in the reader's language."""
    p = error.params
    reasons = {
        "line_length": text("%(length)s characters: a record has 106 or 213 (a damaged "
                            "record)", length=p.get("length", "")),
        "last_line_cut": text("the last line stops after %(length)s characters: the file was "
                              "cut in transfer", length=p.get("length", "")),
        "line_too_long": text("longer than %(limit)s bytes", limit=p.get("limit", "")),
        "line_end": text("a carriage return inside the line"),
        "byte": text("byte %(byte)s at column %(column)s is not Windows-1252 text",
                     byte=p.get("byte", ""), column=p.get("column", "")),
        "utf8_padded_by_bytes": text("UTF-8 padded by bytes, not characters: the fields have "
                                     "moved"),
        "date": text("“%(value)s” is not a date as dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm",
                     value=p.get("value", "")),
        "cancellation_flag": text("cancellation flag “%(value)s”: A or blank",
                                  value=p.get("value", "")),
        "row": text("row “%(value)s” is not a number", value=p.get("value", "")),
        "seat": text("seat “%(value)s” is not a number", value=p.get("value", "")),
        "amount": text("amount “%(value)s” is not written as the interface's setting says "
                       "(%(notation)s)", value=p.get("value", ""),
                       notation=p.get("notation", "")),
        "currency": text("currency “%(value)s”: three capital letters",
                         value=p.get("value", "")),
        "ticket_id_empty": text("no ticket number"),
    }
    reason = reasons.get(error.code.value, error.code.value)
    return text("Statement line %(line)d: %(reason)s.", line=error.line_number, reason=reason)


# Ticketnet's side from the web services ---------------------------------------------------

def _from_web_services(ctx, *, scope: Scope) -> Reconciliation:
    interface = ctx.interface
    exported = exported_performances(interface=interface)
    if scope.performance_id is not None:
        exported = [p for p in exported if p.performance_id == scope.performance_id]
        if not exported:
            label = Performance.objects.filter(pk=scope.performance_id).first()
            raise JobError(
                text("The performance %(performance)s was never exported to Ticketnet: it has "
                     "no tickets there to compare with.", performance=label or
                     scope.performance_id),
                text("Pick a performance of an exported event."))
        queries = [(p.manifestation_code, p.performance_code) for p in exported]
    else:
        queries = [(code, None) for code in sorted({p.manifestation_code for p in exported})]
    # Ticketnet lists tickets by manifestation: ours are compared for what it can list.
    scope = dataclasses.replace(scope, performance_ids=frozenset(
        p.performance_id for p in exported))
    uncovered = _not_listed(interface, scope)
    if uncovered:
        ctx.info(plural(
            "%(n)d ticket of ours is not compared: Ticketnet's web services list the tickets "
            "of exported manifestations only (a pass, or an event never exported); reconcile "
            "it with a sales statement.",
            "%(n)d tickets of ours are not compared: Ticketnet's web services list the tickets "
            "of exported manifestations only (passes, or events never exported); reconcile "
            "them with a sales statement.", uncovered, n=uncovered))
    client = interface_client(interface=interface)
    bounds = scope.bounds(timezone.get_default_timezone())
    with ticketnet_errors(interface=interface), transaction.atomic():
        return reconcile(interface=interface, scope=scope,
                         source=Reconciliation.Source.WEB_SERVICES,
                         lines=_listed_rows(ctx, client, queries, bounds))


def _not_listed(interface, scope: Scope) -> int:
    """Our tickets of the period that Ticketnet's listing cannot cover."""
    bounds = scope.bounds(timezone.get_default_timezone())
    if bounds is None:
        return 0
    start, end = bounds
    return (Ticket.objects.filter(interface=interface)
            .filter(Q(sold_at__gte=start, sold_at__lt=end)
                    | Q(ended_at__gte=start, ended_at__lt=end))
            .exclude(performance_id__in=scope.performance_ids).count())


def _listed_rows(ctx, client, queries, bounds) -> Iterator[tuple]:
    """Ticketnet's tickets issued or ended in the period, each in its state at the period's
    end, as rows of the engine's LINE_COLUMNS."""
    for manifestation, performance in queries:
        for ticket in client.iter_tickets(manifestation_code=manifestation,
                                          performance_code=performance, page_size=PAGE_SIZE):
            ctx.count("ticketnet_listed")
            row = _ticket_row(ticket, bounds)
            if row is not None:
                yield row


def _ticket_row(ticket, bounds: tuple[datetime, datetime] | None):
    state = STATES.get(ticket.state, ticket.state.lower())
    if bounds is not None:
        start, end = bounds
        issued = start <= ticket.issued_at < end
        ended = ticket.ended_at is not None and start <= ticket.ended_at < end
        if not issued and not ended:
            return None
        if ticket.ended_at is not None and ticket.ended_at >= end:
            state = Ticket.State.VALID  # still valid at the period's end
    return (0, ticket.ticket_number, True, state != Ticket.State.VALID, str(state),
            ticket.manifestation_code, ticket.performance_code, "", ticket.zone_code, ticket.row,
            ticket.seat, ticket.category_code, ticket.tariff_code, ticket.price_cents,
            ticket.currency)


# The run's report -----------------------------------------------------------------------------

def _report(ctx, done: Reconciliation) -> None:
    ctx.run.params = {**ctx.run.params, "reconciliation": done.pk}
    ctx.run.save(update_fields=["params"])
    ctx.count("ticketnet_tickets", done.ticketnet_lines)
    ctx.count("our_tickets", done.our_tickets)
    ctx.count("matched", done.matched)
    for kind, n in done.counts.items():
        ctx.count(kind, n)
    total = done.differences_total
    if not total and not done.matched:
        ctx.info(text("Neither Ticketnet nor our books have a ticket issued or ended in what "
                      "was compared: nothing to reconcile."))
        return
    if not total:
        ctx.info(text("Ticketnet and our books agree: %(n)d tickets matched.", n=done.matched))
        return
    # The differences' digest is in the text: the same differences are emailed once, new or
    # changed ones again.
    ctx.warning(
        plural("%(n)d difference between Ticketnet and our books (%(kinds)s; reference "
               "%(ref)s).",
               "%(n)d differences between Ticketnet and our books (%(kinds)s; reference "
               "%(ref)s).", total, n=total, ref=done.fingerprint[:8],
               kinds=[text("%(kind)s: %(n)d", n=n,
                           kind=source(Difference.Kind(k).label, lower=True))
                      for k, n in done.counts.items()]),
        text("Open the interface's reconciliation page: each difference says what to do."))
