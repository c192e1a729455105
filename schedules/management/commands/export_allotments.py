"""`export_allotments --interface NAME [--event CODE] [--json]`: the seats of the Ticketnet
quota of every exported performance (of one event), sent in batches."""

from ...models import Job
from ..base import JobCommand
from .export_catalog import event_param


class Command(JobCommand):
    help = ("Export the allotments (seats of the Ticketnet quota) of the exported performances. "
            "Exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED.")
    job = Job.ALLOTMENT_EXPORT

    def add_job_arguments(self, parser):
        parser.add_argument("--event", metavar="CODE",
                            help="Only this event (its catalogue code).")

    def job_params(self, options) -> dict:
        return event_param(options, required=False)
