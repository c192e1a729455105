"""The interface screen: the guide's order, every rule refused at its field in EN and FR,
nothing saved on error, a write-only password."""

import re

import pytest
from django.urls import reverse

from channels.models import ExternalSalesInterface, PointOfSale
from tests import factories as f

from .conftest import interface_post

ADD = reverse("admin:channels_externalsalesinterface_add")


def change_url(interface):
    return reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])


def field_errors(response, field):
    assert response.status_code == 200, "the form should be shown again with errors"
    return [str(e) for e in response.context["adminform"].form.errors.get(field, [])]


def test_valid_post_saves_and_encrypts(admin_en, setup):
    response = admin_en.post(ADD, interface_post(setup))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    interface = ExternalSalesInterface.objects.get()
    assert interface.get_password() == "Tkn-Plain-Secret-42"
    assert "Tkn-Plain-Secret-42" not in interface.password_encrypted
    assert interface.followup_email_list == ["ops@example.org", "night@example.org"]


def _bad_setups(setup):
    """(field, overrides, English fragment, French fragment) for every rule."""
    inst, channel = setup["institution"], setup["channel"]
    other_channel = f.SalesChannelFactory(institution=inst, name="Other")
    no_third = f.SalesChannelFactory(institution=inst, name="Box", accepts_third_party_tickets=False)
    return [
        ("url", {"url": "http://195.115.9.79:712"}, "Remove the scheme “http://”",
         "Retirez le protocole « http:// »"),
        ("url", {"url": "https://195.115.9.79:712"}, "Remove the scheme “https://”",
         "Retirez le protocole « https:// »"),
        ("url", {"url": "195.115.9.79:712/TicketnetWS"}, "Remove the path “/TicketnetWS”",
         "Retirez le chemin « /TicketnetWS »"),
        ("url", {"url": "195.115.9.79:712?wsdl"}, "Remove “?wsdl”", "Retirez « ?wsdl »"),
        ("url", {"url": "195.115.9.79"}, "The port is missing", "Le port manque"),
        ("url", {"url": "195.115.9.79:99999"}, "“99999” is not a port",
         "« 99999 » n'est pas un port"),
        ("url", {"url": "195.115.9.79:http"}, "“http” is not a port", "« http » n'est pas un port"),
        ("url", {"url": "195.115.9.299:712"}, "is not an IP address", "n'est pas une adresse IP"),
        ("url", {"url": "bad_host!:712"}, "neither an IP address nor a host name",
         "ni une adresse IP ni un nom d'hôte"),
        ("followup_emails", {"followup_emails": "ops@example.org;not-an-email"},
         "Not valid email addresses: not-an-email", "Adresses e-mail non valides : not-an-email"),
        ("followup_emails", {"followup_emails": "ops@example.org, night@example.org"},
         "semicolons (;), not commas", "pas par des virgules"),
        ("pending_account", {"pending_account": "False"}, "it must be on", "cochez « oui »"),
        ("contact", {"contact": f.ContactFactory(institution=inst, pending_account_allowed=False)},
         "is not allowed the pending account", "n'est pas autorisé"),
        ("point_of_sale",
         {"point_of_sale": f.PointOfSaleFactory(institution=inst, channel=other_channel)},
         "does not belong to the channel “Ticketnet”",
         "n'appartient pas à la filière « Ticketnet »"),
        ("point_of_sale",
         {"point_of_sale": f.PointOfSaleFactory(
             institution=inst, channel=channel, payment_mode=PointOfSale.PaymentMode.CARD)},
         "must pay by pending account", "doit avoir le mode de paiement compte d'attente"),
        ("channel",
         {"channel": no_third,
          "point_of_sale": f.PointOfSaleFactory(institution=inst, channel=no_third),
          "external_quota": f.ExternalQuotaFactory(institution=inst, channel=no_third)},
         "must accept third-party tickets", "doit accepter les billets tiers"),
        ("external_quota",
         {"external_quota": f.ExternalQuotaFactory(institution=inst, channel=other_channel)},
         "does not belong to the channel “Ticketnet”",
         "n'est pas associé à la filière « Ticketnet »"),
        ("password", {"password": ""}, "Enter the password Ticketnet gave you",
         "Saisissez le mot de passe que Ticketnet vous a donné"),
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_rule_is_refused_at_its_field_and_nothing_is_saved(
    superuser, setup, language
):
    from .conftest import client_for

    client = client_for(superuser, language)
    cases = _bad_setups(setup)
    for field, overrides, english, french in cases:
        response = client.post(ADD, interface_post(setup, **overrides))
        errors = field_errors(response, field)
        expected = english if language == "en" else french
        assert any(expected in e for e in errors), (field, overrides, errors)
        # Only the broken field complains.
        others = {
            k: v for k, v in response.context["adminform"].form.errors.items() if k != field
        }
        assert not others, (field, others)
        assert ExternalSalesInterface.objects.count() == 0
    # And the same form, fixed, saves.
    assert client.post(ADD, interface_post(setup)).status_code == 302


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "belongs to another institution"), ("fr", "appartient à un autre organisme")],
)
def test_objects_of_another_institution_are_refused(
    superuser, setup, other_institution, language, expected
):
    from .conftest import client_for

    client = client_for(superuser, language)
    foreign = f.InterfaceFactory(institution=other_institution)
    for field in ["contact", "point_of_sale", "external_quota"]:
        response = client.post(ADD, interface_post(setup, **{field: getattr(foreign, field)}))
        assert any(expected in e for e in field_errors(response, field)), field
    response = client.post(
        ADD,
        interface_post(
            setup, channel=foreign.channel, point_of_sale=foreign.point_of_sale,
            external_quota=foreign.external_quota,
        ),
    )
    assert any(expected in e for e in field_errors(response, "channel"))
    assert ExternalSalesInterface.objects.filter(institution=setup["institution"]).count() == 0


