"""What the schedules app's admin modules share (an admin module never imports another): the
address of the page that follows a queued job until its run exists, then shows it."""

from django.urls import reverse


def follow_url(*, interface_id: int, task_id: str, job: str) -> str:
    """The page that waits for a queued job's run (see `InterfaceJobsMixin.follow_run_view`)."""
    return (reverse("admin:channels_externalsalesinterface_follow_run",
                    args=[interface_id, task_id]) + f"?job={job}")
