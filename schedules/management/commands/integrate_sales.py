"""`integrate_sales --interface NAME [--since DATE] [--json]`: Ticketnet's sales, duplicates and
refunds since the interface's cursor (parked lines retried first); `--since` lists Ticketnet's
journal again from a date (a line the reconciliation says never arrived)."""

from datetime import datetime

from django.utils import timezone

from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = ("Integrate Ticketnet's sales, duplicates and refunds for an interface "
            "(exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED).")
    job = Job.SALES_INTEGRATION

    def add_job_arguments(self, parser):
        parser.add_argument("--page-size", type=int, metavar="N",
                            help="Operations asked from Ticketnet per page (1 to 5000).")
        parser.add_argument("--since", metavar="DATE",
                            help="List Ticketnet's journal again from this date (YYYY-MM-DD, "
                                 "or a date and time), in the institution's time zone: "
                                 "operations already integrated are skipped.")

    def job_params(self, options) -> dict:
        params: dict = {}
        size = options.get("page_size")
        if size is not None:
            if not 1 <= size <= 5000:
                raise ValueError("--page-size: give 1 to 5000 operations per page.")
            params["page_size"] = size
        if options.get("since"):
            try:
                since = datetime.fromisoformat(options["since"])
            except ValueError:
                raise ValueError(f"--since {options['since']!r} is not a date as YYYY-MM-DD "
                                 "or YYYY-MM-DD HH:MM.") from None
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
            params["since"] = since.isoformat()
        return params
