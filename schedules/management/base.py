"""The base of every job command: `--interface NAME [--institution CODE] [--json]`, runs the job
in this process, prints one summary line (or one JSON object) on stdout, whatever else the run
prints on stderr, and exits 0 OK, 3 WARNING, 1 ERROR or bad usage, 4 SKIPPED."""

import contextlib
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from ..counts import counts_rows
from ..framework.runner import job_run
from ..framework.selectors import InterfaceLookupError, interface_find
from ..models import Run

USAGE_ERROR = 1
EXIT_CODES = {Run.Status.OK: 0, Run.Status.WARNING: 3, Run.Status.ERROR: 1,
              Run.Status.SKIPPED: 4}


class JobCommand(BaseCommand):
    job: str = ""  # subclasses set it, or override get_job()

    def add_arguments(self, parser):
        parser.add_argument("--interface", required=True, metavar="NAME",
                            help="Internal name of the external sales interface.")
        parser.add_argument("--institution", metavar="CODE",
                            help="Institution code, when several have an interface of that name.")
        parser.add_argument("--json", action="store_true",
                            help="Print one JSON object instead of a summary line.")
        self.add_job_arguments(parser)

    def add_job_arguments(self, parser):
        """Job-specific options."""

    def get_job(self, options) -> str:
        return self.job

    def job_params(self, options) -> dict:
        """The run's parameters from the options (event, dry run…)."""
        return {}

    def run_from_argv(self, argv):
        try:
            super().run_from_argv(argv)
        except SystemExit as exc:
            # argparse says 2 for bad usage; the contract says 1.
            raise SystemExit(USAGE_ERROR if exc.code == 2 else exc.code) from None

    def handle(self, *args, **options):
        try:
            interface = interface_find(name=options["interface"],
                                       institution_code=options.get("institution"))
            job = self.get_job(options)
            params = self.job_params(options)
        except (InterfaceLookupError, CommandError, ValueError) as exc:
            self._usage_error(str(exc), options)
            return
        # stdout is the command's answer (one line, or one JSON object): anything else the run
        # prints — Django's console email backend writes the follow-up email to sys.stdout —
        # goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            run = job_run(interface_id=interface.pk, job=job, trigger=Run.Trigger.MANUAL,
                          params=params)
        self.report(run, options)
        code = EXIT_CODES[run.status]
        if code:
            sys.exit(code)

    def report(self, run: Run, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps({
                "status": run.status.upper(),
                "counts": run.counts,
                "messages": run.messages,
                "run": run.pk,
            }, ensure_ascii=False))
            return
        counts = ", ".join(f"{label} {n}" for label, n in counts_rows(run.counts)) or "no counts"
        line = (f"{run.get_job_display()} on “{run.interface.internal_name}”: "
                f"{run.status.upper()} — {counts} (run {run.pk})")
        style = {Run.Status.OK: self.style.SUCCESS, Run.Status.WARNING: self.style.WARNING,
                 Run.Status.SKIPPED: self.style.NOTICE}.get(run.status, self.style.ERROR)
        self.stdout.write(style(line))
        for m in run.messages:
            if m.get("level") != "info":
                action = f" → {m['action']}" if m.get("action") else ""
                self.stderr.write(f"  {m['level'].upper()}: {m['text']}{action}")

    def _usage_error(self, message: str, options) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps({
                "status": "ERROR", "counts": {},
                "messages": [{"level": "error", "text": message, "action": ""}], "run": None,
            }, ensure_ascii=False))
        else:
            self.stderr.write(self.style.ERROR(message))
        sys.exit(USAGE_ERROR)
