"""`export_catalog --interface NAME --event CODE [--dry-run] [--json]`: the catalogue export of
one event (one-shot), or with --dry-run what it would send and every problem."""

import json

from django.core.management.base import CommandError

from catalog.models import Event

from ...framework.selectors import interface_find
from ...jobs.catalog_plan import catalog_plan
from ...models import Job
from ..base import JobCommand


def event_param(options, *, required: bool) -> dict:
    code = options.get("event")
    if not code:
        if required:
            raise CommandError("Give the event: --event CODE (its catalogue code, e.g. CONC27).")
        return {}
    interface = interface_find(name=options["interface"],
                               institution_code=options.get("institution"))
    event = Event.objects.filter(institution_id=interface.institution_id, code=code).first()
    if event is None:
        raise CommandError(f"No event with the code “{code}” in institution "
                           f"{interface.institution.code}: give the event's catalogue code.")
    return {"event_id": event.pk}


class Command(JobCommand):
    help = ("Export one event's catalogue to Ticketnet, once (--dry-run: show what would be "
            "sent and every problem, send nothing). Exit 0 OK, 3 WARNING, 1 ERROR, 4 SKIPPED.")
    job = Job.CATALOG_EXPORT

    def add_job_arguments(self, parser):
        parser.add_argument("--event", required=True, metavar="CODE",
                            help="The event's catalogue code.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Show what would be sent and every problem; send nothing.")

    def job_params(self, options) -> dict:
        params = event_param(options, required=True)
        if options["dry_run"]:
            params["dry_run"] = True
        return params

    def report(self, run, options) -> None:
        if not (options["dry_run"] and options["json"]):
            super().report(run, options)
            return
        # The preview itself: what would be sent, as the admin's preview page shows it.
        event = Event.objects.get(pk=run.params["event_id"])
        plan = catalog_plan(interface=run.interface, event=event)
        self.stdout.write(json.dumps({
            "status": run.status.upper(), "counts": run.counts, "messages": run.messages,
            "run": run.pk, "preview": plan.as_dict(),
        }, ensure_ascii=False))
