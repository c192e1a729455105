"""`load_demo` builds the guide's "Exemple de paramétrage correct" once, however often it runs."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from channels import demo
from channels.demo import DEMO_INTERFACE_NAME
from channels.models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)

pytestmark = pytest.mark.django_db
MODELS = [Institution, SalesChannel, PointOfSale, ExternalQuota, Contact, ExternalSalesInterface]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS} | {
        "users": get_user_model().objects.count()
    }


def test_load_demo_is_idempotent(capsys, settings):
    call_command("load_demo")
    first = _counts()
    interface = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    call_command("load_demo")
    assert _counts() == first
    again = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    assert again.password_encrypted == interface.password_encrypted
    # The guide's example, plus the visit-pass and flat-file (undated passes) set-ups.
    assert first == {"Institution": 1, "SalesChannel": 3, "PointOfSale": 3, "ExternalQuota": 3,
                     "Contact": 1, "ExternalSalesInterface": 3, "users": 1}, first
    assert "operator login operator / ticketnet-demo" in capsys.readouterr().out


def test_demo_reads_like_the_guides_example(settings):
    call_command("load_demo")
    interface = ExternalSalesInterface.objects.select_related(
        "channel", "contact", "point_of_sale"
    ).get(internal_name=DEMO_INTERFACE_NAME)
    assert interface.interface_type == ExternalSalesInterface.InterfaceType.EXTERNAL_SALES
    assert interface.channel.name == "Ticketnet"
    assert interface.channel.accepts_third_party_tickets
    assert interface.channel.kind == SalesChannel.Kind.TICKETNET_AUTOMATIC
    assert interface.internal_name == "FR * Ticketnet"
    assert interface.url == settings.SIMULATOR_BIND == "127.0.0.1:7120"
    assert interface.login == "SBSSOMETHING"
    assert interface.get_password() == demo.DEMO_PASSWORD
    assert interface.contact.name == "TICKETNET" and interface.contact.pending_account_allowed
    assert interface.pending_account
    assert interface.point_of_sale.code == "TKN"
    assert interface.point_of_sale.payment_mode == PointOfSale.PaymentMode.PENDING_ACCOUNT
    assert interface.price_policy == ExternalSalesInterface.PricePolicy.IGNORE
    assert interface.status == ExternalSalesInterface.Status.VISIBLE
    assert (interface.client_name, interface.institution_code, interface.server_name) == (
        "ELCA", "505", ""
    )
    interface.full_clean()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ['<option value="ignore" selected>Ignore reseller price</option>',
                '<option value="external_sales" selected>External sales</option>',
                '<option value="visible" selected>Visible</option>',
                "Change external sales interface"]),
        ("fr", ['<option value="ignore" selected>Ignorer prix revendeur</option>',
                '<option value="external_sales" selected>Ventes externes</option>',
                '<option value="visible" selected>Visible</option>',
                "Modification : interface de vente externe"]),
    ],
)
def test_the_demo_operator_sees_the_interface_page(language, expected):
    call_command("load_demo")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=demo.OPERATOR_USERNAME, password=demo.OPERATOR_PASSWORD)
    interface = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    response = client.get(
        reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html, text
    assert demo.DEMO_PASSWORD not in html
    # The language switcher posts to set_language.
    assert f'action="{reverse("set_language")}"' in html


def test_the_language_switcher_changes_the_admin_language():
    call_command("load_demo")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.login(username=demo.OPERATOR_USERNAME, password=demo.OPERATOR_PASSWORD)
    url = reverse("admin:index")
    assert "Sales set-up" in client.get(url).content.decode()
    response = client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert response.status_code == 302
    assert "Paramétrage des ventes" in client.get(url).content.decode()
