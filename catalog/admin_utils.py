"""Admin pieces other apps' admins share (an admin module never imports another): the related-field
filter that lists only the user's institutions' objects."""

from django.contrib import admin

from channels.tenancy import scope_queryset


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-field filter listing only the user's institutions' objects."""

    def field_choices(self, field, request, model_admin):
        qs = scope_queryset(field.related_model._default_manager.all(), request.user)
        return [(obj.pk, str(obj)) for obj in qs]
