"""The catalogue export against the simulator over HTTP: preview, validation before sending,
one-shot record, competitions, partial failure, refusals, commands."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from catalog.models import Event, Performance
from channels.models import SalesChannel
from mappings.models import Correspondence, Kind
from schedules.framework.errors import RetryLater
from schedules.framework.runner import job_run
from schedules.jobs.catalog_plan import catalog_plan
from schedules.models import ExportedManifestation, Job, Run
from tests import factories as f
from tests.schedules.export_setup import (
    demo_on,
    export,
    interface_on,
    manifestations,
    small_event,
    texts,
)
from ticketnet_gateway.client import TicketnetClient

pytestmark = pytest.mark.django_db


def test_preview_lists_every_problem_and_sends_nothing(simulator):
    interface = interface_on(simulator)
    event = small_event(interface)
    Correspondence.objects.filter(interface=interface, kind=Kind.ZONE).first().delete()
    member = f.TariffFactory(institution=interface.institution,
                             audience_type="subscriber", name="Abonné")
    f.PriceFactory(event=event, category=event.prices.first().category, tariff=member)
    run = export(interface, event, dry_run=True)
    assert run.status == Run.Status.WARNING
    warnings = texts(run, "warning")
    assert "Enter the Ticketnet code of the zone" in warnings
    assert "Enter the Ticketnet code of the tariff “" in warnings
    assert "a reseller may only sell occasional" in warnings
    assert manifestations(simulator) == {}
    assert not ExportedManifestation.objects.exists()
    # The real export refuses the same problems, still sending nothing.
    run = export(interface, event)
    assert run.status == Run.Status.ERROR
    assert "Enter the Ticketnet code of the zone" in texts(run, "error")
    assert manifestations(simulator) == {}


def test_preview_shows_exactly_what_would_be_sent(simulator):
    demo = demo_on(simulator)
    plein = demo.concert.prices.get(category__name="Fosse", tariff__code="PLEIN").tariff
    Correspondence.objects.filter(interface=demo.interface, tariff=plein).update(code="1|15|22")
    plan = catalog_plan(interface=demo.interface, event=demo.concert)
    assert plan.problems == [] and plan.can_export
    [m] = plan.as_dict()["manifestations"]
    assert m["code"] == Correspondence.objects.get(interface=demo.interface,
                                                   event=demo.concert).code
    assert [p["code"] for p in m["performances"]] == ["2703122030"]
    assert {"1", "15", "22"} <= {t["code"] for t in m["tariffs"]}
    pit = next(z for z in m["zones"] if not z["numbered"])
    assert pit["capacity"] == 2500 and "3-1…3-500" in pit["series"]
    numbered = [z for z in m["zones"] if z["numbered"]]
    assert sum(z["seat_count"] for z in numbered) == 5 * 8 * 12
    assert numbered[0]["seats"][0] == {"row": 1, "from": 1, "to": 12,
                                       "category": numbered[0]["seats"][0]["category"]}
    fosse = next(c["code"] for c in m["categories"] if c["name"] == "Fosse")
    assert {(p["tariff"], p["cents"]) for p in m["prices"] if p["category"] == fosse} >= {
        ("1", 3500), ("15", 3500), ("22", 3500)}
    assert manifestations(simulator) == {}


def test_export_of_a_single_event_is_recorded_and_never_sent_twice(simulator):
    demo = demo_on(simulator)
    run = export(demo.interface, demo.concert)
    assert run.status == Run.Status.OK, run.messages
    assert run.counts["sent"] == 1 and run.counts["series_places"] == 2500
    assert "Call Ticketnet to confirm" in texts(run)
    record = ExportedManifestation.objects.get()
    sent = manifestations(simulator)[record.manifestation_code]
    assert sent["performances"][0]["code"] == "2703122030"
    assert {z["capacity"] for z in sent["zones"]} == {None, 2500}
    assert record.event == demo.concert and record.performance is None and record.run == run
    assert len(record.payload_hash) == 64 and record.summary["seats"] == 480
    assert record.performances == [{"id": demo.concert.performances.get().pk,
                                    "code": "2703122030"}]

    # Refused here, before Ticketnet is called: a call would meet the injected fault.
    simulator.state.fault_set(kind="soap_fault", operation="createManifestation", times=1,
                              code="SHOULD_NOT_BE_CALLED")
    again = export(demo.interface, demo.concert)
    assert again.status == Run.Status.ERROR
    [error] = [m for m in again.messages if m["level"] == "error"]
    assert "already exported" in error["text"] and "call Ticketnet" in error["action"]
    assert simulator.state.show()["faults"], "Ticketnet was called"
    assert ExportedManifestation.objects.count() == 1


def test_ticketnet_refusing_an_existing_manifestation_says_to_call_ticketnet(simulator):
    interface = interface_on(simulator)
    event = small_event(interface)
    code = Correspondence.objects.get(interface=interface, event=event).code
    # Exported by someone else (another installation): only Ticketnet knows.
    simulator.state.create_manifestation({
        "code": code, "name": "Other", "hall_code": "9",
        "performances": [{"code": "2601012030", "start": "2026-01-01T20:30:00+01:00"}],
        "categories": [{"code": "1", "name": "C"}], "tariffs": [{"code": "1", "name": "T"}],
        "zones": [{"code": "1", "name": "Z", "capacity": 10, "category_code": "1"}],
    }, institution_code=simulator.institution_code)
    run = export(interface, event)
    assert run.status == Run.Status.ERROR
    [error] = [m for m in run.messages if m["level"] == "error"]
    assert f"Ticketnet already has manifestation {code}" in error["text"]
    assert "call Ticketnet" in error["action"]
    assert not ExportedManifestation.objects.exists()


def _competition(simulator, performances=19):
    interface = interface_on(simulator)
    event = small_event(interface, kind=Event.Kind.COMPETITION, performances=performances,
                        zones=1, rows=1, seats_per_row=4)
    return interface, event


def test_a_competition_is_one_manifestation_per_performance(simulator):
    interface, event = _competition(simulator)
    run = export(interface, event)
    assert run.status == Run.Status.OK, run.messages
    assert run.counts["sent"] == 19
    sent = manifestations(simulator)
    assert len(sent) == 19
    for perf in Performance.objects.filter(event=event):
        double = Correspondence.objects.get(interface=interface, performance=perf).code
        manifestation, performance = double.split("_")
        assert [p["code"] for p in sent[manifestation]["performances"]] == [performance]
        record = ExportedManifestation.objects.get(manifestation_code=manifestation)
        assert record.performance == perf and record.performances[0]["code"] == performance


def _fail_on_call(monkeypatch, simulator, number, **fault):
    """Let Ticketnet misbehave on the `number`-th createManifestation of the run."""
    original = TicketnetClient.create_manifestation
    calls = {"n": 0}

    def create(self, manifestation):
        calls["n"] += 1
        if calls["n"] == number:
            simulator.state.fault_set(operation="createManifestation", times=1, **fault)
        return original(self, manifestation)

    monkeypatch.setattr(TicketnetClient, "create_manifestation", create)


def test_partial_failure_keeps_what_was_sent_and_a_rerun_sends_the_rest(simulator,
                                                                        monkeypatch):
    interface, event = _competition(simulator)
    _fail_on_call(monkeypatch, simulator, 7, kind="soap_fault", code="INVALID_REQUEST",
                  message="Performance 7 refused.")
    run = export(interface, event)
    assert run.status == Run.Status.ERROR
    assert "Performance 7 refused." in texts(run, "error")
    assert run.counts["sent"] == 18 and run.counts["refused"] == 1
    assert ExportedManifestation.objects.count() == 18
    monkeypatch.undo()
    rerun = export(interface, event)
    assert rerun.status == Run.Status.OK, rerun.messages
    assert rerun.counts == {**rerun.counts, "sent": 1, "already_exported": 18}
    assert len(manifestations(simulator)) == 19
    assert ExportedManifestation.objects.count() == 19


@override_settings(TICKETNET_OPERATION_TIMEOUT=5)
def test_ticketnet_down_half_way_is_retry_later_and_the_rerun_sends_the_rest(simulator,
                                                                             monkeypatch):
    interface, event = _competition(simulator)
    _fail_on_call(monkeypatch, simulator, 7, kind="http_500")
    with pytest.raises(RetryLater):
        job_run(interface_id=interface.pk, job=Job.CATALOG_EXPORT,
                params={"event_id": event.pk}, raise_retry=True)
    run = Run.objects.get()
    assert run.status == Run.Status.ERROR and "did not answer" in texts(run, "error")
    assert ExportedManifestation.objects.count() == 6
    monkeypatch.undo()
    rerun = export(interface, event)
    assert rerun.status == Run.Status.OK and rerun.counts["sent"] == 13
    assert len(manifestations(simulator)) == 19


@override_settings(TICKETNET_CONNECT_TIMEOUT=0.5, TICKETNET_OPERATION_TIMEOUT=2)
def test_ticketnet_unreachable_sends_and_records_nothing(simulator, unused_tcp_port):
    interface = interface_on(simulator)
    event = small_event(interface)
    interface.url = f"127.0.0.1:{unused_tcp_port}"
    interface.save()
    with pytest.raises(RetryLater):
        job_run(interface_id=interface.pk, job=Job.CATALOG_EXPORT,
                params={"event_id": event.pk}, raise_retry=True)
    assert Run.objects.get().status == Run.Status.ERROR
    assert not ExportedManifestation.objects.exists()


@pytest.mark.parametrize(("kind", "why"), [
    (SalesChannel.Kind.TICKETNET_VISIT_PASS, "without any catalogue or quota synchronisation"),
    (SalesChannel.Kind.FLAT_FILE, "flat files"),
])
def test_visit_pass_and_flat_file_channels_take_no_catalogue_export(simulator, kind, why):
    interface = interface_on(simulator, channel__kind=kind)
    event = small_event(interface)
    run = export(interface, event)
    assert run.status == Run.Status.ERROR and why in texts(run, "error")
    assert manifestations(simulator) == {}
    assert not catalog_plan(interface=interface, event=event).can_export


def test_visit_pass_events_are_never_exported(simulator):
    interface = interface_on(simulator)
    event = small_event(interface)
    event.kind = Event.Kind.VISIT_PASS
    event.save()
    run = export(interface, event)
    assert run.status == Run.Status.ERROR
    assert "Ticketnet sells it without a catalogue export" in texts(run, "error")
    assert manifestations(simulator) == {}


def test_single_event_priced_differently_per_performance_is_a_problem(simulator):
    interface = interface_on(simulator)
    event = small_event(interface, performances=2)
    price = event.prices.first()
    f.PriceFactory(event=event, performance=event.performances.first(),
                   category=price.category, tariff=price.tariff,
                   amount_cents=price.amount_cents + 100)
    problems = catalog_plan(interface=interface, event=event).problems
    assert any("one price per category and tariff" in p.message for p in problems)


def test_run_in_french(simulator):
    interface = interface_on(simulator, institution__language="fr")
    event = small_event(interface)
    export(interface, event)
    run = export(interface, event)
    assert "n'est jamais envoyé deux fois" in texts(run, "error")


def call(name, *args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_export_catalog_command_json_and_exit_codes(simulator):
    demo = demo_on(simulator)
    name = demo.interface.internal_name
    code, out, _ = call("export_catalog", "--interface", name, "--event", demo.concert.code,
                        "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "OK"
    assert data["preview"]["problems"] == []
    assert data["preview"]["manifestations"][0]["performances"][0]["code"] == "2703122030"
    assert manifestations(simulator) == {}
    code, out, _ = call("export_catalog", "--interface", name, "--event", demo.concert.code,
                        "--json")
    assert code == 0 and json.loads(out)["counts"]["sent"] == 1
    code, out, err = call("export_catalog", "--interface", name, "--event", demo.concert.code)
    assert code == 1 and "ERROR" in out and "call Ticketnet" in err
    code, out, _ = call("export_catalog", "--interface", name, "--event", "NOPE", "--json")
    assert code == 1 and "No event with the code “NOPE”" in json.loads(out)["messages"][0]["text"]


# The admin preview page --------------------------------------------------------------------

def _staff(client, institution, language="en"):
    from tests.schedules.test_admin import staff_of

    staff_of(institution, client)
    client.cookies["django_language"] = language


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Export to Ticketnet", "nothing is sent", "Seat categories")),
    ("fr", ("Exporter vers Ticketnet", "rien n'est envoyé", "Catégories de places")),
])
def test_admin_preview_page_in_both_languages(client, simulator, language, words,
                                              django_assert_max_num_queries):
    from django.urls import reverse

    demo = demo_on(simulator)
    _staff(client, demo.interface.institution, language)
    url = reverse("admin:channels_externalsalesinterface_catalog_export",
                  args=[demo.interface.pk])
    with django_assert_max_num_queries(40):
        body = client.get(url, {"event": demo.league.pk}).content.decode()
    for word in words:
        assert word in body
    assert body.count('class="module" id="manifestation-') == 19
    assert 'id="export-button">' in body  # enabled: no problem, never exported
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def test_admin_export_button_is_disabled_on_problems_and_once_exported(client, simulator):
    from django.urls import reverse

    interface = interface_on(simulator)
    event = small_event(interface)
    _staff(client, interface.institution)
    url = reverse("admin:channels_externalsalesinterface_catalog_export", args=[interface.pk])
    Correspondence.objects.filter(interface=interface, kind=Kind.ZONE).delete()
    body = client.get(url, {"event": event.pk}).content.decode()
    assert 'id="export-button" disabled' in body and "Enter the Ticketnet code of the zone" in body
    from mappings.services import correspondences_fill_suggestions

    correspondences_fill_suggestions(interface=interface)
    export(interface, event)
    body = client.get(url, {"event": event.pk}).content.decode()
    assert 'id="export-button" disabled' in body and "Already exported" in body
    confirm = reverse("admin:channels_externalsalesinterface_catalog_export_confirm",
                      args=[interface.pk, event.pk])
    assert client.post(confirm).status_code == 302
    assert Run.objects.filter(job=Job.CATALOG_EXPORT).count() == 1  # nothing queued


def test_admin_confirmation_says_one_shot_and_queues_the_export(
        client, simulator, django_capture_on_commit_callbacks):
    from django.urls import reverse

    interface = interface_on(simulator)
    event = small_event(interface)
    _staff(client, interface.institution)
    confirm = reverse("admin:channels_externalsalesinterface_catalog_export_confirm",
                      args=[interface.pk, event.pk])
    body = client.get(confirm).content.decode()
    assert "can never be sent again" in body and "call Ticketnet" in body
    assert "phone Ticketnet to confirm" in body
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(confirm)
    assert response.status_code == 302 and len(callbacks) == 1


def test_admin_preview_of_another_institution_is_not_found(client, simulator):
    from django.urls import reverse

    mine = interface_on(simulator)
    theirs = interface_on(simulator)
    my_event, their_event = small_event(mine), small_event(theirs)
    _staff(client, mine.institution)
    name = "admin:channels_externalsalesinterface_catalog_export"
    assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.get(reverse(name, args=[mine.pk]), {"event": their_event.pk}).status_code == 404
    assert client.get(reverse(name, args=[mine.pk]), {"event": my_event.pk}).status_code == 200
    confirm = "admin:channels_externalsalesinterface_catalog_export_confirm"
    assert client.post(reverse(confirm, args=[mine.pk, their_event.pk])).status_code == 404
    assert client.post(reverse(confirm, args=[theirs.pk, their_event.pk])).status_code == 404
