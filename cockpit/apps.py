"""The cockpit app, and the admin configuration whose default site is the cockpit's."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    default = True
    name = "cockpit"
    verbose_name = _("Cockpit")


class CockpitAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with `admin.site` an instance of CockpitAdminSite, so every app's
    `admin.site.register` lands on the site whose home is the dashboard."""

    default = False
    default_site = "cockpit.sites.CockpitAdminSite"
