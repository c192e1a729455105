"""Catalogue admin: every list scoped to the user's institutions and a bounded number of
queries; bulk blocks of seats and bulk allocation of seats and places to a quota."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels.tenancy import InstitutionScopedAdmin, scope_queryset

from . import services
from .admin_utils import ScopedRelatedFilter
from .forms import QuotaAllocationForm, SeatBlockForm
from .models import (
    ActivityProfile,
    Event,
    Hall,
    LogicalConfiguration,
    Performance,
    Price,
    Seat,
    SeatAllocation,
    SeatCategory,
    Tariff,
    Zone,
    ZoneAllocation,
)
from .series import describe_series


class ScopedInlineMixin:
    """Inline whose related choices stay within the user's institutions."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_queryset(field.queryset, request.user)
        return field


class LogicalConfigurationInline(ScopedInlineMixin, admin.TabularInline):
    model = LogicalConfiguration
    extra = 0


@admin.register(Hall)
class HallAdmin(InstitutionScopedAdmin):
    list_display = ["name", "institution", "configuration_count"]
    list_select_related = ["institution"]
    search_fields = ["name"]
    inlines = [LogicalConfigurationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_configurations=Count("configurations"))

    @admin.display(description=_("configurations"), ordering="_configurations")
    def configuration_count(self, obj):
        return obj._configurations


@admin.register(LogicalConfiguration)
class LogicalConfigurationAdmin(InstitutionScopedAdmin):
    list_display = ["name", "hall", "zone_count"]
    list_select_related = ["hall"]
    list_filter = [("hall", ScopedRelatedFilter)]
    search_fields = ["name", "hall__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_zones=Count("zones"))

    @admin.display(description=_("zones"), ordering="_zones")
    def zone_count(self, obj):
        return obj._zones


@admin.register(SeatCategory)
class SeatCategoryAdmin(InstitutionScopedAdmin):
    list_display = ["name", "rank", "institution"]
    list_select_related = ["institution"]
    search_fields = ["name"]


@admin.register(Tariff)
class TariffAdmin(InstitutionScopedAdmin):
    list_display = ["code", "name", "audience_type", "institution"]
    list_select_related = ["institution"]
    list_filter = ["audience_type"]
    search_fields = ["code", "name"]


def _allocate_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value)
    return reverse("admin:catalog_zone_allocate") + (f"?{query}" if query else "")


