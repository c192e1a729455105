"""Pass lines (flat files) through the sales engine: the interface's price policy applies."""

import datetime as dt

import pytest

from catalog.models import Event
from channels.models import ExternalSalesInterface
from sales.models import ParkedOperation, Ticket
from sales.passes import pass_lines_resolve
from sales.services import operations_apply
from sales.types import OperationLine, OperationType
from tests import factories as f

pytestmark = pytest.mark.django_db
Policy = ExternalSalesInterface.PricePolicy


def sale(price_cents, number="T1", product="PASS26", tariff="PLEIN"):
    return OperationLine(
        operation_id=f"O:{number}", type=OperationType.SALE, ticket_number=number,
        product_code=product, tariff_code=tariff, price_cents=price_cents,
        time=dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC),
    )


@pytest.fixture
def interface():
    interface = f.InterfaceFactory(flat_files_undated_passes=True, flat_file_folder="/srv/in")
    product = f.EventFactory(institution=interface.institution, code="PASS26",
                             kind=Event.Kind.UNDATED_PASS)
    f.PriceFactory(event=product, tariff__code="PLEIN", amount_cents=4500)
    return interface


@pytest.mark.parametrize(
    ("policy", "theirs", "booked", "parked_reason"),
    [
        (Policy.ERROR, 4500, 4500, None),
        (Policy.ERROR, 4000, None, "price_difference"),
        (Policy.IGNORE, 4000, 4500, None),
        (Policy.USE, 4000, 4000, None),
    ],
)
def test_the_price_policy_applies_to_passes(interface, policy, theirs, booked, parked_reason):
    interface.price_policy = policy
    interface.save()
    resolved = pass_lines_resolve(interface=interface, lines=[sale(theirs)])
    operations_apply(interface=interface, operations=resolved)
    ticket = Ticket.objects.filter(number="T1").first()
    assert (ticket.price_cents if ticket else None) == booked
    if ticket:
        assert ticket.reseller_price_cents == theirs and ticket.product.code == "PASS26"
    assert list(ParkedOperation.objects.values_list("reason", flat=True)) == (
        [parked_reason] if parked_reason else []
    )


def test_a_visit_pass_product_is_unknown_to_an_undated_pass_interface(interface):
    f.EventFactory(institution=interface.institution, code="VISIT", kind=Event.Kind.VISIT_PASS)
    [resolved] = pass_lines_resolve(interface=interface, lines=[sale(4500, product="VISIT")])
    assert resolved.problem.reason == "unknown_product"
