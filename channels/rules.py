"""The tenancy rule every app's objects follow: each belongs to one institution, and what it
links to belongs to the same; with how a clean() or a service raises its field-level errors."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _


def institution_field(*, related_name: str) -> models.ForeignKey:
    """The key of an object owned by one institution: it goes when its institution goes."""
    # By name: the models import this module.
    return models.ForeignKey(
        "channels.Institution", on_delete=models.CASCADE, related_name=related_name,
        verbose_name=_("institution"),
    )


def unique_per_institution(field: str, *, name: str) -> models.UniqueConstraint:
    """`field` (a name or a code) is unique within each institution."""
    return models.UniqueConstraint(fields=["institution", field], name=name)


def institution_path(model: type[Model]) -> str | None:
    """The lookup from `model` to its Institution, declared as `institution_path` or direct."""
    path = getattr(model, "institution_path", None)
    if path:
        return path
    if any(f.name == "institution" for f in model._meta.get_fields()):
        return "institution"
    return None


def institution_id_of(obj: Model) -> int | None:
    """The institution `obj` belongs to, following its `institution_path` through the related
    objects: no query for those already loaded (select_related them on many objects)."""
    path = institution_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def of_institution(queryset: QuerySet, institution_id: int) -> QuerySet:
    """The objects of `queryset` that belong to the institution `institution_id`."""
    return queryset.filter(**{institution_path(queryset.model): institution_id})


def same_institution(owner: Model | None, *linked: Model | None) -> bool:
    """Whether every object in `linked` belongs to `owner`'s institution.

    An object not chosen yet (None), or an owner whose institution is not chosen yet, is not
    judged: the required-field check reports it."""
    institution_id = institution_id_of(owner) if owner is not None else None
    if institution_id is None:
        return True
    return all(obj is None or institution_id_of(obj) == institution_id for obj in linked)


def chosen(obj: Model, field: str) -> Model | None:
    """The object `obj.<field>` points to, or None while the field is empty (no query then)."""
    return getattr(obj, field) if getattr(obj, f"{field}_id") is not None else None


class FieldErrors:
    """Field-level messages gathered by one clean() or service, raised together at the end."""

    def __init__(self):
        self.by_field: dict[str, list] = {}

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def add(self, field: str, message) -> None:
        self.by_field.setdefault(field, []).append(message)

    def require_same_institution(self, field: str, owner: Model | None, *linked: Model | None,
                                 message) -> None:
        """Add `message` to `field` when one of `linked` belongs to another institution."""
        if not same_institution(owner, *linked):
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def require_same_institution(field: str, owner: Model | None, *linked: Model | None,
                             message) -> None:
    """Raise `{field: message}` when one of `linked` belongs to another institution than
    `owner`; the message names what is linked, in the caller's words."""
    errors = FieldErrors()
    errors.require_same_institution(field, owner, *linked, message=message)
    errors.raise_if_any()
