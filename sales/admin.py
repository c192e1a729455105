"""Admin of Ticketnet sales: read-only orders, tickets and parked lines, scoped per institution.

The "retry" action on parked lines is added by `schedules.admin` (it queues the sales
integration job, which sales cannot import), on `admin_utils.ParkedOperationAdmin`."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_utils import ParkedOperationAdmin, ReadOnlyAdmin
from .models import Order, ParkedOperation, Ticket


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "interface", "contact", "point_of_sale", "payment_mode",
                    "created_at"]
    list_filter = [("interface", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["interface", "contact", "point_of_sale"]
    date_hierarchy = "created_at"


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "state", "performance", "place", "category", "tariff",
                    "price_cents", "reseller_price_cents", "buyer_last_name", "sold_at"]
    list_filter = ["state", ("performance", admin.RelatedOnlyFieldListFilter),
                   ("interface", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["performance__event", "product", "seat__zone", "zone", "category",
                           "tariff"]
    search_fields = ["number", "operation_id", "buyer_last_name"]
    date_hierarchy = "sold_at"
    show_full_result_count = False

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place_label


admin.site.register(ParkedOperation, ParkedOperationAdmin)
