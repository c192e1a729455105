"""Users and a complete valid set-up for the admin tests of the sales set-up."""

import pytest
from django.test import Client

from demo.management.commands.load_demo import operators_group
from tests import factories as f


@pytest.fixture
def institution(db):
    return f.InstitutionFactory(code="opera", name="Opéra")


@pytest.fixture
def other_institution(db):
    return f.InstitutionFactory(code="theatre", name="Théâtre")


@pytest.fixture
def setup(institution):
    """Channel, point of sale, quota and contact that make a valid interface."""
    channel = f.SalesChannelFactory(institution=institution, name="Ticketnet")
    return {
        "institution": institution,
        "channel": channel,
        "point_of_sale": f.PointOfSaleFactory(institution=institution, channel=channel, code="TKN"),
        "external_quota": f.ExternalQuotaFactory(institution=institution, channel=channel),
        "contact": f.ContactFactory(institution=institution, name="TICKETNET"),
    }


def interface_post(setup, **overrides):
    data = {
        "institution": setup["institution"].pk,
        "interface_type": "external_sales",
        "channel": setup["channel"].pk,
        "internal_name": "FR * Ticketnet",
        "url": "195.115.9.79:712",
        "login": "SBSSOMETHING",
        "password": "Tkn-Plain-Secret-42",
        "contact": setup["contact"].pk,
        "pending_account": "True",
        "point_of_sale": setup["point_of_sale"].pk,
        "external_quota": setup["external_quota"].pk,
        "price_policy": "error",
        "statement_amounts": "DECIMAL_POINT",
        "status": "visible",
        "followup_emails": "ops@example.org;night@example.org",
        "client_name": "ELCA",
        "institution_code": "505",
        "server_name": "",
        "_save": "Save",
    }
    for key, value in overrides.items():
        data[key] = getattr(value, "pk", value)
    return data


@pytest.fixture
def superuser(db):
    return f.UserFactory(username="root", is_superuser=True)


@pytest.fixture
def operator(institution):
    user = f.UserFactory(username="operator", institutions=[institution])
    user.groups.add(operators_group())
    return user


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def admin_en(superuser):
    return client_for(superuser, "en")


@pytest.fixture
def admin_fr(superuser):
    return client_for(superuser, "fr")


@pytest.fixture
def operator_client(operator):
    return client_for(operator, "en")
