"""Correspondences: the Ticketnet code of each catalogue object, per external sales interface
(the guide's "Paramétrage correspondances TICKETNET")."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Event, LogicalConfiguration, Performance, SeatCategory, Tariff, Zone
from channels.models import ExternalSalesInterface
from channels.rules import FieldErrors, of_institution

from .known import LOCKED_REASON, KnownCode, KnownCodeChange
from .validators import (
    split_double_code,
    split_tariff_codes,
    validate_code,
    validate_double_code,
    validate_double_code_start,
    validate_tariff_codes,
)


class Kind(models.TextChoices):
    EVENT = "event", _("Event")
    PERFORMANCE = "performance", _("Competition performance")
    CONFIGURATION = "configuration", _("Logical configuration (hall)")
    ZONE = "zone", _("Zone (block)")
    CATEGORY = "category", _("Seat category")
    TARIFF = "tariff", _("Tariff")


# The foreign key holding the object of each kind, and the object's model.
TARGET_FIELDS: dict[str, str] = {
    Kind.EVENT: "event",
    Kind.PERFORMANCE: "performance",
    Kind.CONFIGURATION: "configuration",
    Kind.ZONE: "zone",
    Kind.CATEGORY: "category",
    Kind.TARIFF: "tariff",
}
TARGET_MODELS: dict[str, type[models.Model]] = {
    Kind.EVENT: Event,
    Kind.PERFORMANCE: Performance,
    Kind.CONFIGURATION: LogicalConfiguration,
    Kind.ZONE: Zone,
    Kind.CATEGORY: SeatCategory,
    Kind.TARIFF: Tariff,
}


def institution_targets(*, kind: str, institution_id: int) -> models.QuerySet:
    """The objects of `kind` that belong to the institution: those a code may be given to."""
    return of_institution(TARGET_MODELS[kind].objects.all(), institution_id)


class Namespace(models.TextChoices):
    """Where a code must be unique on an interface. Single events and competition
    performances share Ticketnet's manifestation codes."""

    MANIFESTATION = "manifestation", _("Manifestation")
    CONFIGURATION = "configuration", _("Logical configuration (hall)")
    ZONE = "zone", _("Zone (block)")
    CATEGORY = "category", _("Seat category")
    TARIFF = "tariff", _("Tariff")


def validate_code_for_kind(kind: str, code: str, *, target=None) -> None:
    """The format a kind's code must have and, given its `target`, what it must name (a
    competition performance's start); raises ValidationError with what to enter. Every entry
    point (admin, grid, CSV import, API) checks codes here."""
    if kind == Kind.TARIFF:
        validate_tariff_codes(code)
    elif kind == Kind.PERFORMANCE:
        validate_double_code(code)
        if target is not None and target.event.is_competition:
            validate_double_code_start(code, start=target.start)
    else:
        validate_code(code)


def code_entries(kind: str, code: str) -> list[tuple[str, str]]:
    """The (namespace, value) pairs a valid code occupies on its interface."""
    if kind == Kind.TARIFF:
        return [(Namespace.TARIFF, part) for part in split_tariff_codes(code)]
    if kind == Kind.PERFORMANCE:
        return [(Namespace.MANIFESTATION, split_double_code(code)[0])]
    if kind == Kind.EVENT:
        return [(Namespace.MANIFESTATION, code)]
    return [(kind, code)]


def target_problems(kind: str, target, interface: ExternalSalesInterface) -> list[str]:
    """What forbids `target` from carrying a code of `kind` on `interface` (messages)."""
    problems = []
    if kind == Kind.EVENT and target.is_competition:
        problems.append(
            _("“%(event)s” is a competition: it takes no code of its own. Enter a double code "
              "<manifestation>_<performance> on each of its performances instead.")
            % {"event": target}
        )
    elif kind == Kind.PERFORMANCE and not target.event.is_competition:
        problems.append(
            _("“%(performance)s” is a performance of a single event: it takes no code. "
              "Ticketnet finds it by its event's code and its start; enter the event's code.")
            % {"performance": target}
        )
    elif kind == Kind.TARIFF and not target.is_reseller_audience and (
        interface.interface_type == ExternalSalesInterface.InterfaceType.EXTERNAL_SALES
    ):
        problems.append(
            _("The tariff “%(tariff)s” is of audience type “%(type)s”: a reseller may only sell "
              "tariffs of type occasional contact or occasional collectivity. Change its "
              "audience type or map another tariff.")
            % {"tariff": target, "type": target.get_audience_type_display()}
        )
    return problems


