"""`integrate_sales --interface NAME [--json]`: Ticketnet's sales, duplicates and refunds since
the interface's cursor (parked lines retried first)."""

from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = ("Integrate Ticketnet's sales, duplicates and refunds for an interface "
            "(exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED).")
    job = Job.SALES_INTEGRATION

    def add_job_arguments(self, parser):
        parser.add_argument("--page-size", type=int, metavar="N",
                            help="Operations asked from Ticketnet per page (1 to 5000).")

    def job_params(self, options) -> dict:
        size = options.get("page_size")
        if size is None:
            return {}
        if not 1 <= size <= 5000:
            raise ValueError("--page-size: give 1 to 5000 operations per page.")
        return {"page_size": size}
