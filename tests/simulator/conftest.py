"""The simulator's tests reuse the gateway's set-up: a manifestation exported over HTTP."""

from tests.ticketnet.conftest import client, exported  # noqa: F401 - fixtures
