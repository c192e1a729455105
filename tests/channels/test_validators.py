import pytest
from django.core.exceptions import ValidationError

from channels.validators import split_host_port, validate_host_port


@pytest.mark.parametrize("value", ["195.115.9.79:712", "[::1]:712", "[2001:db8::7]:8080",
                                   "ticketnet.example.org:712"])
def test_ip_addresses_and_host_names_with_a_port_are_accepted(value):
    validate_host_port(value)


@pytest.mark.parametrize(("value", "host"), [("195.115.9.299:712", "195.115.9.299"),
                                             ("[::zz]:712", "[::zz]"),
                                             ("[1.2.3.4]:712", "[1.2.3.4]")])
def test_a_bad_ip_address_is_named_as_typed(value, host):
    with pytest.raises(ValidationError) as exc:
        validate_host_port(value)
    assert exc.value.messages[0].startswith(f"“{host}” is not an IP address.")
    assert exc.value.code == "url"


def test_split_host_port_unwraps_ipv6():
    assert split_host_port("[::1]:712") == ("::1", 712)
    assert split_host_port("195.115.9.79:712") == ("195.115.9.79", 712)
