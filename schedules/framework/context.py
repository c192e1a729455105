"""What a job function receives: its run, interface and parameters, and a reporter for
progress, counts and messages (the run's outcome is derived from the messages)."""

import time
from typing import Any

from django.utils import timezone

from channels.models import ExternalSalesInterface
from texts import is_text, render

from .models import Run

INFO, WARNING, ERROR = "info", "warning", "error"
PROGRESS_EVERY_SECONDS = 1.0


def message_entry(level: str, text, action="") -> dict:
    """A run's message as stored (see `JobContext.message`)."""
    entry = {"level": level, "text": render(text), "action": render(action or "")}
    if is_text(text):
        entry["t"] = text
    if is_text(action):
        entry["a"] = action
    return entry


def message_shown(message: dict) -> dict:
    """A stored message as its reader reads it: its texts rendered in the active language."""
    shown = dict(message)
    if is_text(message.get("t")):
        shown["text"] = render(message["t"])
    if is_text(message.get("a")):
        shown["action"] = render(message["a"])
    return shown


class JobContext:
    def __init__(self, *, run: Run, interface: ExternalSalesInterface, lock=None):
        self.run = run
        self.interface = interface
        self.params: dict[str, Any] = dict(run.params or {})
        self.trigger = run.trigger
        self.counts: dict[str, int] = {}
        self.messages: list[dict[str, str]] = []
        self._lock = lock
        self._last_progress = 0.0

    @property
    def dry_run(self) -> bool:
        return bool(self.params.get("dry_run"))

    # Reporting -------------------------------------------------------------------------

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def add_counts(self, counts: dict[str, int]) -> None:
        for name, n in counts.items():
            self.count(name, n)

    def message(self, level: str, text, action="") -> None:
        """Record a message: `text` and `action` are strings or stored texts (`texts.text`).
        A stored text is kept as such ("t", "a"), and pages render it in their reader's
        language; "text" and "action" hold it in the language of the run (the institution's),
        for the emails and the commands' output."""
        self.messages.append(message_entry(level, text, action))

    def info(self, text, action="") -> None:
        self.message(INFO, text, action)

    def warning(self, text, action="") -> None:
        """Something was parked or refused: the run ends WARNING and the operators are told."""
        self.message(WARNING, text, action)

    def error(self, text, action="") -> None:
        self.message(ERROR, text, action)

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        """Record progress (at most once a second) so the admin shows long work moving.
        Call it between committed batches: inside a transaction it is not visible."""
        now = time.monotonic()
        finished = total is not None and done >= total
        if not (force or finished or now - self._last_progress >= PROGRESS_EVERY_SECONDS):
            return
        self._last_progress = now
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        Run.objects.filter(pk=self.run.pk).update(
            progress_done=done,
            progress_total=self.run.progress_total,
            progress_updated_at=timezone.now(),
            counts=self.counts,
        )
        if self._lock is not None:
            self._lock.refresh()

    # Outcome -----------------------------------------------------------------------------

    def status(self) -> str:
        levels = {m["level"] for m in self.messages}
        if ERROR in levels:
            return Run.Status.ERROR
        if WARNING in levels:
            return Run.Status.WARNING
        return Run.Status.OK
