"""A reconciliation: Ticketnet's tickets for a period or a performance against ours.

Ticketnet's side comes from its web services (the ticket listing) or from its fixed-width
sales statement; `schedules` reads either through the gateway and hands the lines here.
A reconciliation is kept with the differences it found, so that finance can show what was
compared, from which source, and the follow-up operators are told only when the
differences appear or change (`fingerprint`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalSalesInterface


class Reconciliation(models.Model):
    institution_path = "interface__institution"

    class Source(models.TextChoices):
        WEB_SERVICES = "web_services", _("Ticketnet's web services")
        STATEMENT = "statement", _("Ticketnet's sales statement")

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="reconciliations",
        verbose_name=_("interface"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    statement_name = models.CharField(
        _("statement file"), max_length=255, blank=True,
        help_text=_("The statement's file name, when Ticketnet's side came from one."),
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    performance = models.ForeignKey(
        "catalog.Performance", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("performance"),
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ticketnet_lines = models.PositiveIntegerField(_("Ticketnet's tickets"), default=0)
    our_tickets = models.PositiveIntegerField(_("our tickets"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    # Differences by kind, e.g. {"missing_here": 3, "price_differs": 1}.
    counts = models.JSONField(_("differences by kind"), default=dict, blank=True)
    # A digest of the differences (kind and ticket), to email only when they appear or change.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["interface", "-started_at"], name="reconciliation_recent")]

    def __str__(self):
        return f"{self.interface} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def differences_total(self) -> int:
        return sum(self.counts.values())


class Difference(models.Model):
    """One ticket on which the two sides disagree. Never a silent skip: an unknown code is one."""

    institution_path = "reconciliation__interface__institution"

    class Kind(models.TextChoices):
        MISSING_HERE = "missing_here", _("Missing here")
        EXTRA_HERE = "extra_here", _("Extra here")
        STATE_DIFFERS = "state_differs", _("State differs")
        PRICE_DIFFERS = "price_differs", _("Price differs")
        UNKNOWN_CODE = "unknown_code", _("Unknown code")

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="differences",
        verbose_name=_("reconciliation"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ticket_number = models.CharField(_("Ticketnet ticket number"), max_length=32)
    ticket = models.ForeignKey(
        "sales.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("our ticket"),
    )
    parked = models.ForeignKey(
        "sales.ParkedOperation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("parked line"),
    )
    ticketnet_state = models.CharField(_("state at Ticketnet"), max_length=16, blank=True)
    our_state = models.CharField(_("our state"), max_length=16, blank=True)
    ticketnet_price_cents = models.IntegerField(_("Ticketnet's price (cents)"), null=True,
                                                blank=True)
    our_price_cents = models.IntegerField(_("our price (cents)"), null=True, blank=True)
    # Why, as a message code and its parameters, rendered in the reader's language.
    reason = models.CharField(_("reason"), max_length=48, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("difference")
        verbose_name_plural = _("differences")
        ordering = ["kind", "ticket_number"]
        indexes = [models.Index(fields=["reconciliation", "kind"], name="difference_by_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.ticket_number}"