def test_an_invalid_change_keeps_the_stored_interface(admin_en, setup):
    interface = f.InterfaceFactory(institution=setup["institution"], password="Old-Pass-1")
    before = ExternalSalesInterface.objects.values().get(pk=interface.pk)
    response = admin_en.post(
        change_url(interface),
        interface_post(setup, internal_name="Renamed", url="http://x:1", password="New-Pass-2"),
    )
    assert field_errors(response, "url")
    assert ExternalSalesInterface.objects.values().get(pk=interface.pk) == before


def test_password_is_never_rendered_and_blank_keeps_it(admin_en, setup):
    interface = f.InterfaceFactory(institution=setup["institution"], password="Stored-Pass-9")
    page = admin_en.get(change_url(interface)).content.decode()
    assert "Stored-Pass-9" not in page
    assert interface.password_encrypted not in page
    assert 'type="password"' in page
    assert "Password set" in page or "password set" in page.lower()

    response = admin_en.post(change_url(interface), interface_post(setup, password=""))
    assert response.status_code == 302
    interface.refresh_from_db()
    assert interface.get_password() == "Stored-Pass-9"

    response = admin_en.post(change_url(interface), interface_post(setup, password="Fresh-Pass-3"))
    assert response.status_code == 302
    interface.refresh_from_db()
    assert interface.get_password() == "Fresh-Pass-3"
    assert "Fresh-Pass-3" not in admin_en.get(change_url(interface)).content.decode()


def test_password_set_reads_yes_or_no(admin_en, admin_fr, setup):
    interface = f.InterfaceFactory(institution=setup["institution"])
    html = admin_en.get(change_url(interface)).content.decode()
    assert '<div class="readonly">yes</div>' in html
    html = admin_fr.get(change_url(interface)).content.decode()
    assert '<div class="readonly">oui</div>' in html
    html = admin_en.get(ADD).content.decode()
    assert '<div class="readonly">no</div>' in html


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Interface type", "External channel", "Internal name", "URL", "Login",
                "Password", "Contact", "Pending account", "Point of sale", "Reseller prices",
                "Status", "Recipients of error notifications", "Client name",
                "Institution code", "Server name"]),
        ("fr", ["Type d’interface", "Filière externe", "Nom interne", "URL", "Connexion",
                "Mot de passe", "Contact", "Compte d’attente", "Point de vente",
                "Prise en compte des prix revendeurs", "Statut",
                "Destinataires de notifications d’exécutions en erreur", "Nom du client",
                "Code institution", "Nom du serveur"]),
    ],
)
def test_fields_follow_the_guide_example_in_both_languages(superuser, setup, language, labels):
    from .conftest import client_for

    interface = f.InterfaceFactory(institution=setup["institution"])
    response = client_for(superuser, language).get(change_url(interface))
    html = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    positions = []
    for label in labels:
        # French puts a (non-breaking) space before the colon.
        match = re.search(rf">{re.escape(label)}[\s\u00a0\u202f]*:</label>", html)
        assert match, (language, label)
        positions.append(match.start())
    assert positions == sorted(positions), "fields are not in the guide's order"
    assert response.headers["Content-Language"] == language
    # Help texts are HTML in the admin: the URL's format must survive it.
    assert "195.115.9.79:712" in html and ("IP:port" in html)
