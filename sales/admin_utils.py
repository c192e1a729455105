"""Admin pieces other apps' admins share (an admin module never imports another): the read-only
base of the sales admins, and the parked lines' admin that `schedules.admin` extends."""

from django.contrib import admin

from channels.tenancy import InstitutionScopedAdmin


class ReadOnlyAdmin(InstitutionScopedAdmin):
    """Sales come from Ticketnet: they are looked at, never typed in."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParkedOperationAdmin(ReadOnlyAdmin):
    list_display = ["operation_id", "type", "ticket_number", "reason", "message", "attempts",
                    "last_attempt_at", "resolved_at"]
    list_filter = ["reason", "type", ("resolved_at", admin.EmptyFieldListFilter),
                   ("interface", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["interface"]
    search_fields = ["operation_id", "ticket_number"]
