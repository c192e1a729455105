"""The guided set-up's service: the guide's five objects created together from an empty
institution, each judged by its model at its own field, in French and English, and nothing
written when anything is wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from channels.models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    PointOfSale,
    SalesChannel,
)
from channels.setup import setup_create
from tests import factories as f

pytestmark = pytest.mark.django_db
MODELS = (SalesChannel, PointOfSale, ExternalQuota, Contact, ExternalSalesInterface)


def guide_example(**changes) -> dict:
    """The guide's "Exemple de paramétrage correct", as the set-up page sends it; `changes`
    as {"section": {"field": value}} or {"password": …}."""
    values = {
        "channel": {"name": "Ticketnet", "kind": SalesChannel.Kind.TICKETNET_AUTOMATIC,
                    "accepts_third_party_tickets": True},
        "point_of_sale": {"code": "TKN", "name": "Ticketnet",
                          "payment_mode": PointOfSale.PaymentMode.PENDING_ACCOUNT},
        "external_quota": {"name": "Ticketnet"},
        "contact": {"name": "TICKETNET", "email": "", "pending_account_allowed": True},
        "interface": {"internal_name": "FR * Ticketnet", "url": "195.115.9.79:712",
                      "login": "SBSSOMETHING", "pending_account": True,
                      "price_policy": ExternalSalesInterface.PricePolicy.ERROR,
                      "status": ExternalSalesInterface.Status.VISIBLE,
                      "followup_emails": "suivi@example.org;ventes@example.org",
                      "client_name": "ELCA", "institution_code": "505", "server_name": ""},
        "password": "from-ticketnet",
    }
    for section, change in changes.items():
        if isinstance(change, dict):
            values[section] = {**values[section], **change}
        else:
            values[section] = change
    return values


def counts():
    return [model.objects.count() for model in MODELS]


def test_an_empty_institution_gets_the_five_objects_linked_as_the_guide_says():
    institution = f.InstitutionFactory()
    setup = setup_create(institution=institution, **guide_example())
    interface = ExternalSalesInterface.objects.get(pk=setup.interface.pk)
    assert interface.institution == institution and interface.internal_name == "FR * Ticketnet"
    assert interface.channel == setup.channel and setup.channel.accepts_third_party_tickets
    assert interface.point_of_sale.channel == interface.channel
    assert interface.external_quota.channel == interface.channel
    assert interface.contact.pending_account_allowed and interface.pending_account
    assert interface.get_password() == "from-ticketnet"
    assert "from-ticketnet" not in interface.password_encrypted
    interface.full_clean()
    assert counts() == [1, 1, 1, 1, 1]


# (section, field, value, the field it is reported at, English words, French words)
INVALID = [
    ("channel", "name", "", "channel-name", "cannot be blank", "ne peut pas être vide"),
    ("channel", "accepts_third_party_tickets", False, "channel-accepts_third_party_tickets",
     "must accept third-party tickets", "doit accepter les billets tiers"),
    ("point_of_sale", "code", "", "point_of_sale-code", "cannot be blank",
     "ne peut pas être vide"),
    ("point_of_sale", "payment_mode", PointOfSale.PaymentMode.CASH,
     "point_of_sale-payment_mode", "must pay by pending account",
     "mode de paiement compte d'attente"),
    ("external_quota", "name", "", "external_quota-name", "cannot be blank",
     "ne peut pas être vide"),
    ("contact", "pending_account_allowed", False, "contact-pending_account_allowed",
     "is not allowed the pending account", "compte d'attente"),
    ("contact", "email", "ticketnet@", "contact-email", "valid email", "adresse e-mail valide"),
    ("interface", "internal_name", "", "interface-internal_name", "cannot be blank",
     "ne peut pas être vide"),
    ("interface", "url", "http://195.115.9.79:712", "interface-url", "Remove the scheme",
     "Retirez le protocole"),
    ("interface", "url", "195.115.9.79", "interface-url", "The port is missing",
     "Le port manque"),
    ("interface", "login", "", "interface-login", "cannot be blank", "ne peut pas être vide"),
    ("interface", "pending_account", False, "interface-pending_account",
     "pending account: it must be on", "compte d'attente"),
    ("interface", "followup_emails", "a@example.org, b@example.org",
     "interface-followup_emails", "semicolons", "points-virgules"),
    ("interface", "followup_emails", "", "interface-followup_emails",
     "at least one follow-up operator", "au moins un opérateur de suivi"),
    ("interface", "client_name", "", "interface-client_name", "cannot be blank",
     "ne peut pas être vide"),
    ("interface", "institution_code", "", "interface-institution_code", "cannot be blank",
     "ne peut pas être vide"),
]


@pytest.mark.parametrize(("language", "words"), [("en", 4), ("fr", 5)])
@pytest.mark.parametrize("case", INVALID, ids=lambda c: f"{c[0]}-{c[1]}")
def test_each_wrong_field_is_reported_at_its_field_and_nothing_is_written(case, language,
                                                                          words):
    section, field, value, at, *said = case
    institution = f.InstitutionFactory()
    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            setup_create(institution=institution, **guide_example(**{section: {field: value}}))
        errors = raised.value.message_dict
    assert list(errors) == [at]
    assert said[words - 4] in " ".join(errors[at])
    assert counts() == [0, 0, 0, 0, 0]


def test_the_password_is_required():
    with pytest.raises(ValidationError) as raised:
        setup_create(institution=f.InstitutionFactory(), **guide_example(password=""))
    assert list(raised.value.message_dict) == ["interface-password"]
    assert counts() == [0, 0, 0, 0, 0]


def test_every_error_is_shown_at_once_even_behind_another():
    """A channel without a name is still judged by the interface's rules about it."""
    with pytest.raises(ValidationError) as raised:
        setup_create(institution=f.InstitutionFactory(), **guide_example(
            channel={"name": "", "accepts_third_party_tickets": False},
            contact={"pending_account_allowed": False}, interface={"url": "x:y"}))
    assert sorted(raised.value.message_dict) == [
        "channel-accepts_third_party_tickets", "channel-name",
        "contact-pending_account_allowed", "interface-url"]
    assert counts() == [0, 0, 0, 0, 0]


