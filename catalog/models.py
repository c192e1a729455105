"""What the institution sells through Ticketnet: halls and their configurations, zones and
seats, categories, tariffs, events, performances, prices and the seats set aside in an
external quota."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalQuota, SalesChannel
from channels.rules import institution_field, unique_per_institution
from channels.validators import validate_plain_text


class Hall(models.Model):
    institution = institution_field(related_name="halls")
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        ordering = ["institution", "name"]
        constraints = [unique_per_institution("name", name="hall_unique_name_per_institution")]

    def __str__(self):
        return self.name


class LogicalConfiguration(models.Model):
    """A layout of a hall (seated concert, standing, football…); Ticketnet's "salle"."""

    institution_path = "hall__institution"

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="configurations", verbose_name=_("hall")
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])

    class Meta:
        verbose_name = _("logical configuration")
        verbose_name_plural = _("logical configurations")
        ordering = ["hall", "name"]
        constraints = [models.UniqueConstraint(fields=["hall", "name"],
                                               name="configuration_unique_name_per_hall")]

    def __str__(self):
        return f"{self.hall.name} — {self.name}"


class SeatCategory(models.Model):
    institution = institution_field(related_name="seat_categories")
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)

    class Meta:
        verbose_name = _("seat category")
        verbose_name_plural = _("seat categories")
        ordering = ["institution", "rank", "name"]
        constraints = [unique_per_institution("name", name="category_unique_name_per_institution")]

    def __str__(self):
        return self.name


class Zone(models.Model):
    """A block of a configuration: numbered (its seats) or non-numbered (a capacity)."""

    institution_path = "configuration__hall__institution"

    configuration = models.ForeignKey(
        LogicalConfiguration, on_delete=models.CASCADE, related_name="zones",
        verbose_name=_("logical configuration"),
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    block_letter = models.CharField(
        _("block letter"), max_length=2, blank=True, help_text=_("A for block A1.")
    )
    block_number = models.PositiveSmallIntegerField(
        _("block number"), null=True, blank=True, help_text=_("1 for block A1.")
    )
    numbered = models.BooleanField(_("numbered"), default=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places of a non-numbered zone (its gauge)."),
    )
    category = models.ForeignKey(
        SeatCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="zones",
        verbose_name=_("seat category"),
        help_text=_("Category of the places of a non-numbered zone."),
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["configuration", "block_letter", "block_number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "name"], name="zone_unique_name_per_configuration"
            ),
            models.CheckConstraint(
                condition=Q(numbered=True) | Q(capacity__gte=1),
                name="zone_non_numbered_has_capacity",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not self.numbered and not self.capacity:
            errors["capacity"] = _("A non-numbered zone needs its capacity (number of places).")
        if not self.numbered and not self.category_id:
            errors["category"] = _("A non-numbered zone needs the seat category of its places.")
        if self.numbered and self.capacity:
            errors["capacity"] = _(
                "A numbered zone has no capacity: its seats are its capacity."
            )
        if errors:
            raise ValidationError(errors)


class Seat(models.Model):
    """A numbered seat. Rows and numbers are integers: Ticketnet writes them without leading
    zeros, and its files pad them (`0012`), so seats are matched as numbers."""

    institution_path = "zone__configuration__hall__institution"

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="seats", verbose_name=_("zone")
    )
    row = models.PositiveIntegerField(_("row"), validators=[MinValueValidator(1)])
    number = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1)])
    category = models.ForeignKey(
        SeatCategory, on_delete=models.PROTECT, related_name="seats",
        verbose_name=_("seat category"),
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["zone", "row", "number"]
        constraints = [models.UniqueConstraint(fields=["zone", "row", "number"],
                                               name="seat_unique_place")]

    def __str__(self):
        return f"{self.zone.name} {self.row}-{self.number}"


class Tariff(models.Model):
    """Audience sub-category / tariff. Resellers may only sell the occasional types."""

    class AudienceType(models.TextChoices):
        OCCASIONAL_CONTACT = "occasional_contact", _("Occasional contact")
        OCCASIONAL_COLLECTIVITY = "occasional_collectivity", _("Occasional collectivity")
        MEMBER = "member", _("Member")
        SUBSCRIBER = "subscriber", _("Subscriber")
        STAFF = "staff", _("Staff")

    RESELLER_AUDIENCE_TYPES = (
        AudienceType.OCCASIONAL_CONTACT,
        AudienceType.OCCASIONAL_COLLECTIVITY,
    )

    institution = institution_field(related_name="tariffs")
    code = models.CharField(_("code"), max_length=16, validators=[validate_plain_text])
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    audience_type = models.CharField(
        _("audience type"), max_length=32, choices=AudienceType.choices,
        default=AudienceType.OCCASIONAL_CONTACT,
    )

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["institution", "code"]
        constraints = [unique_per_institution("code", name="tariff_unique_code_per_institution")]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def is_reseller_audience(self) -> bool:
        return self.audience_type in self.RESELLER_AUDIENCE_TYPES


class Event(models.Model):
    """A product. Ticketnet calls it a manifestation; a competition is N manifestations."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single event")
        COMPETITION = "competition", _("Competition")
        VISIT_PASS = "visit_pass", _("Visit pass")
        UNDATED_PASS = "undated_pass", _("Undated pass")

    institution = institution_field(related_name="events")
    code = models.CharField(_("code"), max_length=8, validators=[validate_plain_text])
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    season = models.PositiveSmallIntegerField(
        _("season"), help_text=_("Year the season starts, for example 2017.")
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["institution", "-season", "code"]
        constraints = [unique_per_institution("code", name="event_unique_code_per_institution")]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def is_competition(self) -> bool:
        return self.kind == self.Kind.COMPETITION


class Performance(models.Model):
    institution_path = "event__institution"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="performances", verbose_name=_("event")
    )
    start = models.DateTimeField(_("start"))
    configuration = models.ForeignKey(
        LogicalConfiguration, on_delete=models.PROTECT, related_name="performances",
        verbose_name=_("logical configuration"),
    )
    closed = models.BooleanField(
        _("closed"), default=False, help_text=_("A closed performance takes no more sales.")
    )
    cancelled = models.BooleanField(
        _("cancelled"), default=False,
        help_text=_("A cancelled performance will not take place: Ticketnet's sales on it are "
                    "parked (have Ticketnet refund them), its refunds are integrated."))

    class Meta:
        verbose_name = _("performance")
        verbose_name_plural = _("performances")
        ordering = ["event", "start"]
        constraints = [
            models.UniqueConstraint(fields=["event", "start"], name="performance_unique_start"),
        ]

    def __str__(self):
        # In the institution's time zone, as Ticketnet's performance codes.
        return f"{self.event.code} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"


class Price(models.Model):
    """Price of a category × tariff in cents, for a whole event or one performance
    (a performance price overrides the event's)."""

    institution_path = "event__institution"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="prices", verbose_name=_("event")
    )
    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, null=True, blank=True, related_name="prices",
        verbose_name=_("performance"),
    )
    category = models.ForeignKey(
        SeatCategory, on_delete=models.PROTECT, related_name="prices",
        verbose_name=_("seat category"),
    )
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, related_name="prices", verbose_name=_("tariff")
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["event", "performance", "category", "tariff"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "category", "tariff"],
                condition=Q(performance__isnull=True),
                name="price_unique_per_event",
            ),
            models.UniqueConstraint(
                fields=["performance", "category", "tariff"],
                condition=Q(performance__isnull=False),
                name="price_unique_per_performance",
            ),
        ]

    def __str__(self):
        return f"{self.category} × {self.tariff}: {self.amount_cents / 100:.2f}"

    def clean(self):
        if self.performance_id and self.event_id and self.performance.event_id != self.event_id:
            raise ValidationError({"performance": _("The performance is of another event.")})


