"""The guide's "Test" section as a job: export one event's catalogue, export its allotments, have
Ticketnet sell, duplicate and refund, integrate the sales, and check the tickets; each step
reported, the run OK only when every step is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from catalog.models import Event, Performance
from mappings.selectors import correspondence_book
from sales.models import Ticket
from sales.selectors import quota_seats_left
from texts import render, source, text

from ..counts import STEP_ORDER as STEPS
from ..framework import registry
from ..framework.context import ERROR, JobContext
from ..framework.errors import JobError, TimeLimitReached, UnknownJob
from ..framework.locks import job_lock
from ..framework.models import Job
from ..framework.registry import register
from .catalog_plan import catalog_plan
from .channel_rules import takes_catalogue, takes_web_services
from .ticketnet import BoxOfficeError, interface_box_office

logger = logging.getLogger(__name__)
TEST_BUYER = {"buyer_last_name": "TEST", "buyer_first_name": "Interface",
              "buyer_city": "Paris", "buyer_postal_code": "75001", "buyer_country": "FR"}


class StepContext(JobContext):
    """A job run as one step of another: same run, interface and lock; its own parameters,
    counts and messages, folded into the parent's by `run_step`."""

    def __init__(self, parent: JobContext, params: dict):
        self.run = parent.run
        self.interface = parent.interface
        self.params = dict(params)
        self.trigger = parent.trigger
        self.counts = {}
        self.messages = []
        self._lock = parent._lock
        self._last_progress = 0.0

    def progress(self, done, total=None, *, force=False) -> None:
        # The parent run shows the steps; only keep the lock alive.
        if self._lock is not None:
            self._lock.refresh()


@dataclass
class StepOutcome:
    status: str  # ok, warning, error
    value: object = None


def step_labels() -> dict[str, str]:
    """The steps' labels, lazily translated (a message stores their source)."""
    return {
        Job.CATALOG_EXPORT: gettext_lazy("a. Catalogue export"),
        Job.ALLOTMENT_EXPORT: gettext_lazy("b. Allotment export"),
        "box_office": gettext_lazy("c. Ticketnet sells, duplicates and refunds"),
        Job.SALES_INTEGRATION: gettext_lazy("d. Sales integration"),
        "checks": gettext_lazy("Result"),
    }


def run_step(ctx: JobContext, key: str, fn: Callable[[StepContext], object], *,
             params: dict | None = None, lock_job: str | None = None) -> StepOutcome:
    """Run `fn` as a step: its messages are added to the run prefixed with the step's label,
    its counts prefixed with the step's key; a raised JobError or crash makes the step ERROR.
    `lock_job`: hold that job's lock for the interface (a scheduled run of the same job
    cannot run beside the step)."""
    label = step_labels()[key]
    sub = StepContext(ctx, params or {})
    value = None
    with job_lock(interface_id=ctx.interface.pk, job=lock_job or key) as lock:
        if not lock.acquired:
            sub.warning(text("Another run of this job is in progress for the interface."),
                        text("Wait for it to finish, then run the interface test again."))
        else:
            try:
                value = fn(sub)
            except UnknownJob:
                sub.error(text("This step is not available in this version."),
                          text("Update the application."))
            except JobError as exc:
                sub.error(exc.text, exc.action)
            except TimeLimitReached:
                raise  # the whole test stops: the runner records it
            except Exception as exc:
                logger.exception("Interface test step %s failed (run %s)", key, ctx.run.pk)
                sub.error(text("The step stopped on an unexpected error (%(type)s).",
                               type=type(exc).__name__),
                          text("Look at the server logs for run %(run)s.", run=ctx.run.pk))
    status = {"ok": "ok", "warning": "warning", "error": "error"}[str(sub.status())]
    for m in sub.messages:
        said = m.get("t", m["text"])
        ctx.message(m["level"], text("%(step)s — %(text)s", step=source(label), text=said),
                    m.get("a", m["action"]))
        # The run page shows the test as a checklist: each message knows its step.
        ctx.messages[-1].update(step=key, step_text=m["text"], st=said)
    for name, n in sub.counts.items():
        ctx.count(f"{key}.{name}", n)
    ctx.count(f"steps_{status}")
    summary = {"ok": text("OK"), "warning": text("WARNING"), "error": text("ERROR")}[status]
    ctx.info(text("%(step)s: %(status)s", step=source(label), status=summary))
    ctx.messages[-1].update(step=key, step_status=status)
    ctx.progress(STEPS.index(key) + 1, len(STEPS), force=True)
    return StepOutcome(status=status, value=value)


