"""The jobs' one door to the gateway: a client for an interface, the gateway's typed errors
turned into run outcomes with translated text and what to do, and the gateway's types the jobs
use (re-exported: no other module of schedules imports the gateway)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from channels.models import ExternalSalesInterface
from credentials.crypto import CredentialDecryptionError
from texts import text
from ticketnet_gateway.box_office import BoxOffice, BoxOfficeError, box_office_for
from ticketnet_gateway.client import TicketnetClient, get_client
from ticketnet_gateway.errors import (
    ContractError,
    DeadlinePassed,
    TicketnetRejected,
    TicketnetUnavailable,
)
from ticketnet_gateway.statement import (
    AmountNotation,
    StatementError,
    StatementReport,
    statement_read,
)
from ticketnet_gateway.statement_rows import statement_rows
from ticketnet_gateway.types import (
    AllottedSeat,
    Manifestation,
    NamedCode,
    Operation,
    OperationsPage,
    OperationType,
    PerformanceSpec,
    PriceSpec,
    SeatSpec,
    ZoneSpec,
)

from ..framework.errors import JobError, RetryLater

__all__ = [
    "AllottedSeat", "AmountNotation", "BoxOffice", "BoxOfficeError", "Manifestation",
    "NamedCode", "Operation",
    "OperationType", "OperationsPage", "PerformanceSpec", "PriceSpec", "SeatSpec",
    "StatementError", "StatementReport", "TicketnetClient", "TicketnetRejected", "ZoneSpec",
    "statement_read", "statement_rows",
    "interface_box_office", "interface_client", "ticketnet_errors",
    "ConnectionCheck", "ConnectionOutcome", "interface_connection_check",
]


def _password(interface: ExternalSalesInterface) -> str:
    try:
        return interface.get_password()
    except CredentialDecryptionError:
        raise JobError(
            text("The interface's password cannot be decrypted with the configured keys."),
            text("Put back the encryption key it was written with in FIELD_ENCRYPTION_KEYS, "
                 "or enter the password again on the interface."),
        ) from None


def interface_client(*, interface: ExternalSalesInterface) -> TicketnetClient:
    """The process-wide client of `interface`'s Ticketnet (credentials decrypted here only)."""
    return get_client(
        url=interface.url,
        login=interface.login,
        password=_password(interface),
        institution_code=interface.institution_code,
        server_name=interface.server_name,
        client_name=interface.client_name,
    )


def interface_box_office(*, interface: ExternalSalesInterface) -> BoxOffice | None:
    """Ticketnet's box office at the interface's peer, when one can be driven from here (the
    simulator); None for a real Ticketnet, whose staff sell by phone."""
    return box_office_for(url=interface.url, login=interface.login,
                          password=_password(interface),
                          institution_code=interface.institution_code)


@contextmanager
def ticketnet_errors(*, interface: ExternalSalesInterface) -> Iterator[None]:
    """Turn the gateway's errors into JobError / RetryLater that operators can act on."""
    try:
        yield
    except TicketnetUnavailable as exc:
        # Whether and when the run is retried, the runner says (it knows how it runs).
        advice = text("If it keeps failing, check the URL <IP>:<Port> of the interface and ask "
                      "Ticketnet whether its web services are up.")
        if isinstance(exc, DeadlinePassed):
            raise RetryLater(
                text("Ticketnet's answer at %(url)s took longer than %(seconds)s s (the operation "
                     "timeout): the call was cut off.",
                     url=interface.url, seconds=f"{exc.seconds:g}"), advice) from exc
        raise RetryLater(
            text("Ticketnet did not answer at %(url)s: %(reason)s.",
                 url=interface.url, reason=exc), advice) from exc
    except TicketnetRejected as exc:
        if exc.code == "AUTHENTICATION_FAILED":
            action = text("Check the login, password and institution code of the interface "
                          "with Ticketnet.")
        else:
            action = text("Correct what Ticketnet refused, or call Ticketnet.")
        raise JobError(
            text("Ticketnet refused the request (%(code)s): %(message)s",
                 code=exc.code, message=exc.message),
            action,
        ) from exc
    except ContractError as exc:
        raise JobError(
            text("Ticketnet's answer does not match the contract: %(reason)s.", reason=exc),
            text("Nothing was integrated from that answer. Send the run's details to the "
                 "technical team: Ticketnet's web services may have changed."),
        ) from exc


# -- "Check the connection", from the go-live checklist ----------------------------------

# Seconds, every step included: an operator waits for the answer in the browser.
CONNECTION_CHECK_TIMEOUT = 15.0


class ConnectionOutcome(StrEnum):
    OK = "ok"
    UNREACHABLE = "unreachable"
    CREDENTIALS_REFUSED = "credentials_refused"
    REJECTED = "rejected"
    CONTRACT_BROKEN = "contract_broken"
    PASSWORD_UNREADABLE = "password_unreadable"  # noqa: S105 - an outcome, not a secret


@dataclass(frozen=True)
class ConnectionCheck:
    """What a connection check learnt, as an outcome and its values (rendered when shown, in
    the reader's language); `detail` holds the gateway's or Ticketnet's own words."""

    outcome: str
    server_name: str = ""
    version: str = ""
    institution_code: str = ""
    code: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == ConnectionOutcome.OK


def interface_connection_check(*, interface: ExternalSalesInterface) -> ConnectionCheck:
    """Authenticate against the interface's Ticketnet (checkConnection): nothing is exported,
    nothing changes on either side. Called once, without retries, within
    CONNECTION_CHECK_TIMEOUT; every failure is an outcome, never an exception."""
    try:
        password = interface.get_password()
    except CredentialDecryptionError:
        return ConnectionCheck(outcome=ConnectionOutcome.PASSWORD_UNREADABLE)
    # A client of its own, not the process's (get_client): no retries, a short deadline.
    client = TicketnetClient(
        url=interface.url, login=interface.login, password=password,
        institution_code=interface.institution_code, server_name=interface.server_name,
        client_name=interface.client_name, operation_timeout=CONNECTION_CHECK_TIMEOUT,
        retries=0,
    )
    try:
        checked = client.check_connection()
    except TicketnetUnavailable as exc:
        return ConnectionCheck(outcome=ConnectionOutcome.UNREACHABLE, detail=str(exc))
    except TicketnetRejected as exc:
        outcome = (ConnectionOutcome.CREDENTIALS_REFUSED if exc.code == "AUTHENTICATION_FAILED"
                   else ConnectionOutcome.REJECTED)
        return ConnectionCheck(outcome=outcome, code=exc.code, detail=exc.message)
    except ContractError as exc:
        return ConnectionCheck(outcome=ConnectionOutcome.CONTRACT_BROKEN, detail=str(exc))
    finally:
        client.session.close()
    return ConnectionCheck(outcome=ConnectionOutcome.OK, server_name=checked.server_name,
                           version=checked.version, institution_code=checked.institution_code)
