"""The guided set-up of the guide's "Paramétrage filière et interface": sales channel, point of
sale, external quota, technical contact and interface created together, all or nothing."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from .forms import PASSWORD_REQUIRED
from .models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)
from .rules import FieldErrors

# The sections in the guide's order; each but the interface's is also the interface's field
# that links to its object, so the interface's rules about it land in its section.
SECTIONS = ("channel", "point_of_sale", "external_quota", "contact", "interface")
LINKS = SECTIONS[:-1]
EXISTING = "existing"  # the field of a section where an existing object is chosen
# The field that names a section's object: "already exists in this institution" lands there.
NAMING_FIELD = {"channel": "name", "point_of_sale": "code", "external_quota": "name",
                "contact": "name", "interface": "internal_name"}
# The field of a new object that the interface's rule about it depends on.
DECIDING_FIELD = {"channel": "accepts_third_party_tickets", "point_of_sale": "payment_mode",
                  "external_quota": "name", "contact": "pending_account_allowed"}
FOLLOWUP_REQUIRED = _(
    "Enter the email of at least one follow-up operator: they are told when a run ends in "
    "warning or error."
)

# The fields of an object to create, or the existing object chosen instead.
NewObject = dict[str, Any]


@dataclass(frozen=True)
class SetUp:
    channel: SalesChannel
    point_of_sale: PointOfSale
    external_quota: ExternalQuota
    contact: Contact
    interface: ExternalSalesInterface


def setup_create(
    *,
    institution: Institution,
    channel: SalesChannel | NewObject,
    point_of_sale: PointOfSale | NewObject,
    external_quota: ExternalQuota | NewObject,
    contact: Contact | NewObject,
    interface: NewObject,
    password: str,
) -> SetUp:
    """Create what is new among the five objects, each judged by its model (validators and
    clean(), in the reader's language), the interface by its rules about the four others.

    Every object is judged even when one before it is wrong, so that one attempt shows every
    error. Raises ValidationError keyed "<section>-<field>" (`existing` for a chosen object);
    then nothing is written."""
    errors = FieldErrors()
    given = {"channel": channel, "point_of_sale": point_of_sale,
             "external_quota": external_quota, "contact": contact}
    chosen = {name for name, value in given.items() if isinstance(value, models.Model)}

    def new_or_chosen(section: str, model: type[models.Model], **links) -> models.Model:
        if section in chosen:
            return given[section]
        return _judged(section, model(institution=institution, **links, **given[section]),
                       errors, chosen=chosen)

    with transaction.atomic():
        linked = {"channel": new_or_chosen("channel", SalesChannel)}
        linked["point_of_sale"] = new_or_chosen("point_of_sale", PointOfSale,
                                                channel=linked["channel"])
        linked["external_quota"] = new_or_chosen("external_quota", ExternalQuota,
                                                 channel=linked["channel"])
        linked["contact"] = new_or_chosen("contact", Contact)
        new_interface = ExternalSalesInterface(institution=institution, **linked, **interface)
        if password:
            new_interface.set_password(password)
        else:
            errors.add("interface-password", PASSWORD_REQUIRED)
        if not new_interface.followup_emails:
            errors.add("interface-followup_emails", FOLLOWUP_REQUIRED)
        _judged("interface", new_interface, errors, chosen=chosen)
        # Raised within the transaction: what was saved to judge the next objects goes too.
        errors.raise_if_any()
    return SetUp(**linked, interface=new_interface)


def _judged(section: str, obj: models.Model, errors: FieldErrors, *,
            chosen: set[str]) -> models.Model:
    """`obj` judged by its model, and saved (to judge what links to it) unless something it
    links to could not be."""
    fields = {f.name for f in obj._meta.concrete_fields}
    unsaved = [name for name in LINKS if name in fields and getattr(obj, name).pk is None]
    try:
        obj.full_clean(exclude=unsaved)
    except ValidationError as exc:
        _add(errors, section, exc, chosen=chosen)
        judged_right = False
    else:
        judged_right = True
    if not unsaved:
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            if judged_right:  # its name was free a moment ago: another set-up took it
                errors.add(f"{section}-{NAMING_FIELD[section]}",
                           _("Someone saved this name meanwhile: choose another one."))
    return obj


def _add(errors: FieldErrors, section: str, exc: ValidationError, *, chosen: set[str]) -> None:
    for field, messages in exc.message_dict.items():
        where = section
        if section == "interface" and field in LINKS:
            # The interface's rule about a linked object: at the object's own section.
            where, field = field, EXISTING if field in chosen else DECIDING_FIELD[field]
        elif field == NON_FIELD_ERRORS:
            field = NAMING_FIELD[section]  # the models' only one: the name is taken
        for message in messages:
            errors.add(f"{where}-{field}", message)