@admin.register(Zone)
class ZoneAdmin(InstitutionScopedAdmin):
    list_display = [
        "name", "configuration", "block", "numbered", "capacity", "seat_count", "series",
    ]
    list_select_related = ["configuration__hall", "category"]
    list_filter = ["numbered", ("configuration__hall", ScopedRelatedFilter)]
    search_fields = ["name", "configuration__name", "configuration__hall__name"]
    readonly_fields = ["series_detail", "seat_tools"]
    actions = ["allocate_to_quota"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_seats=Count("seats"))

    @admin.display(description=_("block"))
    def block(self, obj):
        if obj.block_letter and obj.block_number:
            return f"{obj.block_letter}{obj.block_number}"
        return "—"

    @admin.display(description=_("seats"), ordering="_seats")
    def seat_count(self, obj):
        return obj._seats

    @admin.display(description=_("seat series"))
    def series(self, obj):
        if obj.numbered or not obj.capacity:
            return "—"
        description = describe_series(obj.capacity)
        return gettext("%(rows)d × %(length)d, last row %(last)d") % {
            "rows": description.rows, "length": description.row_length,
            "last": description.last_row_length,
        }

    @admin.display(description=_("seat series sold by Ticketnet"))
    def series_detail(self, obj):
        if obj.pk is None or obj.numbered or not obj.capacity:
            return gettext("Only for non-numbered zones with a capacity.")
        return str(describe_series(obj.capacity))

    @admin.display(description=_("seats"))
    def seat_tools(self, obj):
        if obj.pk is None or not obj.numbered:
            return "—"
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            gettext("%(count)d seats.") % {"count": obj.seats.count()},
            reverse("admin:catalog_zone_seat_block", args=[obj.pk]),
            gettext("Create a block of seats"),
        )

    @admin.action(description=_("Set aside in an external quota…"))
    def allocate_to_quota(self, request, queryset):
        return HttpResponseRedirect(
            _allocate_url(zones=",".join(str(pk) for pk in queryset.values_list("pk", flat=True)))
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/seats/block/",
                self.admin_site.admin_view(self.seat_block_view),
                name="catalog_zone_seat_block",
            ),
            path(
                "allocate/",
                self.admin_site.admin_view(self.allocate_view),
                name="catalog_zone_allocate",
            ),
            *super().get_urls(),
        ]

    def seat_block_view(self, request, object_id):
        zone = get_object_or_404(
            self.get_queryset(request).select_related("configuration__hall"), pk=object_id
        )
        if not self.has_change_permission(request, zone):
            return HttpResponseRedirect(reverse("admin:index"))
        form = SeatBlockForm(request.POST or None, zone=zone)
        if request.method == "POST" and form.is_valid():
            try:
                created = services.seats_create_block(zone=zone, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request, gettext("%(count)d seats created in “%(zone)s”.")
                    % {"count": created, "zone": zone.name}, messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:catalog_zone_change", args=[zone.pk]))
        return TemplateResponse(request, "catalog/admin/form_page.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": zone, "form": form,
            "title": gettext("Create a block of seats in “%(zone)s”") % {"zone": zone.name},
            "intro": gettext(
                "Rows × seats per row seats are created at once, numbered from the first row "
                "and the first seat number, all of one category."
            ),
            "submit_label": gettext("Create the seats"),
        })

    def allocate_view(self, request):
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        initial = {}
        for key in ("event", "quota"):
            if request.GET.get(key, "").isdigit():
                initial[key] = int(request.GET[key])
        for key in ("zones", "performances"):
            ids = [v for v in request.GET.get(key, "").split(",") if v.isdigit()]
            if ids:
                initial[key] = ids
        form = QuotaAllocationForm(request.POST or None, user=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.event_allocate_to_quota(
                    event=data["event"], quota=data["quota"],
                    performances=list(data["performances"]) or None,
                    zones=list(data["zones"]) or None, places=data["places"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    gettext(
                        "%(seats)d seats and %(places)d non-numbered allocations set aside in "
                        "“%(quota)s”."
                    ) % {"seats": result.seats, "places": result.places,
                         "quota": data["quota"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:catalog_event_change", args=[data["event"].pk])
                )
        return TemplateResponse(request, "catalog/admin/form_page.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts, "form": form,
            "title": gettext("Set aside seats and places in an external quota"),
            "intro": gettext(
                "Every seat of the chosen zones (or of the whole configuration) is set aside "
                "for each chosen performance (or all of the event's); seats already in a quota "
                "stay where they are."
            ),
            "submit_label": gettext("Set aside"),
        })


@admin.register(Seat)
class SeatAdmin(InstitutionScopedAdmin):
    list_display = ["zone", "row", "number", "category"]
    list_select_related = ["zone", "category"]
    list_filter = [("category", ScopedRelatedFilter)]
    search_fields = ["zone__name"]
    raw_id_fields = ["zone"]
    show_full_result_count = False


class PerformanceInline(ScopedInlineMixin, admin.TabularInline):
    model = Performance
    extra = 0
    fields = ["start", "configuration", "closed", "cancelled"]


class PriceInline(ScopedInlineMixin, admin.TabularInline):
    model = Price
    extra = 0
    fields = ["category", "tariff", "amount_cents", "performance"]


@admin.register(Event)
class EventAdmin(InstitutionScopedAdmin):
    list_display = ["code", "name", "kind", "season", "performance_count", "institution"]
    list_select_related = ["institution"]
    list_filter = ["kind", "season"]
    search_fields = ["code", "name"]
    inlines = [PerformanceInline, PriceInline]
    actions = ["allocate_to_quota"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_performances=Count("performances"))

    @admin.display(description=_("performances"), ordering="_performances")
    def performance_count(self, obj):
        return obj._performances

    @admin.action(description=_("Set aside seats in an external quota…"))
    def allocate_to_quota(self, request, queryset):
        event = queryset.first()
        return HttpResponseRedirect(_allocate_url(event=event.pk if event else None))


@admin.register(Performance)
class PerformanceAdmin(InstitutionScopedAdmin):
    list_display = ["__str__", "event", "start", "configuration", "closed", "cancelled"]
    list_select_related = ["event", "configuration__hall"]
    list_filter = ["closed", "cancelled", "event__season"]
    search_fields = ["event__code", "event__name"]
    date_hierarchy = "start"
    actions = ["allocate_to_quota"]

    @admin.action(description=_("Set aside seats in an external quota…"))
    def allocate_to_quota(self, request, queryset):
        perfs = list(queryset.values_list("pk", "event_id"))
        events = {event_id for _pk, event_id in perfs}
        if len(events) != 1:
            self.message_user(
                request, gettext("Choose performances of one event."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(_allocate_url(
            event=events.pop(), performances=",".join(str(pk) for pk, _e in perfs)
        ))


@admin.register(Price)
class PriceAdmin(InstitutionScopedAdmin):
    list_display = ["event", "performance", "category", "tariff", "amount_cents"]
    list_select_related = ["event", "performance__event", "category", "tariff"]
    list_filter = ["event__season"]
    search_fields = ["event__code", "event__name", "tariff__code"]


@admin.register(SeatAllocation)
class SeatAllocationAdmin(InstitutionScopedAdmin):
    list_display = ["performance", "seat", "quota"]
    list_select_related = ["performance__event", "seat__zone", "quota"]
    list_filter = [("quota", ScopedRelatedFilter)]
    raw_id_fields = ["performance", "seat"]
    show_full_result_count = False


@admin.register(ZoneAllocation)
class ZoneAllocationAdmin(InstitutionScopedAdmin):
    list_display = ["performance", "zone", "quota", "places"]
    list_select_related = ["performance__event", "zone", "quota"]
    list_filter = [("quota", ScopedRelatedFilter)]


@admin.register(ActivityProfile)
class ActivityProfileAdmin(InstitutionScopedAdmin):
    list_display = ["name", "channel", "event_count", "institution"]
    list_select_related = ["channel", "institution"]
    filter_horizontal = ["events"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_events=Count("events"))

    @admin.display(description=_("events"), ordering="_events")
    def event_count(self, obj):
        return obj._events
