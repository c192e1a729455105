"""The one rule of locked codes, in mappings: what a catalogue export recorded cannot be changed
or deleted by any path (clean, bulk entry, CSV, API, admin) unless Ticketnet's confirmation is
recorded; the change is applied and logged, its old code reserved and still resolved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from mappings.known import KnownCode, KnownCodeChange
from mappings.locks import known_code_change, known_codes_record, known_manifestation_codes
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_book, correspondence_rows
from mappings.services import (
    Entry,
    correspondences_apply,
    correspondences_fill_suggestions,
    correspondences_import_csv,
)
from mappings.signals import code_change_recorded
from tests import factories as f
from tests.mappings.factories import build_event

pytestmark = pytest.mark.django_db

LOCKED = "Exported codes cannot be changed"


@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def event(interface):
    """A single event with every code filled in, its codes locked as an export would."""
    event = build_event(interface=interface)
    assert correspondences_fill_suggestions(interface=interface).ok
    targets = [(c.kind, c.target_id) for c in Correspondence.objects.filter(interface=interface)]
    known_codes_record(interface=interface, targets=targets, at=timezone.now(),
                       manifestation_code="1701", run_id=None)
    return event


def _correspondence(interface, **target):
    return Correspondence.objects.get(interface=interface, **target)


def test_the_export_locks_what_it_sent_once(interface, event):
    assert KnownCode.objects.filter(interface=interface).count() == \
        Correspondence.objects.filter(interface=interface).count()
    first = KnownCode.objects.get(correspondence__event=event)
    # A second export sharing these codes keeps the first record.
    known_codes_record(interface=interface, targets=[(Kind.EVENT, event.pk)],
                       at=timezone.now(), manifestation_code="9999", run_id=7)
    again = KnownCode.objects.get(correspondence__event=event)
    assert (again.pk, again.manifestation_code, again.since) == \
        (first.pk, "1701", first.since)
    assert known_manifestation_codes(interface=interface) == {(Kind.EVENT, event.pk): "1701"}


def test_clean_refuses_changing_the_code_or_moving_it(interface, event):
    correspondence = _correspondence(interface, event=event)
    correspondence.code = "1799"
    with pytest.raises(ValidationError) as exc:
        correspondence.full_clean()
    assert LOCKED in " ".join(exc.value.message_dict["code"])
    other = build_event(interface=interface, code="OTHER")
    correspondence.refresh_from_db()
    correspondence.set_target(Kind.EVENT, other.pk)
    with pytest.raises(ValidationError) as exc:
        correspondence.full_clean()
    assert LOCKED in " ".join(exc.value.message_dict["event"])


def test_bulk_entry_refuses_changes_and_deletions_all_or_nothing(interface, event):
    zone_row = next(r for r in correspondence_rows(interface=interface) if r.kind == Kind.ZONE)
    assert zone_row.known_code_id is not None
    newcomer = build_event(interface=interface, code="NEW")
    result = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.EVENT, object_id=newcomer.pk, code="1799"),
        Entry(kind=Kind.ZONE, object_id=zone_row.object_id, code=""),
        Entry(kind=Kind.EVENT, object_id=event.pk, code="1701"),  # unchanged: fine
    ])
    assert not result.ok and list(result.errors) == [1]
    assert LOCKED in result.errors[1][0]
    assert not Correspondence.objects.filter(event=newcomer).exists()
    assert _correspondence(interface, zone_id=zone_row.object_id).code == zone_row.code


def test_csv_import_names_the_line_and_the_reason(interface, event):
    tariff = event.prices.first().tariff
    text = f"kind;id;code\nevent;{event.pk};1701\ntariff;{tariff.pk};33\n"
    result = correspondences_import_csv(interface=interface, text=text)
    assert result.status == "ERROR" and result.counts["errors"] == 1
    assert result.messages[0].startswith(f"Line 3: {LOCKED}")
    assert "Nothing was saved" in result.messages[-1]


def test_api_gives_the_reason_at_the_field(interface, event):
    api = APIClient()
    api.force_authenticate(f.staff_user(interface.institution))
    correspondence = _correspondence(interface, event=event)
    url = f"/api/correspondences/{correspondence.pk}/"
    response = api.patch(url, {"code": "1799"}, format="json")
    assert response.status_code == 400 and LOCKED in " ".join(response.data["code"])
    other = build_event(interface=interface, code="OTHER")
    response = api.patch(url, {"object_id": other.pk}, format="json")
    assert response.status_code == 400 and LOCKED in " ".join(response.data["object_id"])
    with translation.override("fr"):
        response = api.delete(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Les codes exportés ne peuvent pas être modifiés" in " ".join(response.data["code"])
    assert Correspondence.objects.filter(pk=correspondence.pk).exists()


def test_a_confirmed_change_is_applied_logged_and_both_codes_resolve(
        interface, event, django_capture_on_commit_callbacks):
    operator = f.staff_user(interface.institution)
    known = KnownCode.objects.get(correspondence__event=event)
    sent = []

    def listener(sender, change, **kwargs):
        sent.append(change)

    code_change_recorded.connect(listener)
    try:
        with pytest.raises(ValidationError) as exc:
            known_code_change(known_code=known, new_code="0101", ticketnet_reference="",
                              user=operator)
        assert set(exc.value.message_dict) == {"new_code", "ticketnet_reference"}
        assert "enter 101" in " ".join(exc.value.message_dict["new_code"])
        with pytest.raises(ValidationError, match="already the code Ticketnet knows"):
            known_code_change(known_code=known, new_code="1701", ticketnet_reference="T-1",
                              user=operator)
        with django_capture_on_commit_callbacks(execute=True):
            change = known_code_change(known_code=known, new_code="1798",
                                       ticketnet_reference="T-2", user=operator)
    finally:
        code_change_recorded.disconnect(listener)
    assert sent == [change]  # the audit hook, once committed
    known.refresh_from_db()
    assert known.code == _correspondence(interface, event=event).code == "1798"
    assert (change.old_code, change.new_code, change.recorded_by, change.source) == \
        ("1701", "1798", operator, KnownCodeChange.Source.CONFIRMED)
    book = correspondence_book(interface=interface)
    assert book.object_id_for(Kind.EVENT, "1701") == event.pk
    assert book.object_id_for(Kind.EVENT, "1798") == event.pk
    assert book.code_for(Kind.EVENT, event.pk) == "1798"
    perf = event.performances.select_related("event").get()
    key = book.performance_key(perf)
    assert book.performance_id_for("1701", key[1]) == book.performance_id_for(*key) == perf.pk
    assert known_manifestation_codes(interface=interface) == {(Kind.EVENT, event.pk): "1798"}
    # Still locked at the new code.
    result = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.EVENT, object_id=event.pk, code="1797")])
    assert LOCKED in result.errors[0][0]


def test_an_old_code_is_never_given_to_another_object(interface, event):
    operator = f.staff_user(interface.institution)
    tariff = event.prices.first().tariff
    known = KnownCode.objects.get(correspondence__tariff=tariff)
    old = known.code
    known_code_change(known_code=known, new_code="33", ticketnet_reference="T", user=operator)
    newcomer = f.TariffFactory(institution=interface.institution)
    result = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.TARIFF, object_id=newcomer.pk, code=f"{old}|40")])
    assert "until Ticketnet changed it" in result.errors[0][0]
    correspondence = Correspondence(interface=interface, code=old)
    correspondence.set_target(Kind.TARIFF, newcomer.pk)
    with pytest.raises(ValidationError, match="until Ticketnet changed it"):
        correspondence.full_clean()
    assert old in correspondence_book(interface=interface).taken()["tariff"]
    # The object that had it may take it back, once Ticketnet confirms.
    known.refresh_from_db()
    known_code_change(known_code=known, new_code=old, ticketnet_reference="T", user=operator)
    assert _correspondence(interface, tariff=tariff).code == old


# The admin ------------------------------------------------------------------------------------


@pytest.fixture
def operator_client(client, interface):
    user = f.staff_user(interface.institution)
    client.force_login(user)
    client.user = user
    return client


def test_admin_confirmation_form(operator_client, interface, event):
    known = KnownCode.objects.get(correspondence__event=event)
    url = reverse("admin:mappings_knowncode_confirm", args=[known.pk])
    page = operator_client.get(url).content.decode()
    assert "by the code 1701" in page and "Record the confirmation" in page
    response = operator_client.post(url, {"new_code": "1701", "ticketnet_reference": "T-9"})
    assert response.status_code == 200
    assert "already the code" in " ".join(response.context["form"].errors["new_code"])
    response = operator_client.post(url, {"new_code": "1798", "ticketnet_reference": ""})
    assert response.status_code == 200 and response.context["form"].errors["ticketnet_reference"]
    response = operator_client.post(url, {"new_code": "1798", "ticketnet_reference": "T-9"})
    assert response.status_code == 302
    change = KnownCodeChange.objects.get()
    assert (change.recorded_by, change.ticketnet_reference) == (operator_client.user, "T-9")
    detail = operator_client.get(reverse("admin:mappings_knowncode_change", args=[known.pk]))
    assert "Record Ticketnet&#x27;s confirmation of a change" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    # The history is read-only.
    history = reverse("admin:mappings_knowncodechange_change", args=[change.pk])
    body = operator_client.get(history).content.decode()
    assert "T-9" in body and 'name="_save"' not in body
    assert operator_client.post(history, {"old_code": "x"}).status_code == 403
    assert operator_client.get(reverse("admin:mappings_knowncodechange_add")).status_code == 403
    assert operator_client.post(
        reverse("admin:mappings_knowncodechange_delete", args=[change.pk]),
        {"post": "yes"}).status_code == 403
    assert KnownCodeChange.objects.filter(pk=change.pk).exists()
    # A known code is not deleted from its own admin either.
    operator_client.post(reverse("admin:mappings_knowncode_delete", args=[known.pk]),
                         {"post": "yes"})
    assert KnownCode.objects.filter(pk=known.pk).exists()


def test_admin_of_another_institution_is_not_found(operator_client, event):
    theirs = f.InterfaceFactory()
    build_event(interface=theirs)
    assert correspondences_fill_suggestions(interface=theirs).ok
    known_codes_record(interface=theirs, targets=[
        (c.kind, c.target_id) for c in Correspondence.objects.filter(interface=theirs)],
        at=timezone.now(), manifestation_code="1", run_id=None)
    foreign = KnownCode.objects.filter(interface=theirs).first()
    url = reverse("admin:mappings_knowncode_confirm", args=[foreign.pk])
    assert operator_client.get(url).status_code == 404
    assert operator_client.post(url, {"new_code": "77", "ticketnet_reference": "x"}) \
        .status_code == 404


def test_admin_lists_are_bounded(operator_client, interface, event,
                                 django_assert_max_num_queries):
    urls = [reverse("admin:mappings_knowncode_changelist"),
            reverse("admin:mappings_knowncodechange_changelist"),
            reverse("admin:mappings_correspondence_changelist")]
    operator = operator_client.user
    for known in KnownCode.objects.filter(interface=interface)[:2]:
        known_code_change(known_code=known, new_code=f"8{known.pk}", ticketnet_reference="T",
                          user=operator)
    counts = []
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            assert operator_client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    build_event(interface=interface, code="MORE", zones=4, tariffs=3)
    assert correspondences_fill_suggestions(interface=interface).ok
    known_codes_record(interface=interface, targets=[
        (c.kind, c.target_id) for c in Correspondence.objects.filter(interface=interface)],
        at=timezone.now(), manifestation_code="2", run_id=None)
    for known in KnownCode.objects.filter(interface=interface, changes__isnull=True)[:3]:
        known_code_change(known_code=known, new_code=f"9{known.pk}", ticketnet_reference="T",
                          user=operator)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert operator_client.get(url).status_code == 200


def test_grid_shows_locked_rows_with_the_confirmation_link(operator_client, interface, event,
                                                           django_assert_max_num_queries):
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    with django_assert_max_num_queries(30):
        body = operator_client.get(url).content.decode()
    known = KnownCode.objects.get(correspondence__event=event)
    assert reverse("admin:mappings_knowncode_confirm", args=[known.pk]) in body
    assert body.count("Known to Ticketnet: locked.") == KnownCode.objects.count()


def test_deleting_the_whole_interface_still_works(interface, event):
    # The lock protects objects from deletion one by one, not the interface's own teardown.
    interface.delete()
    assert not KnownCode.objects.exists() and not Correspondence.objects.exists()
