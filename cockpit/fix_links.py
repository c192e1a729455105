"""Where the operator fixes what the go-live checklist finds missing: the admin form of the
object, scrolled to the field (`#id_<field>`), and the catalogue pages behind a readiness
problem."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Model
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog.models import ActivityProfile, Event
from channels.models import ExternalSalesInterface
from mappings.models import TARGET_FIELDS, Correspondence
from mappings.selectors import Problem


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def admin_url(model: type[Model] | Model, action: str = "change", *args, query=None,
              field: str = "") -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)
    if query:
        url += "?" + urlencode(query)
    return url + (f"#id_{field}" if field else "")


def field_link(obj: Model, field: str) -> Link:
    """The change form of `obj`, at `field`; its label names both."""
    label = _("password") if field == "password" else obj._meta.get_field(field).verbose_name
    return Link(
        url=admin_url(obj, "change", obj.pk, field=field),
        label=_("%(model)s “%(object)s”: %(field)s") % {
            "model": capfirst(obj._meta.verbose_name), "object": obj, "field": label},
    )


def readiness_link(*, interface: ExternalSalesInterface, event: Event) -> Link:
    url = reverse("admin:mappings_correspondence_readiness", args=[interface.pk])
    return Link(url=f"{url}?{urlencode({'event': event.pk})}",
                label=_("Every problem of “%(event)s”") % {"event": event.code})


def allocation_link(*, interface: ExternalSalesInterface, event: Event | None = None) -> Link:
    query = {"quota": interface.external_quota_id, **({"event": event.pk} if event else {})}
    return Link(url=reverse("admin:catalog_zone_allocate") + "?" + urlencode(query),
                label=_("Set seats aside in the quota “%(quota)s”")
                % {"quota": interface.external_quota.name})


def profile_link(*, interface: ExternalSalesInterface, profile: Model | None) -> Link:
    """The channel's activity profile at its events, or a new one of the channel."""
    if profile is not None:
        return field_link(profile, "events")
    return Link(
        url=admin_url(ActivityProfile, "add", field="name", query={
            "institution": interface.institution_id, "channel": interface.channel_id}),
        label=_("Add an activity profile to the channel “%(channel)s”")
        % {"channel": interface.channel.name},
    )


def problem_link(problem: Problem, *, interface: ExternalSalesInterface, event: Event) -> Link:
    """The page that fixes one readiness problem of `event` (mappings.selectors)."""
    field = problem.field
    if field == "code" and not (problem.kind == "event" and event.is_competition):
        target = TARGET_FIELDS[problem.kind]
        return Link(
            url=admin_url(Correspondence, "add", field="code", query={
                "interface": interface.pk, "kind": problem.kind, target: problem.object_id}),
            label=_("Enter the code of “%(object)s”") % {"object": problem.label},
        )
    if field == "code":  # a competition's event code, to remove: the grid shows every code
        return Link(url=reverse("admin:mappings_correspondence_grid", args=[interface.pk]),
                    label=_("Ticketnet codes"))
    if field == "quota":
        return allocation_link(interface=interface, event=event)
    if field == "audience_type" and problem.object_id:
        return Link(url=reverse("admin:catalog_tariff_change", args=[problem.object_id])
                    + "#id_audience_type", label=problem.label)
    if field == "seats" and problem.object_id:
        return Link(url=reverse("admin:catalog_zone_seat_block", args=[problem.object_id]),
                    label=_("Create a block of seats"))
    anchors = {"performances": "#performances-group", "prices": "#prices-group",
               "amount_cents": "#prices-group", "kind": "#id_kind"}
    if field in anchors:
        return Link(url=reverse("admin:catalog_event_change", args=[event.pk]) + anchors[field],
                    label=str(event))
    return readiness_link(interface=interface, event=event)
