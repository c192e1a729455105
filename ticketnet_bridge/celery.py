"""The Celery application; tasks live in each app's tasks.py and stay thin."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")

app = Celery("ticketnet_bridge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Celery logs and swallows a signal handler's exception: SystemExit is what stops the start.
@signals.worker_init.connect
def _check_before_working(**kwargs):
    from .startup import refuse_to_start_on_failed_checks

    refuse_to_start_on_failed_checks("worker")


@signals.beat_init.connect
def _check_before_scheduling(**kwargs):
    from .startup import refuse_to_start_on_failed_checks

    refuse_to_start_on_failed_checks("beat")