class SeatAllocation(models.Model):
    """A numbered seat of a performance set aside in an external quota."""

    institution_path = "performance__event__institution"

    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, related_name="seat_allocations",
        verbose_name=_("performance"),
        # The unique (performance, seat) index serves it: one index less to maintain per
        # row of a stadium's 1.52 M allocations.
        db_index=False,
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("seat")
    )
    quota = models.ForeignKey(
        ExternalQuota, on_delete=models.CASCADE, related_name="seat_allocations",
        verbose_name=_("external quota"),
        db_index=False,  # served by the (quota, performance) index
    )

    class Meta:
        verbose_name = _("seat in a quota")
        verbose_name_plural = _("seats in quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["performance", "seat"], name="seat_allocation_unique_per_performance"
            ),
        ]
        indexes = [models.Index(fields=["quota", "performance"])]

    def __str__(self):
        return f"{self.performance} {self.seat} → {self.quota}"


class ZoneAllocation(models.Model):
    """How many places of a non-numbered zone of a performance are in an external quota."""

    institution_path = "performance__event__institution"

    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, related_name="zone_allocations",
        verbose_name=_("performance"),
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("zone")
    )
    quota = models.ForeignKey(
        ExternalQuota, on_delete=models.CASCADE, related_name="zone_allocations",
        verbose_name=_("external quota"),
    )
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("non-numbered places in a quota")
        verbose_name_plural = _("non-numbered places in quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["performance", "zone", "quota"], name="zone_allocation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.performance} {self.zone}: {self.places} → {self.quota}"

    def clean(self):
        errors = {}
        if self.zone_id and self.zone.numbered:
            errors["zone"] = _("Allocate the seats of a numbered zone one by one.")
        elif self.zone_id and self.places and self.zone.capacity and (
            self.places > self.zone.capacity
        ):
            errors["places"] = _("At most %(capacity)s places: the zone's capacity.") % {
                "capacity": self.zone.capacity
            }
        if errors:
            raise ValidationError(errors)


class ActivityProfile(models.Model):
    """Which events a sales channel sells."""

    institution = institution_field(related_name="activity_profiles")
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="activity_profiles",
        verbose_name=_("sales channel"),
    )
    events = models.ManyToManyField(
        Event, related_name="activity_profiles", blank=True, verbose_name=_("events")
    )

    class Meta:
        verbose_name = _("activity profile")
        verbose_name_plural = _("activity profiles")
        ordering = ["institution", "name"]
        constraints = [unique_per_institution("name", name="profile_unique_name_per_institution")]

    def __str__(self):
        return self.name
