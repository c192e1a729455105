"""Wait until `make run`'s processes answer, then print the admin URL and the demo login."""

import signal
import socket
import time
import urllib.error
import urllib.request

from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError

from channels import demo


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def _tcp_answers(bind: str) -> bool:
    host, _sep, port = bind.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=2):
            return True
    except OSError:
        return False


def _leave(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Wait for the web server (and the simulator), print the admin URL and login, stay up."

    def add_arguments(self, parser):
        parser.add_argument("--web", default="127.0.0.1:8000", help="HOST:PORT of runserver")
        parser.add_argument("--simulator", default="", help="HOST:PORT of the simulator")
        parser.add_argument("--timeout", type=float, default=120.0)
        parser.add_argument(
            "--exit", action="store_true", help="Exit after printing (default: stay up)"
        )

    def handle(self, *args, web, simulator, timeout, exit, **options):
        admin_url = f"http://{web}/admin/"
        waiting_for = {"web": lambda: _http_answers(admin_url + "login/")}
        if simulator and "ticketnet_simulator" in get_commands():
            waiting_for["simulator"] = lambda: _tcp_answers(simulator)
        deadline = time.monotonic() + timeout
        while waiting_for:
            waiting_for = {name: up for name, up in waiting_for.items() if not up()}
            if waiting_for and time.monotonic() > deadline:
                raise CommandError(f"Not answering after {timeout:.0f}s: {', '.join(waiting_for)}")
            if waiting_for:
                time.sleep(0.5)
        bar = "=" * 72
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{bar}\n"
                f"  ticketnet_bridge is up.  Admin: {admin_url}\n"
                f"  Login: {demo.OPERATOR_USERNAME}   Password: {demo.OPERATOR_PASSWORD}\n"
                f"  Stop everything with Ctrl-C.\n"
                f"{bar}\n"
            )
        )
        self.stdout.flush()
        if not exit:
            # honcho stops every process when one ends: stay until it tells us to go.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, _leave)
            while True:
                signal.pause()
