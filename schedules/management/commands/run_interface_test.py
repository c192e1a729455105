"""`run_interface_test --interface NAME --event CODE [--json]`: the guide's "Test" procedure,
step by step (catalogue export, allotment export, Ticketnet sells / duplicates / refunds, sales
integration, result)."""

from django.core.management.base import CommandError

from catalog.models import Event

from ...framework.selectors import interface_find
from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = ("Run the interface test with one event and report each step "
            "(exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED).")
    job = Job.INTERFACE_TEST

    def add_job_arguments(self, parser):
        parser.add_argument("--event", required=True, metavar="CODE",
                            help="Code of the event to test with, e.g. CONC27.")

    def job_params(self, options) -> dict:
        interface = interface_find(name=options["interface"],
                                   institution_code=options.get("institution"))
        code = options["event"].strip()
        if not Event.objects.filter(institution_id=interface.institution_id, code=code).exists():
            raise CommandError(f"No event “{code}” in institution {interface.institution.code}: "
                               "give the code of an event sold through the interface's channel.")
        return {"event": code}
