"""The go-live checklist: every prerequisite of the guide ticked on a ready interface, each one
unticked by what breaks it with a link to the field that fixes it, the events' readiness,
the schedules, scoping and a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from catalog.models import ActivityProfile, SeatAllocation, Zone
from channels.models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    PointOfSale,
    SalesChannel,
)
from mappings.models import Correspondence
from sales.models import Order, Ticket
from schedules.jobs.schedules import schedule_name
from schedules.models import Job, Run
from tests import factories as f

from .conftest import client_for
from .golive import (
    checklist_url,
    events,
    hours_ago,
    item_html,
    items,
    operator_of,
    ready_interface,
    upcoming_event,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready():
    interface, event = ready_interface()
    return interface, event, operator_of(interface.institution)


def page(user, interface, language="en") -> str:
    response = client_for(user, language).get(checklist_url(interface))
    assert response.status_code == 200
    return response.content.decode()


def test_a_ready_interface_ticks_every_prerequisite_of_the_guide(ready):
    interface, event, operator = ready
    html = page(operator, interface)
    ticked = items(html)
    assert all(ticked.values()), [key for key, ok in ticked.items() if not ok]
    assert set(ticked) == {
        "channel.kind", "channel.third_party", "point_of_sale.of_channel",
        "point_of_sale.pending_account", "external_quota.of_channel",
        "contact.pending_account_allowed", "interface.pending_account", "interface.url",
        "interface.login", "interface.password", "interface.institution_code",
        "interface.client_name", "interface.followup_emails", "products.profile",
        "products.places", "schedules.sales_integration", "schedules.quota_sync"}
    assert events(html) == {event.code: True}
    assert "Ready to go live: every prerequisite of the guide is met." in html
    # Numbered seats only: no quota sync needed, as the guide says.
    assert "Not needed: the channel sells no non-numbered event." in item_html(
        html, "schedules.quota_sync")


def test_the_checklist_speaks_french(ready):
    interface, event, operator = ready
    html = page(operator, interface, "fr")
    assert "Liste de mise en service de « " in html
    assert "Prêt pour la mise en service : tous les prérequis du guide sont remplis." in html
    assert "Accepte les billets tiers" in html and "Paie par compte d&#x27;attente" in html
    assert "Vérifier la connexion" in html and ">Prêt<" in html


def _set(model, obj, **values):
    model.objects.filter(pk=obj.pk).update(**values)


# (what breaks it, the item unticked, where the fix link goes: model and field)
BREAKAGES = [
    (lambda i: _set(SalesChannel, i.channel, accepts_third_party_tickets=False),
     "channel.third_party", "saleschannel", "accepts_third_party_tickets"),
    (lambda i: _set(SalesChannel, i.channel, kind=SalesChannel.Kind.TICKETNET_VISIT_PASS),
     "channel.kind", "saleschannel", "kind"),
    (lambda i: _set(PointOfSale, i.point_of_sale, payment_mode=PointOfSale.PaymentMode.CASH),
     "point_of_sale.pending_account", "pointofsale", "payment_mode"),
    (lambda i: _set(PointOfSale, i.point_of_sale, channel=f.SalesChannelFactory(
        institution=i.institution)), "point_of_sale.of_channel", "externalsalesinterface",
     "point_of_sale"),
    (lambda i: _set(ExternalQuota, i.external_quota, channel=f.SalesChannelFactory(
        institution=i.institution)), "external_quota.of_channel", "externalsalesinterface",
     "external_quota"),
    (lambda i: _set(Contact, i.contact, pending_account_allowed=False),
     "contact.pending_account_allowed", "contact", "pending_account_allowed"),
    (lambda i: _set(ExternalSalesInterface, i, pending_account=False),
     "interface.pending_account", "externalsalesinterface", "pending_account"),
    (lambda i: _set(ExternalSalesInterface, i, url="http://195.115.9.79:712/ws"),
     "interface.url", "externalsalesinterface", "url"),
    (lambda i: _set(ExternalSalesInterface, i, login=""),
     "interface.login", "externalsalesinterface", "login"),
    (lambda i: _set(ExternalSalesInterface, i, password_encrypted=""),
     "interface.password", "externalsalesinterface", "password"),
    (lambda i: _set(ExternalSalesInterface, i, institution_code=""),
     "interface.institution_code", "externalsalesinterface", "institution_code"),
    (lambda i: _set(ExternalSalesInterface, i, client_name=""),
     "interface.client_name", "externalsalesinterface", "client_name"),
    (lambda i: _set(ExternalSalesInterface, i, followup_emails=""),
     "interface.followup_emails", "externalsalesinterface", "followup_emails"),
    (lambda i: _set(ExternalSalesInterface, i, followup_emails="a@example.org, b@"),
     "interface.followup_emails", "externalsalesinterface", "followup_emails"),
    (lambda i: ActivityProfile.objects.filter(channel=i.channel).first().events.clear(),
     "products.profile", "activityprofile", "events"),
]


@pytest.mark.parametrize(("breaks", "key", "model", "field"), BREAKAGES,
                         ids=[f"{b[1]}-{n}" for n, b in enumerate(BREAKAGES)])
def test_what_breaks_a_prerequisite_unticks_it_with_a_link_to_its_field(ready, breaks, key,
                                                                        model, field):
    interface, _event, operator = ready
    breaks(interface)
    html = page(operator, interface)
    assert items(html)[key] is False
    assert f'/admin/{"catalog" if model == "activityprofile" else "channels"}/{model}/' in \
        item_html(html, key)
    assert f'/change/#id_{field}"' in item_html(html, key)
    assert "Ready to go live" not in html


def test_the_events_readiness_badge_and_the_code_to_enter(ready):
    interface, event, operator = ready
    zone = Zone.objects.filter(configuration__performances__event=event).first()
    Correspondence.objects.filter(interface=interface, zone=zone).delete()
    html = page(operator, interface)
    assert events(html) == {event.code: False} and ">Not ready<" in html
    add = reverse("admin:mappings_correspondence_add")
    assert (f'{add}?interface={interface.pk}&amp;kind=zone&amp;zone={zone.pk}#id_code'
            in html)
    assert f"Enter the Ticketnet code of the zone “{zone}”." in html
    assert items(html)["products.places"] is True


def test_no_seat_in_the_quota_unticks_the_places(ready):
    interface, event, operator = ready
    SeatAllocation.objects.filter(quota=interface.external_quota).delete()
    html = page(operator, interface)
    assert items(html)["products.places"] is False
    allocate = reverse("admin:catalog_zone_allocate")
    assert f"{allocate}?quota={interface.external_quota_id}" in item_html(html,
                                                                          "products.places")
    assert events(html) == {event.code: False}  # its performance has no seat either


def test_a_past_event_is_not_a_go_live_concern(ready):
    interface, event, operator = ready
    event.performances.update(start=hours_ago(24 * 30))
    assert events(page(operator, interface)) == {}


def _task(interface, job):
    return PeriodicTask.objects.get(name=schedule_name(interface_id=interface.pk, job=job))


def test_a_disabled_or_too_rare_schedule_unticks_it(ready):
    interface, _event, operator = ready
    task = _task(interface, Job.SALES_INTEGRATION)
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=False)
    html = page(operator, interface)
    assert items(html)["schedules.sales_integration"] is False
    assert "Disabled." in item_html(html, "schedules.sales_integration")
    # Operators edit their schedules from the interface's page; superusers in beat's admin.
    change = reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])
    assert f'href="{change}"' in item_html(html, "schedules.sales_integration")
    eight, _ = IntervalSchedule.objects.get_or_create(every=8, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=True, interval=eight)
    root = f.UserFactory(username="root", is_superuser=True)
    html = page(root, interface)
    assert items(html)["schedules.sales_integration"] is False
    assert "less often than the guide asks" in item_html(html, "schedules.sales_integration")
    beat = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    assert f'{beat}#id_interval"' in item_html(html, "schedules.sales_integration")


def test_missing_schedules_are_created_by_the_button(ready):
    interface, _event, operator = ready
    # A second event in a standing zone: the quota sync is needed too.
    upcoming_event(interface, zones=1)
    Zone.objects.filter(configuration__performances__event__in=interface.channel
                        .activity_profiles.values("events")).update(numbered=False,
                                                                     capacity=500)
    PeriodicTask.objects.all().delete()
    client = client_for(operator)
    html = client.get(checklist_url(interface)).content.decode()
    assert items(html)["schedules.sales_integration"] is False
    assert items(html)["schedules.quota_sync"] is False
    assert 'id="create-schedules"' in html
    url = reverse("admin:channels_externalsalesinterface_create_schedules",
                  args=[interface.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#schedules")
    html = client.get(checklist_url(interface)).content.decode()
    assert items(html)["schedules.sales_integration"] is True
    assert items(html)["schedules.quota_sync"] is True
    assert "3 schedules created." in html  # with the daily reconciliation


def test_an_operator_without_change_permission_cannot_create_schedules(ready):
    interface, _event, _operator = ready
    viewer = f.staff_user(interface.institution, app_labels=())
    viewer.user_permissions.add(Permission.objects.get(codename="view_externalsalesinterface"))
    PeriodicTask.objects.all().delete()
    client = client_for(viewer)
    html = client.get(checklist_url(interface)).content.decode()
    assert 'id="create-schedules"' not in html
    url = reverse("admin:channels_externalsalesinterface_create_schedules",
                  args=[interface.pk])
    assert client.post(url).status_code == 403
    assert not PeriodicTask.objects.exists()


def test_another_institutions_checklist_is_not_found(ready):
    interface, _event, _operator = ready
    stranger = operator_of(f.InstitutionFactory(), username="stranger")
    assert client_for(stranger).get(checklist_url(interface)).status_code == 404


def test_the_interface_page_and_the_dashboard_link_to_the_checklist(ready):
    interface, _event, operator = ready
    client = client_for(operator)
    change = client.get(reverse("admin:channels_externalsalesinterface_change",
                                args=[interface.pk])).content.decode()
    assert f'href="{checklist_url(interface)}"' in change
    assert 'id="interface-jobs"' in change  # schedules' buttons are still there
    assert checklist_url(interface) in client.get(reverse("admin:index")).content.decode()


def _add_volume(interface, event, n: int) -> None:
    """Performances, runs and tickets: what the checklist's queries must not grow with."""
    perf = event.performances.first()
    for day in range(n // 10):
        perf.pk = None
        perf.start = perf.start + dt.timedelta(days=1 + day)
        perf.save()
    Run.objects.bulk_create(Run(interface=interface, job=Job.SALES_INTEGRATION,
                                trigger=Run.Trigger.SCHEDULED, status=Run.Status.OK,
                                started_at=hours_ago(i + 1)) for i in range(n))
    seat = SeatAllocation.objects.filter(performance__event=event).first().seat
    order = Order.objects.create(interface=interface, contact=interface.contact,
                                 point_of_sale=interface.point_of_sale)
    tariff = event.prices.first().tariff
    Ticket.objects.bulk_create(
        Ticket(interface=interface, number=f"T{i}", performance=event.performances.first(),
               seat=seat, state=Ticket.State.CANCELLED, category=seat.category, tariff=tariff,
               price_cents=2500, reseller_price_cents=2500, order=order, operation_id=f"OP{i}",
               sold_at=hours_ago(1)) for i in range(n))


# Session, user, permissions (2), institutions, the interface and its set-up, the channel's
# activity profiles, the events whose kind the channel does not sell, the products counted,
# the upcoming events, the seats and places in the quota, the non-numbered check, the
# schedules; then the readiness of each upcoming event (mappings.selectors.event_readiness).
BASE_QUERIES = 14
PER_EVENT = 9


@pytest.mark.parametrize("volume", [10, 200])
def test_the_queries_are_fixed_whatever_the_volumes_and_grow_only_per_event(
        ready, volume, django_assert_num_queries):
    interface, event, operator = ready
    _add_volume(interface, event, volume)
    client = client_for(operator)
    client.get(checklist_url(interface))  # the session's first read
    with django_assert_num_queries(BASE_QUERIES + PER_EVENT):
        assert client.get(checklist_url(interface)).status_code == 200
    upcoming_event(interface)
    with django_assert_num_queries(BASE_QUERIES + 2 * PER_EVENT):
        assert client.get(checklist_url(interface)).status_code == 200
