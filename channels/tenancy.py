"""Tenancy: a staff user who is not a superuser reaches only their institutions' objects.

Every model of the bridge reaches its `Institution` through a lookup path (`institution`,
`event__institution`, `zone__configuration__hall__institution`, …); admin classes and API
views declare it once and get scoped querysets and scoped choices for related fields.
"""

from django.contrib import admin
from django.db.models import QuerySet

from .rules import institution_path


def user_institution_ids(user) -> list[int] | None:
    """The institutions `user` may reach, or None for a superuser (all of them)."""
    if user.is_superuser:
        return None
    cache = getattr(user, "_institution_ids_cache", None)
    if cache is None:
        cache = list(user.institutions.values_list("pk", flat=True))
        user._institution_ids_cache = cache
    return cache


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Restrict `queryset` to the user's institutions; empty if the model has no path."""
    ids = user_institution_ids(user)
    if ids is None:
        return queryset
    path = institution_path(queryset.model)
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": ids})


class InstitutionScopedAdmin(admin.ModelAdmin):
    """ModelAdmin whose lists, objects and related choices stay within the user's institutions.

    An object of another institution is not found (404-like redirect), never forbidden, so
    its existence does not leak.
    """

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_queryset(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset") and (
            institution_path(field.queryset.model) is not None
        ):
            field.queryset = scope_queryset(field.queryset, request.user)
        return field

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = user_institution_ids(request.user)
        if ids and len(ids) == 1 and "institution" not in initial:
            initial["institution"] = ids[0]
        return initial
