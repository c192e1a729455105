"""listOperations' `since`: list Ticketnet's operations again from a time, over HTTP."""

from datetime import UTC, datetime, timedelta

import pytest

from ticketnet_gateway.errors import TicketnetRejected
from ticketnet_simulator.journal import moment
from ticketnet_simulator.rules import SimulatorError

from .conftest import PARIS


@pytest.fixture
def journal(client, exported):
    """Ten operations a millisecond apart, as the client lists them."""
    exported.state.generate(count=10, seed=4)
    return client.list_operations(cursor=None, page_size=100).operations


def ids(page):
    return [op.operation_id for op in page.operations]


def test_since_starts_at_the_first_operation_at_or_after_it(client, journal):
    expected = [op.operation_id for op in journal[4:]]
    at = journal[4].time
    assert ids(client.list_operations(cursor=None, since=at)) == expected
    # The same instant in another offset; a microsecond after starts one line later.
    assert ids(client.list_operations(cursor=None, since=at.astimezone(PARIS))) == expected
    later = client.list_operations(cursor=None, since=at + timedelta(microseconds=1))
    assert ids(later) == expected[1:]
    assert ids(client.list_operations(cursor=None, since=journal[0].time - timedelta(days=1))
               ) == [op.operation_id for op in journal]


def test_since_then_the_cursor_page_after_page(client, journal):
    pages = list(client.iter_operations(cursor=None, page_size=2, since=journal[3].time))
    assert [op.operation_id for page in pages for op in page.operations] == [
        op.operation_id for op in journal[3:]]
    assert len(pages) == 4


def test_since_after_the_last_operation_waits_for_new_ones(client, exported, journal):
    page = client.list_operations(cursor=None, since=journal[-1].time + timedelta(seconds=1))
    assert page.operations == [] and page.has_more is False
    (active,) = exported.state.store.db().execute(
        "SELECT number FROM ticket WHERE status = 'ACTIVE' LIMIT 1").fetchone()
    exported.state.duplicate(active)
    assert [op.type for op in client.list_operations(cursor=page.next_cursor).operations] == [
        "DUPLICATE"]


def test_a_cursor_or_since_not_both(client, exported, journal):
    page = client.list_operations(cursor=None, page_size=2)
    with pytest.raises(ValueError, match="not both"):
        client.list_operations(cursor=page.next_cursor, since=journal[0].time)
    with pytest.raises(SimulatorError) as error:
        exported.state.list_operations(cursor=page.next_cursor, page_size=2,
                                       since=journal[0].time)
    assert error.value.code == "INVALID_REQUEST"
    with pytest.raises(SimulatorError) as error:
        exported.state.list_operations(cursor=None, page_size=2,
                                       since=journal[0].time.replace(tzinfo=None))
    assert error.value.code == "INVALID_REQUEST"


def test_since_is_refused_without_its_offset_on_the_wire(client, exported):
    # zeep writes a naive datetime without an offset: the time would be ambiguous.
    with pytest.raises(TicketnetRejected) as error:
        client.list_operations(cursor=None, since=datetime(2017, 9, 5, 20, 30))
    assert error.value.code == "INVALID_REQUEST"


def test_the_journal_writes_every_time_in_utc_so_its_texts_sort_as_times(journal):
    assert moment(datetime(2017, 9, 5, 20, 30, tzinfo=PARIS)) == (
        "2017-09-05T18:30:00.000+00:00")
    assert all(op.time.utcoffset() == timedelta(0) and op.time.tzinfo is not None
               for op in journal)
    assert sorted(journal, key=lambda op: op.time.astimezone(UTC)) == journal
