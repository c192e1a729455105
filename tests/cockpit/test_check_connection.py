""""Check the connection" on the checklist, against the simulator over loopback: POST only,
behind CSRF, scoped to the operator's institutions; the answer shown on the checklist."""

import pytest
from django.test import Client
from django.urls import reverse

from ticketnet_simulator.soap import SERVER_NAME, VERSION

from .conftest import client_for
from .golive import checklist_url, operator_of, ready_interface

pytestmark = pytest.mark.django_db


def on_simulator(simulator, **overrides):
    values = {"url": simulator.url, "login": simulator.login,
              "institution_code": simulator.institution_code, "password": simulator.password}
    interface, _event = ready_interface(**{**values, **overrides})
    return interface, operator_of(interface.institution)


def check_url(interface) -> str:
    return reverse("admin:channels_externalsalesinterface_check_connection", args=[interface.pk])


def check(client, interface) -> str:
    response = client.post(check_url(interface))
    assert response.status_code == 302
    assert response["Location"] == checklist_url(interface) + "#connection"
    return client.get(response["Location"]).content.decode()


def test_the_right_credentials_show_who_answered(simulator):
    interface, operator = on_simulator(simulator)
    html = check(client_for(operator), interface)
    assert 'id="connection-result"' in html and 'data-ok="true"' in html
    assert (f"Ticketnet accepted the credentials. Server “{SERVER_NAME}”, version {VERSION}, "
            f"institution code {simulator.institution_code}.") in html


def test_a_server_name_unlike_the_answer_is_pointed_out(simulator):
    interface, operator = on_simulator(simulator, server_name="TKN-PROD-2")
    html = check(client_for(operator, "fr"), interface)
    assert "Ticketnet a accepté les identifiants." in html
    assert "Le nom du serveur de l&#x27;interface est « TKN-PROD-2 »" in html


def test_a_wrong_password_is_refused_credentials_in_french(simulator):
    interface, operator = on_simulator(simulator, password="pas-le-bon")
    html = check(client_for(operator, "fr"), interface)
    assert 'data-ok="false"' in html.split('id="connection-result"')[1][:80]
    assert "Ticketnet a refusé les identifiants." in html
    assert "AUTHENTICATION_FAILED" not in html.split("Détail technique")[0].split(
        'id="connection-result"')[1]
    assert "pas-le-bon" not in html


def test_nobody_listening_is_unreachable(simulator, unused_tcp_port):
    interface, operator = on_simulator(simulator, url=f"127.0.0.1:{unused_tcp_port}")
    html = check(client_for(operator), interface)
    assert f"Ticketnet cannot be reached at 127.0.0.1:{unused_tcp_port}." in html
    assert "refused the connection" in html  # the technical detail


def test_a_broken_answer_says_the_contract_is_broken(simulator):
    interface, operator = on_simulator(simulator)
    simulator.state.fault_set(kind="malformed_xml", operation="checkConnection", times=1)
    html = check(client_for(operator), interface)
    assert "Ticketnet&#x27;s answer does not match the contract." in html


def test_post_only_and_csrf(simulator):
    interface, operator = on_simulator(simulator)
    assert client_for(operator).get(check_url(interface)).status_code == 405
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(operator)
    assert guarded.post(check_url(interface)).status_code == 403
    # The page's own form carries the token and posts to the check.
    html = guarded.get(checklist_url(interface)).content.decode()
    assert f'action="{check_url(interface)}"' in html and "csrfmiddlewaretoken" in html


def test_another_institutions_interface_is_not_found(simulator):
    interface, _operator = on_simulator(simulator)
    stranger = operator_of(interface.institution.__class__.objects.create(
        code="other", name="Other"), username="stranger")
    assert client_for(stranger).post(check_url(interface)).status_code == 404
