"""The guided set-up page: an empty institution's operator gets the guide's example pre-filled,
sends it with Ticketnet's values and lands on the checklist, set-up green and schedules made;
errors at their fields, nothing written; choices filtered; scoped."""

import re

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from channels.models import ExternalSalesInterface, SalesChannel
from tests import factories as f

from .conftest import client_for
from .golive import items, operator_of

pytestmark = pytest.mark.django_db
SETUP = reverse("admin:channels_externalsalesinterface_setup")
SETUP_ITEMS = ("channel.", "point_of_sale.", "external_quota.", "contact.", "interface.")


def filled(**changes) -> dict:
    """The page as it comes (the guide's example), with what Ticketnet gave filled in."""
    data = {
        "channel-name": "Ticketnet", "channel-kind": "ticketnet_automatic",
        "channel-accepts_third_party_tickets": "on",
        "point_of_sale-code": "TKN", "point_of_sale-name": "Ticketnet",
        "point_of_sale-payment_mode": "pending_account",
        "external_quota-name": "Ticketnet",
        "contact-name": "TICKETNET", "contact-email": "", "contact-pending_account_allowed": "on",
        "interface-internal_name": "FR * Ticketnet", "interface-url": "195.115.9.79:712",
        "interface-login": "SBSSOMETHING", "interface-password": "from-ticketnet",
        "interface-pending_account": "True", "interface-price_policy": "error",
        "interface-statement_amounts": "DECIMAL_POINT",
        "interface-status": "visible", "interface-followup_emails": "suivi@example.org ; b@ex.org",
        "interface-client_name": "ELCA", "interface-institution_code": "505",
        "interface-server_name": "",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


@pytest.fixture
def empty():
    institution = f.InstitutionFactory(name="Théâtre de la Ville")
    return institution, operator_of(institution)


def test_the_page_comes_with_the_guides_example(empty):
    _institution, operator = empty
    html = client_for(operator).get(SETUP).content.decode()
    assert 'name="interface-internal_name" value="FR * Ticketnet"' in html
    assert 'name="channel-name" value="Ticketnet"' in html
    assert re.search(r'name="point_of_sale-code" value="TKN"', html)
    assert 'name="contact-name" value="TICKETNET"' in html
    # What only Ticketnet knows is an example, not a value.
    assert re.search(r'name="interface-url"[^>]*placeholder="195.115.9.79:712"', html)
    assert not re.search(r'name="interface-url"[^>]*value=', html)
    assert re.search(r'name="interface-client_name"[^>]*placeholder="ELCA"', html)
    assert re.search(r'<option value="error" selected>', html)
    # An empty institution has nothing to choose from: no "existing" choices.
    assert "-existing" not in html


def test_the_set_up_lands_on_a_checklist_whose_set_up_is_green(empty):
    institution, operator = empty
    client = client_for(operator)
    response = client.post(SETUP, filled())
    interface = ExternalSalesInterface.objects.get(institution=institution)
    checklist = reverse("admin:channels_externalsalesinterface_checklist", args=[interface.pk])
    assert response.status_code == 302 and response["Location"] == checklist
    assert interface.followup_emails == "suivi@example.org;b@ex.org"
    assert interface.get_password() == "from-ticketnet"
    # Schedules as the admin's save makes them: the sales integration every 4 hours, the
    # reconciliation daily.
    assert sorted(PeriodicTask.objects.values_list("name", flat=True)) == [
        f"ticketnet:{interface.pk}:reconciliation", f"ticketnet:{interface.pk}:sales_integration"]
    html = client.get(checklist).content.decode()
    assert "2 schedules created: Sales integration, Reconciliation." in html
    ticked = items(html)
    setup = {key: ok for key, ok in ticked.items() if key.startswith(SETUP_ITEMS)}
    assert setup and all(setup.values()), setup
    assert "The set-up itself is complete." in html
    assert ticked["products.profile"] is False  # the catalogue is still to come


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"interface-url": "http://195.115.9.79:712"}, "interface-url",
     "Retirez le protocole « http:// »"),
    ({"channel-accepts_third_party_tickets": None}, "channel-accepts_third_party_tickets",
     "doit accepter les billets tiers"),
    ({"contact-pending_account_allowed": None}, "contact-pending_account_allowed",
     "compte d&#x27;attente"),
    ({"interface-password": ""}, "interface-password", "Saisissez le mot de passe"),
    ({"interface-followup_emails": ""}, "interface-followup_emails", "opérateur de suivi"),
    ({"point_of_sale-payment_mode": "cash"}, "point_of_sale-payment_mode", "compte d&#x27;attente"),
])
def test_an_error_is_shown_at_its_field_and_nothing_is_written(empty, change, field, message):
    _institution, operator = empty
    response = client_for(operator, "fr").post(SETUP, filled(**change))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in html
    [row] = re.findall(rf'<div class="form-row field-{field.split("-", 1)[1]} errors">.*?'
                       r'</ul>', html.split(f'id="section-{field.split("-")[0]}"')[1], re.S)
    assert message in row
    assert not SalesChannel.objects.exists() and not ExternalSalesInterface.objects.exists()
    assert not PeriodicTask.objects.exists()
    # What was typed is kept (but the password).
    assert 'name="interface-internal_name" value="FR * Ticketnet"' in html


