"""Admin pieces other apps' admins share (an admin module never imports another): the read-only
base of the sales admins, and the parked lines' admin that `schedules.admin` extends."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channels.tenancy import InstitutionScopedAdmin

from .engine.messages import parked_message


class ReadOnlyAdmin(InstitutionScopedAdmin):
    """Sales come from Ticketnet: they are looked at, never typed in."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParkedOperationAdmin(ReadOnlyAdmin):
    list_display = ["operation_id", "type", "ticket_number", "reason", "waiting_for_link",
                    "message_shown", "attempts", "last_attempt_at", "resolved_at"]
    list_filter = ["reason", "type", ("resolved_at", admin.EmptyFieldListFilter),
                   ("interface", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["interface", "waiting_for"]
    search_fields = ["operation_id", "ticket_number"]
    # The message as written (the institution's language) and its parameters: shown once,
    # rendered in the reader's language.
    exclude = ["message", "params"]
    readonly_fields = ["message_shown"]

    @admin.display(description=_("message"))
    def message_shown(self, obj):
        return parked_message(obj)

    @admin.display(description=_("waiting for"), ordering="waiting_for__position")
    def waiting_for_link(self, obj):
        """The parked line a waiting line goes through with: fix that one's cause."""
        if obj.waiting_for_id is None:
            return ""
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                      args=[obj.waiting_for_id])
        return format_html('<a href="{}">{}</a>', url, obj.waiting_for.operation_id)
