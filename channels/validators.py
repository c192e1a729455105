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


# Strict fields ---------------------------------------------------------------------------------
# What Ticketnet takes as an integer is ASCII digits only (`str.isdigit` also accepts "٥٠٥" and
# "²"); names and texts refuse the characters that disguise what the admin and the emails show:
# control characters (Cc), format characters (Cf: bidirectional overrides and isolates, zero
# widths, the soft hyphen — a French text needs none of them), line and paragraph separators,
# private-use, surrogate and unassigned code points. Spaces (the no-break ones French typography
# uses included) stay. Multi-line texts keep newlines and tabs, nothing else.

MAX_TICKETNET_INTEGER_DIGITS = 9  # "des entiers de moins de dix chiffres" (the guide)
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def validate_ticketnet_integer(value: str) -> None:
    """A number Ticketnet reads as an integer (the institution code, 505): ASCII digits only,
    1 to 9 of them; no sign, no space, no other script's digits."""
    value = value or ""
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            _("“%(value)s” is not a whole number: enter the digits 0 to 9 only, as Ticketnet "
              "gave it (for example 505).") % {"value": visible(value)}, code="not_integer")
    if len(value) > MAX_TICKETNET_INTEGER_DIGITS:
        raise ValidationError(
            _("“%(value)s” has %(digits)d digits: Ticketnet accepts at most %(max)d.")
            % {"value": value, "digits": len(value), "max": MAX_TICKETNET_INTEGER_DIGITS},
            code="too_long")


def refused_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The characters of `value` a name or text refuses, each once, as U+XXXX."""
    import unicodedata

    found = []
    for char in value or "":
        if multiline and char in _MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


def visible(value: str) -> str:
    """`value` with its refused characters written as U+XXXX, safe to show in a message."""
    refused = set(refused_characters(value))
    return "".join(f"U+{ord(c):04X}" if f"U+{ord(c):04X}" in refused else c
                   for c in value or "")


def validate_plain_text(value: str) -> None:
    """A name or a one-line text: no control, format or separator character."""
    _refuse(refused_characters(value))


def validate_multiline_text(value: str) -> None:
    """A free text on several lines: newlines and tabs allowed, no other control character."""
    _refuse(refused_characters(value, multiline=True))


def _refuse(found: list[str]) -> None:
    if found:
        raise ValidationError(
            _("Remove the invisible or control characters %(chars)s: they can disguise what "
              "the admin and the emails show.") % {"chars": ", ".join(found)},
            code="control_characters")
