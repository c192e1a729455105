"""The stand-in Ticketnet: `serve` it, or act as Ticketnet's box office (JSON out)."""

import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ticketnet_gateway.statement import AmountNotation, DateNotation
from ticketnet_simulator.faults import FAULT_KINDS, OPERATIONS
from ticketnet_simulator.rules import SimulatorError
from ticketnet_simulator.server import make_simulator_server
from ticketnet_simulator.state import SimulatorState
from ticketnet_simulator.statements import StatementRefused, statement_export


class Command(BaseCommand):
    help = ("The Ticketnet simulator: serve it, sell / duplicate / refund / generate tickets, "
            "withhold a ticket's lines, write a sales statement, show its state, set accounts "
            "and faults. Prints JSON.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)

        def action(name, help_text):
            sub = actions.add_parser(name, help=help_text)
            sub.add_argument("--state", default=settings.SIMULATOR_STATE,
                             help="the simulator's SQLite file (default: SIMULATOR_STATE)")
            return sub

        serve = action("serve", "serve the web services on IP:PORT")
        serve.add_argument("--bind", default=settings.SIMULATOR_BIND)
        sell = action("sell", "sell one allotted seat")
        for name in ("manifestation", "performance", "zone", "row", "seat", "category",
                     "tariff"):
            sell.add_argument(f"--{name}", required=True)
        sell.add_argument("--price", type=int, required=True, help="price in cents")
        for name in ("last-name", "first-name", "city", "postal-code"):
            sell.add_argument(f"--buyer-{name}", default="")
        sell.add_argument("--buyer-country", default="FR")
        sell.add_argument("--point-of-sale", default="TKN")
        action("duplicate", "reprint a ticket under a new number").add_argument("ticket")
        action("refund", "refund (cancel) a ticket").add_argument("ticket")
        generate = action("generate", "a deterministic mix of sales, duplicates and refunds")
        generate.add_argument("--count", type=int, required=True)
        generate.add_argument("--seed", type=int, default=1)
        action("show", "what the simulator holds")
        withhold = action("withhold", "never list a ticket's journal lines in listOperations "
                          "(its sale or reprint, its refund), as a Ticketnet that loses them")
        withhold.add_argument("--ticket", required=True, help="the ticket number")
        withhold.add_argument("--release", action="store_true",
                              help="list them again (from a cursor before them, or since)")
        statement = action("statement", "write Ticketnet's fixed-width sales statement of the "
                           "journal lines of a period (to stdout, or --output)")
        statement.add_argument("--from", dest="first_day", required=True, type=_day,
                               help="first day, YYYY-MM-DD, in TIME_ZONE")
        statement.add_argument("--to", dest="last_day", required=True, type=_day,
                               help="last day (included), YYYY-MM-DD")
        statement.add_argument("--no-buyer", action="store_true",
                               help="106-character records, without the buyer block")
        statement.add_argument("--output", help="the file to write (default: stdout)")
        statement.add_argument("--amount-notation", choices=[n.value for n in AmountNotation],
                               default=AmountNotation.DECIMAL_POINT.value)
        statement.add_argument("--date-notation", choices=[n.value for n in DateNotation],
                               default=DateNotation.DAY_FIRST.value)
        statement.add_argument("--institution", help="only this institution's manifestations "
                               "(default: every one)")
        account = action("account", "accept these credentials")
        account.add_argument("--login", required=True)
        account.add_argument("--password", required=True)
        account.add_argument("--institution-code", required=True)
        fault = action("fault", "inject or clear faults (a running server picks them up)")
        fault.add_argument("fault_action", choices=["set", "clear"])
        fault.add_argument("--kind", choices=FAULT_KINDS)
        fault.add_argument("--operation", choices=OPERATIONS,
                           help="only this operation (default: every one)")
        fault.add_argument("--times", type=int, help="this many calls (default: until cleared)")
        fault.add_argument("--latency-ms", type=int, default=0)
        fault.add_argument("--code", help="the code of an injected SOAP fault")
        fault.add_argument("--message", help="the message of an injected SOAP fault")

    def handle(self, *args, **options):
        action = options["action"]
        state = SimulatorState(options["state"])
        try:
            if action == "serve":
                return self._serve(state, options)
            result = getattr(self, f"_{action}")(state, options)
        except SimulatorError as exc:
            self.stdout.write(json.dumps({"error": exc.code, "message": exc.message}))
            raise CommandError(exc.message, returncode=1) from None
        finally:
            state.close()
        # A statement written to stdout is the output: its report goes to stderr.
        report_to = self.stderr if action == "statement" and not options["output"] else (
            self.stdout)
        report_to.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _serve(self, state, options):
        created = state.ensure_demo_account()
        server = make_simulator_server(options["bind"], state)
        logging.getLogger(__name__).info("Ticketnet simulator on %s", options["bind"])
        self.stdout.write(json.dumps({
            "serving": f"http://{options['bind']}/ticketnet/ws?wsdl", "state": options["state"],
            "demo_account_created": created,
        }))
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _sell(self, state, o):
        return state.sell(
            manifestation=o["manifestation"], performance=o["performance"], zone=o["zone"],
            row=o["row"], seat=o["seat"], category=o["category"], tariff=o["tariff"],
            price_cents=o["price"], buyer_last_name=o["buyer_last_name"],
            buyer_first_name=o["buyer_first_name"], buyer_city=o["buyer_city"],
            buyer_postal_code=o["buyer_postal_code"], buyer_country=o["buyer_country"],
            point_of_sale=o["point_of_sale"])

    def _duplicate(self, state, o):
        return state.duplicate(o["ticket"])

    def _refund(self, state, o):
        return state.refund(o["ticket"])

    def _generate(self, state, o):
        return state.generate(count=o["count"], seed=o["seed"])

    def _show(self, state, o):
        return state.show()

    def _withhold(self, state, o):
        return state.withhold(ticket_number=o["ticket"], release=o["release"])

    def _statement(self, state, o):
        first, last = o["first_day"], o["last_day"]
        if first > last:
            raise CommandError("--from must not be after --to.")

        def write(stream: BinaryIO) -> int:
            return statement_export(
                state.store, stream, first=first, last=last,
                time_zone=ZoneInfo(settings.TIME_ZONE), institution_code=o["institution"],
                with_buyer=not o["no_buyer"],
                amount_notation=AmountNotation(o["amount_notation"]),
                date_notation=DateNotation(o["date_notation"]))

        try:
            count = (_write_file(Path(o["output"]), write) if o["output"] else
                     write(sys.stdout.buffer))
        except StatementRefused as refused:
            where = ("nothing was written" if o["output"] else
                     "the statement on stdout is incomplete")
            raise CommandError(f"{refused}: {where}.") from None
        return {"statement": o["output"] or "-", "from": first.isoformat(),
                "to": last.isoformat(), "records": count}

    def _account(self, state, o):
        return state.account_set(login=o["login"], password=o["password"],
                                 institution_code=o["institution_code"])

    def _fault(self, state, o):
        if o["fault_action"] == "clear":
            return {"cleared": state.fault_clear()}
        if not o["kind"]:
            raise CommandError("fault set needs --kind.")
        return state.fault_set(kind=o["kind"], operation=o["operation"], times=o["times"],
                               latency_ms=o["latency_ms"], code=o["code"], message=o["message"])


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _write_file(path: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write to a file beside `path`, renamed over it once whole: a refusal leaves nothing."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as stream:
        try:
            count = write(stream)
        except BaseException:
            stream.close()
            os.unlink(stream.name)
            raise
    os.replace(stream.name, path)
    return count
