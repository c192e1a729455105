"""The interface test (the guide's "Test" section): each step reported, OK only when all are."""

import json

import pytest
from django.core.management import call_command

from schedules.framework import registry
from schedules.framework.errors import JobError
from schedules.framework.runner import job_run
from schedules.models import Job, Run
from tests.schedules.ticketnet_world import make_world
from ticketnet_simulator.box_office_client import BoxOfficeClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def stand_in_exports():
    """Export jobs that only report: the world is exported at the simulator beforehand (the
    end-to-end demo test runs the real ones). `calls` records their parameters."""
    calls = []
    before = {job: registry._jobs.get(job) for job in (Job.CATALOG_EXPORT,
                                                       Job.ALLOTMENT_EXPORT)}

    def export(name):
        def job(ctx):
            if ctx.params.get("fail") or name in fail:
                raise JobError(f"{name} refused", "Fix it.")
            calls.append((name, dict(ctx.params)))
            ctx.count("sent")
        return job

    fail = set()
    registry.register(Job.CATALOG_EXPORT, export("catalog"), replace=True)
    registry.register(Job.ALLOTMENT_EXPORT, export("allotments"), replace=True)
    yield calls, fail
    for job, fn in before.items():
        if fn is None:
            registry.unregister(job)
        else:
            registry.register(job, fn, replace=True)


def run_test(world, event=None):
    return job_run(interface_id=world.interface.pk, job=Job.INTERFACE_TEST,
                   params={"event": (event or world.setup.event).code})


def texts(run, level=None):
    return [m["text"] for m in run.messages if level is None or m["level"] == level]


def test_against_the_simulator_every_step_is_ok_and_the_tickets_are_checked(
        simulator, stand_in_exports):
    calls, _fail = stand_in_exports
    w = make_world(simulator, seats=5)
    run = run_test(w)
    assert run.status == Run.Status.OK, run.messages
    event_id = w.setup.event.pk
    assert calls == [("catalog", {"event_id": event_id}), ("allotments", {"event_id": event_id})]
    steps = [t for t in texts(run, "info") if t.endswith(": OK")]
    assert steps == ["a. Catalogue export: OK", "b. Allotment export: OK",
                     "c. Ticketnet sells, duplicates and refunds: OK",
                     "d. Sales integration: OK", "Result: OK"]
    assert run.counts["steps_ok"] == 5
    assert (run.counts["sales_integration.sold"], run.counts["sales_integration.duplicated"],
            run.counts["sales_integration.refunded"]) == (2, 1, 1)
    assert any("is a valid duplicate of" in t and "back in the quota" in t for t in texts(run))


def test_with_a_real_ticketnet_the_run_waits_for_a_phone_call_then_passes(
        simulator, stand_in_exports, monkeypatch):
    w = make_world(simulator, seats=5)
    monkeypatch.setattr(BoxOfficeClient, "available", lambda self: False)
    waiting = run_test(w)
    assert waiting.status == Run.Status.WARNING
    [first] = [m for m in waiting.messages if m["level"] == "warning"]
    assert first["text"].startswith("Result — Waiting for Ticketnet")
    assert "Call Ticketnet and ask them to sell" in first["action"]
    # Ticketnet's staff do it on their side, then the operator runs the test again.
    a, b = w.sell(1), w.sell(2)
    w.state.duplicate(a["number"])
    w.state.refund(b["number"])
    done = run_test(w)
    assert done.status == Run.Status.OK, done.messages
    assert any("is a valid duplicate of" in t for t in texts(done))


def test_a_failed_step_stops_the_test_and_says_which_steps_did_not_run(
        simulator, stand_in_exports):
    _calls, fail = stand_in_exports
    fail.add("allotments")
    w = make_world(simulator, seats=5)
    run = run_test(w)
    assert run.status == Run.Status.ERROR
    assert "b. Allotment export — allotments refused" in texts(run, "error")
    assert any(t.startswith("Not run, because the step before failed: c. Ticketnet")
               for t in texts(run, "info"))
    assert not w.state.show()["tickets"]


def test_parked_lines_make_the_integration_step_a_warning_and_the_result_an_error(
        simulator, stand_in_exports):
    from mappings.models import Kind

    w = make_world(simulator, seats=5, skip_codes={(Kind.ZONE, "101")})
    run = run_test(w)
    assert run.status == Run.Status.ERROR
    assert "d. Sales integration: WARNING" in texts(run, "info")
    assert any("zone code 101" in t for t in texts(run, "warning"))
    assert any(t.startswith("Result — The integrated tickets are not as Ticketnet left them")
               for t in texts(run, "error"))


def test_an_unknown_event_is_an_error(simulator, stand_in_exports):
    w = make_world(simulator, seats=2)
    run = job_run(interface_id=w.interface.pk, job=Job.INTERFACE_TEST, params={"event": "NOPE"})
    assert run.status == Run.Status.ERROR and "NOPE" in run.messages[0]["text"]


def test_the_command_reports_json_and_refuses_an_unknown_event(simulator, stand_in_exports,
                                                                capsys):
    w = make_world(simulator, seats=5)
    name = w.interface.internal_name
    call_command("run_interface_test", "--interface", name, "--event", w.setup.event.code,
                 "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "OK" and data["counts"]["steps_ok"] == 5
    with pytest.raises(SystemExit) as exited:
        call_command("run_interface_test", "--interface", name, "--event", "NOPE")
    assert exited.value.code == 1
    assert "No event “NOPE”" in capsys.readouterr().err


def test_the_admin_button_opens_a_form_of_the_interface_events_and_queues_the_test(
        client, monkeypatch):
    from django.urls import reverse

    from schedules import admin_interface_trial
    from tests import factories as f
    from tests.mappings.factories import build_event
    from tests.schedules.test_admin import staff_of

    queued = []
    task_id = "0b7c5f1e-0000-4000-8000-000000000001"  # job_queue returns the Celery task's id
    monkeypatch.setattr(admin_interface_trial, "job_queue",
                        lambda **kw: queued.append(kw) or task_id)
    interface = f.InterfaceFactory()
    mine = build_event(interface=interface, code="CONC27")
    elsewhere = build_event(interface=f.InterfaceFactory(), code="OTHER")
    operator = staff_of(interface.institution, client)
    url = reverse("admin:channels_externalsalesinterface_run_interface_test",
                  args=[interface.pk])
    page = client.post(url)  # the button on the interface page
    assert page.status_code == 200
    choices = [value for value, _label in page.context["form"].fields["event"].choices if value]
    assert [c.value for c in choices] == [mine.pk]
    refused = client.post(url, {"event": elsewhere.pk})
    assert refused.status_code == 200 and refused.context["form"].errors["event"]
    done = client.post(url, {"event": mine.pk})
    assert done.status_code == 302 and f"/follow/{task_id}/" in done["Location"]  # to its run
    [asked] = queued
    assert asked.pop("user").pk == operator.pk  # who asked, for the audit log of exports
    assert asked == {"interface_id": interface.pk, "job": Job.INTERFACE_TEST,
                     "trigger": "manual", "params": {"event": "CONC27"}}
    other = f.InterfaceFactory()
    assert client.post(reverse("admin:channels_externalsalesinterface_run_interface_test",
                               args=[other.pk])).status_code == 404
