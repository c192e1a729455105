"""The admin site whose home is the operator's dashboard, and whose sections follow the
guide: the set-up first (institution, channel, point of sale, quota, contact, interface),
then the catalogue, the codes, the runs and schedules, the sales."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# (app label, [model names in the guide's order]); apps and models not listed follow, by name.
GUIDE_ORDER = [
    ("channels", ["institution", "saleschannel", "pointofsale", "externalquota", "contact",
                  "externalsalesinterface"]),
    ("catalog", ["event", "performance", "hall", "logicalconfiguration", "zone", "seat",
                 "seatcategory", "tariff", "price", "activityprofile", "seatallocation",
                 "zoneallocation"]),
    ("mappings", ["correspondence"]),
    ("schedules", ["run"]),
    ("django_celery_beat", ["periodictask", "intervalschedule", "crontabschedule",
                            "clockedschedule", "solarschedule"]),
    ("sales", ["parkedoperation", "ticket", "order"]),
    ("auth", ["user", "group"]),
    ("authtoken", []),
]
APP_RANK = {app: n for n, (app, _models) in enumerate(GUIDE_ORDER)}
MODEL_RANK = {(app, model): n for app, models in GUIDE_ORDER for n, model in enumerate(models)}


class CockpitAdminSite(admin.AdminSite):
    index_title = _("Dashboard")

    def get_app_list(self, request, app_label=None):
        apps = sorted(self._build_app_dict(request, app_label).values(),
                      key=lambda a: (APP_RANK.get(a["app_label"], len(APP_RANK)),
                                     str(a["name"]).lower()))
        for app in apps:
            app["models"].sort(key=lambda m, app=app["app_label"]: (
                MODEL_RANK.get((app, m["model"]._meta.model_name), len(MODEL_RANK)),
                str(m["name"]).lower()))
        return apps

    def index(self, request, extra_context=None):
        # Imported here: the site is built while the admin app starts, the dashboard's
        # selectors read every app's models.
        from .display import cards
        from .selectors import dashboard_build
        from .services import may_set_up

        now = timezone.now()
        context = {"cockpit_cards": [], "cockpit_now": now}
        user = request.user
        if user.has_perm("channels.view_externalsalesinterface"):
            context["cockpit_cards"] = cards(dashboard_build(user=user, now=now))
        context["cockpit_can_add_interface"] = user.has_perm(
            "channels.add_externalsalesinterface")
        context["cockpit_setup_url"] = reverse(
            "admin:channels_externalsalesinterface_setup") if may_set_up(user) else ""
        return super().index(request, {**context, **(extra_context or {})})