def test_a_name_the_institution_already_uses_is_reported_at_the_name():
    institution = f.InstitutionFactory()
    f.SalesChannelFactory(institution=institution, name="Ticketnet")
    f.ContactFactory(institution=institution, name="TICKETNET")
    with translation.override("fr"):
        with pytest.raises(ValidationError) as raised:
            setup_create(institution=institution, **guide_example())
        errors = raised.value.message_dict
    assert sorted(errors) == ["channel-name", "contact-name"]
    [taken] = errors["channel-name"]
    assert "existe déjà" in taken
    assert counts() == [1, 0, 0, 1, 0]


def test_another_institutions_names_do_not_matter():
    f.InterfaceFactory(channel__name="Ticketnet", internal_name="FR * Ticketnet")
    setup_create(institution=f.InstitutionFactory(), **guide_example())
    assert ExternalSalesInterface.objects.filter(internal_name="FR * Ticketnet").count() == 2


def test_existing_objects_are_linked_and_only_the_rest_is_created():
    institution = f.InstitutionFactory()
    channel = f.SalesChannelFactory(institution=institution)
    pos = f.PointOfSaleFactory(institution=institution, channel=channel)
    contact = f.ContactFactory(institution=institution)
    setup = setup_create(institution=institution, **guide_example(
        channel=channel, point_of_sale=pos, contact=contact))
    assert (setup.channel, setup.point_of_sale, setup.contact) == (channel, pos, contact)
    assert setup.external_quota.channel == channel
    assert counts() == [1, 1, 1, 1, 1]


def test_a_chosen_point_of_sale_of_another_channel_is_refused_at_the_choice():
    institution = f.InstitutionFactory()
    elsewhere = f.PointOfSaleFactory(institution=institution)
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            setup_create(institution=institution, **guide_example(point_of_sale=elsewhere))
        errors = raised.value.message_dict
    assert list(errors) == ["point_of_sale-existing"]
    assert "does not belong to the channel" in errors["point_of_sale-existing"][0]
    assert counts() == [1, 1, 0, 0, 0]


def test_a_chosen_contact_without_the_pending_account_is_refused_at_the_choice():
    institution = f.InstitutionFactory()
    contact = f.ContactFactory(institution=institution, pending_account_allowed=False)
    with pytest.raises(ValidationError) as raised:
        setup_create(institution=institution, **guide_example(contact=contact))
    assert list(raised.value.message_dict) == ["contact-existing"]


def test_a_name_taken_between_the_check_and_the_save_is_said_at_the_name(monkeypatch):
    """Two set-ups at once: the second one's insert fails on the unique constraint."""
    institution = f.InstitutionFactory()
    monkeypatch.setattr(SalesChannel, "validate_constraints", lambda self, exclude=None: None)
    f.SalesChannelFactory(institution=institution, name="Ticketnet")
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            setup_create(institution=institution, **guide_example())
        errors = raised.value.message_dict
    assert errors["channel-name"] == ["Someone saved this name meanwhile: choose another one."]
    assert counts() == [1, 0, 0, 0, 0]
