"""The reconciliations, read-only, within the user's institutions: each opens its interface's
finance page ("Reconciliation and settlement"), where its differences are listed."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channels.tenancy import InstitutionScopedAdmin

from .models import Reconciliation


@admin.register(Reconciliation)
class ReconciliationAdmin(InstitutionScopedAdmin):
    list_display = ["started_at", "interface", "source", "compared", "ticketnet_lines",
                    "our_tickets", "matched", "differences", "finance_page"]
    list_display_links = None
    list_filter = [("interface", admin.RelatedOnlyFieldListFilter), "source"]
    list_select_related = ["interface", "performance__event"]
    date_hierarchy = "started_at"
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was compared; deleting the interface removes it

    @admin.display(description=_("compared"))
    def compared(self, obj):
        if obj.performance_id:
            return obj.performance
        if obj.period_start:
            return f"{obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d}"
        return ""

    @admin.display(description=_("differences"))
    def differences(self, obj):
        return obj.differences_total

    @admin.display(description=_("details"))
    def finance_page(self, obj):
        url = reverse("admin:channels_externalsalesinterface_reconciliation",
                      args=[obj.interface_id])
        return format_html('<a href="{}?reconciliation={}#reconciliation">{}</a>', url, obj.pk,
                           _("Open"))
