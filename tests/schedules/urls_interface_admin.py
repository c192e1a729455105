"""A test URLconf: an admin site where the interface has a minimal admin, wrapped by
`schedules.admin.install_interface_admin` as the real `channels` admin will be."""

from django.contrib import admin
from django.urls import path

from channels.models import ExternalSalesInterface
from channels.tenancy import InstitutionScopedAdmin
from schedules.admin import InterfaceJobsMixin, RunAdmin, install_interface_admin
from schedules.models import Run

site = admin.AdminSite(name="admin")


class MinimalInterfaceAdmin(InstitutionScopedAdmin):
    fields = ["internal_name", "followup_emails"]


site.register(ExternalSalesInterface, MinimalInterfaceAdmin)
site.register(Run, RunAdmin)
install_interface_admin(site)
assert isinstance(site._registry[ExternalSalesInterface], InterfaceJobsMixin)

urlpatterns = [path("admin/", site.urls)]
