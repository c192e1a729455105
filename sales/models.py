"""Orders and tickets that come from Ticketnet, the operations already integrated (what makes
integration idempotent) and the lines that could not be integrated yet (parked, never lost)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Event, Performance, Seat, SeatCategory, Tariff, Zone
from channels.models import Contact, ExternalSalesInterface, PointOfSale

from .types import OperationType, ParkReason

# Ticketnet's operation types, as the admin names them (the stored value is Ticketnet's).
OPERATION_TYPE_CHOICES = [
    (OperationType.SALE.value, _("Sale")),
    (OperationType.DUPLICATE.value, _("Duplicate")),
    (OperationType.REFUND.value, _("Refund")),
]

class Order(models.Model):
    """The order Ticketnet's tickets are booked in: on the interface's technical contact, at
    its point of sale, paid on the pending account. Ticketnet sends no basket, so the tickets
    sold in one integrated page share one order (a reprint stays in its original's order)."""

    institution_path = "interface__institution"

    class PaymentMode(models.TextChoices):
        PENDING_ACCOUNT = "pending_account", _("Pending account")

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("interface"),
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contact")
    )
    point_of_sale = models.ForeignKey(
        PointOfSale, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("point of sale"),
    )
    payment_mode = models.CharField(
        _("payment mode"), max_length=32, choices=PaymentMode.choices,
        default=PaymentMode.PENDING_ACCOUNT,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Order %(pk)s") % {"pk": self.pk}


class Ticket(models.Model):
    institution_path = "interface__institution"

    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALIDATED = "invalidated", _("Invalidated by a duplicate")
        CANCELLED = "cancelled", _("Cancelled by a refund")

    # Indexes: each one is written for every ticket sold and again for every ticket ended
    # (a duplicate or refund changes `state`, which indexes use, so no HOT update), and a page
    # of the sales integration writes thousands. Foreign keys are indexed by the constraints
    # and indexes below where those lead with them, and by partial indexes where most tickets
    # have no value. Category, tariff and order are not indexed: nothing looks tickets up by
    # them (a handful of categories and tariffs over a million tickets; an order is never
    # deleted), so the only reader would be the check made when one of them is deleted,
    # which reads the table once (a category or tariff still sold cannot be deleted, indexed
    # or not). Without them the database's own floor for 1,000,000 operations is lower; see
    # benchmarks/bench_integration.py.
    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("interface"), db_index=False,  # ticket_unique_number_per_interface
    )
    number = models.CharField(_("Ticketnet ticket number"), max_length=32)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.VALID
    )
    performance = models.ForeignKey(
        Performance, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("performance"), help_text=_("Empty for an undated pass."),
        db_index=False,  # ticket_performance_state
    )
    product = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="pass_tickets",
        verbose_name=_("pass product"), db_index=False,  # ticket_product
        help_text=_("The undated pass or visit pass sold, for a ticket without performance."),
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("seat"), help_text=_("The seat of a numbered zone."),
        db_index=False,  # ticket_seat
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("non-numbered zone"), db_index=False,  # ticket_zone
        help_text=_("A place of a non-numbered zone, sold by Ticketnet as a seat series."),
    )
    series_row = models.PositiveIntegerField(_("series row"), null=True, blank=True)
    series_number = models.PositiveIntegerField(_("series number"), null=True, blank=True)
    category = models.ForeignKey(
        SeatCategory, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("seat category"), db_index=False,
    )
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("tariff"),
        db_index=False,
    )
    price_cents = models.PositiveIntegerField(_("price (cents)"))
    reseller_price_cents = models.PositiveIntegerField(_("reseller price (cents)"))
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("order"),
        db_index=False,
    )
    operation_id = models.CharField(_("Ticketnet operation"), max_length=64)
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        verbose_name=_("original ticket"), help_text=_("The ticket this duplicate replaces."),
        db_index=False,  # ticket_original
    )
    ended_by_operation_id = models.CharField(
        _("ended by operation"), max_length=64, blank=True,
        help_text=_("The Ticketnet duplicate or refund that ended this ticket."),
    )
    # Ticketnet's time of that duplicate or refund: the reconciliation and the settlement
    # place the ending in its period (not an indexed column: the update stays HOT-friendly).
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    buyer_last_name = models.CharField(_("buyer's last name"), max_length=100, blank=True)
    buyer_first_name = models.CharField(_("buyer's first name"), max_length=100, blank=True)
    buyer_city = models.CharField(_("buyer's city"), max_length=100, blank=True)
    buyer_postal_code = models.CharField(_("buyer's postal code"), max_length=16, blank=True)
    buyer_country = models.CharField(_("buyer's country"), max_length=64, blank=True)
    sold_at = models.DateTimeField(_("sold at"))

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-sold_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "number"], name="ticket_unique_number_per_interface"
            ),
            models.UniqueConstraint(
                fields=["performance", "seat"],
                condition=Q(state="valid", seat__isnull=False),
                name="ticket_one_valid_per_seat",
            ),
            models.UniqueConstraint(
                fields=["performance", "zone", "series_row", "series_number"],
                condition=Q(state="valid", zone__isnull=False),
                name="ticket_one_valid_per_place",
            ),
            models.CheckConstraint(
                condition=(
                    Q(performance__isnull=False, product__isnull=True, seat__isnull=False,
                      zone__isnull=True, series_row__isnull=True, series_number__isnull=True)
                    | Q(performance__isnull=False, product__isnull=True, seat__isnull=True,
                        zone__isnull=False, series_row__isnull=False,
                        series_number__isnull=False)
                    # A pass: a product, no performance and no place.
                    | Q(performance__isnull=True, product__isnull=False, seat__isnull=True,
                        zone__isnull=True, series_row__isnull=True, series_number__isnull=True)
                ),
                name="ticket_seat_or_place",
            ),
        ]
        indexes = [
            models.Index(fields=["performance", "state"], name="ticket_performance_state"),
            # Partial: only the tickets that have one (passes, standing places, duplicates).
            models.Index(fields=["product"], condition=Q(product__isnull=False),
                         name="ticket_product"),
            models.Index(fields=["zone"], condition=Q(zone__isnull=False), name="ticket_zone"),
            models.Index(fields=["seat"], condition=Q(seat__isnull=False), name="ticket_seat"),
            models.Index(fields=["original"], condition=Q(original__isnull=False),
                         name="ticket_original"),
        ]

    def __str__(self):
        return self.number

    @property
    def place_label(self) -> str:
        if self.product_id:
            return str(self.product)
        if self.seat_id:
            return str(self.seat)
        return f"{self.zone} {self.series_row}-{self.series_number}"


