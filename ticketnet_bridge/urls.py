"""Top-level URLs: the admin, the REST API and its schema."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = admin.site.site_title = _("Ticketnet bridge")
admin.site.site_url = None  # the site *is* the admin: no "View site" link

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("mappings.urls")),
]
