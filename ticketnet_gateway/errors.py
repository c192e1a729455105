"""Typed errors of the gateway: what a job must do next depends only on the type."""


class TicketnetError(Exception):
    """Base of every gateway error."""


class TicketnetUnavailable(TicketnetError):
    """Ticketnet could not be reached or did not answer: retry later.

    Connection refused, timeout, dropped connection, HTTP 5xx without a SOAP fault.
    """


class DeadlinePassed(TicketnetUnavailable):
    """The operation's deadline passed before Ticketnet's whole answer arrived (a slow or
    trickling answer included): `seconds` is the operation timeout."""

    def __init__(self, seconds: float):
        super().__init__(f"Ticketnet's answer took longer than {seconds:g} s.")
        self.seconds = seconds


class TicketnetRejected(TicketnetError):
    """Ticketnet answered with a SOAP fault: it refused the request, with its code and message."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ContractError(TicketnetError):
    """A request or response does not match the contract: wrong shape, malformed XML, a DTD or
    an entity in the response. Not retried: a person must look at it."""
