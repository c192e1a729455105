"""The codes Ticketnet knows: locked by the catalogue export that sent them, changed only when the
operator records that Ticketnet confirmed the change (each change kept, its old code reserved)."""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalSalesInterface
from channels.validators import validate_plain_text

# The guide's reason, given wherever a locked code is changed or deleted.
LOCKED_REASON = _(
    "Exported codes cannot be changed: Ticketnet keeps the event as it was sent. Call Ticketnet "
    "to change it on their side, then record their confirmation."
)


class KnownCode(models.Model):
    """A correspondence whose code a catalogue export sent to Ticketnet: from then on its code
    is what Ticketnet knows, and it changes only through a recorded confirmation.

    RESTRICT: the correspondence, and through it the catalogue object it names, cannot be
    deleted while Ticketnet knows the code (deleting the whole interface still can)."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="known_codes",
        verbose_name=_("interface"),
    )
    correspondence = models.OneToOneField(
        "mappings.Correspondence", on_delete=models.RESTRICT, related_name="known_code",
        verbose_name=_("correspondence"),
    )
    code = models.CharField(_("code Ticketnet knows"), max_length=200)
    since = models.DateTimeField(_("known since"))
    manifestation_code = models.CharField(
        _("sent in manifestation"), max_length=16,
        help_text=_("The manifestation of the catalogue export that first sent the code."),
    )
    run_id = models.PositiveBigIntegerField(
        _("export run"), null=True, blank=True,
        help_text=_("The run of that catalogue export."),
    )

    class Meta:
        verbose_name = _("code known to Ticketnet")
        verbose_name_plural = _("codes known to Ticketnet")
        ordering = ["interface", "correspondence__kind", "code"]

    def __str__(self):
        # Shown by the admin when it refuses to delete the object: the reason is in it.
        return _("%(kind)s “%(object)s” → %(code)s, sent to Ticketnet on %(since)s: call "
                 "Ticketnet to change it") % {
            "kind": self.correspondence.get_kind_display(),
            "object": self.correspondence.target, "code": self.code,
            "since": formats.date_format(timezone.localtime(self.since), "SHORT_DATE_FORMAT"),
        }


class KnownCodeChange(models.Model):
    """One change of a code Ticketnet knows, and why it was allowed. Never edited: the old code
    stays reserved, and Ticketnet's sales under it still find the object."""

    class Source(models.TextChoices):
        CONFIRMED = "confirmed", _("Ticketnet confirmed the change")
        BEFORE_LOCK = "before_lock", _("Changed after the export, before codes were locked")

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("interface"),
    )
    known_code = models.ForeignKey(
        KnownCode, on_delete=models.CASCADE, related_name="changes",
        verbose_name=_("code known to Ticketnet"),
    )
    old_code = models.CharField(_("old code"), max_length=200)
    new_code = models.CharField(_("new code"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices,
                              default=Source.CONFIRMED)
    ticketnet_reference = models.CharField(
        _("Ticketnet's reference"), max_length=200, blank=True,
        validators=[validate_plain_text],
        help_text=_("What Ticketnet gave to confirm the change: their ticket or e-mail "
                    "reference, the name of the person who confirmed it."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    # Kept when the user is deleted: the history says who, whatever happens to accounts.
    recorded_by_name = models.CharField(_("recorded by (name)"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("change of a code known to Ticketnet")
        verbose_name_plural = _("changes of codes known to Ticketnet")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["interface", "old_code"])]

    def __str__(self):
        return f"{self.old_code} → {self.new_code}"
