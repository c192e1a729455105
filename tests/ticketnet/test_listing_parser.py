"""The listOperations parser on hand-written responses: what it accepts, what it refuses."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketnet_gateway import NAMESPACE
from ticketnet_gateway.errors import ContractError, TicketnetRejected
from ticketnet_gateway.listing import parse_operations_stream
from ticketnet_gateway.types import Operation, OperationsPage, OperationType

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SALE = {
    "operationId": "AA05EC-1", "type": "SALE", "ticketNumber": "AA05EC0000000001",
    "manifestationCode": "1701", "performanceCode": "1709052030", "zoneCode": "101",
    "row": "0012", "seat": "7", "categoryCode": "1", "tariffCode": "2", "priceCents": "3500",
    "currency": "EUR", "time": "2017-09-05T20:31:02.250+02:00", "pointOfSaleCode": "TKN",
    "buyerLastName": "Dupont", "buyerFirstName": "Léa", "buyerCity": "Lyon",
    "buyerPostalCode": "69003", "buyerCountry": "FR",
}
SALE_READ = Operation(
    operation_id="AA05EC-1", type=OperationType.SALE, ticket_number="AA05EC0000000001",
    original_ticket_number=None, manifestation_code="1701", performance_code="1709052030",
    zone_code="101", row=12, seat=7, category_code="1", tariff_code="2", price_cents=3500,
    currency="EUR", time=datetime(2017, 9, 5, 20, 31, 2, 250000,
                                  tzinfo=timezone(timedelta(hours=2))),
    point_of_sale_code="TKN", buyer_last_name="Dupont", buyer_first_name="Léa",
    buyer_city="Lyon", buyer_postal_code="69003", buyer_country="FR",
)


def element(name, text):
    return f"<tn:{name}>{escape(text)}</tn:{name}>" if text else f"<tn:{name}/>"


def operation(values=SALE, *, extra="", **overrides):
    """`<tn:operation>` of `values` in their order; an override of None leaves the field out."""
    fields = {**values, **overrides}
    return ("<tn:operation>" + "".join(element(name, text) for name, text in fields.items()
                                       if text is not None) + extra + "</tn:operation>")


def envelope(body):
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}" '
            f'xmlns:tn="{NAMESPACE}"><soap:Body>{body}</soap:Body></soap:Envelope>').encode()


def response(*operations, tail="<tn:nextCursor>c2</tn:nextCursor><tn:hasMore>true</tn:hasMore>"):
    return envelope("<tn:ListOperationsResponse><tn:operations>" + "".join(operations)
                    + f"</tn:operations>{tail}</tn:ListOperationsResponse>")


def fault(code="MAINTENANCE", message="Ticketnet is down for maintenance."):
    return ("<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Down</faultstring>"
            f"<detail><tn:TicketnetFault><tn:code>{code}</tn:code><tn:message>{message}"
            "</tn:message></tn:TicketnetFault></detail></soap:Fault>")


def parse(document, size=None):
    size = size or len(document) or 1
    return parse_operations_stream(document[i:i + size] for i in range(0, len(document), size))


def refused(document, words):
    with pytest.raises(ContractError) as error:
        parse(document)
    assert words in str(error.value)
    return error.value


def test_a_page_is_read_into_dataclasses():
    duplicate = operation(
        SALE, operationId="AA05EC-2", type="DUPLICATE", ticketNumber="AA05EC0000000002",
        originalTicketNumber="AA05EC0000000001", buyerLastName=None, buyerCity="",
        time="2017-09-05T18:40:00Z")
    page = parse(response(operation(), duplicate))
    assert page == OperationsPage(operations=[SALE_READ, replace(
        SALE_READ, operation_id="AA05EC-2", type=OperationType.DUPLICATE,
        ticket_number="AA05EC0000000002", original_ticket_number="AA05EC0000000001",
        buyer_last_name="", buyer_city="", time=datetime(2017, 9, 5, 18, 40, tzinfo=UTC),
    )], next_cursor="c2", has_more=True)
    assert type(page.operations[0].type) is OperationType


def test_an_empty_page_and_the_order_of_fields_does_not_matter():
    assert parse(response(tail="<tn:nextCursor/><tn:hasMore>0</tn:hasMore>")) == OperationsPage(
        operations=[], next_cursor="", has_more=False)
    shuffled = dict(reversed(SALE.items()))
    assert parse(response(operation(shuffled))).operations == [SALE_READ]


def test_the_page_may_arrive_in_chunks_of_any_size():
    document = response(operation(), operation(buyerCity="Aÿ"), operation(row="1"))
    whole = parse(document)
    for size in (1, 2, 7, 64, 1000):
        assert parse(document, size) == whole


def test_text_may_hold_entities_cdata_and_comments():
    document = response(operation().replace(
        "<tn:buyerLastName>Dupont</tn:buyerLastName>",
        "<tn:buyerLastName>Du<!-- a comment -->p&amp;<![CDATA[<ont>]]>&#233;</tn:buyerLastName>"))
    assert parse(document).operations[0].buyer_last_name == "Dup&<ont>é"


def test_elements_without_the_namespace_are_read_as_before():
    unqualified = operation().replace("<tn:row>0012</tn:row>", "<row>0012</row>")
    assert parse(response(unqualified)).operations == [SALE_READ]


def test_not_well_formed_xml_is_refused():
    refused(response(operation())[:-20], "not well-formed")
    refused(b"", "not well-formed")


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE r [<!ENTITY a "ha">]>', b'<!ENTITY a "ha">'])
def test_a_dtd_or_entity_is_refused_before_lxml_reads_it(declaration):
    document = response(operation())
    head, rest = document.split(b"?>", 1)
    tampered = head + b"?>" + declaration + rest
    for size in (None, len(head) + 5):  # whole, and cut in the middle of the declaration
        with pytest.raises(ContractError) as error:
            parse(tampered, size)
        assert "DTD or an entity declaration: refused, never expanded" in str(error.value)


def test_a_dtd_the_byte_scan_cannot_see_is_refused_unexpanded():
    # In UTF-16 the bytes of "<!DOCTYPE" differ: lxml reads the declaration without loading or
    # expanding anything, and the parser refuses the document before reading an operation.
    text = response(operation(buyerLastName="&a;")).decode().replace(
        'encoding="utf-8"?>', 'encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "ha">]>')
    refused(text.encode("utf-16"), "carries a DTD")


@pytest.mark.parametrize(("extra", "name"), [
    ("<tn:colour>blue</tn:colour>", "colour"),
    ('<x:row xmlns:x="urn:another">1</x:row>', "{urn:another}row"),
    ("<colour/>", "colour"),
])
def test_an_unknown_element_in_an_operation_is_refused(extra, name):
    refused(response(operation(), operation(extra=extra)), f"Unexpected element {name!r}")


@pytest.mark.parametrize(("extra", "name"), [
    ("<tn:row>0013</tn:row>", "row"), ("<tn:buyerCity>Lyon</tn:buyerCity>", "buyerCity"),
    ("<tn:buyerCity/>", "buyerCity"), ("<row>0012</row>", "row"),
])
def test_a_repeated_element_in_an_operation_is_refused(extra, name):
    refused(response(operation(extra=extra)), f"Unexpected element {name!r}")


def test_a_missing_required_field_is_refused():
    refused(response(operation(currency=None, row=None)), "misses currency, row.")
    refused(response(operation(operationId=None)), "misses operationId.")
    # An empty element is there: it is read as '' (and refused for what it holds, if it must).
    refused(response(operation(currency=None, row="", buyerCity="")), "misses currency.")
    refused(response(operation(row="")), "row '' is not a number")


@pytest.mark.parametrize(("overrides", "words"), [
    ({"type": "GIFT"}, "Unknown operation type 'GIFT'"),
    ({"type": ""}, "Unknown operation type ''"),
    ({"type": "sale"}, "Unknown operation type 'sale'"),
    ({"priceCents": "35.00"}, "Operation AA05EC-1:"),
    ({"priceCents": ""}, "Operation AA05EC-1:"),
    ({"time": "yesterday"}, "Operation AA05EC-1:"),
    ({"time": "2017-09-05T20:31:02"}, "time without a time zone"),
    ({"row": "12a"}, "row '12a' is not a number"),
    ({"row": "-3"}, "row '-3' is not a number"),
    ({"seat": ""}, "seat '' is not a number"),
    ({"seat": "²"}, "seat '²' is not a number"),
])
def test_a_value_of_the_wrong_type_is_refused(overrides, words):
    refused(response(operation(), operation(**overrides)), words)


@pytest.mark.parametrize("tail", [
    "<tn:hasMore>true</tn:hasMore>", "<tn:nextCursor>c</tn:nextCursor>", ""])
def test_next_cursor_and_has_more_are_required(tail):
    refused(response(operation(), tail=tail), "misses nextCursor or hasMore")


@pytest.mark.parametrize("document", [
    envelope('<tn:PingResponse><tn:serverTime>2017-09-05T20:31:02Z</tn:serverTime>'
             '<tn:version>1</tn:version></tn:PingResponse>'),
    f'<tn:Envelope xmlns:tn="{NAMESPACE}"><tn:ListOperationsResponse><tn:nextCursor>c'
    '</tn:nextCursor><tn:hasMore>false</tn:hasMore></tn:ListOperationsResponse></tn:Envelope>'
    .encode(),
])
def test_another_response_is_refused(document):
    refused(document, "not a listOperations response")


def test_a_soap_fault_is_ticketnets_refusal_with_its_code():
    with pytest.raises(TicketnetRejected) as error:
        parse(envelope(fault()))
    assert (error.value.code, error.value.message) == (
        "MAINTENANCE", "Ticketnet is down for maintenance.")
    bare = "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>No</faultstring></soap:Fault>"
    with pytest.raises(TicketnetRejected) as error:
        parse(envelope(bare))
    assert (error.value.code, error.value.message) == ("soap:Client", "No")


def test_a_fault_in_a_response_cut_short_is_not_well_formed():
    document = envelope(fault())
    refused(document[:-30], "not well-formed")


def test_a_fault_after_operations_is_still_a_refusal():
    with pytest.raises(TicketnetRejected) as error:
        parse(envelope("<tn:ListOperationsResponse><tn:operations>" + operation()
                       + "</tn:operations></tn:ListOperationsResponse>" + fault("LATE")), 50)
    assert error.value.code == "LATE"


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    names=st.fixed_dictionaries({}, optional=dict.fromkeys((
        "originalTicketNumber", "buyerLastName", "buyerFirstName", "buyerCity",
        "buyerPostalCode", "buyerCountry"), texts)),
    codes=st.lists(texts, min_size=8, max_size=8),
    row=st.integers(0, 10**6), seat=st.integers(0, 10**6), padding=st.integers(0, 3),
    price=st.integers(-10**12, 10**12), kind=st.sampled_from(OperationType),
    moment=st.datetimes(timezones=st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
        lambda minutes: timezone(timedelta(minutes=minutes)))),
    order=st.randoms(use_true_random=False), size=st.integers(1, 400),
)
def test_any_operation_is_read_back(names, codes, row, seat, padding, price, kind, moment,
                                    order, size):
    operation_id, ticket, manifestation, performance, zone, category, tariff, point = codes
    values = {
        "operationId": operation_id, "type": kind.value, "ticketNumber": ticket,
        "manifestationCode": manifestation, "performanceCode": performance, "zoneCode": zone,
        "row": "0" * padding + str(row), "seat": str(seat) + " " * padding,
        "categoryCode": category, "tariffCode": tariff, "priceCents": str(price),
        "currency": "EUR", "time": moment.isoformat(), "pointOfSaleCode": point, **names,
    }
    items = list(values.items())
    order.shuffle(items)
    page = parse(response(operation(dict(items))), size)
    assert page.operations == [Operation(
        operation_id=operation_id, type=kind, ticket_number=ticket,
        original_ticket_number=names.get("originalTicketNumber") or None,
        manifestation_code=manifestation, performance_code=performance, zone_code=zone,
        row=row, seat=seat, category_code=category, tariff_code=tariff, price_cents=price,
        currency="EUR", time=moment, point_of_sale_code=point,
        buyer_last_name=names.get("buyerLastName", ""),
        buyer_first_name=names.get("buyerFirstName", ""), buyer_city=names.get("buyerCity", ""),
        buyer_postal_code=names.get("buyerPostalCode", ""),
        buyer_country=names.get("buyerCountry", ""),
    )]
