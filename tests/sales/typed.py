"""`operations_apply` for one kind of operation at a time, as the tests call it: the page must
hold only SALE (or DUPLICATE, or REFUND) operations."""

from collections.abc import Sequence

from channels.models import ExternalSalesInterface
from sales.services import operations_apply
from sales.types import ApplyResult, OperationType, ResolvedOperation


def tickets_sell(*, interface: ExternalSalesInterface, sales: Sequence[ResolvedOperation],
                 now=None) -> ApplyResult:
    """Apply SALE operations (see `operations_apply`)."""
    _check_types(sales, OperationType.SALE)
    return operations_apply(interface=interface, operations=sales, now=now)


def tickets_duplicate(*, interface: ExternalSalesInterface,
                      duplicates: Sequence[ResolvedOperation], now=None) -> ApplyResult:
    """Apply DUPLICATE operations: each invalidates its original and issues a new ticket."""
    _check_types(duplicates, OperationType.DUPLICATE)
    return operations_apply(interface=interface, operations=duplicates, now=now)


def tickets_refund(*, interface: ExternalSalesInterface, refunds: Sequence[ResolvedOperation],
                   now=None) -> ApplyResult:
    """Apply REFUND operations: each cancels its ticket; the place goes back to the quota."""
    _check_types(refunds, OperationType.REFUND)
    return operations_apply(interface=interface, operations=refunds, now=now)


def _check_types(operations, expected: OperationType) -> None:
    wrong = [op.line.operation_id for op in operations if op.line.type != expected]
    if wrong:
        raise ValueError(f"Expected only {expected} operations; got others: {wrong[:5]}")
