"""The go-live checklist of an interface: every prerequisite of the guide, ✓ or ✗, each with
a link to the field that fixes it; read-only, its queries fixed whatever the volumes but
the events' readiness (about ten queries an upcoming event, mappings.selectors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_celery_beat.models import PeriodicTask

from catalog.models import ActivityProfile, Event, SeatAllocation, ZoneAllocation
from channels.models import ExternalSalesInterface, PointOfSale, SalesChannel
from channels.validators import validate_email_list, validate_host_port
from mappings.selectors import Problem, event_readiness, interface_events
from schedules.jobs.channel_rules import takes_catalogue, takes_web_services
from schedules.jobs.schedules import (
    SCHEDULE_HOURS,
    interface_has_non_numbered_events,
    schedule_name,
)
from schedules.models import Job

from .fix_links import (
    Link,
    admin_url,
    allocation_link,
    field_link,
    problem_link,
    profile_link,
    readiness_link,
)

# The sections the guided set-up fills in (the rest needs the catalogue and the codes).
SETUP_SECTIONS = ("channel", "point_of_sale", "external_quota", "contact", "interface")
# Performances that started less than this long ago are still on sale (as on the dashboard).
ON_SALE_AFTER_START = dt.timedelta(hours=6)
PROBLEMS_SHOWN = 8  # per event; the readiness page lists them all


@dataclass
class Item:
    key: str
    label: str  # what the guide asks
    ok: bool
    detail: str = ""  # what was found, or what is wrong
    fix: Link | None = None  # where it is fixed; for a missing schedule, the button does


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    def add(self, key: str, label: str, ok: bool, detail: str = "",
            fix: Link | None = None) -> None:
        self.items.append(Item(key=key, label=label, ok=ok, detail=detail, fix=fix))


@dataclass
class EventCheck:
    """An upcoming event of the interface: ready for the catalogue export or not, and why."""

    event: Event
    problems: list[tuple[Problem, Link]]
    more: int  # problems beyond those listed
    readiness: Link

    @property
    def ready(self) -> bool:
        return not self.problems


@dataclass
class Checklist:
    interface: ExternalSalesInterface
    sections: list[Section]
    events: list[EventCheck]
    missing_schedules: list[str]  # jobs whose schedule the button would create

    @property
    def uses_web_services(self) -> bool:
        return takes_web_services(interface=self.interface)

    @property
    def set_up_ok(self) -> bool:
        return all(s.ok for s in self.sections if s.key in SETUP_SECTIONS)

    @property
    def to_fix(self) -> int:
        return (sum(not item.ok for s in self.sections for item in s.items)
                + sum(not e.ready for e in self.events))

    @property
    def ok(self) -> bool:
        return self.to_fix == 0


def interface_for_checklist(queryset):
    return queryset.select_related("institution", "channel", "point_of_sale", "external_quota",
                                   "contact")


def checklist_build(*, interface: ExternalSalesInterface, user,
                    now: dt.datetime | None = None) -> Checklist:
    """`interface` with its channel, point of sale, quota and contact loaded
    (interface_for_checklist); `user` decides the links to the schedules."""
    now = now or timezone.now()
    sections = [_channel(interface), _point_of_sale(interface), _quota(interface),
                _contact(interface), _interface(interface)]
    products, events = _products(interface, now=now)
    schedules, missing = _schedules(interface, user=user)
    return Checklist(interface=interface, sections=[*sections, products, schedules],
                     events=events, missing_schedules=missing)


def _kinds_sold(interface: ExternalSalesInterface) -> set[str]:
    """The kinds of product the interface's channel sells through Ticketnet."""
    kind = interface.channel.kind
    if kind == SalesChannel.Kind.TICKETNET_AUTOMATIC:
        return {Event.Kind.SINGLE, Event.Kind.COMPETITION}
    if kind == SalesChannel.Kind.TICKETNET_VISIT_PASS:
        return {Event.Kind.VISIT_PASS}
    return ({Event.Kind.UNDATED_PASS} if interface.flat_files_undated_passes else set()) | (
        {Event.Kind.VISIT_PASS} if interface.flat_files_visit_passes else set())


