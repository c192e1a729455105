"""A run's messages read in the reader's language: stored as codes and parameters, the run of a
French institution reads in English in an English admin and in French in a French one; the
email keeps the institution's language."""

import html

import pytest
from django.core import mail

from mappings.models import Correspondence, Kind
from schedules.framework import runner
from schedules.framework.context import message_shown
from schedules.framework.runner import job_run
from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs
from tests.schedules.export_setup import export, interface_on, small_event
from tests.schedules.test_interface_test import run_test, stand_in_exports  # noqa: F401
from tests.schedules.ticketnet_world import make_world

pytestmark = pytest.mark.django_db


def page(client, run, language):
    return html.unescape(client.get(f"/admin/schedules/run/{run.pk}/change/",
                                    HTTP_ACCEPT_LANGUAGE=language).content.decode())


def test_a_french_runs_error_reads_in_english_for_an_english_reader(admin_client):
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="fr"))
    run = runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                         params={"outcome": "crash"})
    [stored] = run.messages
    assert stored["text"].startswith("La tâche s'est arrêtée")  # the record: the institution's
    english = page(admin_client, run, "en")
    assert "The job stopped on an unexpected error (ValueError)." in english
    assert f"Look at the server logs for run {run.pk}" in english
    assert "La tâche s'est arrêtée" not in english
    french = page(admin_client, run, "fr")
    assert "La tâche s'est arrêtée" in french


def test_the_retry_note_is_rendered_whole_in_the_readers_language(admin_client):
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="fr"))
    run = runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                         params={"outcome": "retry"})
    [stored] = run.messages
    assert "réessayée automatiquement" in stored["action"]
    english = page(admin_client, run, "en")
    assert "The run will not be retried automatically: it ran in this process" in english
    assert "réessayée" not in english


def test_a_sales_integrations_parked_lines_read_in_the_readers_language(
        simulator, admin_client, django_capture_on_commit_callbacks):
    w = make_world(simulator, seats=5, skip_codes={(Kind.ZONE, "101")}, language="fr")
    sold = w.sell(1)
    w.state.duplicate(sold["number"])
    with django_capture_on_commit_callbacks(execute=True):
        run = job_run(interface_id=w.interface.pk, job="sales_integration")
    assert run.status == Run.Status.WARNING
    shown_en = page(admin_client, run, "en")
    assert "1 line parked: the Ticketnet zone code 101 has no correspondence" in shown_en
    assert "Enter the code 101 for the zone" in shown_en
    assert "1 line waits for a parked line" in shown_en
    shown_fr = page(admin_client, run, "fr")
    assert "1 line parked" not in shown_fr and "Enter the code" not in shown_fr
    # The email is the institution's: French, whatever the admin's language.
    [email] = mail.outbox
    assert "1 line parked" not in email.body and "101" in email.body


def test_a_message_stored_as_plain_text_is_shown_as_it_is():
    stored = {"level": "info", "text": "Écrit tel quel.", "action": ""}
    assert message_shown(stored) == stored


def test_the_interface_test_of_a_french_institution_reads_in_english(
        admin_client, simulator, stand_in_exports):  # noqa: F811
    calls, fail = stand_in_exports
    w = make_world(simulator, seats=5, language="fr")
    run = run_test(w)
    english = page(admin_client, run, "en")
    assert "The guide's test, step by step" in english
    assert "Interface test with the event" in english
    assert "Test d'interface" not in english and "Export du catalogue" not in english
    french = page(admin_client, run, "fr")
    assert "Interface test with the event" not in french


def test_an_export_previews_problems_read_in_the_readers_language(admin_client, simulator):
    interface = interface_on(simulator, institution__language="fr")
    event = small_event(interface)
    Correspondence.objects.filter(interface=interface, kind=Kind.ZONE).first().delete()
    run = export(interface, event, dry_run=True)
    assert run.status == Run.Status.WARNING
    # The record is the institution's French; the source is kept beside it.
    assert not any("Enter the Ticketnet code" in m["text"] for m in run.messages)
    english = page(admin_client, run, "en")
    assert "Enter the Ticketnet code of the zone" in english
    assert "Fix it before the export: nothing was sent." in english
