"""Admin of the codes Ticketnet knows (read-only: a catalogue export wrote them) with the form
recording Ticketnet's confirmation of a change, and the read-only history of those changes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.admin_utils import ScopedRelatedFilter
from channels.tenancy import InstitutionScopedAdmin
from channels.validators import validate_plain_text

from .known import LOCKED_REASON, KnownCode, KnownCodeChange
from .locks import known_code_change

TARGETS = ["correspondence__event", "correspondence__performance__event",
           "correspondence__configuration__hall", "correspondence__zone",
           "correspondence__category", "correspondence__tariff"]


class ChangeConfirmedForm(forms.Form):
    new_code = forms.CharField(
        label=_("New code"), max_length=200,
        help_text=_("The code Ticketnet gave the object on their side."),
    )
    ticketnet_reference = forms.CharField(
        label=_("Ticketnet's reference"), max_length=200, validators=[validate_plain_text],
        help_text=_("What Ticketnet gave to confirm the change: their ticket or e-mail "
                    "reference, the name of the person who confirmed it."),
    )


@admin.register(KnownCode)
class KnownCodeAdmin(InstitutionScopedAdmin):
    list_display = ["kind", "target_label", "code", "interface", "since", "manifestation_code",
                    "run_id"]
    list_select_related = ["interface", "correspondence", *TARGETS]
    list_filter = ["correspondence__kind", ("interface", ScopedRelatedFilter)]
    search_fields = ["code", "manifestation_code"]
    fields = ["interface", "kind", "target_label", "code", "since", "manifestation_code",
              "run_id", "confirmation"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # written by the catalogue export only

    # Deleting stays "permitted" so that the admin's delete pages of a zone, a tariff… list
    # the code known to Ticketnet as what protects them (with the reason), rather than a
    # missing permission; this admin itself never deletes one.
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        self.message_user(request, LOCKED_REASON, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:mappings_knowncode_changelist"))

    @admin.display(description=_("kind"), ordering="correspondence__kind")
    def kind(self, obj):
        return obj.correspondence.get_kind_display()

    @admin.display(description=_("object"))
    def target_label(self, obj):
        return str(obj.correspondence.target)

    @admin.display(description=_("change"))
    def confirmation(self, obj):
        return format_html(
            '{}<br><a class="button" id="record-confirmation" href="{}">{}</a>',
            LOCKED_REASON, reverse("admin:mappings_knowncode_confirm", args=[obj.pk]),
            gettext("Record Ticketnet's confirmation of a change"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on this page is edited: the change goes through the confirmation form.
        extra_context = {**(extra_context or {}), "show_save": False,
                         "show_save_and_continue": False, "show_save_and_add_another": False,
                         "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path("<int:object_id>/confirm-change/",
                 self.admin_site.admin_view(self.confirm_view),
                 name="mappings_knowncode_confirm"),
            *super().get_urls(),
        ]

    def confirm_view(self, request, object_id):
        known = get_object_or_404(
            self.get_queryset(request).select_related("correspondence", *TARGETS), pk=object_id)
        if not self.has_change_permission(request, known):
            raise PermissionDenied
        form = ChangeConfirmedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                change = known_code_change(known_code=known, user=request.user,
                                           **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, gettext(
                    "Ticketnet's confirmation is recorded: %(object)s now has the code "
                    "%(new)s; sales under %(old)s still come back to it.")
                    % {"object": known.correspondence.target, "new": change.new_code,
                       "old": change.old_code}, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:mappings_knowncode_change", args=[known.pk]))
        target = known.correspondence.target
        return TemplateResponse(request, "mappings/admin/known_code_confirm.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": known, "form": form,
            "title": gettext("Ticketnet confirmed a change of the code of “%(object)s”")
            % {"object": target},
            "intro": gettext(
                "Ticketnet knows “%(object)s” by the code %(code)s since %(since)s. Record the "
                "change only once Ticketnet has made it on their side: the new code is then "
                "used everywhere, and Ticketnet's sales under %(code)s still come back to "
                "“%(object)s”.") % {"object": target, "code": known.code,
                                   "since": formats.date_format(
                                       timezone.localtime(known.since), "SHORT_DATE_FORMAT")},
            "submit_label": gettext("Record the confirmation and change the code"),
            "changes": known.changes.select_related("recorded_by"),
        })


@admin.register(KnownCodeChange)
class KnownCodeChangeAdmin(InstitutionScopedAdmin):
    list_display = ["recorded_at", "interface", "target_label", "old_code", "new_code",
                    "source", "ticketnet_reference", "recorded_by_name"]
    list_select_related = ["interface", "known_code__correspondence",
                           *(f"known_code__{t}" for t in TARGETS)]
    list_filter = ["source", ("interface", ScopedRelatedFilter)]
    search_fields = ["old_code", "new_code", "ticketnet_reference"]
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the history is never rewritten

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("object"))
    def target_label(self, obj):
        correspondence = obj.known_code.correspondence
        return f"{correspondence.get_kind_display()} {correspondence.target}"
