"""The log of job runs ("programmations" executed), and the lock rows used where PostgreSQL's
advisory locks are not available. `Job` names every job a run may be of."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalSalesInterface
from credentials.reporting import mask_secrets_in


class Job(models.TextChoices):
    CATALOG_EXPORT = "catalog_export", _("Catalogue export")
    ALLOTMENT_EXPORT = "allotment_export", _("Allotment export")
    SALES_INTEGRATION = "sales_integration", _("Sales integration")
    QUOTA_SYNC = "quota_sync", _("Quota sync")
    FLAT_FILE_IMPORT = "flat_file_import", _("Flat-file import")
    INTERFACE_TEST = "interface_test", _("Interface test")
    RECONCILIATION = "reconciliation", _("Reconciliation")


class Run(models.Model):
    institution_path = "interface__institution"

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Manual")
        SCHEDULED = "scheduled", _("Scheduled")
        RETRY = "retry", _("Retry")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")
        SKIPPED = "skipped", _("Skipped")

    class Email(models.TextChoices):
        """What the run's end told the follow-up operators (see `notify.email_plan`)."""
        NONE = "", _("Nothing to tell")
        SENT = "sent", _("Sent")
        HELD = "held", _("Not sent: same problems as already emailed")
        REMINDER = "reminder", _("Daily reminder sent")
        RECOVERY = "recovery", _("Recovery sent")
        FAILED = "failed", _("The mail server refused it")

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="runs",
        verbose_name=_("interface"),
    )
    job = models.CharField(_("job"), max_length=32, choices=Job.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    messages = models.JSONField(
        _("messages"), default=list, blank=True,
        help_text=_("Each message: level, text and what to do."),
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("to do"), null=True, blank=True)
    progress_updated_at = models.DateTimeField(_("progress updated"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(
        _("attempt"), default=0, help_text=_("0 for the first try, then one per retry.")
    )
    celery_task_id = models.CharField(_("Celery task"), max_length=64, blank=True)
    email = models.CharField(_("email"), max_length=16, choices=Email.choices, blank=True,
                             default=Email.NONE)
    problems = models.CharField(
        _("problems"), max_length=64, blank=True,
        help_text=_("A fingerprint of the warnings and errors the run ended with: the same "
                    "problems as the run before are not emailed again the same day."))
    problems_since = models.DateTimeField(
        _("problems open since"), null=True, blank=True,
        help_text=_("When these same problems were first emailed."))
    problems_emailed_at = models.DateTimeField(
        _("problems last emailed"), null=True, blank=True,
        help_text=_("When these same problems were last emailed (first email or reminder)."))

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["interface", "job", "-started_at"], name="run_interface_job"),
            models.Index(fields=["status", "-started_at"], name="run_status"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_job_display()} — {self.get_status_display()}"

    def save(self, *args, **kwargs):
        # A message may quote an exception or Ticketnet's answer: stored with every known
        # password masked, so that neither the admin nor the emails can show one.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "messages" in update_fields:
            self.messages = mask_secrets_in(self.messages)
        super().save(*args, **kwargs)

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class JobLock(models.Model):
    """One run per interface and job at a time, where there are no advisory locks (SQLite):
    a row with an expiry, so a worker that died does not hold the lock for ever."""

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("interface"),
    )
    job = models.CharField(_("job"), max_length=32)
    token = models.CharField(_("token"), max_length=64)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")
        constraints = [
            models.UniqueConstraint(fields=["interface", "job"], name="job_lock_unique"),
        ]

    def __str__(self):
        return f"{self.job} @ {self.interface_id} until {self.expires_at:%Y-%m-%d %H:%M}"
