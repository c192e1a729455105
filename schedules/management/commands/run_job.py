"""Run any registered job for an interface: `run_job --interface NAME --job JOB`."""

from django.core.management.base import CommandError

from ...framework import registry
from ..base import JobCommand


class Command(JobCommand):
    help = "Run a job for an interface now and report (exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED)."

    def add_job_arguments(self, parser):
        parser.add_argument("--job", required=True, help="Job name, e.g. sales_integration.")
        parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                            help="A run parameter (repeatable).")
        parser.add_argument("--dry-run", action="store_true")

    def get_job(self, options) -> str:
        if not registry.is_registered(options["job"]):
            raise CommandError(f"Unknown job “{options['job']}”.")
        return options["job"]

    def job_params(self, options) -> dict:
        params = {}
        for item in options["param"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"--param {item!r}: write KEY=VALUE.")
            params[key] = value
        if options["dry_run"]:
            params["dry_run"] = True
        return params
