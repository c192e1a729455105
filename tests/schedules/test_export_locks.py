"""Exported means locked, through the real export job against the simulator: the codes an export
sent cannot be changed (grid, admin, CSV, API, services) nor their objects deleted; a change
Ticketnet confirmed is applied, logged, and the sales under the old code still come back; an
event is never sent twice whatever its code becomes; what was added since is said."""

import datetime as dt
import io
import json
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError, Q, RestrictedError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from catalog.models import Event, Price, Seat, Zone
from catalog.services import quota_allocate_seats
from mappings.admin import grid_field_name
from mappings.locks import known_code_change
from mappings.models import Correspondence, Kind, KnownCode, KnownCodeChange
from mappings.selectors import correspondence_book, correspondence_rows
from mappings.services import (
    Entry,
    correspondences_apply,
    correspondences_fill_suggestions,
    correspondences_import_csv,
)
from sales.models import ParkedOperation, Ticket
from schedules.jobs.allotments import exported_performances
from schedules.jobs.catalog_plan import catalog_plan
from schedules.jobs.not_known import NOT_KNOWN
from schedules.models import ExportedManifestation, Job, Run
from tests import factories as f
from tests.schedules.export_setup import (
    demo_on,
    export,
    interface_on,
    manifestations,
    run,
    small_event,
    texts,
)

pytestmark = pytest.mark.django_db

LOCKED = "Exported codes cannot be changed: Ticketnet keeps the event as it was sent."


def _code(interface, **target):
    return Correspondence.objects.get(interface=interface, **target).code


def _operator(client, institution):
    user = f.staff_user(institution, app_labels=("catalog", "mappings", "schedules", "channels"))
    client.force_login(user)
    return user


def _grid_post(client, interface, changes):
    rows = correspondence_rows(interface=interface)
    data = {grid_field_name(*row.key): row.code for row in rows}
    data.update({grid_field_name(*key): code for key, code in changes.items()})
    return client.post(reverse("admin:mappings_correspondence_grid", args=[interface.pk]),
                       {**data, "save": "1"})


@dataclass
class Exported:
    interface: object
    concert: object
    simulator: object


@pytest.fixture
def exported(simulator):
    """The demo, its concert (CONC27, manifestation 2701) exported to the simulator."""
    demo = demo_on(simulator)
    assert export(demo.interface, demo.concert).status == Run.Status.OK
    return Exported(interface=demo.interface, concert=demo.concert, simulator=simulator)


def test_changing_an_exported_event_code_in_the_grid_is_refused(client, exported):
    """On main the grid said "Saved: 1 changed" and the next export sent CONC27 again."""
    interface, concert = exported.interface, exported.concert
    assert _code(interface, event=concert) == "2701"
    _operator(client, interface.institution)
    response = _grid_post(client, interface, {(Kind.EVENT, concert.pk): "2798"})
    assert response.status_code == 200
    errors = {line.row.key: line.errors for line in response.context["table"]}
    assert LOCKED in " ".join(errors[(Kind.EVENT, concert.pk)])
    assert "Nothing was saved" in response.content.decode()
    assert _code(interface, event=concert) == "2701"
    again = export(interface, concert)
    assert again.status == Run.Status.ERROR and "already exported" in texts(again, "error")
    assert list(manifestations(exported.simulator)) == ["2701"]


def test_changing_an_exported_tariff_code_is_refused_everywhere(client, exported):
    """On main a tariff 3 → 33 was saved silently and every later sale was parked."""
    interface, concert = exported.interface, exported.concert
    groupe = concert.prices.get(tariff__code="GROUPE", category__name="Fosse").tariff
    assert _code(interface, tariff=groupe) == "3"
    key = (Kind.TARIFF, groupe.pk)
    operator = _operator(client, interface.institution)
    # The grid.
    response = _grid_post(client, interface, {key: "33"})
    assert response.status_code == 200
    assert LOCKED in " ".join(next(line.errors for line in response.context["table"]
                                   if line.row.key == key))
    # The correspondence admin: refused at the field.
    correspondence = Correspondence.objects.get(interface=interface, tariff=groupe)
    url = reverse("admin:mappings_correspondence_change", args=[correspondence.pk])
    page = client.get(url).content.decode()
    assert LOCKED in page and "Record Ticketnet&#x27;s confirmation of a change" in page
    response = client.post(url, {"code": "33"})
    assert response.status_code == 200
    assert LOCKED in " ".join(response.context["adminform"].form.errors["code"])
    # The CSV import: all or nothing, the line and the reason.
    csv_text = f"kind;id;code\ntariff;{groupe.pk};33\n"
    result = correspondences_import_csv(interface=interface, text=csv_text)
    assert result.status == "ERROR" and result.messages[0].startswith("Line 2: " + LOCKED)
    # The API: 400 with the field's error.
    api = APIClient()
    api.force_authenticate(operator)
    response = api.patch(f"/api/correspondences/{correspondence.pk}/", {"code": "33"},
                         format="json")
    assert response.status_code == 400 and LOCKED in " ".join(response.data["code"])
    response = api.delete(f"/api/correspondences/{correspondence.pk}/")
    assert response.status_code == 400 and LOCKED in " ".join(response.data["code"])
    assert _code(interface, tariff=groupe) == "3"


