"""What the Ticketnet jobs record: the manifestations a catalogue export sent, the flat files
integrated, and where each interface's sales integration stands in Ticketnet's journal."""

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalSalesInterface

from ..framework.models import Run


class ExportedManifestation(models.Model):
    """A manifestation sent to Ticketnet by a catalogue export: one per event (per performance
    for a competition) and interface, whatever its code becomes, never sent again (only a phone
    call to Ticketnet changes it). The allotment export and the quota sync work from these
    records: the performance codes Ticketnet knows are the ones sent."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="exported_manifestations",
        verbose_name=_("interface"),
    )
    manifestation_code = models.CharField(_("manifestation code"), max_length=16)
    # PROTECT: Ticketnet keeps selling an exported event; deleting it here would lose the
    # link between Ticketnet's sales and the catalogue.
    event = models.ForeignKey(
        "catalog.Event", on_delete=models.PROTECT, related_name="exported_manifestations",
        verbose_name=_("event"),
    )
    performance = models.ForeignKey(
        "catalog.Performance", on_delete=models.PROTECT, null=True, blank=True,
        related_name="exported_manifestations", verbose_name=_("performance"),
        help_text=_("The performance of a competition (one manifestation per performance)."),
    )
    performances = models.JSONField(
        _("performances sent"), default=list,
        help_text=_("Each performance sent: its id and its Ticketnet performance code."),
    )
    run = models.ForeignKey(
        Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("run"),
    )
    exported_at = models.DateTimeField(_("exported"))
    payload_hash = models.CharField(
        _("payload hash"), max_length=64, help_text=_("SHA-256 of what was sent.")
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    sent_objects = models.JSONField(
        _("objects sent"), default=dict, blank=True,
        help_text=_("The ids of what the manifestation held, by kind (configuration, zone, "
                    "category, tariff): what was added since is not known to Ticketnet."),
    )

    class Meta:
        verbose_name = _("exported manifestation")
        verbose_name_plural = _("exported manifestations")
        ordering = ["interface", "manifestation_code"]
        constraints = [
            # The record, not the code, says an event was sent: a code changed since does not
            # make it exportable again.
            models.UniqueConstraint(
                fields=["interface", "event"], condition=models.Q(performance__isnull=True),
                name="exported_event_once",
            ),
            models.UniqueConstraint(
                fields=["interface", "performance"],
                condition=models.Q(performance__isnull=False),
                name="exported_performance_once",
            ),
        ]
        indexes = [models.Index(fields=["interface", "event"], name="exported_by_event")]

    def __str__(self):
        # Shown by the admin when it refuses to delete the event.
        return _("Manifestation %(code)s, sent to Ticketnet on %(when)s: call Ticketnet to "
                 "change it") % {
            "code": self.manifestation_code,
            "when": formats.date_format(timezone.localtime(self.exported_at),
                                        "SHORT_DATE_FORMAT"),
        }


class ImportedFlatFile(models.Model):
    """A flat file whose content was integrated: the same content is never integrated twice."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="imported_flat_files",
        verbose_name=_("interface"),
    )
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    name = models.CharField(_("file name"), max_length=255)
    run = models.ForeignKey(
        Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="imported_files",
        verbose_name=_("run"),
    )
    imported_at = models.DateTimeField(_("imported at"))
    lines = models.PositiveIntegerField(_("lines"))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("imported flat file")
        verbose_name_plural = _("imported flat files")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "sha256"], name="flat_file_imported_once"
            ),
        ]

    def __str__(self):
        return self.name


class IntegrationCursor(models.Model):
    """Where an interface's sales integration stands in Ticketnet's journal: the `nextCursor`
    of the last page whose operations are committed (stored in that page's transaction)."""

    institution_path = "interface__institution"

    interface = models.OneToOneField(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="integration_cursor",
        verbose_name=_("interface"),
    )
    cursor = models.TextField(
        _("cursor"), blank=True,
        help_text=_("Ticketnet's opaque cursor; empty: from the first operation."),
    )
    operations = models.PositiveBigIntegerField(
        _("operations read"), default=0,
        help_text=_("Operations read from Ticketnet through this cursor."),
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("sales integration cursor")
        verbose_name_plural = _("sales integration cursors")

    def __str__(self):
        return f"{self.interface} @ {self.operations}"
