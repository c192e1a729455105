"""Pages of Ticketnet's journal applied with both cores busy: while a page is written and
committed on a connection of its own (a writer thread: PostgreSQL checks the unique indexes
and the foreign keys), the next page is read and decided here (Python), seeing the tickets
the page being written makes and ends as that page left them, before they are committed.

The outcome is the one of applying the pages one after the other (`operations_apply`): each
page is written once the previous one is committed, in its own transaction, with whatever
the caller adds to it (the cursor); a page whose optimistic write clashes is applied again
after reading everything, in the writer, and the next page, decided on what that page was
expected to do, is decided again once it is committed. A page that parks or resolves parked
lines is committed before the next one is read (the parked chains are read, not carried).
tests/sales/test_pipeline.py checks it on generated journals."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from channels.models import ExternalSalesInterface

from . import bulk
from .engine.page import TICKET_ATTNAMES, Page, tickets_from_rows
from .engine.write import page_prepare
from .models import Ticket
from .services import operations_apply, optimistic_write, page_decide
from .types import ApplyResult, ResolvedOperation


def pipeline_possible() -> bool:
    """PostgreSQL (optimistic pages, ids reserved), and not inside a transaction: the writer's
    connection would not see what it holds, nor would its commits be undone with it."""
    return bulk.optimistic_pages() and not connection.in_atomic_block


@dataclass(slots=True, eq=False)
class _Plan:
    operations: Sequence[ResolvedOperation]
    page: Page
    result: ApplyResult
    now: object
    before_commit: Callable[[], None]
    tag: object


class PagePipeline:
    """`submit` each page in journal order; the pages committed meanwhile come back as
    (tag, result), in order, from `submit` and from `finish`. Use as a context manager: on
    the way out the page being written is committed (or fails) and the writer's connection is
    closed; an error of the writer is raised from the next `submit` or `finish`."""

    def __init__(self, *, interface: ExternalSalesInterface,
                 batch_size: int = bulk.DEFAULT_BATCH_SIZE, now=None):
        self.interface_id = interface.pk
        self.batch_size = batch_size
        self.now = now  # every page's time, if given (tests); the time of its decision else
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sales-writer")
        self._writing: tuple[_Plan, Future] | None = None
        self._fell_back = False  # the page last committed was applied again
        # The tickets the page being written makes or ends, by number, as it leaves them
        # (None: the next page waits for its commit instead).
        self._overlay: _Overlay | None = None

    def __enter__(self) -> PagePipeline:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            if self._writing is not None:
                self._writing[1].exception()  # committed or failed, never left half-way
        finally:
            self._pool.submit(_close_connection).result()
            self._pool.shutdown()

    def submit(self, operations: Sequence[ResolvedOperation], *,
               before_commit: Callable[[], None], tag: object) -> list[tuple[object, ApplyResult]]:
        """Decide the page (the previous one possibly still being written), then hand it to
        the writer once the previous one is committed; `before_commit` runs in its
        transaction."""
        done: list[tuple[object, ApplyResult]] = []
        interface = ExternalSalesInterface.objects.select_related("institution").get(
            pk=self.interface_id)
        if self._writing is not None and self._overlay is None:
            done += self._wait()
        overlay, self._overlay = self._overlay, None
        if not operations:  # only the cursor moves
            page, result = Page(interface=interface, optimistic=True), ApplyResult()
        else:
            page, result = page_decide(interface, operations, optimistic=True,
                                       overlay=overlay)
        if self._writing is not None:
            done += self._wait()
            if operations and overlay is not None and self._fell_back:
                # Decided on what the previous page was expected to do: decide again on
                # what it did, committed now.
                page, result = page_decide(interface, operations, optimistic=True)
        page_prepare(page)
        self._overlay = _overlay_of(page)
        plan = _Plan(operations=operations, page=page, result=result,
                     now=self.now or timezone.now(),
                     before_commit=before_commit, tag=tag)
        self._writing = (plan, self._pool.submit(self._write, interface, plan))
        return done

    def finish(self) -> list[tuple[object, ApplyResult]]:
        """Wait for the last page; its (tag, result)."""
        return self._wait() if self._writing is not None else []

    def _wait(self) -> list[tuple[object, ApplyResult]]:
        plan, future = self._writing
        self._writing = None
        result, self._fell_back = future.result()
        return [(plan.tag, result)]

    def _write(self, interface: ExternalSalesInterface, plan: _Plan) -> tuple[ApplyResult, bool]:
        """In the writer thread: the page as decided, or, when it clashes with what is
        committed now, applied again after reading everything; then `before_commit`, and the
        commit. Returns its result and whether it was applied again."""
        with transaction.atomic():
            written = optimistic_write(interface, plan.operations, plan.page, plan.result,
                                       now=plan.now, batch_size=self.batch_size)
            plan.before_commit()
        return written


def _close_connection() -> None:
    """In the writer thread: its own connection (`connection` is per thread)."""
    connection.close()


class _Overlay(Mapping):
    """The tickets a page touched, by number, as it leaves them, for the next page to decide
    on before this one is committed: each one the next page asks for is copied then (the
    writer thread reads the page's tickets; nothing it does changes their fields)."""

    def __init__(self, page: Page):
        self._tickets = page.tickets

    def __getitem__(self, number: str) -> Ticket:
        values = self._tickets[number].__dict__
        return next(tickets_from_rows([[values[name] for name in TICKET_ATTNAMES]],
                                      db=connection.alias))

    def __contains__(self, number) -> bool:
        return number in self._tickets

    def __iter__(self):
        return iter(self._tickets)

    def __len__(self) -> int:
        return len(self._tickets)


def _overlay_of(page: Page) -> _Overlay | None:
    """None when the page parks lines or resolves parked ones: the next page reads the
    parked chains once this one is committed."""
    if page.parks or page.parked_existing:
        return None
    return _Overlay(page)


@contextmanager
def run_tuned(young: int = 50_000, switch_interval: float = 0.001) -> Iterator[None]:
    """The interpreter tuned for the length of pipelined runs: the process's first run in
    tunes it, the last one out gives the settings back (a worker with a thread pool runs
    several at once).

    Python's cyclic collector runs less often: a page holds tens of thousands of live objects
    (lines, tickets, their dicts) that reference counting frees, and at every 700
    allocations the collector walked them again and promoted them to be walked by full
    collections (a quarter of the integration's CPU at 300,000 operations). Young
    collections come every `young` allocations; what is alive when the run starts (the
    catalogue read, Django's own) is frozen out of the walks.

    Threads hand the interpreter over every `switch_interval` seconds instead of 5 ms: the
    writer, back from PostgreSQL a dozen times a page, does not wait that long behind the
    thread deciding the next page (benchmarks/bench_integration.py: 300,000 operations in
    20.6 s instead of 22.2 s)."""
    with _tuned_lock:
        if not _tuned_runs:  # the first run of the process (a worker may run several)
            _untuned[:] = [gc.get_threshold(), sys.getswitchinterval()]
            gc.freeze()
            gc.set_threshold(young, *_untuned[0][1:])
            sys.setswitchinterval(switch_interval)
        _tuned_runs.append(1)
    try:
        yield
    finally:
        with _tuned_lock:
            _tuned_runs.pop()
            if not _tuned_runs:  # the last one out undoes it
                threshold, interval = _untuned
                sys.setswitchinterval(interval)
                gc.set_threshold(*threshold)
                gc.unfreeze()


_tuned_lock = threading.Lock()
_tuned_runs: list[int] = []
_untuned: list = []


def pages_apply(*, interface: ExternalSalesInterface,
                pages: Iterator[tuple[Sequence[ResolvedOperation], Callable[[], None], object]],
                batch_size: int = bulk.DEFAULT_BATCH_SIZE, now=None,
                ) -> Iterator[tuple[object, ApplyResult]]:
    """Each (operations, before_commit, tag) of `pages` applied in its own transaction with
    `before_commit`, in order; yields (tag, result) as each page is committed. Pipelined when
    `pipeline_possible()`, one page after the other otherwise (`operations_apply`)."""
    if not pipeline_possible():
        for operations, before_commit, tag in pages:
            with transaction.atomic():
                result = operations_apply(interface=interface, operations=operations,
                                          batch_size=batch_size, now=now)
                before_commit()
            yield tag, result
        return
    with run_tuned(), PagePipeline(interface=interface, batch_size=batch_size,
                                          now=now) as pipeline:
        for operations, before_commit, tag in pages:
            yield from pipeline.submit(operations, before_commit=before_commit, tag=tag)
        yield from pipeline.finish()