def test_a_confirmed_change_is_applied_logged_and_old_code_sales_still_resolve(client,
                                                                               exported):
    interface, concert = exported.interface, exported.concert
    simulator = exported.simulator
    assert run(interface, Job.ALLOTMENT_EXPORT, event_id=concert.pk).status == Run.Status.OK
    plein = concert.prices.get(tariff__code="PLEIN", category__name="Fosse").tariff
    operator = _operator(client, interface.institution)
    for target, new in (({"event": concert}, "2798"), ({"tariff": plein}, "11")):
        known = KnownCode.objects.get(correspondence__interface=interface,
                                      **{f"correspondence__{k}": v for k, v in target.items()})
        url = reverse("admin:mappings_knowncode_confirm", args=[known.pk])
        assert "Record the confirmation" in client.get(url).content.decode()
        response = client.post(url, {"new_code": new, "ticketnet_reference": "TKT-4711"})
        assert response.status_code == 302, response.context["form"].errors
    assert _code(interface, event=concert) == "2798" and _code(interface, tariff=plein) == "11"
    change = KnownCodeChange.objects.get(old_code="2701")
    assert (change.new_code, change.ticketnet_reference, change.recorded_by,
            change.recorded_by_name) == ("2798", "TKT-4711", operator, operator.username)
    book = correspondence_book(interface=interface)
    assert book.object_id_for(Kind.EVENT, "2701") == book.object_id_for(Kind.EVENT, "2798") \
        == concert.pk
    assert book.object_id_for(Kind.TARIFF, "1") == book.object_id_for(Kind.TARIFF, "11") \
        == plein.pk
    # Ticketnet sells under the codes it was sent (their side renamed later, or not yet).
    sold = simulator.state.sell(manifestation="2701", performance="2703122030", zone="201",
                                row=1, seat=1, category="2", tariff="1", price_cents=4500)
    integration = run(interface, Job.SALES_INTEGRATION)
    assert integration.status == Run.Status.OK, integration.messages
    assert not ParkedOperation.objects.exists()
    ticket = Ticket.objects.get(number=sold["number"])
    assert (ticket.performance.event, ticket.tariff) == (concert, plein)
    # The record, not the code, says the event was sent: the new code is not new to Ticketnet.
    again = export(interface, concert)
    assert again.status == Run.Status.ERROR and "already exported" in texts(again, "error")
    assert list(manifestations(simulator)) == ["2701"]
    assert ExportedManifestation.objects.get().manifestation_code == "2701"


