"""How a run reads on a page: its duration, its progress (done, total, rate, time left), a
short summary of its parameters, and the live figures the run pages poll while it runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import Event

from .counts import counts_rows, headline_counts
from .framework.models import Job, Run
from .framework.notify import TELLS, problems_last_told

# What a job's progress counts, for its rate ("120 operations per second").
PROGRESS_UNITS = {
    Job.SALES_INTEGRATION: gettext_lazy("operations"),
    Job.ALLOTMENT_EXPORT: gettext_lazy("seats"),
    Job.CATALOG_EXPORT: gettext_lazy("manifestations"),
    Job.QUOTA_SYNC: gettext_lazy("zones"),
    Job.FLAT_FILE_IMPORT: gettext_lazy("files"),
    Job.RECONCILIATION: gettext_lazy("tickets"),
}
SUMMARY_TEXT_MAX = 80


def seconds_text(seconds: float) -> str:
    seconds = max(seconds, 0)
    if seconds < 1:
        return _("%(ms)d ms") % {"ms": round(seconds * 1000)}
    if seconds < 60:
        return _("%(s)s s") % {"s": formats.number_format(round(seconds, 1), 1)}
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": seconds}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}


def duration(run: Run) -> str:
    """How long a finished run took; "" while it runs."""
    if run.finished_at is None:
        return ""
    return seconds_text((run.finished_at - run.started_at).total_seconds())


@dataclass
class Progress:
    """A run's progress as the page shows it; `total` None while the job does not know it
    (an indeterminate bar, with the rate)."""

    done: int
    total: int | None
    elapsed: float  # seconds, from the start to the last report (or the end)
    running: bool
    unit: str

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.total == 0 and not self.running else None
        return min(100, round(100 * self.done / self.total))

    @property
    def bar(self) -> tuple[int, int | None] | None:
        """(max, value) of the progress bar; value None: indeterminate; None: no bar (a
        finished run that never said how much it had to do)."""
        if self.total:
            return self.total, min(self.done, self.total)
        return (1, None) if self.running else None

    @property
    def rate(self) -> float | None:
        """Items per second, once there is something to measure."""
        if self.done <= 0 or self.elapsed <= 0:
            return None
        return self.done / self.elapsed

    @property
    def seconds_left(self) -> float | None:
        if not self.running or not self.total or not self.rate:
            return None
        return max(self.total - self.done, 0) / self.rate

    @property
    def text(self) -> str:
        if self.total:
            return f"{self.done} / {self.total} ({self.percent} %)"
        return f"{self.done} {self.unit}".strip() if self.done else "—"

    @property
    def short_text(self) -> str:
        """For a list's narrow column: the share done, or the count while the total is
        unknown."""
        if self.total:
            return f"{self.percent} %"
        return str(self.done) if self.done else "—"

    @property
    def rate_text(self) -> str:
        rate = self.rate
        if rate is None or not self.unit:  # a rate of steps or of "items" says nothing
            return ""
        for per, factor in ((_("per second"), 1), (_("per minute"), 60), (_("per hour"), 3600)):
            if rate * factor >= 1 or factor == 3600:
                value = number_format(round(rate * factor, 1), 1 if rate * factor < 10 else 0,
                                      force_grouping=True)
                return _("%(rate)s %(unit)s %(per)s") % {"rate": value, "unit": self.unit,
                                                         "per": per}
        return ""

    @property
    def left_text(self) -> str:
        left = self.seconds_left
        return _("about %(time)s left") % {"time": seconds_text(left)} if left else ""


def progress_of(run: Run, *, now: dt.datetime | None = None) -> Progress:
    running = run.status == Run.Status.RUNNING
    until = run.finished_at or (run.progress_updated_at if running else None) or (
        now or timezone.now())
    return Progress(done=run.progress_done, total=run.progress_total,
                    elapsed=max((until - run.started_at).total_seconds(), 0), running=running,
                    unit=str(PROGRESS_UNITS.get(run.job, "")))


def elapsed_text(run: Run, *, now: dt.datetime | None = None) -> str:
    """The duration of a finished run, "running for …" of a running one."""
    if run.finished_at is not None:
        return duration(run)
    seconds = ((now or timezone.now()) - run.started_at).total_seconds()
    return _("running for %(time)s") % {"time": seconds_text(seconds)}


def summary_text(run: Run) -> str:
    """A run's main counts on one short line, for a list."""
    return " · ".join(f"{label} {n}" for label, n in headline_counts(run.counts, limit=3))


