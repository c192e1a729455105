"""The last "Check the connection" of each interface, kept in the operator's session as an
outcome and its values, and told in the reader's language when the checklist shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface
from schedules.jobs.ticketnet import ConnectionCheck, ConnectionOutcome

SESSION_KEY = "cockpit_connection_checks"


def connection_check_keep(*, session, interface_id: int, check: ConnectionCheck,
                          now: dt.datetime | None = None) -> None:
    checks = session.get(SESSION_KEY, {})
    checks[str(interface_id)] = {**asdict(check),
                                 "checked_at": (now or timezone.now()).isoformat()}
    session[SESSION_KEY] = checks


@dataclass(frozen=True)
class ConnectionShown:
    ok: bool
    text: str
    action: str
    detail: str  # the gateway's or Ticketnet's own words
    checked_at: dt.datetime


def connection_check_shown(*, session, interface: ExternalSalesInterface
                           ) -> ConnectionShown | None:
    kept = session.get(SESSION_KEY, {}).get(str(interface.pk))
    if not kept:
        return None
    kept = dict(kept)
    checked_at = parse_datetime(kept.pop("checked_at", "") or "")
    try:
        check = ConnectionCheck(**kept)
    except TypeError:  # kept by another version of the bridge: check again
        return None
    text, action = _told(check, interface)
    return ConnectionShown(ok=check.ok, text=text, action=action, detail=check.detail,
                           checked_at=checked_at)


def _told(check: ConnectionCheck, interface: ExternalSalesInterface) -> tuple[str, str]:
    outcome = check.outcome
    if outcome == ConnectionOutcome.OK:
        text = _("Ticketnet accepted the credentials. Server “%(server)s”, version %(version)s, "
                 "institution code %(code)s.") % {"server": check.server_name,
                                                  "version": check.version,
                                                  "code": check.institution_code}
        if interface.server_name and interface.server_name != check.server_name:
            return text, _("The interface's server name is “%(name)s”: check it with "
                           "Ticketnet.") % {"name": interface.server_name}
        return text, ""
    if outcome == ConnectionOutcome.UNREACHABLE:
        return (_("Ticketnet cannot be reached at %(url)s.") % {"url": interface.url},
                _("Check the URL <IP>:<Port> of the interface, and ask Ticketnet whether its "
                  "web services are up and accept calls from this server's address."))
    if outcome == ConnectionOutcome.CREDENTIALS_REFUSED:
        return (_("Ticketnet refused the credentials."),
                _("Check the login, password and institution code of the interface with "
                  "Ticketnet."))
    if outcome == ConnectionOutcome.REJECTED:
        return (_("Ticketnet refused the check (%(code)s).") % {"code": check.code},
                _("Call Ticketnet with this code and its message."))
    if outcome == ConnectionOutcome.CONTRACT_BROKEN:
        return (_("Ticketnet's answer does not match the contract."),
                _("Is the URL that of Ticketnet's web services? If it is, send the detail "
                  "below to the technical team: Ticketnet's web services may have changed."))
    return (_("The interface's password cannot be decrypted with the configured keys."),
            _("Put back the encryption key it was written with in FIELD_ENCRYPTION_KEYS, or "
              "enter the password again on the interface."))