def test_deleting_exported_objects_is_refused_with_the_reason(client, exported):
    interface, concert = exported.interface, exported.concert
    price = concert.prices.select_related("category", "tariff").first()
    zone = concert.performances.get().configuration.zones.first()
    category, tariff = price.category, price.tariff
    # What else protects them (their prices, seats): the code Ticketnet knows still does.
    Price.objects.filter(Q(category=category) | Q(tariff=tariff)).delete()
    Seat.objects.filter(category=category).delete()
    Zone.objects.filter(category=category).update(category=None)
    _operator(client, interface.institution)
    for obj in (concert, zone, category, tariff):
        with pytest.raises((ProtectedError, RestrictedError)):
            type(obj).objects.filter(pk=obj.pk).delete()
        url = reverse(f"admin:catalog_{obj._meta.model_name}_delete", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "sent to Ticketnet on" in body and "call Ticketnet to change it" in body
        assert client.post(url, {"post": "yes"}).status_code == 200
        assert type(obj).objects.filter(pk=obj.pk).exists()
    correspondence = Correspondence.objects.get(interface=interface, event=concert)
    url = reverse("admin:mappings_correspondence_delete", args=[correspondence.pk])
    assert LOCKED in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    assert Correspondence.objects.filter(pk=correspondence.pk).exists()


def test_what_was_added_after_the_export_is_not_known_to_ticketnet(
        client, exported, django_assert_max_num_queries):
    interface, concert = exported.interface, exported.concert
    perf = concert.performances.get()
    new_zone = f.ZoneFactory(configuration=perf.configuration, numbered=False, capacity=300,
                             category=f.SeatCategoryFactory(institution=interface.institution,
                                                            name="Balcon"),
                             name="Balcon")
    late = f.TariffFactory(institution=interface.institution, code="LATE", name="Late")
    f.PriceFactory(event=concert, category=new_zone.category, tariff=late)
    added = f.PerformanceFactory(event=concert, configuration=perf.configuration,
                                 start=perf.start + dt.timedelta(days=1))
    expected = {("zone", new_zone.pk), ("category", new_zone.category.pk),
                ("tariff", late.pk), ("performance", added.pk)}
    plan = catalog_plan(interface=interface, event=concert)
    assert {(n.kind, n.object_id) for n in plan.not_known} == expected
    assert not plan.can_export
    # The export preview: the page and the --dry-run command.
    _operator(client, interface.institution)
    preview = reverse("admin:channels_externalsalesinterface_catalog_export",
                      args=[interface.pk])
    body = client.get(preview, {"event": concert.pk}).content.decode()
    assert body.count("not known to Ticketnet: call them") == 4 and "Balcon" in body
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("export_catalog", "--interface", interface.internal_name, "--event",
                     concert.code, "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {(n["kind"], n["object_id"]) for n in data["preview"]["not_known_to_ticketnet"]} \
        == expected
    assert "was added to" in " ".join(m["text"] for m in data["messages"])
    # The interface page, queries bounded whatever the number of objects added.
    page = reverse("admin:channels_externalsalesinterface_change", args=[interface.pk])
    with django_assert_max_num_queries(60) as few:
        body = client.get(page).content.decode()
    assert body.count("not known to Ticketnet: call them") == 4
    for n in range(3):
        f.ZoneFactory(configuration=perf.configuration, numbered=False, capacity=10,
                      category=new_zone.category, name=f"Extra {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(page).content.decode()
    assert body.count("not known to Ticketnet: call them") == 7


def test_reasons_in_french(exported):
    interface, concert = exported.interface, exported.concert
    with translation.override("fr"):
        result = correspondences_apply(interface=interface, entries=[
            Entry(kind=Kind.EVENT, object_id=concert.pk, code="2798")])
        assert "Les codes exportés ne peuvent pas être modifiés" in result.errors[0][0]
        assert "pas connu de Ticketnet" in str(NOT_KNOWN)


def test_a_competition_locks_each_performance_and_exports_a_new_one(client, simulator):
    interface = interface_on(simulator)
    competition = small_event(interface, kind=Event.Kind.COMPETITION, performances=2, zones=1,
                              rows=1, seats_per_row=4)
    assert export(interface, competition).status == Run.Status.OK
    first = competition.performances.order_by("start").first()
    _operator(client, interface.institution)
    response = _grid_post(client, interface, {(Kind.PERFORMANCE, first.pk): "1799_1709052030"})
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    # A performance added since is a manifestation of its own: the export sends it, once.
    added = f.PerformanceFactory(event=competition, configuration=first.configuration,
                                 start=first.start + dt.timedelta(days=30))
    quota_allocate_seats(performances=[added], quota=interface.external_quota)
    assert correspondences_fill_suggestions(interface=interface).ok
    plan = catalog_plan(interface=interface, event=competition)
    assert plan.not_known == [] and [m.competition_performance_id for m in plan.to_send] == \
        [added.pk]
    rerun = export(interface, competition)
    assert rerun.counts.get("sent") == 1, rerun.messages
    assert ExportedManifestation.objects.filter(event=competition).count() == 3
    assert KnownCode.objects.filter(correspondence__performance=added).exists()


def test_allotments_go_to_the_code_ticketnet_confirmed(exported):
    interface, concert = exported.interface, exported.concert
    known = KnownCode.objects.get(correspondence__event=concert)
    known_code_change(known_code=known, new_code="2798", ticketnet_reference="T",
                      user=f.UserFactory())
    [perf] = exported_performances(interface=interface, event=concert)
    assert (perf.manifestation_code, perf.performance_code) == ("2798", "2703122030")
