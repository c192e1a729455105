"""The cockpit's pages on the interface's admin: the guided set-up, the go-live checklist with its
"Check the connection" and "Create the missing schedules" buttons, the finance page
(`admin_finance`), and the links to them."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from audit.services import audit_record
from channels.models import ExternalSalesInterface, Institution
from channels.setup_forms import setup_errors_show, setup_forms, setup_values
from channels.tenancy import scope_queryset
from schedules.jobs.ticketnet import interface_connection_check
from schedules.models import Job

from .admin_finance import FinanceAdminMixin
from .checklist import checklist_build, interface_for_checklist
from .connection import connection_check_keep, connection_check_shown
from .services import guided_setup_create, interface_schedules_create, may_set_up


def _url(name: str, *args) -> str:
    return reverse(f"admin:channels_externalsalesinterface_{name}", args=args)


class GoLiveAdminMixin:
    """Put in front of the registered interface admin by `install`; `base_change_form` is the
    template the interface's page had, which the cockpit's extends with its links."""

    base_change_form = "admin/change_form.html"
    base_change_list = "admin/change_list.html"
    change_form_template = "cockpit/interface_change_form.html"
    change_list_template = "cockpit/interface_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("setup/", view(self.setup_view), name="channels_externalsalesinterface_setup"),
            path("<path:object_id>/checklist/", view(self.checklist_view),
                 name="channels_externalsalesinterface_checklist"),
            path("<path:object_id>/checklist/check-connection/",
                 view(self.check_connection_view),
                 name="channels_externalsalesinterface_check_connection"),
            path("<path:object_id>/checklist/schedules/", view(self.create_schedules_view),
                 name="channels_externalsalesinterface_create_schedules"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        obj = kwargs.get("obj") or context.get("original")
        context["cockpit_base_change_form"] = self.base_change_form
        if obj is not None and obj.pk:
            context["cockpit_checklist_url"] = _url("checklist", obj.pk)
        return super().render_change_form(request, context, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra = {"cockpit_setup_url": _url("setup") if may_set_up(request.user) else "",
                 "cockpit_base_change_list": self.base_change_list}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def _golive_context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title,
                **extra}

    # The guided set-up ----------------------------------------------------------------

    def setup_view(self, request):
        if not may_set_up(request.user):
            raise PermissionDenied
        institutions = scope_queryset(Institution.objects.all(), request.user)
        institution = None
        wanted = request.POST.get("institution") or request.GET.get("institution", "")
        if wanted.isdigit():
            institution = get_object_or_404(institutions, pk=wanted)
        elif len(choices := list(institutions[:2])) == 1:
            institution = choices[0]
        if institution is None:
            return TemplateResponse(request, "cockpit/setup_institution.html", self._golive_context(
                request, _("Guided set-up of the link with Ticketnet"),
                institutions=institutions.annotate(n=Count("interfaces")).order_by("name")))
        forms = setup_forms(request.POST if request.method == "POST" else None,
                            institution=institution)
        if request.method == "POST" and all(form.is_valid() for form in forms.values()):
            try:
                result = guided_setup_create(institution=institution, **setup_values(forms))
            except ValidationError as exc:
                setup_errors_show(forms, exc)
            else:
                interface = result.setup.interface
                audit_record(institution_id=institution.pk, actor=request.user,
                             action=AuditEntry.Action.CREDENTIAL_CHANGE,
                             target=f"{interface.internal_name} ({interface.login})",
                             params={"interface_id": interface.pk, "field": "password",
                                     "first": True})
                self._golive_say_set_up(request, result)
                return HttpResponseRedirect(_url("checklist", result.setup.interface.pk))
        return TemplateResponse(request, "cockpit/setup.html", self._golive_context(
            request, _("Guided set-up of the link with Ticketnet"), institution=institution,
            forms=forms, several_institutions=institutions.count() > 1,
            has_errors=any(form.errors for form in forms.values())))

    def _golive_say_set_up(self, request, result):
        setup = result.setup
        text = _("Set up for %(institution)s: channel “%(channel)s”, point of sale “%(pos)s”, "
                 "quota “%(quota)s”, contact “%(contact)s”, interface “%(interface)s”.") % {
            "institution": setup.interface.institution, "channel": setup.channel,
            "pos": setup.point_of_sale, "quota": setup.external_quota,
            "contact": setup.contact, "interface": setup.interface}
        if result.schedules:
            jobs = ", ".join(str(Job(json.loads(task.kwargs)["job"]).label)
                             for task in result.schedules)
            text += " " + ngettext("%(n)d schedule created: %(jobs)s.",
                                   "%(n)d schedules created: %(jobs)s.", len(result.schedules)
                                   ) % {"n": len(result.schedules), "jobs": jobs}
        self.message_user(request, text, messages.SUCCESS)

    # The go-live checklist -------------------------------------------------------------

    def _golive_interface(self, request, object_id) -> ExternalSalesInterface:
        obj = get_object_or_404(interface_for_checklist(self.get_queryset(request)),
                                pk=object_id)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def checklist_view(self, request, object_id):
        interface = self._golive_interface(request, object_id)
        checklist = checklist_build(interface=interface, user=request.user)
        return TemplateResponse(request, "cockpit/checklist.html", self._golive_context(
            request, _("Go-live checklist of “%(interface)s”") % {"interface": interface},
            original=interface, checklist=checklist,
            connection=connection_check_shown(session=request.session, interface=interface),
            may_create_schedules=self.has_change_permission(request, interface),
            change_url=reverse("admin:channels_externalsalesinterface_change",
                               args=[interface.pk])))

    def check_connection_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        interface = self._golive_interface(request, object_id)
        connection_check_keep(session=request.session, interface_id=interface.pk,
                              check=interface_connection_check(interface=interface))
        return HttpResponseRedirect(_url("checklist", interface.pk) + "#connection")

    def create_schedules_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        interface = self._golive_interface(request, object_id)
        if not self.has_change_permission(request, interface):
            raise PermissionDenied
        created = interface_schedules_create(interface=interface)
        self.message_user(request, ngettext(
            "%(n)d schedule created.", "%(n)d schedules created.", len(created))
            % {"n": len(created)}, messages.SUCCESS)
        return HttpResponseRedirect(_url("checklist", interface.pk) + "#schedules")


def install(site=admin.site) -> None:
    """Put the mixins in front of the interface admin other apps registered (schedules')."""
    base = site._registry.get(ExternalSalesInterface)
    if base is None or isinstance(base, GoLiveAdminMixin):
        return
    site.unregister(ExternalSalesInterface)
    base_class = type(base)
    site.register(ExternalSalesInterface, type(
        "ExternalSalesInterfaceGoLiveAdmin", (FinanceAdminMixin, GoLiveAdminMixin, base_class),
        {"base_change_form": base_class.change_form_template or "admin/change_form.html",
         "base_change_list": base_class.change_list_template or "admin/change_list.html"}))


install()
