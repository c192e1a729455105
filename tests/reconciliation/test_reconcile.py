"""The reconciliation (issue 12): Ticketnet's side — a sales statement, or its web services'
ticket listing — against our tickets, through the real job and the simulator. A scenario with
sales, a duplicate, a refund, one parked line, one ticket refunded only on our side and one
price difference gives exactly those differences; a clean run gives none."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reconciliation.models import Difference, Reconciliation
from sales.models import ParkedOperation, Ticket
from schedules.framework.runner import job_run
from schedules.jobs.models import ExportedManifestation
from schedules.models import Run
from tests.schedules.ticketnet_world import MANIFESTATION, make_world
from ticketnet_gateway.statement import AmountNotation, StatementLine
from ticketnet_gateway.statement_writer import statement_write

pytestmark = pytest.mark.django_db

K = Difference.Kind


def integrate(world):
    run = job_run(interface_id=world.interface.pk, job="sales_integration")
    assert run.status in (Run.Status.OK, Run.Status.WARNING), run.messages
    return run


def reconcile(world, **params):
    return job_run(interface_id=world.interface.pk, job="reconciliation", params=params)


def today_params():
    today = timezone.localdate()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}


def statement_of(world, tmp_path, *, numbers_cancelled=(), skip=(), notation=None,
                 name="releve.txt"):
    """Ticketnet's statement of every ticket the simulator issued: a sale record per ticket,
    and a cancellation record per ticket it ended (refunded or replaced)."""
    state = world.state
    rows = state.store.db().execute(
        "SELECT number, status, zone_code, row, seat, category_code, tariff_code, price_cents "
        "FROM ticket ORDER BY number").fetchall()
    start = timezone.localtime(world.setup.performance.start).replace(tzinfo=None)
    lines = []
    n = 0
    for number, status, zone, row, seat, category, tariff, price in rows:
        if number in skip:
            continue
        records = [False] + ([True] if status != "ACTIVE" or number in numbers_cancelled else [])
        for cancelled in records:
            n += 1
            lines.append(StatementLine(
                line_number=n, label="CONCERT", performance_at=start, cancelled=cancelled,
                category=category, price_code=tariff, fiscal_code="", zone=zone, row=row,
                seat=seat, amount_cents=price, currency="EUR", ticket_id=number))
    path = tmp_path / name
    with path.open("wb") as out:
        statement_write(lines, out, with_buyer=False,
                        amount_notation=notation or AmountNotation.DECIMAL_POINT,
                        header=["TICKETNET RELEVE DES VENTES"], trailer=[f"FIN {n:06d}"])
    return path


@pytest.fixture
def world(simulator):
    return make_world(simulator, seats=20, places=50)


@pytest.fixture
def scenario(world):
    """Sales, a duplicate, a refund, a sale parked (its price differs under the interface's
    "error" policy), a sale Ticketnet's journal withholds, integrated; then one ticket refunded
    only on our side and one booked at another price than Ticketnet's."""
    sold = [world.sell(seat=s)["number"] for s in range(1, 9)]
    world.duplicate = world.state.duplicate(sold[1])["number"]
    world.state.refund(sold[2])
    world.parked = world.sell(seat=12, price_cents=world.setup.price_cents + 700)["number"]
    world.withheld = world.sell(seat=13)["number"]
    world.state.withhold(ticket_number=world.withheld)
    integrate(world)
    exported(world)
    assert ParkedOperation.objects.filter(interface=world.interface, resolved_at=None).count() == 1
    world.refunded_here = sold[3]
    Ticket.objects.filter(number=sold[3]).update(state=Ticket.State.CANCELLED,
                                                 ended_at=timezone.now())
    world.repriced = sold[4]
    Ticket.objects.filter(number=sold[4]).update(price_cents=world.setup.price_cents + 100)
    world.sold = sold
    return world


def differences(run):
    rec = Reconciliation.objects.get(pk=run.params["reconciliation"])
    return rec, {(d.kind, d.ticket_number) for d in rec.differences.all()}


def test_a_clean_statement_gives_no_difference(world, tmp_path):
    numbers = [world.sell(seat=s)["number"] for s in range(1, 5)]
    world.state.duplicate(numbers[0])
    world.state.refund(numbers[1])
    integrate(world)
    path = statement_of(world, tmp_path)
    run = reconcile(world, statement=str(path), statement_name="releve.txt", **today_params())
    assert run.status == Run.Status.OK, run.messages
    rec, found = differences(run)
    assert found == set()
    assert rec.source == Reconciliation.Source.STATEMENT
    assert rec.ticketnet_lines == 5 and rec.matched == 5
    assert run.counts["statement_records"] == 7  # 5 sales, the duplicate's and refund's ends


