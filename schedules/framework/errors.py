"""Typed outcomes a job raises; the runner turns them into a run's status and messages."""

from celery.exceptions import SoftTimeLimitExceeded

from texts import is_text, render

# Celery's soft time limit, raised in the job wherever it is: a job that catches Exception must
# let it through (the run is stopping).
TimeLimitReached = SoftTimeLimitExceeded


class JobError(Exception):
    """A job stopped for a reason the operator can act on: `text` and `action` are shown
    and emailed, so they carry no credential; each is a stored text (`texts.text`, rendered in
    its reader's language) or a string already translated."""

    def __init__(self, text, action=""):
        super().__init__(render(text))
        self.text = text if is_text(text) else str(text)
        self.action = action if is_text(action) else str(action or "")


class RetryLater(JobError):
    """Try again later (Ticketnet unreachable…): the run ends ERROR and, under Celery, the task
    is retried with exponential backoff. `run_id`: the run it ended, once recorded."""

    run_id: int | None = None


class UnknownJob(LookupError):
    """No function is registered for this job name."""


class JobQueueUnavailable(Exception):
    """The message broker did not take the job: nothing was started (no run exists for it)."""
