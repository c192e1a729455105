"""The gateway to Ticketnet's SOAP web services: the contract (wsdl/), the client, its errors.

Only `schedules` imports it. The rest of the project sees dataclasses (types.py) and typed
errors (errors.py); nothing outside this package speaks SOAP.
"""

from pathlib import Path

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
WSDL_PATH = WSDL_DIR / "ticketnet.wsdl"
NAMESPACE = "urn:ticketnet-bridge:ws:1"
# Where the web services answer on Ticketnet's <IP>:<Port>; the WSDL is served at ...?wsdl.
SERVICE_PATH = "/ticketnet/ws"