def exported(world):
    perf = world.setup.performance
    ExportedManifestation.objects.get_or_create(
        interface=world.interface, event=perf.event, performance=None, defaults={
            "manifestation_code": MANIFESTATION, "exported_at": timezone.now(),
            "performances": [{"id": perf.pk, "code": world.performance_code}],
            "payload_hash": "0" * 64})


def test_a_clean_run_from_the_web_services_gives_no_difference(world):
    numbers = [world.sell(seat=s)["number"] for s in range(1, 5)]
    world.state.duplicate(numbers[0])
    world.state.refund(numbers[1])
    integrate(world)
    exported(world)
    run = reconcile(world, **today_params())
    assert run.status == Run.Status.OK, run.messages
    rec, found = differences(run)
    assert found == set()
    assert (rec.ticketnet_lines, rec.matched) == (5, 5)
    # A performance alone, too.
    run = reconcile(world, performance=world.setup.performance.pk)
    assert run.status == Run.Status.OK, run.messages
    assert differences(run)[0].matched == 5


def test_the_scenario_gives_exactly_its_differences_from_a_statement(scenario, tmp_path):
    w = scenario
    path = statement_of(w, tmp_path)
    run = reconcile(w, statement=str(path), statement_name="releve.txt", **today_params())
    assert run.status == Run.Status.WARNING
    rec, found = differences(run)
    assert found == expected(w)
    check_details(w, rec)
    # The warning names the differences; exit code 3 for the command.
    assert "4 differences" in run.messages[-1]["text"]


def expected(w):
    return {
        (K.MISSING_HERE, w.parked),
        (K.MISSING_HERE, w.withheld),
        (K.STATE_DIFFERS, w.refunded_here),
        (K.PRICE_DIFFERS, w.repriced),
    }


def check_details(w, rec):
    parked = rec.differences.get(ticket_number=w.parked)
    assert parked.reason == "parked" and parked.parked_id is not None
    assert parked.params["park_reason"] == "price_difference"
    never = rec.differences.get(ticket_number=w.withheld)
    assert never.reason == "never_received" and never.parked_id is None
    price = rec.differences.get(kind=K.PRICE_DIFFERS)
    assert (price.ticketnet_price_cents, price.our_price_cents) == (
        w.setup.price_cents, w.setup.price_cents + 100)
    state = rec.differences.get(kind=K.STATE_DIFFERS)
    assert (state.ticketnet_state, state.our_state) == ("valid", "cancelled")
    assert rec.counts == {"missing_here": 2, "price_differs": 1, "state_differs": 1}
    assert rec.matched == len(w.sold) + 1 - 2  # the duplicate; minus the two that differ


def test_the_scenario_gives_the_same_differences_from_the_web_services(scenario):
    w = scenario
    run = reconcile(w, **today_params())
    assert run.status == Run.Status.WARNING, run.messages
    rec, found = differences(run)
    assert rec.source == Reconciliation.Source.WEB_SERVICES
    assert found == expected(w)
    check_details(w, rec)
    # The web services say how a ticket ended: the duplicated one matches as replaced.
    assert rec.matched == len(w.sold) + 1 - 2
    state = rec.differences.get(kind=K.STATE_DIFFERS)
    assert (state.ticketnet_state, state.our_state) == ("valid", "cancelled")


def test_the_scenario_from_the_simulators_own_statement(scenario, tmp_path):
    w = scenario
    path = tmp_path / "releve-ticketnet.txt"
    today = timezone.localdate().isoformat()
    call_command("ticketnet_simulator", "statement", "--state", str(w.state.path), "--from",
                 today, "--to", today, "--output", str(path), stderr=io.StringIO())
    run = reconcile(w, statement=str(path), statement_name=path.name, **today_params())
    _rec, found = differences(run)
    assert found == expected(w)


def test_a_line_never_received_comes_back_when_the_journal_is_listed_again(scenario):
    w = scenario
    w.state.withhold(ticket_number=w.withheld, release=True)
    before = timezone.now() - timedelta(hours=1)
    integrate_again = job_run(interface_id=w.interface.pk, job="sales_integration",
                              params={"since": before.isoformat()})
    assert integrate_again.counts.get("sold") == 1, integrate_again.messages
    run = reconcile(w, **today_params())
    _rec, found = differences(run)
    assert found == expected(w) - {(K.MISSING_HERE, w.withheld)}


def test_a_ticket_ticketnet_does_not_list_is_extra_here(world, tmp_path):
    numbers = [world.sell(seat=s)["number"] for s in range(1, 4)]
    integrate(world)
    path = statement_of(world, tmp_path, skip={numbers[0]})
    run = reconcile(world, statement=str(path), **today_params())
    _rec, found = differences(run)
    assert found == {(K.EXTRA_HERE, numbers[0])}


