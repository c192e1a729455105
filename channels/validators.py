"""Field validators for the interface set-up: Ticketnet's <IP>:<Port> and follow-up emails."""

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_ENTER = _("Enter the server as <IP>:<Port>, for example 195.115.9.79:712.")


def split_host_port(value: str) -> tuple[str, int]:
    """Split a validated `host:port` (IPv6 as `[::1]:712`)."""
    host, _sep, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def validate_host_port(value: str) -> None:
    """Ticketnet's URL is `<IP>:<Port>` (or `host:port`): no scheme, no path, no `?wsdl`."""
    value = value or ""
    if value != value.strip() or not value:
        raise ValidationError(_("Remove the spaces. %(enter)s") % {"enter": _ENTER}, code="url")
    if "://" in value:
        raise ValidationError(
            _("Remove the scheme “%(scheme)s://”. %(enter)s")
            % {"scheme": value.split("://", 1)[0], "enter": _ENTER},
            code="url",
        )
    if "?" in value:
        raise ValidationError(
            _("Remove “%(query)s”: the bridge adds the web-service path itself. %(enter)s")
            % {"query": value[value.index("?"):], "enter": _ENTER},
            code="url",
        )
    if "/" in value:
        raise ValidationError(
            _("Remove the path “%(path)s”. %(enter)s")
            % {"path": value[value.index("/"):], "enter": _ENTER},
            code="url",
        )
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise ValidationError(_("The port is missing. %(enter)s") % {"enter": _ENTER}, code="url")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValidationError(
            _("“%(port)s” is not a port: use a number from 1 to 65535. %(enter)s")
            % {"port": port, "enter": _ENTER},
            code="url",
        )
    if host.startswith("[") and host.endswith("]"):
        _validate_ip(ipaddress.IPv6Address, host[1:-1], shown=host)
        return
    if host.replace(".", "").isdigit():
        _validate_ip(ipaddress.IPv4Address, host, shown=host)
        return
    if not _HOSTNAME.match(host):
        raise ValidationError(
            _("“%(host)s” is neither an IP address nor a host name. %(enter)s")
            % {"host": host, "enter": _ENTER},
            code="url",
        )


def _validate_ip(address_type: type, text: str, *, shown: str) -> None:
    try:
        address_type(text)
    except ValueError:
        raise ValidationError(
            _("“%(host)s” is not an IP address. %(enter)s") % {"host": shown, "enter": _ENTER},
            code="url",
        ) from None


def validate_email_list(value: str) -> None:
    """Emails separated by semicolons; every one must be valid."""
    if not value:
        return
    if "," in value and ";" not in value:
        raise ValidationError(
            _("Separate the addresses with semicolons (;), not commas."), code="emails"
        )
    bad = []
    for address in value.split(";"):
        address = address.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not valid email addresses: %(bad)s. Separate addresses with semicolons (;).")
            % {"bad": ", ".join(bad)},
            code="emails",
        )
