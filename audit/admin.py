"""The audit log in the admin: read-only for everyone; staff see their institutions' entries.

Audit lies below channels and never imports it: the institution's name is read through the
app registry, and a user's institutions through the `institutions` relation channels gives
the user model.
"""

import json

from django.apps import apps
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


def _institution_model():
    try:
        return apps.get_model("channels", "Institution")
    except LookupError:
        return None


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "institution_name", "actor", "action", "target"]
    list_filter = ["action"]
    search_fields = ["target", "actor_username"]
    date_hierarchy = "at"
    fields = ["at", "institution_name", "actor", "action", "target", "details"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        institution = _institution_model()
        if institution is not None:
            queryset = queryset.annotate(institution_label=Subquery(
                institution.objects.filter(pk=OuterRef("institution_id")).values("name")[:1]))
        if request.user.is_superuser:
            return queryset
        memberships = getattr(request.user, "institutions", None)
        if memberships is None:
            return queryset.none()
        return queryset.filter(institution_id__in=memberships.values("pk"))

    @admin.display(description=_("institution"), ordering="institution_id")
    def institution_name(self, entry):
        label = getattr(entry, "institution_label", None)
        return label or _("#%(id)s (deleted)") % {"id": entry.institution_id}

    @admin.display(description=_("user"), ordering="actor_username")
    def actor(self, entry):
        return entry.actor_username or _("the system")

    @admin.display(description=_("details"))
    def details(self, entry):
        return format_html("<pre>{}</pre>", json.dumps(entry.params, indent=2,
                                                       ensure_ascii=False, sort_keys=True))

    # The log is a record: nobody adds, changes or deletes an entry, superusers included.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