class IntegratedOperation(models.Model):
    """A Ticketnet operation applied once: integrating the same operation again is a no-op."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="integrated_operations",
        verbose_name=_("interface"), db_index=False,  # integrated_operation_unique leads with it
    )
    operation_id = models.CharField(_("Ticketnet operation"), max_length=64)
    type = models.CharField(
        _("type"), max_length=16, choices=OPERATION_TYPE_CHOICES
    )
    integrated_at = models.DateTimeField(_("integrated at"))

    class Meta:
        verbose_name = _("integrated operation")
        verbose_name_plural = _("integrated operations")
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "operation_id"], name="integrated_operation_unique"
            ),
        ]

    def __str__(self):
        return self.operation_id


class ParkedOperation(models.Model):
    """A Ticketnet line that could not be integrated, kept whole with its reason until a later
    attempt applies it (`resolved_at`).

    A line that depends on a parked line earlier in the journal (a duplicate or refund of its
    ticket, a sale of the place it holds) waits in that line's chain (`waiting_for`, the
    chain's head); a retry replays whole chains in journal order (`position`)."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="parked_operations",
        verbose_name=_("interface"),
    )
    operation_id = models.CharField(_("Ticketnet operation"), max_length=64)
    type = models.CharField(
        _("type"), max_length=16, choices=OPERATION_TYPE_CHOICES
    )
    ticket_number = models.CharField(_("Ticketnet ticket number"), max_length=32, blank=True)
    line = models.JSONField(_("line"), help_text=_("The whole Ticketnet line, as received."))
    reason = models.CharField(_("reason"), max_length=32, choices=ParkReason.choices)
    message = models.TextField(
        _("message"), help_text=_("The reason and what to do, in the institution's language.")
    )
    # The message's parameters (codes, texts as their English source): pages render the
    # message again from the reason and these, in their reader's language. NULL: parked
    # before they were stored, the message says it as written then.
    params = models.JSONField(_("message parameters"), default=dict, blank=True, null=True)
    first_attempt_at = models.DateTimeField(_("first attempt"))
    last_attempt_at = models.DateTimeField(_("last attempt"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Assigned by the sales engine when it parks the line (0 only for rows made by hand).
    position = models.BigIntegerField(
        _("journal position"), default=0,
        help_text=_("The line's rank in Ticketnet's journal: parked lines are retried in this "
                    "order."),
    )
    waiting_for = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="waiting",
        verbose_name=_("waiting for"),
        help_text=_("The parked line this one depends on in Ticketnet's journal: it goes "
                    "through with it."),
    )
    # Ticketnet's codes of the place the line's chain sells or refunds: a place a parked sale
    # holds in Ticketnet's journal, whether or not its codes resolve.
    place = models.CharField(_("place in Ticketnet's codes"), max_length=160, blank=True,
                             default="")

    class Meta:
        verbose_name = _("parked line")
        verbose_name_plural = _("parked lines")
        ordering = ["-last_attempt_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "operation_id"], name="parked_operation_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["interface", "resolved_at"], name="parked_interface_resolved"),
            models.Index(fields=["interface", "position"], name="parked_interface_position"),
            # What a page asks of the open chains: who issues a ticket number, who holds a place.
            models.Index(fields=["interface", "ticket_number"], condition=Q(resolved_at=None),
                         name="parked_open_number"),
            models.Index(fields=["interface", "place"], condition=Q(resolved_at=None),
                         name="parked_open_place"),
        ]

    def __str__(self):
        return f"{self.operation_id} ({self.get_reason_display()})"


class ZoneAllotment(models.Model):
    """The places of a non-numbered zone's seat series the allotment export sent to an
    interface's Ticketnet for one performance (README, "Non-numbered zones"): the first
    `places` of the series by the last export, and the most any export sent."""

    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="zone_allotments",
        verbose_name=_("interface"),
    )
    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, related_name="+", verbose_name=_("performance")
    )
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("zone"))
    places = models.PositiveIntegerField(
        _("places sent"),
        help_text=_("The first places of the zone's series the last allotment export sent: "
                    "Ticketnet sells no other, and the quota sync counts among them."),
    )
    most_places = models.PositiveIntegerField(
        _("most places sent"),
        help_text=_("The most places an allotment export ever sent: a sale Ticketnet made on "
                    "one of them before a smaller export is still integrated."),
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("non-numbered places sent to Ticketnet")
        verbose_name_plural = _("non-numbered places sent to Ticketnet")
        constraints = [
            models.UniqueConstraint(fields=["interface", "performance", "zone"],
                                    name="zone_allotment_unique"),
        ]

    def __str__(self):
        return f"{self.performance} {self.zone}: {self.places}"