def _registered(job: str) -> Callable[[StepContext], object]:
    return lambda sub: registry.get(job)(sub)


@register(Job.INTERFACE_TEST)
def interface_test(ctx: JobContext) -> None:
    interface = ctx.interface
    code = str(ctx.params.get("event") or "").strip()
    event = Event.objects.filter(institution_id=interface.institution_id, code=code).first()
    if event is None:
        raise JobError(
            text("There is no event “%(code)s” in the institution.", code=code),
            text("Choose an event sold through the interface's channel, then run the test "
                 "again."),
        )
    if not takes_web_services(interface=interface):
        raise JobError(
            text("The interface takes Ticketnet's sales from flat files: there is nothing to test "
                 "on Ticketnet's web services."),
            text("Import a flat file with manage.py import_flat_file instead."),
        )
    ctx.info(text("Interface test with the event “%(event)s”.", event=event))
    ctx.progress(0, len(STEPS), force=True)
    steps_left = list(STEPS[:-1])

    def stopped(after: str) -> None:
        labels = step_labels()
        rest = steps_left[steps_left.index(after) + 1:]
        if rest:
            ctx.info(text("Not run, because the step before failed: %(steps)s.",
                          steps=[source(labels[k]) for k in rest]))

    if not takes_catalogue(interface=interface):  # visit passes
        ctx.info(text("Visit passes have no catalogue or allotment export: steps a and b are "
                      "skipped."))
    else:
        outcome = run_step(ctx, Job.CATALOG_EXPORT,
                           lambda sub: catalog_export_step(sub, event=event),
                           params={"event_id": event.pk})
        if outcome.status == ERROR:
            return stopped(Job.CATALOG_EXPORT)
        outcome = run_step(ctx, Job.ALLOTMENT_EXPORT, _registered(Job.ALLOTMENT_EXPORT),
                           params={"event_id": event.pk})
        if outcome.status == ERROR:
            return stopped(Job.ALLOTMENT_EXPORT)
    sold = run_step(ctx, "box_office", lambda sub: box_office_step(sub, event=event))
    if sold.status == ERROR:
        return stopped("box_office")
    integration = run_step(ctx, Job.SALES_INTEGRATION, _registered(Job.SALES_INTEGRATION))
    if integration.status == ERROR:
        return None
    run_step(ctx, "checks", lambda sub: result_checks(sub, event=event, sold=sold.value))
    return None


# a. Catalogue export ---------------------------------------------------------------------------


def catalog_export_step(sub: StepContext, *, event: Event) -> None:
    """The catalogue export job; an event already exported is said so, and the test goes on
    (a catalogue export is sent once and never again)."""
    plan = catalog_plan(interface=sub.interface, event=event)
    if plan.manifestations and not plan.to_send:
        sub.info(text("“%(event)s” was already exported to Ticketnet (%(codes)s): it is not sent "
                      "again, the test goes on.",
                      event=event, codes=", ".join(m.code for m in plan.already_exported)))
        sub.count("already_exported", len(plan.already_exported))
        return
    registry.get(Job.CATALOG_EXPORT)(sub)


# c. Ticketnet's box office ------------------------------------------------------------------


@dataclass
class TestSales:
    """What the simulator's box office did: sale A duplicated (A invalid, B valid), sale C
    refunded."""

    performance_id: int
    duplicated: str
    duplicate: str
    refunded: str
    refunded_place: dict