def test_a_statement_with_a_line_that_cannot_be_read_compares_nothing(world, tmp_path):
    world.sell(seat=1)
    integrate(world)
    path = statement_of(world, tmp_path, notation=AmountNotation.DECIMAL_COMMA)
    before = Reconciliation.objects.count()
    run = reconcile(world, statement=str(path), **today_params())
    assert run.status == Run.Status.ERROR
    assert Reconciliation.objects.count() == before  # nothing half-written
    texts = [m["text"] for m in run.messages]
    assert any("Statement line 2:" in t and "amount" in t for t in texts), texts
    assert run.counts["refused_lines"] == 1


def test_an_unknown_code_is_a_difference_never_a_silent_skip(world, tmp_path):
    number = world.sell(seat=1)["number"]
    integrate(world)
    path = statement_of(world, tmp_path)
    data = path.read_bytes().replace(b"         101", b"         909")  # zone column
    path.write_bytes(data)
    run = reconcile(world, statement=str(path), **today_params())
    rec, found = differences(run)
    assert found == {(K.UNKNOWN_CODE, number)}
    diff = rec.differences.get()
    assert diff.params["kind_key"] == "zone" and diff.params["code"] == "909"


def test_the_command_says_its_exit_code_and_json(scenario, tmp_path):
    path = statement_of(scenario, tmp_path)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile", "--interface", scenario.interface.internal_name,
                     "--statement", str(path), "--from", today_params()["from"],
                     "--to", today_params()["to"], "--json", stdout=out)
    assert exit_.value.code == 3
    assert '"state_differs": 1' in out.getvalue()


def test_the_operators_are_emailed_when_differences_appear_or_change_never_as_a_reminder(
        scenario, tmp_path, mailoutbox, django_capture_on_commit_callbacks):
    scenario.interface.followup_emails = "suivi@example.org"
    scenario.interface.save()
    path = statement_of(scenario, tmp_path)

    def reconcile_told():
        with django_capture_on_commit_callbacks(execute=True):
            return reconcile(scenario, statement=str(path), **today_params())

    first = reconcile_told()
    assert first.email == Run.Email.SENT
    # The same differences the next day: not told again.
    Run.objects.filter(pk=first.pk).update(problems_emailed_at=timezone.now()
                                           - timedelta(days=2))
    again = reconcile_told()
    assert again.email == Run.Email.HELD
    # One more difference: told.
    Ticket.objects.filter(number=scenario.sold[5]).update(price_cents=1)
    changed = reconcile_told()
    assert changed.email == Run.Email.SENT
    assert len(mailoutbox) == 2
    assert "5 differences" in mailoutbox[-1].body


def test_the_run_page_links_to_the_reconciliation_it_saved(scenario, tmp_path, client):
    from tests.schedules.test_admin import staff_of

    path = statement_of(scenario, tmp_path)
    run = reconcile(scenario, statement=str(path), statement_name="releve-mars.txt",
                    **today_params())
    staff_of(scenario.interface.institution, client)
    html = client.get(reverse("admin:schedules_run_change", args=[run.pk])).content.decode()
    finance = reverse("admin:channels_externalsalesinterface_reconciliation",
                      args=[scenario.interface.pk])
    assert f'{finance}?reconciliation={run.params["reconciliation"]}#reconciliation' in html
    assert "releve-mars.txt" in html
    assert str(path) not in html  # the file's place on the server is not shown


def test_nothing_on_either_side_says_there_is_nothing_to_reconcile(world, tmp_path):
    path = statement_of(world, tmp_path)  # Ticketnet sold nothing
    run = reconcile(world, statement=str(path), **today_params())
    assert run.status == Run.Status.OK
    assert "nothing to reconcile" in run.messages[-1]["text"]


def test_the_web_services_compare_only_what_ticketnet_lists(scenario):
    # A ticket of a performance never exported (Ticketnet lists by manifestation): not an
    # "extra here" the web services cannot know, but said.
    from tests import factories as f

    w = scenario
    other = f.PerformanceFactory(event=w.setup.performance.event,
                                 configuration=w.setup.performance.configuration)
    ticket = Ticket.objects.get(number=w.sold[0])
    ticket.pk, ticket.number, ticket.performance = None, "ELSEWHERE000001", other
    ticket.save()
    run = reconcile(w, **today_params())
    _rec, found = differences(run)
    assert found == expected(w)
    assert any("1 ticket of ours is not compared" in m["text"] for m in run.messages)
