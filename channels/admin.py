"""Admin of the sales set-up (the guide's "Paramétrage filière et interface"), scoped by tenant.

Other apps extend `ExternalSalesInterfaceAdmin` by subclassing it and registering the
subclass in its place (`admin.site.unregister(ExternalSalesInterface)` first).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import audit_record

from .forms import (
    ACCOUNT_FIELDS,
    FLAT_FILE_FIELDS,
    IDENTITY_FIELDS,
    SALES_FIELDS,
    WEB_SERVICE_FIELDS,
    ExternalSalesInterfaceForm,
)
from .models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)
from .tenancy import InstitutionScopedAdmin, user_institution_ids

# Choices in list filters come from the (scoped) list itself, so names of other
# institutions never appear in a filter.
_RELATED = admin.RelatedOnlyFieldListFilter


@admin.register(Institution)
class InstitutionAdmin(InstitutionScopedAdmin):
    list_display = ["name", "code", "language", "member_count"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def get_readonly_fields(self, request, obj=None):
        # Only superusers decide who belongs to an institution (and see every user).
        if request.user.is_superuser:
            return ()
        return ("code", "members")

    fields = ["code", "name", "language", "members"]

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class _InstitutionFieldAdmin(InstitutionScopedAdmin):
    """Common to the objects that carry an `institution` foreign key."""

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        ids = user_institution_ids(request.user)
        if ids is None or len(ids) > 1:
            filters.insert(0, ("institution", _RELATED))
        return filters


@admin.register(SalesChannel)
class SalesChannelAdmin(_InstitutionFieldAdmin):
    list_display = ["name", "institution", "kind", "accepts_third_party_tickets", "is_external"]
    list_select_related = ["institution"]
    list_filter = ["kind", "accepts_third_party_tickets"]
    search_fields = ["name"]
    fields = ["institution", "name", "kind", "accepts_third_party_tickets", "is_external"]


@admin.register(PointOfSale)
class PointOfSaleAdmin(_InstitutionFieldAdmin):
    list_display = ["code", "name", "institution", "channel", "payment_mode"]
    list_select_related = ["institution", "channel"]
    list_filter = ["payment_mode"]
    search_fields = ["code", "name"]
    fields = ["institution", "code", "name", "channel", "payment_mode"]


@admin.register(ExternalQuota)
class ExternalQuotaAdmin(_InstitutionFieldAdmin):
    list_display = ["name", "institution", "channel"]
    list_select_related = ["institution", "channel"]
    search_fields = ["name"]
    fields = ["institution", "name", "channel"]


@admin.register(Contact)
class ContactAdmin(_InstitutionFieldAdmin):
    list_display = ["name", "institution", "email", "pending_account_allowed"]
    list_select_related = ["institution"]
    list_filter = ["pending_account_allowed"]
    search_fields = ["name", "email"]
    fields = ["institution", "name", "email", "pending_account_allowed"]


class ExternalSalesInterfaceAdmin(_InstitutionFieldAdmin):
    """The guide's "Interface de vente externe" screen, fields in the order of its example."""

    form = ExternalSalesInterfaceForm
    list_display = [
        "internal_name",
        "institution",
        "channel",
        "url",
        "point_of_sale",
        "price_policy",
        "status",
    ]
    list_select_related = ["institution", "channel", "point_of_sale"]
    list_filter = ["status", "price_policy"]
    search_fields = ["internal_name", "url", "client_name", "institution_code"]
    readonly_fields = ["password_set"]
    fieldsets = [
        (None, {"fields": IDENTITY_FIELDS}),
        (_("Ticketnet web services"),
         {"fields": [*WEB_SERVICE_FIELDS, "password", "password_set"]}),
        (_("Sales"), {"fields": SALES_FIELDS}),
        (_("Ticketnet account"), {"fields": ACCOUNT_FIELDS}),
        (_("Flat files (passes)"), {"classes": ["collapse"], "fields": FLAT_FILE_FIELDS}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("password"):
            # "Password changed", never the value (the form encrypted it already).
            audit_record(institution_id=obj.institution_id, actor=request.user,
                         action=AuditEntry.Action.CREDENTIAL_CHANGE,
                         target=f"{obj.internal_name} ({obj.login})",
                         params={"interface_id": obj.pk, "field": "password",
                                 "first": not change})

    @admin.display(description=_("password set"))
    def password_set(self, obj):
        return _("yes") if obj is not None and obj.has_password else _("no")


admin.site.register(ExternalSalesInterface, ExternalSalesInterfaceAdmin)


# Users ------------------------------------------------------------------------------------

class InstitutionMembershipInline(admin.TabularInline):
    """Lets a superuser give a user their institutions from the user's page."""

    model = Institution.members.through
    extra = 1
    verbose_name = _("institution")
    verbose_name_plural = _("institutions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("institution")

    def _superuser(self, request, obj=None):
        return request.user.is_superuser

    has_view_permission = _superuser
    has_add_permission = _superuser
    has_change_permission = _superuser
    has_delete_permission = _superuser


User = get_user_model()
_BaseUserAdmin = type(admin.site._registry[User]) if admin.site.is_registered(User) else UserAdmin


class BridgeUserAdmin(_BaseUserAdmin):
    inlines = [*_BaseUserAdmin.inlines, InstitutionMembershipInline]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, BridgeUserAdmin)
