"""Runs left RUNNING by a worker that died (kill -9, out of memory, host lost): found by the
periodic check (beat, every SCHEDULES_ABANDONED_CHECK_INTERVAL) or by the next run, ended ERROR
and the follow-up operators emailed. A run whose lock nobody holds is not running."""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone, translation

from channels.models import ExternalSalesInterface

from . import outcomes
from .locks import job_lock
from .models import Run
from .notify import problems_fingerprint, run_notify

logger = logging.getLogger(__name__)


def runs_abandon(*, interface: ExternalSalesInterface, job: str, advisory: bool) -> list[int]:
    """End the interface's RUNNING runs of `job` as abandoned. Call it holding the job's lock:
    then none of them is really running."""
    with translation.override(interface.institution.language):
        message = outcomes.abandoned(advisory=advisory)
    ids = list(Run.objects.filter(interface=interface, job=job, status=Run.Status.RUNNING)
               .values_list("pk", flat=True))
    if not ids:
        return []
    # Conditional on RUNNING: a run that ended meanwhile keeps its own outcome.
    now = timezone.now()
    Run.objects.filter(pk__in=ids, status=Run.Status.RUNNING).update(
        status=Run.Status.ERROR, finished_at=now, messages=[message], email=Run.Email.SENT,
        problems=problems_fingerprint([message]), problems_since=now, problems_emailed_at=now)
    for run_id in ids:
        logger.warning("Run %s (%s, interface %s) abandoned: its worker stopped", run_id, job,
                       interface.pk)
        transaction.on_commit(partial(run_notify, run_id=run_id))
    return ids


def runs_abandoned_check() -> list[int]:
    """Every (interface, job) with a RUNNING run: if its lock can be taken, nobody runs it any
    more (PostgreSQL released the dead session's advisory lock; on SQLite the lock row's
    heartbeat stopped for SCHEDULES_LOCK_TTL) and its runs are abandoned. The ids."""
    pairs = (Run.objects.filter(status=Run.Status.RUNNING)
             .values_list("interface_id", "job").distinct().order_by())
    abandoned = []
    for interface_id, job in list(pairs):
        with job_lock(interface_id=interface_id, job=job) as lock:
            if not lock.acquired:
                continue  # a worker holds it: the run is alive
            interface = (ExternalSalesInterface.objects.select_related("institution")
                         .get(pk=interface_id))
            abandoned += runs_abandon(interface=interface, job=job, advisory=lock.advisory)
    return abandoned