def test_the_choices_depend_on_what_they_depend_on(empty):
    institution, operator = empty
    channel = f.SalesChannelFactory(institution=institution, name="Billetterie Ticketnet")
    f.PointOfSaleFactory(institution=institution, channel=channel, code="TKN1")
    f.ContactFactory(institution=institution, name="ALLOWED", pending_account_allowed=True)
    f.ContactFactory(institution=institution, name="NOT-ALLOWED", pending_account_allowed=False)
    f.PointOfSaleFactory(code="ELSEWHERE")  # another institution's
    html = client_for(operator).get(SETUP).content.decode()
    assert f'data-channel="{channel.pk}"' in html and ">TKN1<" in html
    assert ">ALLOWED<" in html and "NOT-ALLOWED" not in html and "ELSEWHERE" not in html
    # Choosing the existing channel and point of sale creates only the rest.
    response = client_for(operator).post(SETUP, filled(**{
        "channel-existing": channel.pk,
        "point_of_sale-existing": channel.points_of_sale.get().pk}))
    assert response.status_code == 302
    interface = ExternalSalesInterface.objects.get()
    assert interface.channel == channel and interface.point_of_sale.code == "TKN1"


def test_a_point_of_sale_of_another_channel_is_refused_at_its_choice(empty):
    institution, operator = empty
    pos = f.PointOfSaleFactory(institution=institution, code="OTHER")
    html = client_for(operator).post(SETUP, filled(**{"point_of_sale-existing": pos.pk})
                                     ).content.decode()
    [row] = re.findall(r'<div class="form-row field-existing errors">.*?</ul>',
                       html.split('id="section-point_of_sale"')[1], re.S)
    assert "does not belong to the channel" in row
    assert not ExternalSalesInterface.objects.exists()


def test_a_superuser_chooses_the_institution_first():
    f.InstitutionFactory(name="Opéra")
    empty = f.InstitutionFactory(name="Philharmonie")
    root = f.UserFactory(username="root", is_superuser=True)
    html = client_for(root).get(SETUP).content.decode()
    assert "For which institution?" in html and f'?institution={empty.pk}"' in html
    html = client_for(root).get(f"{SETUP}?institution={empty.pk}").content.decode()
    assert f'name="institution" value="{empty.pk}"' in html
    assert client_for(root).post(SETUP, {**filled(), "institution": empty.pk}).status_code == 302
    assert ExternalSalesInterface.objects.get().institution == empty


def test_an_operator_cannot_set_up_another_institution(empty):
    _institution, operator = empty
    other = f.InstitutionFactory()
    response = client_for(operator).post(SETUP, {**filled(), "institution": other.pk})
    assert response.status_code == 404
    assert not ExternalSalesInterface.objects.exists()


def test_without_the_right_to_add_the_page_is_forbidden():
    viewer = f.staff_user(f.InstitutionFactory(), app_labels=("catalog",))
    assert client_for(viewer).get(SETUP).status_code == 403


def test_the_dashboard_of_an_empty_institution_starts_the_guided_set_up(empty):
    _institution, operator = empty
    html = client_for(operator).get(reverse("admin:index")).content.decode()
    assert f'href="{SETUP}" id="guided-setup"' in html
    changelist = reverse("admin:channels_externalsalesinterface_changelist")
    assert f'href="{SETUP}"' in client_for(operator).get(changelist).content.decode()