def run_live(run: Run, *, now: dt.datetime | None = None) -> dict:
    """What the run pages poll while a run is running (small: no messages)."""
    now = now or timezone.now()
    progress = progress_of(run, now=now)
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "running": progress.running,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "text": progress.text,
        "short": progress.short_text,
        "rate": progress.rate_text,
        "left": progress.left_text,
        "bar": progress.bar,
        "duration": elapsed_text(run, now=now),
        "counts": counts_rows(run.counts),
        "summary": summary_text(run),
    }


# Parameters ---------------------------------------------------------------------------------


@dataclass
class Parameter:
    label: str
    value: str
    url: str = ""


def params_summary(run: Run) -> list[Parameter]:
    """The run's parameters in a few words each: an event by its code and name, a list of
    ids by its length behind a link, long values cut."""
    rows = []
    for key, value in (run.params or {}).items():
        if key == "event_id":
            rows.append(_event(run, value))
        elif key == "parked_operation_ids" and isinstance(value, list):
            rows.append(Parameter(
                _("Parked lines"),
                ngettext("%(n)s line", "%(n)s lines", len(value)) % {
                    "n": number_format(len(value), force_grouping=True)},
                reverse("admin:sales_parkedoperation_changelist") + f"?run={run.pk}"))
        elif key == "dry_run":
            rows.append(Parameter(_("Dry run"), _("yes") if value else _("no")))
        elif key == "reconciliation":
            # The reconciliation the run saved, on its interface's finance page.
            rows.append(Parameter(_("Reconciliation"), f"#{value}", reverse(
                "admin:channels_externalsalesinterface_reconciliation",
                args=[run.interface_id]) + f"?reconciliation={value}#reconciliation"))
        elif key == "statement":
            continue  # the file's place on the server: its name is said beside
        else:
            rows.append(Parameter(PARAM_LABELS.get(key, key.replace("_", " ")),
                                  _value_text(value)))
    return rows


PARAM_LABELS = {
    "event": gettext_lazy("Event"),
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "performance": gettext_lazy("Performance"),
    "statement_name": gettext_lazy("Sales statement"),
    "since": gettext_lazy("Journal listed again from"),
    "path": gettext_lazy("File"),
    "page_size": gettext_lazy("Page size"),
    "schedule": gettext_lazy("Schedule"),
}


def _event(run: Run, value) -> Parameter:
    event = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        event = Event.objects.filter(pk=int(value), institution_id=run.interface.institution_id
                                     ).only("pk", "code", "name").first()
    if event is None:
        return Parameter(_("Event"), _("event %(id)s (no longer exists)") % {"id": value})
    return Parameter(_("Event"), f"{event.code} — {event.name}",
                     reverse("admin:catalog_event_change", args=[event.pk]))


def _value_text(value) -> str:
    if isinstance(value, list | tuple):
        return ngettext("%(n)s value", "%(n)s values", len(value)) % {
            "n": number_format(len(value), force_grouping=True)}
    if isinstance(value, dict):
        return ngettext("%(n)s entry", "%(n)s entries", len(value)) % {"n": len(value)}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    return text if len(text) <= SUMMARY_TEXT_MAX else text[:SUMMARY_TEXT_MAX - 1] + "…"


@dataclass(frozen=True)
class EmailSaid:
    text: str
    url: str = ""
    link_text: str = ""


def email_said(run: Run) -> EmailSaid | None:
    """What the run's end told the follow-up operators, or why it did not: one line of the run's
    page (with a link to the run that did email these problems, for one that did not)."""
    if run.status in (Run.Status.RUNNING, Run.Status.SKIPPED):
        return None
    if (run.params or {}).get("dry_run"):
        return EmailSaid(_("Not sent: a dry run changes nothing."))
    if run.email in TELLS:
        if not run.interface.followup_email_list:
            return EmailSaid(_("Not sent: the interface has no follow-up email address."))
        return EmailSaid({
            Run.Email.SENT: _("Sent to the follow-up operators."),
            Run.Email.REMINDER: _("The daily reminder of these open problems was sent to the "
                                  "follow-up operators."),
            Run.Email.RECOVERY: _("The recovery was sent to the follow-up operators."),
        }[run.email])
    if run.email == Run.Email.FAILED:
        return EmailSaid(_("Not sent: the mail server refused it (see the server logs). The "
                           "next run left with these problems emails them."))
    if run.email == Run.Email.HELD:
        told = problems_last_told(run)
        when = formats.date_format(timezone.localtime(run.problems_emailed_at),
                                   "DATETIME_FORMAT") if run.problems_emailed_at else "?"
        return EmailSaid(
            _("Not sent: the same problems were emailed with run #%(run)s on %(when)s; they are "
              "reminded once a day while they stay open.") % {"run": told or "?", "when": when},
            reverse("admin:schedules_run_change", args=[told]) if told else "",
            f"#{told}" if told else "")
    return EmailSaid(_("Nothing to tell."))