def box_office_step(sub: StepContext, *, event: Event) -> TestSales | None:
    """Through Ticketnet's box office when one can be driven from here (the simulator);
    otherwise the result step tells the operator to ask Ticketnet by phone."""
    interface = sub.interface
    client = interface_box_office(interface=interface)
    if client is None:
        # A real Ticketnet: its staff sell, duplicate and refund on their side; the result
        # step looks for their tickets and says what to ask for while there are none.
        sub.info(text("Ticketnet's box office cannot be driven from here: Ticketnet's staff sell, "
                      "duplicate and refund on their side (see the result)."))
        return None
    book = correspondence_book(interface=interface)
    performances = Performance.objects.filter(
        event=event, closed=False, cancelled=False).select_related("event").order_by("start")
    for perf in performances:
        key = book.performance_key(perf)
        if key is None:
            continue
        try:
            seats = client.free_seats(manifestation=key[0], performance=key[1], limit=2)
        except BoxOfficeError as exc:
            if exc.code in ("UNKNOWN_MANIFESTATION", "UNKNOWN_PERFORMANCE"):
                continue
            raise _box_office_error(exc) from None
        if len(seats) >= 2:
            break
    else:
        raise JobError(
            text("Ticketnet has no two free allotted seats on any open performance of "
                 "“%(event)s”.", event=event),
            text("Put seats of the event in the Ticketnet quota, export the allotments, then run "
                 "the test again."),
        )
    try:
        first, second = (
            client.sell(manifestation=key[0], performance=key[1], zone=s["zone"], row=s["row"],
                        seat=s["seat"], category=s["category"], tariff=s["tariffs"][0]["tariff"],
                        price_cents=s["tariffs"][0]["price_cents"], **TEST_BUYER)
            for s in seats[:2]
        )
        duplicate = client.duplicate(first["number"])
        client.refund(second["number"])
    except BoxOfficeError as exc:
        raise _box_office_error(exc) from None
    sub.count("sold", 2)
    sub.count("duplicated", 1)
    sub.count("refunded", 1)
    sub.info(text("Ticketnet sold tickets %(a)s and %(c)s for %(performance)s, reprinted %(a)s "
                  "as %(b)s and refunded %(c)s.",
                  a=first["number"], b=duplicate["number"], c=second["number"], performance=perf))
    return TestSales(performance_id=perf.pk, duplicated=first["number"],
                     duplicate=duplicate["number"], refunded=second["number"],
                     refunded_place=seats[1])


def _box_office_error(exc: BoxOfficeError) -> JobError:
    return JobError(
        text("Ticketnet's box office refused (%(code)s): %(message)s",
             code=exc.code, message=exc.message),
        text("Check the allotments exported for the event, then run the test again."),
    )


# Result ---------------------------------------------------------------------------------------


def result_checks(sub: StepContext, *, event: Event, sold: TestSales | None) -> None:
    """The tickets a sale, a duplicate and a refund must leave: one valid duplicate of an
    invalidated original, one cancelled ticket (its place back in the quota)."""
    interface = sub.interface
    tickets = Ticket.objects.filter(interface=interface, performance__event=event)
    if sold is None:
        duplicate = tickets.filter(state=Ticket.State.VALID, original__isnull=False,
                                   original__state=Ticket.State.INVALIDATED).first()
        refunded = tickets.filter(state=Ticket.State.CANCELLED).first()
        if duplicate is None or refunded is None:
            sub.warning(
                text("Waiting for Ticketnet: no duplicated and refunded tickets of “%(event)s” "
                     "were integrated yet.", event=event),
                text("Call Ticketnet and ask them to sell two tickets of “%(event)s”, to "
                     "duplicate (reprint) the first and to refund the second; then run the "
                     "interface test again: the exports already done are said so, and the sales "
                     "integration brings their tickets.", event=event),
            )
            return
        sub.info(text("Ticket %(new)s is a valid duplicate of %(old)s; ticket %(cancelled)s is "
                      "cancelled.",
                      new=duplicate.number, old=duplicate.original.number,
                      cancelled=refunded.number))
        return
    found = {t.number: t for t in tickets.filter(
        number__in=[sold.duplicated, sold.duplicate, sold.refunded]).select_related("original")}
    problems = []
    original, duplicate, refunded = (found.get(sold.duplicated), found.get(sold.duplicate),
                                     found.get(sold.refunded))
    if original is None or original.state != Ticket.State.INVALIDATED:
        problems.append(text("ticket %(n)s is not invalidated", n=sold.duplicated))
    if duplicate is None or duplicate.state != Ticket.State.VALID or (
        duplicate.original_id != getattr(original, "pk", None)
    ):
        problems.append(text("ticket %(n)s is not a valid duplicate of %(o)s",
                             n=sold.duplicate, o=sold.duplicated))
    if refunded is None or refunded.state != Ticket.State.CANCELLED:
        problems.append(text("ticket %(n)s is not cancelled", n=sold.refunded))
    elif refunded.seat_id is not None and not quota_seats_left(
        interface=interface, performance_ids=[refunded.performance_id]
    ).filter(seat_id=refunded.seat_id).exists():
        problems.append(text("the seat of ticket %(n)s is not back in the quota", n=sold.refunded))
    if problems:
        sub.error(text("The integrated tickets are not as Ticketnet left them: %(problems)s.",
                       problems="; ".join(render(p) for p in problems)),
                  text("Read the sales integration's messages above (parked lines say what to "
                       "fix), fix it, then run the sales integration again."))
        return
    sub.info(text("Ticket %(b)s is a valid duplicate of %(a)s (invalidated); ticket %(c)s is "
                  "cancelled and its place is back in the quota.",
                  a=sold.duplicated, b=sold.duplicate, c=sold.refunded))

