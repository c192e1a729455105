"""In Chromium: the operator of a new institution runs the guided set-up from the dashboard and
lands on a checklist whose set-up items are green; on the demo (load_demo, its codes and
schedules) the go-live checklist is all green, and the connection check answers."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from channels.demo import DEMO_INTERFACE_NAME, DEMO_LOGIN, DEMO_PASSWORD
from channels.models import ExternalSalesInterface
from demo.management.commands.load_demo import operators_group
from tests import factories as f
from ticketnet_simulator.soap import SERVER_NAME

from .conftest import log_in

pytestmark = pytest.mark.browser
OPERATOR = ("operator", "ticketnet-demo")  # load_demo's login
SET_UP = ("channel", "point_of_sale", "external_quota", "contact", "interface")


def test_the_guided_set_up_of_a_new_institution_ends_on_a_green_set_up(
        simulator, live_server, new_page, screenshot):
    institution = f.InstitutionFactory(code="philharmonie", name="Philharmonie")
    operator = f.UserFactory(username="philippe", institutions=[institution])
    operator.groups.add(operators_group())
    page = new_page(locale="fr-FR")
    log_in(page, live_server, "philippe", "pass-word-1234")
    assert "Prise en main" in page.locator("#cockpit").inner_text() or \
        page.locator("#guided-setup").count() == 1
    page.click("#guided-setup")
    page.wait_for_url(re.compile(r"/externalsalesinterface/setup/"))
    # The guide's example is there; what only Ticketnet knows is shown as an example.
    assert page.input_value("#id_interface-internal_name") == "FR * Ticketnet"
    assert page.input_value("#id_point_of_sale-code") == "TKN"
    assert page.get_attribute("#id_interface-url", "placeholder") == "195.115.9.79:712"
    screenshot(page, "setup-empty", full_page=True)

    page.fill("#id_interface-url", f"http://{simulator.url}")
    page.fill("#id_interface-login", DEMO_LOGIN)
    page.fill("#id_interface-password", DEMO_PASSWORD)
    page.fill("#id_interface-followup_emails", "suivi@philharmonie.example; billetterie@philharmonie.example")
    page.fill("#id_interface-client_name", "ELCA")
    page.fill("#id_interface-institution_code", simulator.institution_code)
    page.click("#setup-form input[type=submit]")
    # A scheme in the URL: said at the field, in French, and nothing saved.
    error = page.locator(".field-url .errorlist")
    assert "Retirez le protocole « http:// »" in error.inner_text()
    assert "Rien n'a été enregistré" in page.locator(".errornote").inner_text()
    assert not ExternalSalesInterface.objects.filter(institution=institution).exists()
    screenshot(page, "setup-error", full_page=True)

    page.fill("#id_interface-url", simulator.url)
    page.fill("#id_interface-password", DEMO_PASSWORD)  # never sent back by the page
    page.click("#setup-form input[type=submit]")
    page.wait_for_url(re.compile(r"/externalsalesinterface/\d+/checklist/"))
    for section in SET_UP:
        assert page.get_attribute(f"section#{section}", "data-ok") == "true", section
    assert page.locator(".golive-item.golive-ko").count() > 0  # the catalogue is to come
    assert "Le paramétrage lui-même est complet." in page.locator("#golive-summary").inner_text()
    assert "2 programmations créées : Intégration des ventes, Rapprochement." in page.locator(
        ".messagelist").inner_text()
    page.click("#check-connection")
    page.wait_for_url(re.compile(r"/checklist/#connection"))
    result = page.locator("#connection-result")
    assert result.get_attribute("data-ok") == "true"
    assert f"Serveur « {SERVER_NAME} »" in result.inner_text()
    screenshot(page, "setup-checklist", full_page=True)


@pytest.fixture
def demo(simulator):
    call_command("load_demo", stdout=io.StringIO())
    interfaces = ExternalSalesInterface.objects.filter(institution__code="demo")
    interfaces.update(url=simulator.url)
    return interfaces.get(internal_name=DEMO_INTERFACE_NAME)


@pytest.mark.parametrize(("locale", "texts"), [
    ("fr-FR", {"link": "Liste de mise en service", "ready": "Prêt pour la mise en service",
               "check": "Ticketnet a accepté les identifiants.", "badge": "Prêt"}),
    ("en-GB", {"link": "Go-live checklist", "ready": "Ready to go live",
               "check": "Ticketnet accepted the credentials.", "badge": "Ready"}),
])
def test_the_go_live_checklist_is_all_green_on_the_demo(demo, live_server, new_page,
                                                        screenshot, locale, texts):
    page = new_page(locale=locale)
    log_in(page, live_server, *OPERATOR)
    page.locator(f"#interface-{demo.pk}").get_by_role("link", name=texts["link"]).click()
    page.wait_for_url(re.compile(rf"/externalsalesinterface/{demo.pk}/checklist/"))
    assert texts["ready"] in page.locator("#golive-summary").inner_text()
    assert page.locator(".golive-item").count() >= 17
    assert page.locator(".golive-item.golive-ko").count() == 0
    badges = page.locator(".golive-event .golive-badge")
    assert badges.count() == 2  # the concert and the league
    assert all(text == texts["badge"] for text in badges.all_inner_texts())
    page.click("#check-connection")
    page.wait_for_url(re.compile(r"/checklist/#connection"))
    assert texts["check"] in page.locator("#connection-result").inner_text()
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    screenshot(page, "checklist", full_page=True)

    # From the interface's page too; and the demo's pass interfaces are green as well.
    page.goto(f"{live_server.url}/admin/channels/externalsalesinterface/{demo.pk}/change/")
    page.click("#go-live-checklist-link")
    page.wait_for_url(re.compile(rf"/{demo.pk}/checklist/"))
    for other in ExternalSalesInterface.objects.exclude(pk=demo.pk):
        page.goto(f"{live_server.url}/admin/channels/externalsalesinterface/{other.pk}"
                  "/checklist/")
        assert page.get_attribute("#content-main", "data-ok") == "true", other.internal_name


def test_the_set_up_offers_only_what_fits_the_chosen_channel(live_server, new_page, screenshot):
    institution = f.InstitutionFactory(code="opera", name="Opéra")
    billetterie = f.SalesChannelFactory(institution=institution, name="Billetterie Ticketnet")
    other = f.SalesChannelFactory(institution=institution, name="Ticketnet bis")
    f.PointOfSaleFactory(institution=institution, channel=billetterie, code="TKN")
    f.PointOfSaleFactory(institution=institution, channel=other, code="TKN2")
    f.ExternalQuotaFactory(institution=institution, channel=billetterie, name="Contingent TKN")
    operator = f.UserFactory(username="olga", institutions=[institution])
    operator.groups.add(operators_group())
    page = new_page()
    log_in(page, live_server, "olga", "pass-word-1234")
    page.goto(f"{live_server.url}/admin/channels/externalsalesinterface/setup/")
    # A new channel (the default) has no point of sale yet: nothing to choose, fields to fill.
    assert not page.locator("#id_point_of_sale-existing").is_visible()
    assert page.locator("#id_point_of_sale-code").is_visible()
    page.select_option("#id_channel-existing", label="Billetterie Ticketnet")
    assert not page.locator("#id_channel-name").is_visible()
    offered = page.locator("#id_point_of_sale-existing option:not([hidden])").all_inner_texts()
    assert [text for text in offered if not text.startswith("—")] == ["TKN"]
    page.select_option("#id_point_of_sale-existing", label="TKN")
    assert not page.locator("#id_point_of_sale-code").is_visible()
    screenshot(page, "setup-choices", full_page=True)
    page.select_option("#id_channel-existing", label="Ticketnet bis")
    # The point of sale chosen for the other channel is dropped, its own is offered.
    assert page.input_value("#id_point_of_sale-existing") == ""
    offered = page.locator("#id_point_of_sale-existing option:not([hidden])").all_inner_texts()
    assert [text for text in offered if not text.startswith("—")] == ["TKN2"]
    assert not page.locator("#id_external_quota-existing").is_visible()
