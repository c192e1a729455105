"""The admin's home is the operator's dashboard: per interface its state, last runs, next
schedules, open parked lines, charts and quotas, in a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from cockpit.selectors import InterfaceDashboard, ParkedCount
from schedules.jobs.schedules import schedules_ensure
from schedules.models import Job, Run
from tests import factories as f

from .conftest import add_history, client_for

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_job_its_parked_lines_charts_and_quota(world):
    add_history(world, runs=12, tickets=30, parked=4)
    schedules_ensure(interface=world.interface)
    page = client_for(world.operator).get(reverse("admin:index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "FR * Ticketnet" in html and 'data-state="error"' in html  # last run: an error
    [row] = re.findall(r'<tr class="cockpit-job" data-job="sales_integration">(.*?)</tr>',
                       html, re.S)
    assert "Error" in row and "sold <strong>2</strong>" in row and "every 4 hours" in row
    assert "1 min 00 s" in row  # the run's duration
    # Open parked lines by reason, each a link to those lines.
    assert "Unknown Ticketnet code</a> <strong>2</strong>" in html
    assert "resolved_at__isempty=1" in html and "reason__exact=price_difference" in html
    # Both charts, drawn as SVG with their summary for screen readers.
    assert html.count('<figure class="cockpit-chart">') == 2 and 'role="img"' in html
    assert "24 sales integrated in 30 days" in html
    assert "Runs in the last 30 days: OK 8, Warning 2, Error 2." in html
    # 27 valid tickets of 30 (every tenth refunded) against 20,000 places.
    assert re.search(r"CONC27 — Concert.*?27 / 20000", html, re.S)


def test_the_dashboard_speaks_french(world):
    add_history(world, runs=3, tickets=0, parked=1)
    html = client_for(world.operator, "fr").get(reverse("admin:index")).content.decode()
    assert "Tableau de bord" in html and "Lignes en attente ouvertes" in html
    assert "Ventes intégrées par jour" in html and "Billets vendus par séance" in html
    assert "1 ligne en attente à corriger" in html


def test_an_operator_sees_only_the_interfaces_of_their_institutions(world):
    other = f.InterfaceFactory(internal_name="Another house")
    Run.objects.create(interface=other, job=Job.SALES_INTEGRATION, trigger="manual",
                       status="error", started_at=world.performance.start)
    html = client_for(world.operator).get(reverse("admin:index")).content.decode()
    assert "FR * Ticketnet" in html and "Another house" not in html
    root = f.UserFactory(username="root", is_superuser=True)
    assert "Another house" in client_for(root).get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("size", [10, 10_000])
def test_the_queries_do_not_grow_with_tickets_runs_and_parked_lines(world, size,
                                                                    django_assert_num_queries):
    add_history(world, runs=size, tickets=size, parked=size)
    client = client_for(world.operator)
    client.get(reverse("admin:index"))  # the session's first read
    # Session, user, permissions (2), institutions, then the dashboard's own queries:
    # interfaces with their last runs, those runs, schedules, parked lines, two charts,
    # performances, seats and places allocated, tickets sold.
    with django_assert_num_queries(15):
        page = client.get(reverse("admin:index"))
    assert page.status_code == 200 and "FR * Ticketnet" in page.content.decode()


def test_the_sections_follow_the_guide_set_up_first():
    root = f.UserFactory(username="root", is_superuser=True)
    html = client_for(root).get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<div class="app-(\w+) module', html)
    assert sections[:6] == ["channels", "catalog", "mappings", "schedules",
                            "django_celery_beat", "sales"]
    channels = html.split('<div class="app-channels module')[1].split("</table>")[0]
    assert list(dict.fromkeys(re.findall(r'href="/admin/channels/(\w+)/', channels))) == [
        "institution", "saleschannel", "pointofsale", "externalquota", "contact",
        "externalsalesinterface"]


def test_a_new_institution_is_shown_where_to_start(db):
    user = f.staff_user(f.InstitutionFactory(), app_labels=("channels",))
    html = client_for(user).get(reverse("admin:index")).content.decode()
    assert "Get started" in html and reverse("admin:channels_saleschannel_add") in html


def test_lines_waiting_for_a_parked_line_are_not_counted_as_lines_to_fix(world):
    """Issue 10: a duplicate or refund waiting for its parked sale is no problem of its own."""
    board = InterfaceDashboard(interface=world.interface, parked=[
        ParkedCount(reason="unknown_code", count=2),
        ParkedCount(reason="waiting_for_original", count=5)])
    assert board.parked_total == 2


@pytest.mark.parametrize("app", ["catalog", "reconciliation", "channels"])
def test_an_apps_own_page_lists_its_models_without_the_dashboards_get_started(world, app):
    # The dashboard is the home page's: an app's page once said "No external sales interface
    # yet" while the institution had one.
    page = client_for(world.operator).get(reverse("admin:app_list", args=[app]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Get started" not in html and 'id="cockpit"' not in html
    assert "Set-up and data" in html
