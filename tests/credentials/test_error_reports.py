"""Error reports (debug page, error emails) never show an interface password, wherever a frame
holds it: zeep's `kwargs`, `soap_headers` and `headers_value`, the envelope as bytes, reprs."""

import pytest
import zeep.wsdl.messages.soap
from django.views.debug import get_exception_reporter_class

from tests import factories as f
from tests.ticketnet.conftest import (
    MANIFESTATION,
    PERFORMANCE,
    make_client,
    make_manifestation,
    numbered_seats,
)

pytestmark = pytest.mark.django_db

# Its tail holds characters that XML, HTML, repr and JSON each write differently; its head
# shows nowhere else, so finding it finds the password however it was written.
CANARY_HEAD = "Cnry-7Q"
CANARY = CANARY_HEAD + "<&'\"\\pw"
SUBSTITUTE = "********************"


def reports(exc_info) -> dict[str, str]:
    reporter = get_exception_reporter_class(None)(None, *exc_info)
    return {"html": reporter.get_traceback_html(), "text": reporter.get_traceback_text()}


class Boom(RuntimeError):
    """An error the gateway does not translate: the report shows zeep's own frames."""


GATEWAY_CALLS = {
    "ping": lambda client: client.ping(),
    "create_manifestation": lambda client: client.create_manifestation(make_manifestation()),
    "set_allotment": lambda client: client.set_allotment(
        manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
        seats=numbered_seats(), export_id="e1", replace=True),
    "export_allotment": lambda client: client.export_allotment(
        manifestation_code=MANIFESTATION, performance_code=PERFORMANCE, seats=numbered_seats()),
    "set_zone_quota": lambda client: client.set_zone_quota(
        manifestation_code=MANIFESTATION, performance_code=PERFORMANCE, zone_code="102",
        places_available=10),
    "list_operations": lambda client: client.list_operations(cursor=None),
    "list_operations_zeep": lambda client: client.list_operations(cursor=None),
    "iter_operations": lambda client: next(client.iter_operations(cursor=None)),
}


def _fail_after_sending(client, monkeypatch):
    """The envelope reaches the simulator and its answer comes back; then something breaks."""
    send = client.session.send

    def send_then_break(request, **kwargs):
        send(request, **kwargs)
        raise Boom("the connection pool broke after the answer")

    monkeypatch.setattr(client.session, "send", send_then_break)


def _fail_while_serialising(client, monkeypatch):
    """zeep has the AuthHeader in hand (`headers_value`) when something breaks."""
    serialize = zeep.wsdl.messages.soap.SoapMessage._serialize_header

    def serialize_then_break(self, headers_value, nsmap):
        serialize(self, headers_value, nsmap)
        raise Boom("zeep broke while writing the header")

    monkeypatch.setattr(zeep.wsdl.messages.soap.SoapMessage, "_serialize_header",
                        serialize_then_break)


@pytest.mark.parametrize("where", [_fail_after_sending, _fail_while_serialising],
                         ids=["after_sending", "while_serialising"])
@pytest.mark.parametrize("call", sorted(GATEWAY_CALLS))
def test_no_report_of_a_gateway_error_shows_the_password(simulator, monkeypatch, call, where):
    f.InterfaceFactory(url=simulator.url, password=CANARY)
    parser = "zeep" if call.endswith("_zeep") else "lxml"
    client = make_client(simulator, password=CANARY, retries=0, listing_parser=parser)
    where(client, monkeypatch)
    with pytest.raises(Boom) as caught:
        GATEWAY_CALLS[call](client)
    for kind, report in reports((caught.type, caught.value, caught.tb)).items():
        assert "Boom" in report, kind  # the report of this very error
        assert "kwargs" in report, kind  # with zeep's frames and their variables
        if where is _fail_while_serialising:
            assert "headers_value" in report, kind
        assert CANARY_HEAD not in report, kind
        assert SUBSTITUTE in report, kind