def _channel(interface: ExternalSalesInterface) -> Section:
    channel = interface.channel
    section = Section("channel", _("Sales channel “%(name)s”") % {"name": channel.name})
    kinds = _kinds_sold(interface)
    misfits = list(Event.objects.filter(activity_profiles__channel=channel)
                   .exclude(kind__in=kinds).distinct().order_by("code")[:5])
    section.add(
        "kind", _("Of a Ticketnet kind matching what it sells: %(kind)s")
        % {"kind": channel.get_kind_display()}, not misfits,
        _("Not sold through this kind of channel: %(events)s") % {"events": ", ".join(
            f"{e} ({e.get_kind_display().lower()})" for e in misfits)} if misfits else "",
        field_link(channel, "kind"))
    section.add("third_party", _("Accepts third-party tickets (Ticketnet prints its own)"),
                channel.accepts_third_party_tickets,
                fix=field_link(channel, "accepts_third_party_tickets"))
    return section


def _point_of_sale(interface: ExternalSalesInterface) -> Section:
    pos = interface.point_of_sale
    section = Section("point_of_sale", _("Point of sale “%(code)s”") % {"code": pos.code})
    section.add("of_channel", _("Of the interface's channel"),
                pos.channel_id == interface.channel_id, fix=field_link(interface, "point_of_sale"))
    section.add("pending_account", _("Pays by pending account"),
                pos.payment_mode == PointOfSale.PaymentMode.PENDING_ACCOUNT,
                pos.get_payment_mode_display(), field_link(pos, "payment_mode"))
    return section


def _quota(interface: ExternalSalesInterface) -> Section:
    quota = interface.external_quota
    section = Section("external_quota", _("External quota “%(name)s”") % {"name": quota.name})
    section.add("of_channel", _("Of the interface's channel"),
                quota.channel_id == interface.channel_id,
                fix=field_link(interface, "external_quota"))
    return section


def _contact(interface: ExternalSalesInterface) -> Section:
    contact = interface.contact
    section = Section("contact", _("Technical contact “%(name)s”") % {"name": contact.name})
    section.add("pending_account_allowed", _("Allowed the pending account"),
                contact.pending_account_allowed,
                fix=field_link(contact, "pending_account_allowed"))
    return section


def _invalid(validator, value: str) -> str:
    """The validator's message for `value`, or "" when valid."""
    try:
        validator(value)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _interface(interface: ExternalSalesInterface) -> Section:
    i = interface
    section = Section("interface", _("Interface “%(name)s”") % {"name": i.internal_name})
    section.add("pending_account", _("Pending account: yes"), i.pending_account,
                fix=field_link(i, "pending_account"))
    if takes_web_services(interface=i):
        url_error = _invalid(validate_host_port, i.url)
        section.add("url", _("Ticketnet's URL as <IP>:<Port>"), not url_error,
                    url_error or i.url, field_link(i, "url"))
        section.add("login", _("Login"), bool(i.login), i.login, field_link(i, "login"))
        section.add("password", _("Password"), i.has_password,
                    _("set (encrypted)") if i.has_password else _("not set"),
                    field_link(i, "password"))
        section.add("institution_code", _("Institution code"), bool(i.institution_code),
                    i.institution_code, field_link(i, "institution_code"))
        section.add("client_name", _("Client name"), bool(i.client_name), i.client_name,
                    field_link(i, "client_name"))
    else:
        folder = i.flat_file_folder
        section.add("flat_file_folder", _("Folder where Ticketnet's flat files arrive"),
                    bool(folder), folder, field_link(i, "flat_file_folder"))
    emails_error = _invalid(validate_email_list, i.followup_emails)
    section.add("followup_emails", _("Follow-up operators' emails, separated by semicolons"),
                bool(i.followup_emails) and not emails_error,
                emails_error or i.followup_emails or _("none"), field_link(i, "followup_emails"))
    return section


