"""Property (issue 10, item 3): whatever Ticketnet's journal (sales, duplicates, refunds,
resales of the places it freed), whatever code is missing and however the journal is paged
and the retry batched, integrating with the code missing, entering it and retrying once gives
exactly the tickets of a run that had the code from the start, and no parked line."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappings.models import Kind
from tests.sales.journal import (
    FREE,
    MANIFESTATIONS,
    NUMBERED,
    Journal,
    coded_world,
    integrate,
    open_parked,
    retry,
    tickets,
)

pytestmark = pytest.mark.django_db

# (kind, code) of the one code left out; a competition's performance code names its
# manifestation too (one each).
MISSING = [(Kind.TARIFF, "1"), (Kind.TARIFF, "2"), (Kind.CATEGORY, "1"), (Kind.CATEGORY, "2"),
           (Kind.ZONE, NUMBERED), (Kind.ZONE, FREE), (Kind.PERFORMANCE, None)]
# One Ticketnet operation: (kind, which place or ticket, which tariff).
operation = st.tuples(st.sampled_from(["sale", "sale", "dup", "refund"]), st.integers(0, 40),
                      st.sampled_from(["1", "2"]))


def journal_of(world, specs) -> list:
    j = Journal(world)
    for kind, pick, tariff in specs:
        if kind == "sale":
            j.sale(pick, tariff)
        elif kind == "dup":
            j.duplicate(pick)
        else:
            j.refund(pick)
    return j.lines


def paged(lines, cuts) -> list[list]:
    bounds = sorted({c % (len(lines) + 1) for c in cuts} | {0, len(lines)})
    return [lines[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(operation, min_size=1, max_size=40),
       missing=st.sampled_from(MISSING), cuts=st.lists(st.integers(0, 40), max_size=4),
       batch_lines=st.integers(1, 12))
def test_missing_then_entered_and_retried_once_is_a_run_with_the_code(specs, missing, cuts,
                                                                       batch_lines):
    sid = transaction.savepoint()
    try:
        world = coded_world(seats=4, places=3)
        kind, code = missing
        if kind == Kind.PERFORMANCE:
            code = f"{MANIFESTATIONS[1]}_{world.performance_codes(1)[1]}"
        pages = paged(journal_of(world, specs), cuts)

        with_code = transaction.savepoint()
        integrate(world, pages)
        expected = tickets(world)
        assert open_parked(world) == []
        transaction.savepoint_rollback(with_code)

        world.missing(kind, code)
        integrate(world, pages)
        before = tickets(world)
        # Nothing integrated while the code was missing depends on a parked line: each
        # ticket is already the one of the run with the code.
        assert set(before) <= set(expected)
        world.enter(kind, code)
        retry(world, batch_lines=batch_lines)
        assert open_parked(world) == []
        assert tickets(world) == expected
    finally:
        transaction.savepoint_rollback(sid)
