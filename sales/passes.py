"""Passes sold by Ticketnet in CSV flat files: their lines resolved to pass products and
tariffs (by their SecuTix codes), then applied by the same engine as the web-service sales."""

from collections.abc import Sequence

from catalog.models import Event, Price, SeatCategory, Tariff
from channels.models import ExternalSalesInterface
from texts import choice, source, text

from .flat_file import FlatFileRecord, LineError, ParsedFile
from .selectors import parked_lines
from .services import operations_apply
from .types import (
    ApplyResult,
    OperationLine,
    OperationType,
    ParkReason,
    Problem,
    ResolvedOperation,
)

PAGE_SIZE = 5000


def _apply_in_pages(*, interface, operations: Sequence[ResolvedOperation]) -> ApplyResult:
    result = ApplyResult()
    for start in range(0, len(operations), PAGE_SIZE):
        result.merge(
            operations_apply(interface=interface, operations=operations[start:start + PAGE_SIZE])
        )
    return result


def pass_product_kinds(*, interface: ExternalSalesInterface) -> list[str]:
    """The products the interface takes flat files for (one kind, never both)."""
    kinds = []
    if interface.flat_files_undated_passes:
        kinds.append(Event.Kind.UNDATED_PASS)
    if interface.flat_files_visit_passes:
        kinds.append(Event.Kind.VISIT_PASS)
    return kinds


def record_line(record: FlatFileRecord) -> OperationLine:
    return OperationLine(
        operation_id=record.operation_id,
        type=OperationType(record.operation_type),
        ticket_number=record.ticket_number,
        original_ticket_number=record.original_ticket_number or None,
        product_code=record.product_code,
        tariff_code=record.tariff_code,
        price_cents=record.price_cents or 0,
        currency=record.currency,
        time=record.order_date,
        point_of_sale_code=record.point_of_sale,
        buyer_last_name=record.buyer_last_name,
        buyer_first_name=record.buyer_first_name,
        buyer_city=record.buyer_city,
        buyer_postal_code=record.buyer_postal_code,
        buyer_country=record.buyer_country,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
    )


def _error_line(error: LineError, *, file_name: str, sha256: str) -> ResolvedOperation:
    """A line the parser refused, parked as it came (it is fixed by a corrected file from
    Ticketnet, whose line then has the same identity and resolves this one)."""
    raw = error.raw
    order, kind, ticket = (
        raw.get("ORDER_NUMBER", ""),
        raw.get("OPERATION_TYPE", "").upper(),
        raw.get("TICKET_NUMBER", ""),
    )
    identified = order and ticket and kind in OperationType.__members__
    line = OperationLine(
        operation_id=(
            f"{order}:{kind}:{ticket}" if identified else f"file:{sha256[:16]}:{error.line_number}"
        ),
        type=OperationType(kind) if kind in OperationType.__members__ else OperationType.SALE,
        ticket_number=ticket[:32],
        original_ticket_number=raw.get("ORIGINAL_TICKET_NUMBER") or None,
        product_code=raw.get("PRODUCT_CODE", ""),
        tariff_code=raw.get("TARIFF_CODE", ""),
        buyer_last_name=raw.get("BUYER_LAST_NAME", ""),
        buyer_first_name=raw.get("BUYER_FIRST_NAME", ""),
    )
    detail = text("%(file)s, line %(line)s: %(error)s", file=file_name,
                  line=error.line_number, error=error.message)
    return ResolvedOperation(line=line,
                             problem=Problem(ParkReason.INVALID_LINE, {"detail": detail}))


def pass_lines_resolve(
    *, interface: ExternalSalesInterface, lines: Sequence[OperationLine]
) -> list[ResolvedOperation]:
    """Resolve pass lines by their SecuTix product and tariff codes, in a few queries.

    A DUPLICATE or REFUND acts on the ticket it names and needs nothing resolved.
    """
    sales = [line for line in lines if line.type == OperationType.SALE]
    institution_id = interface.institution_id
    products = {
        e.code: e
        for e in Event.objects.filter(
            institution_id=institution_id, code__in={line.product_code for line in sales}
        )
    }
    tariffs = {
        t.code: t
        for t in Tariff.objects.filter(
            institution_id=institution_id, code__in={line.tariff_code for line in sales}
        )
    }
    categories: dict[tuple[int, int], set] = {}
    product_categories: dict[int, set] = {}
    for event_id, tariff_id, category_id in Price.objects.filter(
        event_id__in=[e.pk for e in products.values()], performance__isnull=True
    ).values_list("event_id", "tariff_id", "category_id"):
        categories.setdefault((event_id, tariff_id), set()).add(category_id)
        product_categories.setdefault(event_id, set()).add(category_id)
    category_objects = SeatCategory.objects.in_bulk(
        {c for cats in product_categories.values() for c in cats}
    )
    kinds = pass_product_kinds(interface=interface)
    kind_labels = [source(Event.Kind(k).label) for k in kinds]  # rendered joined by " / "

    resolved = []
    for line in lines:
        if line.type != OperationType.SALE:
            resolved.append(ResolvedOperation(line=line))
            continue
        product = products.get(line.product_code)
        if product is None or product.kind not in kinds:
            resolved.append(ResolvedOperation(line=line, problem=Problem(
                ParkReason.UNKNOWN_PRODUCT, {"code": line.product_code, "kinds": kind_labels})))
            continue
        tariff = tariffs.get(line.tariff_code)
        if tariff is None:
            resolved.append(ResolvedOperation(line=line, problem=Problem(
                ParkReason.UNKNOWN_TARIFF, {"code": line.tariff_code})))
            continue
        if not tariff.is_reseller_audience:
            resolved.append(ResolvedOperation(line=line, problem=Problem(
                ParkReason.TARIFF_NOT_FOR_RESELLERS,
                {"code": tariff.code, "audience": choice(tariff, "audience_type")})))
            continue
        # The pass's category: the one its price for this tariff is in, else the product's
        # only category (a pass product is usually one category).
        candidates = categories.get((product.pk, tariff.pk)) or product_categories.get(
            product.pk, set()
        )
        if len(candidates) != 1:
            resolved.append(ResolvedOperation(line=line, problem=Problem(
                ParkReason.PRICE_UNKNOWN,
                {"category": "?", "tariff": tariff.code, "performance": product.code})))
            continue
        resolved.append(ResolvedOperation(
            line=line, product=product, tariff=tariff,
            category=category_objects[next(iter(candidates))],
        ))
    return resolved


def flat_file_apply(
    *, interface: ExternalSalesInterface, parsed: ParsedFile, file_name: str
) -> ApplyResult:
    """Integrate a parsed flat file: valid lines applied or parked with their reason, refused
    lines parked with their line number. Idempotent on each line's identity."""
    operations = pass_lines_resolve(
        interface=interface, lines=[record_line(r) for r in parsed.records]
    )
    operations += [
        _error_line(error, file_name=file_name, sha256=parsed.sha256) for error in parsed.errors
    ]
    return _apply_in_pages(interface=interface, operations=operations)


def parked_passes_retry(
    *, interface: ExternalSalesInterface, ids: Sequence[int] | None = None
) -> ApplyResult:
    """Apply again the interface's parked pass lines whose cause may have been fixed since
    (product, tariff, price…). Lines the parser refused are left: they come right only in a
    corrected file from Ticketnet, whose line then resolves them."""
    parked = [
        line
        for record, line in parked_lines(interface=interface, ids=ids, passes=True)
        if record.reason != ParkReason.INVALID_LINE
    ]
    operations = pass_lines_resolve(interface=interface, lines=parked)
    return _apply_in_pages(interface=interface, operations=operations)