def _products(interface: ExternalSalesInterface, *,
              now: dt.datetime) -> tuple[Section, list[EventCheck]]:
    section = Section("products", _("Products, Ticketnet codes and quota"))
    profiles = list(ActivityProfile.objects.filter(channel_id=interface.channel_id)
                    .annotate(n=Count("events")).order_by("name"))
    events = Event.objects.filter(activity_profiles__in=[p.pk for p in profiles if p.n]
                                  ).distinct().count() if profiles else 0
    if not profiles:
        found = _("The channel has no activity profile.")
    else:
        found = ngettext("%(n)d product in %(profiles)s", "%(n)d products in %(profiles)s",
                         events) % {"n": events, "profiles": ", ".join(p.name for p in profiles)}
    section.add("profile", _("Products on sale through an activity profile of the channel"),
                bool(events), found, profile_link(interface=interface, profile=next(
                    (p for p in profiles if p.n), profiles[0] if profiles else None)))
    if not takes_catalogue(interface=interface):
        return section, []
    upcoming = list(interface_events(interface=interface).filter(
        Q(performances__start__gte=now - ON_SALE_AFTER_START) | Q(performances__isnull=True)))
    checks = []
    for event in upcoming:
        problems = event_readiness(interface=interface, event=event)
        checks.append(EventCheck(
            event=event, more=max(len(problems) - PROBLEMS_SHOWN, 0),
            problems=[(p, problem_link(p, interface=interface, event=event))
                      for p in problems[:PROBLEMS_SHOWN]],
            readiness=readiness_link(interface=interface, event=event)))
    # Seats and places set aside for Ticketnet, over the upcoming events' performances.
    in_quota = {"quota_id": interface.external_quota_id,
                "performance__event__in": [e.pk for e in upcoming]}
    seats = SeatAllocation.objects.filter(**in_quota).count()
    places = ZoneAllocation.objects.filter(**in_quota).aggregate(n=Sum("places"))["n"] or 0
    section.add("places", _("Places in the quota “%(quota)s”")
                % {"quota": interface.external_quota.name}, bool(seats or places),
                _("%(seats)s numbered seats and %(places)s non-numbered places for the "
                  "upcoming events") % {"seats": number_format(seats, force_grouping=True),
                                        "places": number_format(places, force_grouping=True)},
                allocation_link(interface=interface))
    return section, checks


def _schedules(interface: ExternalSalesInterface, *, user) -> tuple[Section, list[str]]:
    """The guide's schedules: sales integration every 4 h; quota sync every 24 h only when
    the channel sells non-numbered events; flat-file import every 4 h for flat files."""
    section = Section("schedules", _("Schedules"))
    wanted = []  # (job, needed)
    if takes_web_services(interface=interface):
        wanted.append((Job.SALES_INTEGRATION, True))
    if takes_catalogue(interface=interface):
        wanted.append((Job.QUOTA_SYNC, interface_has_non_numbered_events(interface=interface)))
    if interface.takes_flat_files:
        wanted.append((Job.FLAT_FILE_IMPORT, True))
    names = {schedule_name(interface_id=interface.pk, job=job): job for job, _n in wanted}
    tasks = {names[t.name]: t for t in PeriodicTask.objects.filter(name__in=names)
             .select_related("interval", "crontab", "clocked")}
    missing = []
    for job, needed in wanted:
        hours = SCHEDULE_HOURS[job]
        label = ngettext("%(job)s every hour, enabled", "%(job)s every %(n)d hours, enabled",
                         hours) % {"job": Job(job).label, "n": hours}
        task = tasks.get(job)
        if not needed:
            section.add(job, label, True, _("Not needed: the channel sells no non-numbered "
                                            "event."))
        elif task is None:
            missing.append(job)
            section.add(job, label, False, _("No schedule: create it with the button below."))
        else:
            ok, detail = _schedule_state(task, hours=hours)
            section.add(job, label, ok, detail, _schedule_link(task, interface, user, ok))
    return section, missing


def _schedule_state(task: PeriodicTask, *, hours: int) -> tuple[bool, str]:
    if not task.enabled:
        return False, _("Disabled.")
    if task.interval_id:
        every = dt.timedelta(**{task.interval.period: task.interval.every})
        if every > dt.timedelta(hours=hours):
            return False, _("Runs %(every)s: less often than the guide asks.") % {
                "every": task.interval}
        return True, str(task.interval)
    if task.clocked_id:
        return False, _("Runs once only.")
    return True, str(task.crontab or "")


def _schedule_link(task: PeriodicTask, interface, user, ok: bool) -> Link:
    if user.has_perm("django_celery_beat.change_periodictask"):
        return Link(url=admin_url(task, "change", task.pk,
                                  field="interval" if task.enabled else "enabled"),
                    label=task.name)
    # Operators edit their schedules from the interface's page.
    return Link(url=admin_url(interface, "change", interface.pk), label=str(interface))
