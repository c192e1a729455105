"""`reconcile --interface NAME [--from DATE --to DATE | --performance ID] [--statement FILE]
[--json]`: Ticketnet's tickets (its web services, or a sales statement it sent) against ours."""

from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = ("Compare Ticketnet's tickets of a period or a performance — from its web services, "
            "or from a sales statement file — with the tickets in our books. "
            "Exit 0 matched, 3 differences, 1 error, 4 skipped.")
    job = Job.RECONCILIATION

    def add_job_arguments(self, parser):
        parser.add_argument("--from", dest="start", metavar="DATE",
                            help="First day (YYYY-MM-DD), in the institution's time zone.")
        parser.add_argument("--to", dest="end", metavar="DATE",
                            help="Last day (YYYY-MM-DD), included.")
        parser.add_argument("--performance", type=int, metavar="ID",
                            help="Every ticket of this performance instead of a period.")
        parser.add_argument("--statement", metavar="FILE",
                            help="Ticketnet's fixed-width sales statement (docs/statement-file.md)"
                                 " instead of its web services.")

    def job_params(self, options) -> dict:
        start, end, performance = options["start"], options["end"], options["performance"]
        if performance is not None and (start or end):
            raise CommandError("Give a period (--from and --to) or a performance, not both.")
        params: dict = {}
        if performance is not None:
            params["performance"] = performance
        elif start or end:
            if not (start and end):
                raise CommandError("Give both --from and --to.")
            for name, value in (("--from", start), ("--to", end)):
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise CommandError(f"{name} {value!r} is not a date as YYYY-MM-DD.") from None
            if start > end:
                raise CommandError("--from is after --to.")
            params.update({"from": start, "to": end})
        if options["statement"]:
            path = Path(options["statement"])
            if not path.is_file():
                raise CommandError(f"No statement file at {path}.")
            params.update(statement=str(path.resolve()), statement_name=path.name)
        return params
