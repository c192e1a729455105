"""`sync_quotas --interface NAME [--json]`: the places left in the non-numbered zones of the
Ticketnet quota, pushed for every exported performance."""

from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = ("Push the places left in the quota's non-numbered zones to Ticketnet. "
            "Exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED.")
    job = Job.QUOTA_SYNC
