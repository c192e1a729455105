"""An interface ready to go live, built from factories: set-up, an upcoming event of the
channel with its codes and seats in the quota, the guide's schedules; and how to read its
checklist page."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from demo.management.commands.load_demo import operators_group
from mappings.selectors import correspondence_rows, event_readiness
from mappings.services import Entry, correspondences_apply
from schedules.jobs.schedules import schedules_ensure
from tests import factories as f
from tests.mappings.factories import build_event


def ready_interface(**interface_fields):
    interface = f.InterfaceFactory(**interface_fields)
    event = upcoming_event(interface)
    schedules_ensure(interface=interface)
    return interface, event


def upcoming_event(interface, **options):
    event = build_event(interface=interface, season=timezone.now().year + 1, **options)
    codes_enter(interface)
    assert event_readiness(interface=interface, event=event) == []
    return event


def codes_enter(interface) -> None:
    """Every code the interface's events need, as suggested."""
    rows = correspondence_rows(interface=interface)
    result = correspondences_apply(interface=interface, entries=[
        Entry(kind=r.kind, object_id=r.object_id, code=r.code or r.suggestion) for r in rows])
    assert result.ok, result.errors


def operator_of(institution, username="operator"):
    user = f.UserFactory(username=username, institutions=[institution])
    user.groups.add(operators_group())
    return user


def checklist_url(interface) -> str:
    return reverse("admin:channels_externalsalesinterface_checklist", args=[interface.pk])


def items(html: str) -> dict[str, bool]:
    """Each item of the page ("section.item") and whether it is ticked."""
    return {key: ok == "true"
            for key, ok in re.findall(r'data-item="([^"]+)" data-ok="(\w+)"', html)}


def item_html(html: str, key: str) -> str:
    [found] = re.findall(rf'<li [^>]*data-item="{re.escape(key)}".*?</li>', html, re.S)
    return found


def events(html: str) -> dict[str, bool]:
    return {code: ready == "true"
            for code, ready in re.findall(r'data-event="([^"]+)" data-ready="(\w+)"', html)}


def hours_ago(hours: int):
    return timezone.now() - dt.timedelta(hours=hours)