def _one_target_per_kind() -> Q:
    condition = Q()
    for kind, field in TARGET_FIELDS.items():
        clause = Q(kind=kind, **{f"{field}__isnull": False})
        for other in TARGET_FIELDS.values():
            if other != field:
                clause &= Q(**{f"{other}__isnull": True})
        condition |= clause
    return condition


def _target_field(model: type[models.Model], verbose_name) -> models.ForeignKey:
    # One key per kind of object, exactly one of them set (see the check constraint).
    return models.ForeignKey(
        model, on_delete=models.CASCADE, null=True, blank=True,
        related_name="correspondences", verbose_name=verbose_name,
    )


class Correspondence(models.Model):
    """The Ticketnet code of one catalogue object on one interface."""

    Kind = Kind
    institution_path = "interface__institution"

    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="correspondences",
        verbose_name=_("interface"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    event = _target_field(Event, _("event"))
    performance = _target_field(Performance, _("performance"))
    configuration = _target_field(LogicalConfiguration, _("logical configuration"))
    zone = _target_field(Zone, _("zone"))
    category = _target_field(SeatCategory, _("seat category"))
    tariff = _target_field(Tariff, _("tariff"))
    code = models.CharField(
        _("Ticketnet code"), max_length=200,
        help_text=_(
            "A whole number from 1 to 999 999 999 without leading zeros; tariffs may take "
            "several (15|20|22); competition performances take <manifestation>_<performance> "
            "(1701_1709052030)."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("correspondence")
        verbose_name_plural = _("correspondences")
        ordering = ["interface", "kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=_one_target_per_kind(), name="correspondence_one_target_of_its_kind"
            ),
            models.UniqueConstraint(
                fields=["interface", "kind", "code"], name="correspondence_unique_code"
            ),
            *(
                models.UniqueConstraint(
                    fields=["interface", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"correspondence_one_per_{field}",
                )
                for field in TARGET_FIELDS.values()
            ),
        ]
        indexes = [models.Index(fields=["interface", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target} → {self.code}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            correspondence_codes_write(correspondences=[self])

    @property
    def target_field(self) -> str:
        return TARGET_FIELDS[self.kind]

    @property
    def target_id(self) -> int | None:
        return getattr(self, f"{TARGET_FIELDS[self.kind]}_id") if self.kind else None

    @property
    def target(self):
        return getattr(self, TARGET_FIELDS[self.kind]) if self.target_id else None

    def set_target(self, kind: str, object_id: int | None) -> None:
        self.kind = kind
        for field in TARGET_FIELDS.values():
            setattr(self, f"{field}_id", None)
        setattr(self, f"{TARGET_FIELDS[kind]}_id", object_id)

    def clean(self):
        if not self.kind or not self.interface_id:
            return
        errors = self.rule_errors()
        self.add_lock_errors(errors)
        errors.raise_if_any()

    def add_lock_errors(self, errors: FieldErrors) -> None:
        """A code Ticketnet knows is neither changed nor moved to another object here: only a
        recorded confirmation from Ticketnet changes it (mappings.locks.known_code_change)."""
        if self.pk is None:
            return
        known = KnownCode.objects.filter(correspondence_id=self.pk).select_related(
            "correspondence").first()
        if known is None:
            return
        before = known.correspondence
        if (before.kind, before.target_id) != (self.kind, self.target_id):
            errors.add(TARGET_FIELDS[self.kind], LOCKED_REASON)
        elif self.code != known.code:
            errors.add("code", LOCKED_REASON)

    def rule_errors(self) -> FieldErrors:
        """Every rule of the code and its object but the lock, by field."""
        errors = FieldErrors()
        add = errors.add
        field = TARGET_FIELDS[self.kind]
        for other in TARGET_FIELDS.values():
            if other != field and getattr(self, f"{other}_id"):
                add(other, _("Leave this empty: the correspondence is of kind %(kind)s.")
                    % {"kind": self.get_kind_display()})
        target = self.target
        if target is None:
            add(field, _("Choose the %(kind)s this code is for.")
                % {"kind": self.get_kind_display().lower()})
        else:
            errors.require_same_institution(
                field, self.interface, target,
                message=_("This object belongs to another institution."),
            )
            for problem in target_problems(self.kind, target, self.interface):
                add(field, problem)
            same_object = Correspondence.objects.filter(
                interface_id=self.interface_id, **{f"{field}_id": target.pk}
            ).exclude(pk=self.pk).first()
            if same_object is not None:
                add(field, _("“%(object)s” already has the code %(code)s on this interface: "
                             "change that correspondence instead.")
                    % {"object": target, "code": same_object.code})
        try:
            validate_code_for_kind(self.kind, self.code or "", target=target)
        except ValidationError as exc:
            for message in exc.messages:
                add("code", message)
        else:
            entries = code_entries(self.kind, self.code)
            for namespace, value, holder in taken_codes(
                interface_id=self.interface_id, entries=entries, exclude_pk=self.pk,
            ):
                add("code", code_taken_message(namespace, value, holder))
            for value, change in retired_codes_taken(
                interface_id=self.interface_id, entries=entries,
                target=(self.kind, self.target_id),
            ):
                add("code", retired_code_message(value, change.known_code.correspondence.target))
        return errors


class CorrespondenceCode(models.Model):
    """One Ticketnet code a correspondence occupies on its interface: the database keeps
    each code unique per interface (each of a tariff's `15|20|22`, and manifestation codes
    across events and competition performances), and finds an object from a code."""

    institution_path = "interface__institution"

    correspondence = models.ForeignKey(
        Correspondence, on_delete=models.CASCADE, related_name="codes",
        verbose_name=_("correspondence"),
    )
    interface = models.ForeignKey(
        ExternalSalesInterface, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("interface"),
    )
    namespace = models.CharField(_("namespace"), max_length=16, choices=Namespace.choices)
    value = models.CharField(_("code"), max_length=20)

    class Meta:
        verbose_name = _("correspondence code")
        verbose_name_plural = _("correspondence codes")
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "namespace", "value"], name="correspondence_code_unique"
            ),
        ]

    def __str__(self):
        return f"{self.namespace} {self.value}"


def correspondence_codes_write(*, correspondences: Sequence[Correspondence],
                               replace: bool = True) -> None:
    """Write the code side table of saved `correspondences`: one row per Ticketnet code each
    occupies, in two queries whatever their number.

    `replace` first deletes the rows they had (a code changed); a bulk path that has just
    created them passes False and saves that query."""
    if replace:
        CorrespondenceCode.objects.filter(
            correspondence__in=[c.pk for c in correspondences]
        ).delete()
    CorrespondenceCode.objects.bulk_create(
        (
            CorrespondenceCode(
                correspondence=c, interface_id=c.interface_id, namespace=namespace, value=value
            )
            for c in correspondences
            for namespace, value in code_entries(c.kind, c.code)
        ),
        batch_size=1000,
    )


def taken_codes(*, interface_id: int, entries: list[tuple[str, str]],
                exclude_pk: int | None = None) -> list[tuple[str, str, "Correspondence"]]:
    """The (namespace, value, holder) of `entries` already used on the interface."""
    if not entries:
        return []
    condition = Q()
    for namespace, value in entries:
        condition |= Q(namespace=namespace, value=value)
    qs = CorrespondenceCode.objects.filter(condition, interface_id=interface_id).select_related(
        *(f"correspondence__{field}" for field in TARGET_FIELDS.values())
    )
    if exclude_pk:
        qs = qs.exclude(correspondence_id=exclude_pk)
    return [(c.namespace, c.value, c.correspondence) for c in qs]


def code_taken_message(namespace: str, value: str, holder) -> str:
    label = holder.target if isinstance(holder, Correspondence) else holder
    if namespace == Namespace.MANIFESTATION:
        return _("The manifestation code %(value)s is already used by “%(holder)s” on this "
                 "interface: choose another one.") % {"value": value, "holder": label}
    return _("The code %(value)s is already used by “%(holder)s” on this interface: choose "
             "another one.") % {"value": value, "holder": label}


def retired_codes_taken(*, interface_id: int, entries: list[tuple[str, str]],
                        target: tuple[str, int | None]) -> list[tuple[str, KnownCodeChange]]:
    """(value, change) of `entries` that were another object's code before Ticketnet changed
    it: Ticketnet's sales under an old code still come back, so it is never given again
    (the object that had it may take it back)."""
    wanted = set(entries)
    out = []
    for change in KnownCodeChange.objects.filter(interface_id=interface_id).select_related(
        "known_code__correspondence"
    ):
        holder = change.known_code.correspondence
        if (holder.kind, holder.target_id) == target:
            continue
        out.extend((value, change) for namespace, value in code_entries(holder.kind,
                                                                        change.old_code)
                   if (namespace, value) in wanted)
    return out


def retired_code_message(value: str, label) -> str:
    return _("The code %(value)s was the code of “%(holder)s” until Ticketnet changed it: "
             "Ticketnet's sales under it still come back, so it cannot be given again. Choose "
             "another one.") % {"value": value, "holder": label}
