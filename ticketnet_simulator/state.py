"""The simulator's state behind one object (the Python API of the SOAP layer, the command and
the tests), composed of its parts over one SQLite file: see store.py and the modules beside it."""

from __future__ import annotations

from pathlib import Path

from . import generator
from .accounts import DEMO_INSTITUTION_CODE, DEMO_LOGIN, DEMO_PASSWORD, Accounts
from .allotments import Allotments
from .box_office import POINT_OF_SALE, BoxOffice
from .catalogue import Catalogue
from .faults import FAULT_KINDS, OPERATIONS, Fault, Faults
from .journal import CURRENCY, MAX_PAGE_SIZE, Journal
from .store import Store
from .tickets import Tickets

# The names the server, the command, the benchmarks and the tests import from here.
__all__ = ["CURRENCY", "DEMO_INSTITUTION_CODE", "DEMO_LOGIN", "DEMO_PASSWORD", "FAULT_KINDS",
           "MAX_PAGE_SIZE", "OPERATIONS", "POINT_OF_SALE", "Fault", "SimulatorState"]


class SimulatorState:
    """Ticketnet's side, over one SQLite file. Safe to share between threads (one connection
    per thread); several processes may open the same file (WAL). Each method is one of its
    parts'; the parts are reachable too (`state.catalogue`, `state.journal`…)."""

    def __init__(self, path: str | Path):
        self.store = Store(path)
        self.path = self.store.path
        self.instance = self.store.instance
        self.accounts = Accounts(self.store)
        self.catalogue = Catalogue(self.store)
        self.allotments = Allotments(self.store, self.catalogue)
        self.journal = Journal(self.store)
        self.box_office = BoxOffice(self.store, self.catalogue, self.journal)
        self.tickets = Tickets(self.store, self.catalogue, self.journal)
        self.faults = Faults(self.store)

        self.account_set = self.accounts.account_set
        self.ensure_demo_account = self.accounts.ensure_demo_account
        self.authenticate = self.accounts.authenticate

        self.create_manifestation = self.catalogue.create_manifestation
        self.set_allotment = self.allotments.set_allotment
        self.set_zone_quota = self.allotments.set_zone_quota

        self.sell = self.box_office.sell
        self.duplicate = self.box_office.duplicate
        self.refund = self.box_office.refund
        self.ticket = self.box_office.ticket
        self.free_seats = self.box_office.free_seats

        self.encode_cursor = self.journal.encode_cursor
        self.decode_cursor = self.journal.decode_cursor
        self.list_operations = self.journal.list_operations
        self.withhold = self.journal.withhold
        self.list_tickets = self.tickets.list_tickets

        self.fault_set = self.faults.fault_set
        self.fault_clear = self.faults.fault_clear
        self.fault_take = self.faults.fault_take

    def generate(self, *, count: int, seed: int) -> dict:
        """`count` operations over the allotted seats and open zone quotas (see generator)."""
        return generator.generate(self.store, count=count, seed=seed)

    def show(self) -> dict:
        journal = self.journal.overview()
        return {"state": str(self.path), "instance": self.instance,
                "accounts": self.accounts.overview(),
                "manifestations": self.catalogue.overview(),
                "tickets": self.box_office.overview(), "operations": journal["operations"],
                "withheld_operations": journal["withheld_operations"],
                "last_cursor": journal["last_cursor"], "faults": self.faults.overview()}

    def close(self) -> None:
        self.store.close()

