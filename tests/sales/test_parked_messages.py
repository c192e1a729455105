"""A parked line's message reads in the reader's language: stored as its reason and parameters,
rendered when shown — a French institution's line reads in English in an English admin, and its
details (an invalid line's, a code's kind, a ticket's state) are translated too."""

import re

import pytest
from django.utils import translation

from catalog.models import Event
from sales import services
from sales.engine.messages import park_message, parked_message
from sales.models import ParkedOperation, Ticket
from sales.types import OperationLine, ParkReason, Problem, ResolvedOperation
from tests import factories as f
from tests.sales import factories as sf
from texts import choice, source, text

pytestmark = pytest.mark.django_db


def french_setup(**kw):
    return sf.sales_setup(institution=f.InstitutionFactory(language="fr"), **kw)


def parked_one(setup, op) -> ParkedOperation:
    services.operations_apply(interface=setup.interface, operations=[op])
    return ParkedOperation.objects.get(operation_id=op.line.operation_id)


def test_a_french_institutions_parked_line_reads_in_english_for_an_english_reader():
    s = french_setup(seats=1)
    row = parked_one(s, sf.sale(s, 0, price_cents=1))
    assert "Ticketnet a vendu" in row.message  # the record, in the institution's language
    with translation.override("en"):
        assert parked_message(row).startswith("Ticketnet sold ticket")
    with translation.override("fr"):
        assert parked_message(row).startswith("Ticketnet a vendu")


def test_an_invalid_lines_detail_is_translated_not_left_in_english():
    s = french_setup(seats=1)
    op = ResolvedOperation(line=sf.line(), performance=s.performance, category=s.category,
                           tariff=s.tariff)  # no place
    row = parked_one(s, op)
    with translation.override("fr"):
        message = parked_message(row)
    assert "séance, place, catégorie, tarif ou numéro de billet manquant" in message
    assert "missing" not in message and "missing" not in row.message
    with translation.override("en"):
        assert "performance, place, category, tariff or ticket number missing" in (
            parked_message(row))


def test_an_unknown_codes_kind_and_a_tickets_state_follow_the_reader():
    s = french_setup(seats=1)
    unknown = ResolvedOperation(line=sf.line(), problem=Problem(
        ParkReason.UNKNOWN_CODE, {"kind_key": "tariff", "code": "15"}))
    row = parked_one(s, unknown)
    with translation.override("en"):
        assert "Ticketnet tariff code “15”" in parked_message(row)
    with translation.override("fr"):
        assert "tarif" in parked_message(row) and "tariff" not in parked_message(row)

    s = french_setup(seats=1)
    sold = sf.sale(s, 0)
    services.operations_apply(interface=s.interface,
                              operations=[sold, sf.refund(sold.line.ticket_number)])
    again = parked_one(s, sf.refund(sold.line.ticket_number))
    assert again.reason == ParkReason.ORIGINAL_NOT_VALID
    with translation.override("en"):
        assert "is already Cancelled by a refund" in parked_message(again)
    with translation.override("fr"):
        assert "Annulé par un remboursement" in parked_message(again)


def test_the_admin_shows_the_message_in_the_viewers_language(admin_client):
    s = french_setup(seats=1)
    row = parked_one(s, sf.sale(s, 0, price_cents=1))
    url = f"/admin/sales/parkedoperation/{row.pk}/change/"
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ticketnet sold ticket" in english and "Ticketnet a vendu" not in english
    assert "Ticketnet a vendu" in french
    listing = admin_client.get("/admin/sales/parkedoperation/",
                               HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ticketnet sold ticket" in listing


def test_a_line_parked_before_the_parameters_were_stored_keeps_its_message():
    s = french_setup(seats=1)
    row = parked_one(s, sf.sale(s, 0, price_cents=1))
    ParkedOperation.objects.filter(pk=row.pk).update(params=None, message="Message d'origine.")
    row.refresh_from_db()
    with translation.override("en"):
        assert parked_message(row) == "Message d'origine."


def sample_params():
    s = sf.sales_setup(seats=1)
    return {
        "kind_key": "zone", "code": "15", "holder": "TK9", "ours": "20.00 EUR",
        "waiting_for": "OP0",
        "detail": text("seat %(place)s of zone %(code)s is not in seat category %(category)s",
                       place="3-12", code="101", category="1"),
        "state": source(Ticket.State.CANCELLED.label),
        "kinds": [source(label) for label in Event.Kind.labels[:2]],
        "audience": choice(s.tariff, "audience_type"),
    }


@pytest.mark.parametrize("reason", list(ParkReason))
def test_every_reasons_message_renders_translated_in_both_languages(reason):
    line = OperationLine.from_mapping(sf.line().to_json())
    params = sample_params()
    with translation.override("en"):
        english = park_message(reason, params, line)
    with translation.override("fr"):
        french = park_message(reason, params, line)
    for message in (english, french):
        assert message, reason
        assert not re.search(r"%\(\w+\)|\?\s|_[a-z]+_", message), message  # no raw key
    assert english != french, f"{reason}: not translated"
    assert "then retry" not in french and "ask Ticketnet" not in french
