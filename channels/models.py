"""The tenant and its sales set-up for Ticketnet: channel, point of sale, external quota,
technical contact and the external sales interface (the guide's "Paramétrage filière et
interface")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials import crypto

from . import validators as check
from .rules import (
    FieldErrors,
    chosen,
    institution_field,
    require_same_institution,
    unique_per_institution,
)

PLAIN = [check.validate_plain_text]  # names and codes: no control or bidirectional characters
# Shared by the point of sale, the quota and the interface: one msgid in the catalogue.
CHANNEL_OF_ANOTHER_INSTITUTION = _("The sales channel belongs to another institution.")


class Institution(models.Model):
    """The tenant ("organisme"): every object of the bridge belongs to exactly one."""

    institution_path = "pk"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=PLAIN)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the notification emails sent to follow-up operators."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="institutions",
        blank=True,
        verbose_name=_("members"),
        help_text=_("Staff users who see and edit this institution's objects."),
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SalesChannel(models.Model):
    class Kind(models.TextChoices):
        TICKETNET_AUTOMATIC = "ticketnet_automatic", _("Ticketnet automatic")
        TICKETNET_VISIT_PASS = "ticketnet_visit_pass", _("Ticketnet visit pass")
        FLAT_FILE = "flat_file", _("Flat file (undated passes)")

    institution = institution_field(related_name="channels")
    name = models.CharField(_("name"), max_length=100, validators=PLAIN)
    kind = models.CharField(
        _("kind"), max_length=32, choices=Kind.choices, default=Kind.TICKETNET_AUTOMATIC
    )
    accepts_third_party_tickets = models.BooleanField(
        _("accepts third-party tickets"),
        default=True,
        help_text=_("Ticketnet prints its own tickets: the channel must accept them."),
    )
    is_external = models.BooleanField(_("external"), default=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["institution", "name"]
        constraints = [unique_per_institution("name", name="channel_unique_name_per_institution")]

    def __str__(self):
        return self.name


class PointOfSale(models.Model):
    class PaymentMode(models.TextChoices):
        PENDING_ACCOUNT = "pending_account", _("Pending account")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        TRANSFER = "transfer", _("Bank transfer")

    institution = institution_field(related_name="points_of_sale")
    code = models.CharField(_("code"), max_length=16, help_text=_("For example TKN."),
                            validators=PLAIN)
    name = models.CharField(_("name"), max_length=100, blank=True, validators=PLAIN)
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="points_of_sale",
        verbose_name=_("sales channel"),
    )
    payment_mode = models.CharField(
        _("payment mode"), max_length=32, choices=PaymentMode.choices,
        default=PaymentMode.PENDING_ACCOUNT,
    )

    class Meta:
        verbose_name = _("point of sale")
        verbose_name_plural = _("points of sale")
        ordering = ["institution", "code"]
        constraints = [unique_per_institution("code", name="pos_unique_code_per_institution")]

    def __str__(self):
        return self.code

    def clean(self):
        require_same_institution(
            "channel", self, chosen(self, "channel"), message=CHANNEL_OF_ANOTHER_INSTITUTION
        )


class ExternalQuota(models.Model):
    """Seats (numbered) or places (non-numbered) set aside for an external channel."""

    institution = institution_field(related_name="external_quotas")
    name = models.CharField(_("name"), max_length=100, validators=PLAIN)
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="quotas",
        verbose_name=_("sales channel"),
    )

    class Meta:
        verbose_name = _("external quota")
        verbose_name_plural = _("external quotas")
        ordering = ["institution", "name"]
        constraints = [unique_per_institution("name", name="quota_unique_name_per_institution")]

    def __str__(self):
        return self.name

    def clean(self):
        require_same_institution(
            "channel", self, chosen(self, "channel"), message=CHANNEL_OF_ANOTHER_INSTITUTION
        )


class Contact(models.Model):
    """The technical contact every Ticketnet sale is booked on."""

    institution = institution_field(related_name="contacts")
    name = models.CharField(_("name"), max_length=100, help_text=_("For example TICKETNET."),
                            validators=PLAIN)
    email = models.EmailField(_("email"), blank=True)
    pending_account_allowed = models.BooleanField(
        _("pending account allowed"),
        default=False,
        help_text=_("Sales booked on this contact may be paid on the pending account."),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["institution", "name"]
        constraints = [unique_per_institution("name", name="contact_unique_name_per_institution")]

    def __str__(self):
        return self.name


class ExternalSalesInterface(models.Model):
    """The link with one Ticketnet instance: its web services at <IP>:<Port> and its rules."""

    class InterfaceType(models.TextChoices):
        EXTERNAL_SALES = "external_sales", _("External sales")

    class PricePolicy(models.TextChoices):
        ERROR = "error", _("Error on price difference")
        IGNORE = "ignore", _("Ignore reseller price")
        USE = "use", _("Use reseller price")

    class StatementAmounts(models.TextChoices):  # docs/statement-file.md: never guessed
        DECIMAL_POINT = "DECIMAL_POINT", _("45.00 (decimal point)")
        DECIMAL_COMMA = "DECIMAL_COMMA", _("45,00 (decimal comma)")
        CENTS = "CENTS", _("4500 (in cents)")

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    institution = institution_field(related_name="interfaces")
    interface_type = models.CharField(
        _("interface type"), max_length=32, choices=InterfaceType.choices,
        default=InterfaceType.EXTERNAL_SALES,
    )
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="interfaces",
        verbose_name=_("external channel"),
    )
    internal_name = models.CharField(
        _("internal name"), max_length=100, help_text=_("For example FR * Ticketnet."),
        validators=PLAIN,
    )
    url = models.CharField(
        _("URL"), max_length=255, validators=[check.validate_host_port],
        # No angle brackets: the admin renders help texts as HTML.
        help_text=_("Ticketnet's server as IP:port, without http:// or a path, "
                    "for example 195.115.9.79:712."),
    )
    login = models.CharField(_("login"), max_length=100, validators=PLAIN)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="interfaces",
        verbose_name=_("contact"),
    )
    pending_account = models.BooleanField(
        _("pending account"), default=True,
        help_text=_("Ticketnet sales are paid on the pending account: must be on."),
    )
    point_of_sale = models.ForeignKey(
        PointOfSale, on_delete=models.PROTECT, related_name="interfaces",
        verbose_name=_("point of sale"),
    )
    external_quota = models.ForeignKey(
        ExternalQuota, on_delete=models.PROTECT, related_name="interfaces",
        verbose_name=_("external quota"),
        help_text=_("The seats and places set aside for Ticketnet."),
    )
    price_policy = models.CharField(
        _("reseller prices"), max_length=16, choices=PricePolicy.choices,
        default=PricePolicy.ERROR, help_text=_("Recommended: error on price difference."),
    )
    statement_amounts = models.CharField(
        _("amounts in sales statements"), max_length=16, choices=StatementAmounts.choices,
        default=StatementAmounts.DECIMAL_POINT,
        help_text=_("How Ticketnet's sales statements write amounts: the reconciliation reads "
                    "them so and refuses, by line number, a line written otherwise."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VISIBLE
    )
    followup_emails = models.CharField(
        _("recipients of error notifications"), max_length=1000, blank=True,
        validators=[check.validate_email_list],
        help_text=_("Follow-up operators emailed when a run ends in warning or error, "
                    "separated by semicolons."),
    )
    client_name = models.CharField(_("client name"), max_length=100, validators=PLAIN)
    institution_code = models.CharField(_("institution code"), max_length=32,
                                        validators=[check.validate_ticketnet_integer])
    server_name = models.CharField(_("server name"), max_length=100, blank=True, validators=PLAIN)
    flat_files_undated_passes = models.BooleanField(
        _("flat files for undated passes"), default=False,
        help_text=_("Ticketnet delivers the sales of undated passes as CSV flat files."),
    )
    flat_files_visit_passes = models.BooleanField(
        _("flat files for visit passes"), default=False,
        help_text=_("Ticketnet delivers the sales of visit passes as CSV flat files."),
    )
    flat_file_folder = models.CharField(
        _("flat-file drop folder"), max_length=500, blank=True,
        help_text=_("Absolute path of the folder where Ticketnet's flat files arrive; processed "
                    "files move to its “archive” subfolder, refused files to its “rejected” "
                    "subfolder."),
    )

    class Meta:
        verbose_name = _("external sales interface")
        verbose_name_plural = _("external sales interfaces")
        ordering = ["institution", "internal_name"]
        constraints = [
            unique_per_institution("internal_name", name="interface_unique_name_per_institution"),
        ]

    def __str__(self):
        return self.internal_name

    # Credentials -----------------------------------------------------------------------

    def set_password(self, raw_password: str) -> None:
        self.password_encrypted = crypto.encrypt(raw_password)

    def get_password(self) -> str:
        """The clear password, for the gateway only; raises CredentialDecryptionError."""
        if not self.password_encrypted:
            return ""
        return crypto.decrypt(self.password_encrypted)

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)

    @property
    def takes_flat_files(self) -> bool:
        return self.flat_files_undated_passes or self.flat_files_visit_passes

    @property
    def followup_email_list(self) -> list[str]:
        return [e.strip() for e in self.followup_emails.split(";") if e.strip()]

    # Validation --------------------------------------------------------------------------

    def clean(self):
        errors = FieldErrors()
        add = errors.add
        if not self.pending_account:
            add(
                "pending_account",
                _("Ticketnet sales are paid on the pending account: it must be on."),
            )
        if self.channel_id:
            channel = self.channel
            errors.require_same_institution(
                "channel", self, channel, message=CHANNEL_OF_ANOTHER_INSTITUTION
            )
            if not channel.accepts_third_party_tickets:
                add(
                    "channel",
                    _("The channel “%(channel)s” must accept third-party tickets.")
                    % {"channel": channel.name},
                )
        if self.contact_id:
            contact = self.contact
            errors.require_same_institution(
                "contact", self, contact,
                message=_("The contact belongs to another institution."),
            )
            if not contact.pending_account_allowed:
                add(
                    "contact",
                    _(
                        "The contact “%(contact)s” is not allowed the pending account: "
                        "allow it on the contact first."
                    )
                    % {"contact": contact.name},
                )
        if self.point_of_sale_id:
            pos = self.point_of_sale
            errors.require_same_institution(
                "point_of_sale", self, pos,
                message=_("The point of sale belongs to another institution."),
            )
            if self.channel_id and pos.channel_id != self.channel_id:
                add(
                    "point_of_sale",
                    _("The point of sale “%(pos)s” does not belong to the channel “%(channel)s”.")
                    % {"pos": pos.code, "channel": self.channel.name},
                )
            if pos.payment_mode != PointOfSale.PaymentMode.PENDING_ACCOUNT:
                add(
                    "point_of_sale",
                    _("The point of sale “%(pos)s” must pay by pending account.")
                    % {"pos": pos.code},
                )
        if self.external_quota_id:
            quota = self.external_quota
            errors.require_same_institution(
                "external_quota", self, quota,
                message=_("The external quota belongs to another institution."),
            )
            if self.channel_id and quota.channel_id != self.channel_id:
                add(
                    "external_quota",
                    _(
                        "The external quota “%(quota)s” does not belong to the channel "
                        "“%(channel)s”."
                    )
                    % {"quota": quota.name, "channel": self.channel.name},
                )
        if self.flat_files_undated_passes and self.flat_files_visit_passes:
            both = _(
                "One Ticketnet instance cannot produce flat files for both undated passes and "
                "visit passes: an interface takes flat files for one of them only. Use a second "
                "interface, on its own channel, for the other."
            )
            add("flat_files_undated_passes", both)
            add("flat_files_visit_passes", both)
        if self.takes_flat_files and not self.flat_file_folder:
            add(
                "flat_file_folder",
                _("Enter the folder where Ticketnet's flat files arrive."),
            )
        if self.flat_file_folder and not self.flat_file_folder.startswith("/"):
            add(
                "flat_file_folder",
                _("Enter an absolute path, for example /srv/ticketnet/505/in."),
            )
        if self.channel_id and self.channel.kind == SalesChannel.Kind.FLAT_FILE and not (
            self.takes_flat_files
        ):
            add(
                "flat_files_undated_passes",
                _(
                    "The channel “%(channel)s” is a flat-file channel: tick what Ticketnet "
                    "sends flat files for."
                )
                % {"channel": self.channel.name},
            )
        errors.raise_if_any()
