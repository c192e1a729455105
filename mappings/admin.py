"""Correspondence admin: the list and form, the grid per interface (hundreds of codes at once,
with suggestions), the CSV export and the readiness of an interface's events."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.admin_utils import ScopedRelatedFilter
from channels.models import ExternalSalesInterface
from channels.tenancy import InstitutionScopedAdmin, scope_queryset

from . import admin_known  # noqa: F401 - registers the admins of the codes Ticketnet knows
from .grid import (
    GridFilter,
    GridLine,
    grid_field_name,
    grid_groups,
    grid_posted,
    grid_range_fill,
    grid_select_name,
)
from .grid_upload import MAX_UPLOAD_BYTES, uploaded_csv_text
from .known import LOCKED_REASON
from .models import TARGET_FIELDS, Correspondence, Kind
from .selectors import (
    correspondence_book,
    correspondence_rows,
    event_readiness,
    interface_events,
)
from .services import (
    Entry,
    correspondences_apply,
    correspondences_export_csv,
    correspondences_import_csv,
)

__all__ = ["CorrespondenceAdmin", "grid_field_name"]


@admin.register(Correspondence)
class CorrespondenceAdmin(InstitutionScopedAdmin):
    list_display = ["kind", "target_label", "code", "known_to_ticketnet", "interface",
                    "updated_at"]
    list_select_related = [
        "interface", "event", "performance__event", "configuration__hall", "zone",
        "category", "tariff", "known_code",
    ]
    list_filter = ["kind", ("interface", ScopedRelatedFilter)]
    search_fields = ["code"]
    fields = ["interface", "kind", *TARGET_FIELDS.values(), "code"]
    change_list_template = "mappings/admin/correspondence_change_list.html"

    @admin.display(description=_("object"))
    def target_label(self, obj):
        return str(obj.target)

    @admin.display(description=_("known to Ticketnet"), boolean=True)
    def known_to_ticketnet(self, obj):
        return hasattr(obj, "known_code")

    @admin.display(description=_("Ticketnet knows this code"))
    def lock(self, obj):
        return format_html(
            '{}<br><a class="button" id="record-confirmation" href="{}">{}</a>', LOCKED_REASON,
            reverse("admin:mappings_knowncode_confirm", args=[obj.known_code.pk]),
            gettext("Record Ticketnet's confirmation of a change"))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, "lock"] if obj is not None and hasattr(obj, "known_code") else fields

    def get_readonly_fields(self, request, obj=None):
        # A code Ticketnet knows stays on its object; the code field stays editable so that
        # a change is refused at the field with the reason (mappings' one rule, in clean()).
        if obj is not None and hasattr(obj, "known_code"):
            return ["interface", "kind", *TARGET_FIELDS.values(), "lock"]
        return super().get_readonly_fields(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and hasattr(obj, "known_code"):
            self.message_user(request, LOCKED_REASON, messages.ERROR)
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        interfaces = scope_queryset(ExternalSalesInterface.objects.all(), request.user)
        extra_context = {**(extra_context or {}), "grid_interfaces": list(interfaces)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        def view(func, name, route):
            return path(route, self.admin_site.admin_view(func), name=name)

        return [
            view(self.grid_view, "mappings_correspondence_grid", "grid/<int:interface_id>/"),
            view(self.export_view, "mappings_correspondence_export",
                 "export/<int:interface_id>/"),
            view(self.import_view, "mappings_correspondence_import",
                 "import/<int:interface_id>/"),
            view(self.readiness_view, "mappings_correspondence_readiness",
                 "readiness/<int:interface_id>/"),
            *super().get_urls(),
        ]

    def _interface(self, request, interface_id) -> ExternalSalesInterface:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            scope_queryset(
                ExternalSalesInterface.objects.select_related("channel", "external_quota"),
                request.user,
            ),
            pk=interface_id,
        )

    def _context(self, request, interface, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts, "interface": interface, "title": title, **extra,
        }

    def grid_view(self, request, interface_id):
        interface = self._interface(request, interface_id)
        book = correspondence_book(interface=interface)
        rows = correspondence_rows(interface=interface, book=book)
        values = {row.key: row.code for row in rows}
        errors: dict[tuple[str, int], list[str]] = {}
        grid_filter = GridFilter.from_query(request.GET)
        shown = None  # after a post, the rows the page showed (whatever the filter says now)
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            posted = grid_posted(rows, request.POST)
            shown, values = set(posted), {**values, **posted}
            if "fill" in request.POST:
                rows = correspondence_rows(interface=interface, book=book, typed=values)
                filled = {row.key: row.suggestion for row in rows
                          if row.key in posted and not posted[row.key] and row.suggestion}
                values.update(filled)
                self.message_user(request, ngettext(
                    "%(count)d suggestion filled in: check it, then save.",
                    "%(count)d suggestions filled in: check them, then save.", len(filled),
                ) % {"count": len(filled)}, messages.INFO)
            elif "range" in request.POST:
                self._range_fill(request, rows, posted, values)
            else:
                result = self._save(request, interface, rows, posted)
                if result is None:
                    return HttpResponseRedirect(request.get_full_path())
                errors = result
        lines = [GridLine(row=row, value=values.get(row.key, ""), errors=errors.get(row.key, []))
                 for row in rows]
        lines = [line for line in lines
                 if (line.row.key in shown if shown is not None else grid_filter.keeps(line))]
        return TemplateResponse(request, "mappings/admin/grid.html", self._context(
            request, interface,
            gettext("Ticketnet codes of “%(interface)s”") % {"interface": interface},
            groups=grid_groups(lines), table=lines, total=len(rows), filter=grid_filter,
            kinds=Kind.choices, can_change=self.has_change_permission(request),
        ))

    def _range_fill(self, request, rows, posted, values) -> None:
        selected = [row for row in rows if row.key in posted
                    and grid_select_name(*row.key) in request.POST]
        fill = grid_range_fill(selected, first_code=request.POST.get("range_first", ""))
        for message in fill.errors:
            self.message_user(request, message, messages.ERROR)
        values.update(fill.values)
        if fill.values:
            self.message_user(request, ngettext(
                "%(count)d row filled: check it, then save.",
                "%(count)d rows filled: check them, then save.", len(fill.values),
            ) % {"count": len(fill.values)}, messages.INFO)
        if fill.skipped_locked:
            self.message_user(request, ngettext(
                "%(count)d row left as it is: its code is known to Ticketnet (locked).",
                "%(count)d rows left as they are: their codes are known to Ticketnet (locked).",
                fill.skipped_locked) % {"count": fill.skipped_locked}, messages.WARNING)

    def _save(self, request, interface, rows, posted):
        """Save the changed rows; None once saved, else the errors by row."""
        changed = [row for row in rows if row.key in posted and posted[row.key] != row.code]
        entries = [Entry(kind=r.kind, object_id=r.object_id, code=posted[r.key])
                   for r in changed]
        result = correspondences_apply(interface=interface, entries=entries)
        if result.ok:
            self.message_user(request, gettext(
                "Saved: %(created)d created, %(updated)d changed, %(deleted)d removed."
            ) % result.counts(), messages.SUCCESS)
            return None
        self.message_user(request, ngettext(
            "Nothing was saved: %(count)d row has errors. Correct it and save again.",
            "Nothing was saved: %(count)d rows have errors. Correct them and save again.",
            len(result.errors)) % {"count": len(result.errors)}, messages.ERROR)
        return {changed[i].key: messages_ for i, messages_ in result.errors.items()}

    def import_view(self, request, interface_id):
        """Upload a CSV: a dry run first, reporting what would change and every refused line;
        the operator then applies the same text (checked again, all or nothing)."""
        interface = self._interface(request, interface_id)
        grid_url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
        report, text, form_errors = None, "", []
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            text, form_errors = uploaded_csv_text(request)
            if not form_errors:
                apply = "apply" in request.POST
                report = correspondences_import_csv(interface=interface, text=text,
                                                    dry_run=not apply)
                if apply and report.status == "OK":
                    self.message_user(request, gettext(
                        "Imported: %(created)d created, %(updated)d changed, %(deleted)d "
                        "removed, %(unchanged)d unchanged.") % report.counts, messages.SUCCESS)
                    return HttpResponseRedirect(grid_url)
        return TemplateResponse(request, "mappings/admin/import.html", self._context(
            request, interface,
            gettext("Import Ticketnet codes into “%(interface)s”") % {"interface": interface},
            report=report, text=text, form_errors=form_errors, grid_url=grid_url,
            can_change=self.has_change_permission(request), max_mib=MAX_UPLOAD_BYTES >> 20,
        ))

    def export_view(self, request, interface_id):
        interface = self._interface(request, interface_id)
        response = HttpResponse(
            correspondences_export_csv(interface=interface), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="correspondences-{interface.pk}.csv"'
        )
        return response

    def readiness_view(self, request, interface_id):
        interface = self._interface(request, interface_id)
        events = list(interface_events(interface=interface))
        event, problems = None, None
        event_id = request.GET.get("event", "")
        if event_id.isdigit():
            event = get_object_or_404(
                scope_queryset(interface.institution.events.all(), request.user), pk=event_id
            )
            problems = event_readiness(interface=interface, event=event)
        return TemplateResponse(request, "mappings/admin/readiness.html", self._context(
            request, interface,
            gettext("Ready for the catalogue export on “%(interface)s”?")
            % {"interface": interface},
            events=events, event=event, problems=problems,
        ))
